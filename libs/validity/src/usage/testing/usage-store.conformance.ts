import { randomUUID } from 'node:crypto';
import {
  DAY_MS,
  emptyRefused,
  epochDay,
  USAGE_REFUSED_CODES,
  USAGE_RETENTION_DAYS,
  type UsageDelta,
  type UsageRefusedCode,
  type UsageStore,
} from '../usage.port';

/**
 * The behaviour every UsageStore adapter must show, written against the port only. Key ids are unique
 * per test, so the suite also runs against a shared server.
 */
export interface UsageStoreConformanceFactory {
  /** A fresh store; closed after each test. */
  create(): Promise<UsageStore>;
}

const run = randomUUID().slice(0, 8);
let seq = 0;
const keyId = (): string => `key_${run}_${++seq}`;
const today = epochDay(Date.now());

function delta(
  key: string,
  day: number,
  counts: Partial<{ valid: number } & Record<UsageRefusedCode, number>>,
  lastUsedAt = day * DAY_MS + 1000,
): UsageDelta {
  const refused = emptyRefused();
  for (const code of USAGE_REFUSED_CODES) refused[code] = counts[code] ?? 0;
  return { keyId: key, day, valid: counts.valid ?? 0, refused, lastUsedAt };
}

export function describeUsageStoreConformance(name: string, factory: UsageStoreConformanceFactory): void {
  describe(`UsageStore conformance: ${name}`, () => {
    let store: UsageStore;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await store.close();
    });

    it('adds up the counts of a key and day across batches, valid and refused by code', async () => {
      const key = keyId();
      await store.apply([delta(key, today, { valid: 3, IP_NOT_ALLOWED: 1 })]);
      await store.apply([delta(key, today, { valid: 2, REVOKED: 1, EXPIRED: 4, SUSPENDED: 2, ORIGIN_NOT_ALLOWED: 3 })]);
      await store.apply([delta(key, today, { INSUFFICIENT_PERMISSIONS: 5 })]);
      expect(await store.daily(key, today - 1, today)).toEqual([
        {
          day: new Date(today * DAY_MS).toISOString().slice(0, 10),
          valid: 5,
          refused: 16,
          refusedByCode: { REVOKED: 1, EXPIRED: 4, IP_NOT_ALLOWED: 1, SUSPENDED: 2, ORIGIN_NOT_ALLOWED: 3, INSUFFICIENT_PERMISSIONS: 5 },
        },
      ]);
    });

    it('keeps days apart and answers the days of the range only, oldest first', async () => {
      const key = keyId();
      await store.apply([delta(key, today, { valid: 1 }), delta(key, today - 2, { valid: 2 }), delta(key, today - 10, { valid: 7 })]);
      const days = await store.daily(key, today - 5, today);
      expect(days.map((d) => [d.day, d.valid])).toEqual([
        [new Date((today - 2) * DAY_MS).toISOString().slice(0, 10), 2],
        [new Date(today * DAY_MS).toISOString().slice(0, 10), 1],
      ]);
      expect(await store.daily(keyId(), today - 5, today)).toEqual([]);
    });

    it('keeps the latest lastUsedAt: an older batch applied later does not move it back', async () => {
      const key = keyId();
      const other = keyId();
      await store.apply([delta(key, today, { valid: 1 }, today * DAY_MS + 5000)]);
      await store.apply([delta(key, today, { REVOKED: 1 }, today * DAY_MS + 2000)]);
      await store.apply([delta(other, today - 1, { valid: 1 }, (today - 1) * DAY_MS + 7)]);
      const last = await store.lastUsed([key, other, keyId()]);
      expect(Object.fromEntries(last)).toEqual({ [key]: today * DAY_MS + 5000, [other]: (today - 1) * DAY_MS + 7 });
      expect((await store.lastUsed([])).size).toBe(0);
    });

    it('ignores days older than the retention', async () => {
      const key = keyId();
      const old = today - USAGE_RETENTION_DAYS - 2;
      await store.apply([delta(key, old, { valid: 9 })]);
      expect(await store.daily(key, old - 1, today)).toEqual([]);
      expect((await store.lastUsed([key])).size).toBe(0);
    });

    it('applies a batch once per batch id: a retry of a batch that landed is not counted again', async () => {
      const key = keyId();
      const batch = [delta(key, today, { valid: 2, EXPIRED: 1 }), delta(keyId(), today, { valid: 1 })];
      await store.apply(batch, `batch_${run}_${seq}`);
      await store.apply(batch, `batch_${run}_${seq}`);
      await store.apply([delta(key, today, { valid: 5 })], `batch_${run}_${seq}_next`);
      expect((await store.daily(key, today, today))[0]).toMatchObject({ valid: 7, refused: 1 });
    });

    it('applies a large batch in full, and once, also when it is retried', async () => {
      const keys = Array.from({ length: 450 }, keyId);
      const batch = keys.map((key) => delta(key, today, { valid: 1 }));
      await store.apply(batch, `batch_${run}_large_${seq}`);
      await store.apply(batch, `batch_${run}_large_${seq}`);
      expect((await store.daily(keys[0], today, today))[0].valid).toBe(1);
      expect((await store.daily(keys[449], today, today))[0].valid).toBe(1);
    });

    it('writes a large batch in full', async () => {
      const keys = Array.from({ length: 450 }, keyId);
      await store.apply(keys.map((key, i) => delta(key, today, { valid: i + 1 })));
      const last = await store.lastUsed(keys);
      expect(last.size).toBe(450);
      expect((await store.daily(keys[449], today, today))[0].valid).toBe(450);
    });
  });
}
