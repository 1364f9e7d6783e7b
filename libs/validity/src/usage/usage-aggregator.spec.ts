import type { VerifyResult } from '../verdict';
import { CoarseClock, UsageAggregator } from './usage-aggregator';
import { DAY_MS, type UsageDelta } from './usage.port';

const DAY = 20_000; // an epoch day
let time = DAY * DAY_MS + 1000;
const clock = new CoarseClock(() => time);
const at = (ms: number): void => {
  time = ms;
  clock.tick();
};
const answer = (keyId: string | undefined, code: VerifyResult['code']): VerifyResult => ({ valid: code === 'VALID', code, keyId });
const byKeyDay = (deltas: UsageDelta[]) => Object.fromEntries(deltas.map((d) => [`${d.keyId}@${d.day}`, d]));

beforeEach(() => at(DAY * DAY_MS + 1000));

describe('UsageAggregator', () => {
  it('merges the answers of a key on a day: valid, refused by code, and the latest use', () => {
    const usage = new UsageAggregator(clock);
    usage.record(answer('key_a', 'VALID'));
    usage.record(answer('key_a', 'VALID'));
    at(time + 500);
    usage.record(answer('key_a', 'IP_NOT_ALLOWED'));
    usage.record(answer('key_a', 'REVOKED'));
    usage.record(answer('key_b', 'EXPIRED'));
    expect(usage.size).toBe(2);
    expect(byKeyDay(usage.drain())).toEqual({
      [`key_a@${DAY}`]: {
        keyId: 'key_a',
        day: DAY,
        valid: 2,
        refused: { REVOKED: 1, EXPIRED: 0, IP_NOT_ALLOWED: 1, SUSPENDED: 0, ORIGIN_NOT_ALLOWED: 0, INSUFFICIENT_PERMISSIONS: 0 },
        lastUsedAt: DAY * DAY_MS + 1500,
      },
      [`key_b@${DAY}`]: {
        keyId: 'key_b',
        day: DAY,
        valid: 0,
        refused: { REVOKED: 0, EXPIRED: 1, IP_NOT_ALLOWED: 0, SUSPENDED: 0, ORIGIN_NOT_ALLOWED: 0, INSUFFICIENT_PERMISSIONS: 0 },
        lastUsedAt: DAY * DAY_MS + 1500,
      },
    });
    expect(usage.drain()).toEqual([]);
  });

  it('counts every refusal that names a key, the suspension, origin and permission ones too', () => {
    const usage = new UsageAggregator(clock);
    for (const code of ['SUSPENDED', 'ORIGIN_NOT_ALLOWED', 'INSUFFICIENT_PERMISSIONS', 'INSUFFICIENT_PERMISSIONS'] as const)
      usage.record(answer('key_c', code));
    expect(usage.drain()[0].refused).toEqual({
      REVOKED: 0,
      EXPIRED: 0,
      IP_NOT_ALLOWED: 0,
      SUSPENDED: 1,
      ORIGIN_NOT_ALLOWED: 1,
      INSUFFICIENT_PERMISSIONS: 2,
    });
  });

  it('does not count answers that name no key (MALFORMED, NOT_FOUND)', () => {
    const usage = new UsageAggregator(clock);
    usage.record(answer(undefined, 'MALFORMED'));
    usage.record(answer(undefined, 'NOT_FOUND'));
    expect(usage.drain()).toEqual([]);
  });

  it('starts a new tally at the UTC day rollover, keeping the previous day apart', () => {
    const usage = new UsageAggregator(clock);
    at((DAY + 1) * DAY_MS - 1);
    usage.record(answer('key_a', 'VALID'));
    at((DAY + 1) * DAY_MS);
    usage.record(answer('key_a', 'VALID'));
    usage.record(answer('key_a', 'VALID'));
    const days = byKeyDay(usage.drain());
    expect(days[`key_a@${DAY}`]).toMatchObject({ valid: 1, lastUsedAt: (DAY + 1) * DAY_MS - 1 });
    expect(days[`key_a@${DAY + 1}`]).toMatchObject({ valid: 2, lastUsedAt: (DAY + 1) * DAY_MS });
  });

  it('is bounded: past maxEntries key-days a new key is not counted, and dropped says how many', () => {
    const usage = new UsageAggregator(clock, 2);
    usage.record(answer('key_a', 'VALID'));
    usage.record(answer('key_b', 'VALID'));
    usage.record(answer('key_c', 'VALID'));
    usage.record(answer('key_c', 'REVOKED'));
    usage.record(answer('key_a', 'VALID')); // a key already held is still counted
    expect(usage.size).toBe(2);
    expect(usage.dropped).toBe(2);
    expect(byKeyDay(usage.drain())[`key_a@${DAY}`].valid).toBe(2);
  });

  it('merges a batch given back (a failed write) with what was counted meanwhile', () => {
    const usage = new UsageAggregator(clock);
    usage.record(answer('key_a', 'VALID'));
    const failed = usage.drain();
    at(time + 10);
    usage.record(answer('key_a', 'VALID'));
    usage.restore(failed);
    const deltas = usage.drain();
    const total = deltas.filter((d) => d.keyId === 'key_a').reduce((sum, d) => sum + d.valid, 0);
    expect(total).toBe(2);
    expect(Math.max(...deltas.map((d) => d.lastUsedAt))).toBe(DAY * DAY_MS + 1010);
  });

  it('counts what a full aggregate cannot take back as dropped', () => {
    const usage = new UsageAggregator(clock, 1);
    usage.record(answer('key_a', 'VALID'));
    usage.record(answer('key_a', 'VALID'));
    const failed = usage.drain();
    usage.record(answer('key_b', 'VALID'));
    usage.restore(failed);
    expect(usage.dropped).toBe(2);
    expect(usage.drain().map((d) => d.keyId)).toEqual(['key_b']);
  });
});
