import type { KeyRecord, UsageStore, ValidityIndex } from '@cs/validity';
import { DAY_MS, MemoryUsageStore, emptyRefused, epochDay } from '@cs/validity';
import { GetKeyUsageHandler, GetKeyUsage, ListUnusedKeys, ListUnusedKeysHandler, UsageReads, withLastUsed } from './usage-queries';
import type { KeyView } from '../views';

const now = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();

function record(keyId: string, createdAt: number, status: KeyRecord['status'] = 'active'): KeyRecord {
  return {
    keyId,
    accountId: 'acct_1',
    kind: 'api',
    name: keyId,
    status,
    createdAt: iso(createdAt),
    createdBy: 'user',
    updatedAt: iso(createdAt),
    current: { version: 1, start: 'ak_live_x', expiresAt: null },
    previous: null,
    allowedIps: [],
    webhookFormat: 'single',
    version: 0,
  } as unknown as KeyRecord;
}

function index(records: KeyRecord[]): ValidityIndex {
  return {
    listKeys: async (accountId: string) => records.filter((r) => r.accountId === accountId),
    getKey: async (keyId: string) => records.find((r) => r.keyId === keyId) ?? null,
  } as unknown as ValidityIndex;
}

async function storeWith(lastUsed: Record<string, number>): Promise<MemoryUsageStore> {
  const store = new MemoryUsageStore();
  await store.apply(
    Object.entries(lastUsed).map(([keyId, at]) => ({ keyId, day: epochDay(at), valid: 1, refused: emptyRefused(), lastUsedAt: at })),
  );
  return store;
}

describe('ListUnusedKeys', () => {
  it('lists keys last used before the cutoff and never-used keys created before it; not used, new or revoked ones', async () => {
    const records = [
      record('key_never_old', now - 200 * DAY_MS),
      record('key_never_new', now - 10 * DAY_MS),
      record('key_used_long_ago', now - 300 * DAY_MS),
      record('key_used_lately', now - 300 * DAY_MS),
      record('key_revoked_never', now - 300 * DAY_MS, 'revoked'),
    ];
    const store = await storeWith({ key_used_long_ago: now - 95 * DAY_MS, key_used_lately: now - 5 * DAY_MS });
    const handler = new ListUnusedKeysHandler(index(records), new UsageReads(store, 1000));
    const report = await handler.execute(new ListUnusedKeys('acct_1', 90));
    expect(report).not.toBe('unavailable');
    if (report === 'unavailable') return;
    expect(report.keys.map((k) => [k.keyId, k.lastUsedAt])).toEqual([
      ['key_never_old', null],
      ['key_used_long_ago', iso(now - 95 * DAY_MS)],
    ]);
  });

  it("answers 'unavailable' when usage cannot be read, and when it is off", async () => {
    const failing = { lastUsed: () => Promise.reject(new Error('down')) } as unknown as UsageStore;
    const handler = new ListUnusedKeysHandler(index([record('key_a', now)]), new UsageReads(failing, 1000));
    expect(await handler.execute(new ListUnusedKeys('acct_1', 90))).toBe('unavailable');
    const off = new ListUnusedKeysHandler(index([record('key_a', now)]), new UsageReads(null, 1000));
    expect(await off.execute(new ListUnusedKeys('acct_1', 90))).toBe('unavailable');
  });
});

describe('usage reads for key views', () => {
  it('a usage store slower than the bound gives lastUsedAt null, without waiting for it', async () => {
    const slow = { lastUsed: () => new Promise(() => undefined) } as unknown as UsageStore;
    const started = Date.now();
    const views = await withLastUsed([{ id: 'key_a' } as KeyView], new UsageReads(slow, 50));
    expect(views[0].lastUsedAt).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('GetKeyUsage fills the days without verifies with zeros and sums the range', async () => {
    const today = epochDay(now);
    const store = new MemoryUsageStore();
    const refused = emptyRefused();
    refused.REVOKED = 2;
    await store.apply([{ keyId: 'key_a', day: today - 1, valid: 4, refused, lastUsedAt: (today - 1) * DAY_MS }]);
    const handler = new GetKeyUsageHandler(index([record('key_a', now - 10 * DAY_MS)]), new UsageReads(store, 1000));
    const report = await handler.execute(new GetKeyUsage('acct_1', 'key_a', today - 2, today));
    expect(report).toMatchObject({ total: { valid: 4, refused: 2 }, lastUsedAt: iso((today - 1) * DAY_MS) });
    if (report === null || report === 'unavailable') throw new Error('expected a report');
    expect(report.days.map((d) => [d.valid, d.refused])).toEqual([
      [0, 0],
      [4, 2],
      [0, 0],
    ]);
    expect(await handler.execute(new GetKeyUsage('acct_other', 'key_a', today, today))).toBeNull();
  });
});
