import type { VerifyResult } from '../verdict';
import { MemoryUsageStore } from './memory-usage-store';
import { CoarseClock, UsageAggregator } from './usage-aggregator';
import { UsageFlusher } from './usage-flusher';
import { epochDay, type UsageDelta, type UsageStore } from './usage.port';

const valid: VerifyResult = { valid: true, code: 'VALID', keyId: 'key_a' };
const today = epochDay(Date.now());

/** A store that fails while `down`, else writes to memory. */
class FlakyStore extends MemoryUsageStore {
  down = false;
  override async apply(deltas: readonly UsageDelta[], batchId?: string): Promise<void> {
    if (this.down) throw new Error('connection refused');
    return super.apply(deltas, batchId);
  }
}

/** A store whose writes land but answer an error (a timeout after the write) while `lossy`. */
class LandsButFails extends MemoryUsageStore {
  lossy = true;
  readonly ids: (string | undefined)[] = [];
  override async apply(deltas: readonly UsageDelta[], batchId?: string): Promise<void> {
    this.ids.push(batchId);
    await super.apply(deltas, batchId);
    if (this.lossy) throw new Error('command timed out');
  }
}

function setup(store: UsageStore) {
  const aggregator = new UsageAggregator(new CoarseClock());
  const lines: string[] = [];
  const logger = { log: (m: string) => lines.push(`log ${m}`), warn: (m: string) => lines.push(`warn ${m}`) };
  return { aggregator, lines, flusher: new UsageFlusher(aggregator, store, logger, 60_000) };
}

describe('UsageFlusher', () => {
  it('writes the counts, retries a failed write at the next flush without losing any, and logs once per failure streak', async () => {
    const store = new FlakyStore();
    const { aggregator, lines, flusher } = setup(store);
    aggregator.record(valid);
    store.down = true;
    expect(await flusher.flush()).toBe(false);
    aggregator.record(valid);
    expect(await flusher.flush()).toBe(false);
    expect(lines.filter((l) => l.startsWith('warn'))).toHaveLength(1);
    // the failed batch (retried as it is) and the newer count waiting for the next batch
    expect(flusher.stats()).toMatchObject({ failures: 2, failing: true, pending: 2 });
    store.down = false;
    expect(await flusher.flush()).toBe(true);
    expect((await store.daily('key_a', today, today))[0].valid).toBe(2);
    expect(lines[1]).toMatch(/^log key usage writes work again/);
    expect(flusher.stats()).toMatchObject({ failing: false, pending: 0 });
  });

  it('retries a write that landed but answered an error with the same batch id, so it is counted once', async () => {
    const store = new LandsButFails();
    const { aggregator, flusher } = setup(store);
    aggregator.record(valid);
    aggregator.record(valid);
    expect(await flusher.flush()).toBe(false);
    aggregator.record(valid); // counted meanwhile: waits for the next batch
    expect(await flusher.flush()).toBe(false);
    store.lossy = false;
    expect(await flusher.flush()).toBe(true);
    expect((await store.daily('key_a', today, today))[0].valid).toBe(3);
    // the first batch three times under one id, then the newer one under its own
    expect(new Set(store.ids.slice(0, 3)).size).toBe(1);
    expect(store.ids[3]).not.toBe(store.ids[0]);
  });

  it('joins a flush under way instead of starting a second write', async () => {
    let release: () => void = () => undefined;
    const applied: number[] = [];
    const slow: UsageStore = {
      apply: (deltas) =>
        new Promise<void>((resolve) => {
          applied.push(deltas.length);
          release = resolve;
        }),
      lastUsed: async () => new Map(),
      daily: async () => [],
      close: async () => undefined,
    };
    const { aggregator, flusher } = setup(slow);
    aggregator.record(valid);
    const first = flusher.flush();
    const second = flusher.flush();
    release();
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(applied).toEqual([1]);
  });
});
