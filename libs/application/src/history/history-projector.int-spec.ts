import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { keyStreamId, type KeyCommand } from '@cs/domain';
import { SqliteEventStore } from '@cs/event-store';
import { HistoryUnavailableError, MemoryValidityIndex, SqliteHistoryStore, type HistoryRow, type HistoryStore } from '@cs/validity';
import { KeyCommandExecutor, type CommandContext } from '../key-command-executor';
import { AccountHistoryReads } from './account-history';
import { historyExportStream } from './history-export';
import { HistoryProjector } from './history-projector';

const context: CommandContext = { actor: { type: 'user', sub: 'tester', acct: 'acct_1', roles: [] } };
const sealed = { kid: 'test', alg: 'A256GCM' as const, iv: 'iv-bytes', ciphertext: 'sealed-ciphertext', tag: 'tag-bytes' };
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const dir = mkdtempSync(join(tmpdir(), 'cs-history-proj-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('HistoryProjector and AccountHistoryReads (SQLite event store and history)', () => {
  let store: SqliteEventStore;
  let history: HistoryStore;
  let executor: KeyCommandExecutor;
  const projectors: HistoryProjector[] = [];
  beforeEach(() => {
    const id = randomUUID();
    store = SqliteEventStore.open(join(dir, `events-${id}.sqlite`));
    history = SqliteHistoryStore.open(join(dir, `history-${id}.sqlite`));
    executor = new KeyCommandExecutor(store, new MemoryValidityIndex());
  });
  afterEach(async () => {
    for (const p of projectors.splice(0)) await p.stop();
    await history.close();
    await store.close();
  });
  const projector = () => {
    const p = new HistoryProjector(store, history, quiet, 20);
    projectors.push(p);
    return p;
  };
  const run = async (command: KeyCommand, keyId: string, accountId: string) => {
    const outcome = await executor.execute(keyId, accountId, () => ({ command, result: null }), context);
    if (!outcome.ok) throw new Error(`${command.type} refused`);
  };
  const newKey = async (accountId: string, name = 'k') => {
    const keyId = `key_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const secret = { hash: `hash-${randomUUID()}`, start: 'ak_test_abc123', sealed };
    await run(
      { type: 'GenerateKey', keyId, accountId, kind: 'api', name, allowedIps: [], webhookFormat: 'single', secret },
      keyId,
      accountId,
    );
    return keyId;
  };
  /** The rows the read model holds now, as projected (the reads refuse while it is behind; this does not). */
  const all = async (accountId: string) => (await history.page({ accountId, filter: {}, direction: 'oldest', limit: 10_000 })).rows;

  it('files every key event under its account, without the secret hash or sealed copy; the validity index plays no part', async () => {
    const acct = `acct_${randomUUID()}`;
    const a = await newKey(acct, 'a');
    const b = await newKey(acct, 'b');
    await run({ type: 'UpdateKey', changes: { name: 'a2' } }, a, acct);
    await newKey(`acct_${randomUUID()}`); // another account's
    await projector().start();
    await eventually(async () => (await all(acct)).length === 3);
    const rows = await all(acct);
    expect(rows.map((r) => [r.keyId, r.type, r.revision])).toEqual([
      [a, 'KeyGenerated', 0],
      [b, 'KeyGenerated', 0],
      [a, 'KeyUpdated', 1],
    ]);
    expect(rows[0].data.secret).toEqual({ version: 1, start: 'ak_test_abc123' });
    expect(JSON.stringify(rows.map(({ position: _p, ...row }) => row))).not.toMatch(/hash-|sealed-ciphertext|"sealed"|"hash"/);
    expect(rows[0].metadata).toMatchObject({ actor: context.actor, schemaVersion: 1 });
    // The reads take the event store (for its head) and the history store: no validity index. An index
    // that is empty (a new Redis, a flushed one) lists nothing, and the history is whole all the same.
    expect(await new MemoryValidityIndex().listKeys(acct)).toEqual([]);
    const page = await new AccountHistoryReads(store, history).page({ accountId: acct, filter: {}, direction: 'newest', limit: 2 }, 0);
    expect([page.rows.map((r) => r.type), page.caughtUp]).toEqual([['KeyUpdated', 'KeyGenerated'], true]);
  });

  it('resumes from its own checkpoint: events appended while it was stopped are filed once', async () => {
    const acct = `acct_${randomUUID()}`;
    const a = await newKey(acct);
    const first = projector();
    await first.start();
    await eventually(async () => (await all(acct)).length === 1);
    await first.stop();
    await run({ type: 'UpdateKey', changes: { name: 'x' } }, a, acct);
    await run({ type: 'RevokeKey', reason: null }, a, acct);
    await projector().start();
    await eventually(async () => (await all(acct)).length >= 3);
    expect((await all(acct)).map((r) => r.type)).toEqual(['KeyGenerated', 'KeyUpdated', 'KeyRevoked']);
    expect(await history.position()).toBe(await store.headPosition());
  });

  it('refuses to answer while behind the store (HistoryUnavailableError after the wait), and answers once caught up', async () => {
    const acct = `acct_${randomUUID()}`;
    await newKey(acct);
    const reads = new AccountHistoryReads(store, history);
    expect(await reads.freshness(50)).toEqual({ position: undefined, caughtUp: false });
    await expect(reads.page({ accountId: acct, filter: {}, direction: 'oldest', limit: 10 }, 50)).rejects.toBeInstanceOf(
      HistoryUnavailableError,
    );
    await projector().start();
    const caughtUp = await reads.freshness(2000);
    expect(caughtUp).toEqual({ position: await store.headPosition(), caughtUp: true });
    const page = await reads.page({ accountId: acct, filter: {}, direction: 'oldest', limit: 10 });
    expect([page.rows.map((r) => r.type), page.caughtUp]).toEqual([['KeyGenerated'], true]);
  });

  it('refuses a page or an export read while the read model lost its rows (between the freshness check and the read), never answering it short', async () => {
    const acct = `acct_${randomUUID()}`;
    await newKey(acct);
    await projector().start();
    const reads = new AccountHistoryReads(store, history);
    await eventually(async () => (await reads.freshness(0)).caughtUp);
    // The read model is emptied (its Redis flushed) just as the page is read: the check before passed.
    let lost = false;
    const flushed: HistoryStore = Object.create(history) as HistoryStore;
    flushed.page = async () => {
      lost = true;
      return { rows: [], next: null };
    };
    flushed.position = async () => (lost ? undefined : history.position());
    const lossy = new AccountHistoryReads(store, flushed);
    await expect(lossy.page({ accountId: acct, filter: {}, direction: 'oldest', limit: 10 })).rejects.toThrow(
      'the account history lost rows while it was read',
    );
    lost = false;
    const { position } = await lossy.current();
    const exported = lossy.rows({ accountId: acct, filter: {}, direction: 'oldest' }, 1000, position);
    await expect(exported.next()).rejects.toBeInstanceOf(HistoryUnavailableError);
    // Nothing lost: the same reads answer.
    expect((await reads.page({ accountId: acct, filter: {}, direction: 'oldest', limit: 10 })).rows.map((r) => r.type)).toEqual([
      'KeyGenerated',
    ]);
  });

  it('heals a read model that lost rows (emptied, or back to an older checkpoint) by itself, with no new event', async () => {
    const acct = `acct_${randomUUID()}`;
    const a = await newKey(acct);
    await run({ type: 'UpdateKey', changes: { name: 'x' } }, a, acct);
    const live = projector();
    await live.start();
    const reads = new AccountHistoryReads(store, history);
    await eventually(async () => (await all(acct)).length === 2);
    // The rows and the checkpoint lost, as a Redis restarted empty would lose them: a new empty generation.
    await history.activate(await history.newGeneration());
    await expect(reads.page({ accountId: acct, filter: {}, direction: 'oldest', limit: 10 }, 50)).rejects.toBeInstanceOf(
      HistoryUnavailableError,
    );
    await eventually(async () => (await all(acct)).length === 2, 10_000);
    const page = await reads.page({ accountId: acct, filter: {}, direction: 'oldest', limit: 10 });
    expect(page.rows.map((r) => r.type)).toEqual(['KeyGenerated', 'KeyUpdated']);
  });

  it('rebuild: a new generation built beside the live one and activated; the live projection goes on in it', async () => {
    const acct = `acct_${randomUUID()}`;
    const a = await newKey(acct);
    const live = projector();
    await live.start();
    await eventually(async () => (await all(acct)).length === 1);
    const before = await history.currentGeneration();
    for (let i = 0; i < 5; i++) await run({ type: 'UpdateKey', changes: { name: `n${i}` } }, a, acct);
    const progress: number[] = [];
    const rebuilt = await projector().rebuild((n) => progress.push(n));
    expect(rebuilt).toBe(6);
    expect(progress.at(-1)).toBe(6);
    expect(await history.currentGeneration()).not.toBe(before);
    expect(await history.checkpoint(before)).toBeUndefined(); // the old generation dropped
    await run({ type: 'RevokeKey', reason: null }, a, acct);
    await eventually(async () => (await all(acct)).length === 7);
    expect((await all(acct)).map((r) => r.revision)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('rebuild writes batches while it reads the next ones: every row lands, the checkpoint last; a batch that fails fails the rebuild, with nothing of it activated or still landing', async () => {
    const acct = `acct_${randomUUID()}`;
    const keys = [await newKey(acct), await newKey(acct), await newKey(acct)];
    // Renames appended in bulk (a command per event would take minutes here): what the history files is the stored event.
    for (let i = 0; i < 2600; i += 100) {
      const keyId = keys[(i / 100) % 3];
      const renames = [...Array(100).keys()].map((j) => ({
        id: randomUUID(),
        type: 'KeyUpdated',
        data: { keyId, accountId: acct, kind: 'api', changes: { name: `n${i + j}` } },
        metadata: {
          actor: context.actor,
          correlationId: randomUUID(),
          causationId: null,
          occurredAt: new Date().toISOString(),
          schemaVersion: 1,
        },
      }));
      await store.appendToStream(keyStreamId(keyId), renames, { expectedRevision: 'any' });
    }
    const events = 2603; // six batches of 500 and one of 103
    const head = await store.headPosition();
    const before = await history.currentGeneration();
    // Slow writes, so that several are in flight at once; the first batch fails (once), while others are in flight.
    let writes = 0;
    let inFlight = 0;
    let most = 0;
    let landedAfterFailure = false;
    let failed = false;
    const slow: HistoryStore = Object.create(history) as HistoryStore;
    slow.write = async (generation, rows, checkpoint, base) => {
      const n = ++writes;
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 30));
      inFlight--;
      if (n === 1 && failBatch) throw new Error('injected: the first batch failed');
      if (failed) landedAfterFailure = true;
      return history.write(generation, rows, checkpoint, base);
    };
    let failBatch = true;
    await expect(new HistoryProjector(store, slow, quiet, 20).rebuild()).rejects.toThrow('injected: the first batch failed');
    failed = true;
    await new Promise((resolve) => setTimeout(resolve, 100)); // a write still running would land meanwhile
    expect(landedAfterFailure).toBe(false);
    expect(await history.currentGeneration()).toBe(before); // nothing activated
    failed = false;
    failBatch = false;
    writes = 0;
    most = 0;
    expect(await new HistoryProjector(store, slow, quiet, 20).rebuild()).toBe(events);
    expect(most).toBeGreaterThan(1); // written while reading, not one batch at a time
    const generation = await history.currentGeneration();
    expect(generation).not.toBe(before);
    expect(await history.checkpoint(generation)).toBe(head);
    expect((await all(acct)).map((row) => row.position)).toEqual([...Array(events).keys()].map((i) => head! - BigInt(events - 1 - i)));
  });

  it('streams an export of 200,000 events in bounded memory (the heap grows far less than the bytes sent)', async () => {
    const acct = `acct_${randomUUID()}`;
    const TOTAL = 200_000;
    const padding = 'x'.repeat(300);
    for (let start = 0; start < TOTAL; start += 10_000) {
      const batch: HistoryRow[] = [];
      for (let i = start; i < start + 10_000; i++) {
        batch.push({
          position: BigInt(i + 1),
          streamId: 'key-key_big',
          revision: i,
          id: `id-${i}`,
          type: 'KeyUpdated',
          data: { keyId: 'key_big', accountId: acct, changes: { name: `${padding}${i}` } },
          metadata: {
            actor: { type: 'system', name: 'bulk' },
            occurredAt: new Date(1_700_000_000_000 + i).toISOString(),
            schemaVersion: 1,
          },
          recordedAt: new Date(1_700_000_000_000 + i).toISOString(),
          keyId: 'key_big',
          accountId: acct,
        });
      }
      await history.write(0, batch, BigInt(start + 10_000));
    }
    const reads = new AccountHistoryReads(store, history);
    const rows = reads.rows({ accountId: acct, filter: {}, direction: 'oldest' });
    const stream = historyExportStream(rows, await rows.next(), 'ndjson');
    // What the heap holds (after a full collection), not what garbage it has not collected yet.
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const baseline = live();
    let peak = baseline;
    let bytes = 0;
    let lines = 0;
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        const before = lines;
        for (const c of chunk) if (c === 10) lines++;
        if (Math.floor(before / 20_000) !== Math.floor(lines / 20_000)) peak = Math.max(peak, live());
        // A slow client: every chunk waits a tick, so backpressure, not buffering, paces the reads.
        setImmediate(done);
      },
    });
    await pipeline(stream, sink);
    expect(lines).toBe(TOTAL);
    expect(bytes).toBeGreaterThan(100 * 1024 * 1024);
    // The whole answer would be > 100 MB as bytes (and more as strings); the heap holds about a page.
    expect(peak - baseline).toBeLessThan(32 * 1024 * 1024);
  }, 120_000);
});
