import { randomUUID } from 'node:crypto';
import {
  HistoryRewoundError,
  matchesHistoryFilter,
  type HistoryDirection,
  type HistoryFilter,
  type HistoryRow,
  type HistoryStore,
} from '../history.port';

/**
 * The behaviour every HistoryStore adapter must show, written against the port only. Account ids are
 * unique per test, so the suite also runs against a shared server.
 */
export interface HistoryStoreConformanceFactory {
  /** A fresh store (its own namespace or file); closed after each test. */
  create(): Promise<HistoryStore>;
}

const run = randomUUID().slice(0, 8);
let seq = 0;
const accountId = (): string => `acct_${run}_${++seq}`;
const TYPES = ['KeyGenerated', 'KeyUpdated', 'KeyRevealed', 'KeyRevoked'];
const T0 = Date.parse('2026-03-01T00:00:00Z');

/** `count` rows of one account over `keys` keys and two actors, positions 10, 20, … (gaps: other accounts' events). */
function rows(account: string, count: number, keys = 3, start = 1): HistoryRow[] {
  return Array.from({ length: count }, (_, i) => {
    const n = start + i;
    const keyId = `key_${account}_${n % keys}`;
    const actor =
      n % 5 === 0 ? { type: 'system', name: 'expiry-scheduler' } : { type: 'user', sub: `user_${n % 2}`, acct: account, roles: ['owner'] };
    return {
      position: BigInt(n * 10),
      streamId: `key-${keyId}`,
      revision: Math.floor(n / keys),
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      type: TYPES[n % TYPES.length],
      data: { keyId, accountId: account, kind: 'api', n },
      metadata: { actor, correlationId: `c${n}`, causationId: null, occurredAt: new Date(T0 + n * 60_000).toISOString(), schemaVersion: 1 },
      recordedAt: new Date(T0 + n * 60_000 + 5).toISOString(),
      keyId,
      accountId: account,
    };
  });
}

/** Every page from the start, following `next`; fails on a repeated or skipped position. */
async function all(
  store: HistoryStore,
  account: string,
  filter: HistoryFilter,
  direction: HistoryDirection,
  limit: number,
): Promise<HistoryRow[]> {
  const seen: HistoryRow[] = [];
  let after: bigint | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.page({ accountId: account, filter, direction, after, limit });
    expect(page.rows.length).toBeLessThanOrEqual(limit);
    seen.push(...page.rows);
    if (page.next === null) return seen;
    after = page.next;
  }
  throw new Error('paging did not end');
}

const positions = (list: HistoryRow[]): string[] => list.map((r) => r.position.toString());

export function describeHistoryStoreConformance(name: string, factory: HistoryStoreConformanceFactory): void {
  describe(`HistoryStore conformance: ${name}`, () => {
    let store: HistoryStore;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps the rows as written and pages them in both directions without gaps or repeats', async () => {
      const account = accountId();
      const written = rows(account, 57);
      await store.write(0, written.slice(0, 30), 300n);
      await store.write(0, written.slice(30), 570n);
      expect(await store.position()).toBe(570n);
      const oldest = await all(store, account, {}, 'oldest', 10);
      expect(oldest).toEqual(written);
      const newest = await all(store, account, {}, 'newest', 7);
      expect(positions(newest)).toEqual(positions([...written].reverse()));
      const first = await store.page({ accountId: account, filter: {}, direction: 'newest', limit: 2 });
      expect(positions(first.rows)).toEqual(['570', '560']);
      expect(first.next).toBe(560n);
      const last = await store.page({ accountId: account, filter: {}, direction: 'oldest', after: 560n, limit: 5 });
      expect([positions(last.rows), last.next]).toEqual([['570'], null]);
    });

    it('answers each filter, alone and together, exactly as matchesHistoryFilter says, in both directions', async () => {
      const account = accountId();
      const written = rows(account, 80);
      await store.write(0, written, 800n);
      const other = accountId();
      await store.write(0, rows(other, 20, 3, 81), 1000n);
      const filters: HistoryFilter[] = [
        { types: ['KeyRevoked'] },
        { types: ['KeyRevoked', 'KeyGenerated'] },
        { keyId: `key_${account}_1` },
        { actor: 'system:expiry-scheduler' },
        { actor: 'user:user_1' },
        { from: T0 + 20 * 60_000, to: T0 + 41 * 60_000 },
        { keyId: `key_${account}_2`, types: ['KeyUpdated'], actor: 'user:user_1', from: T0 + 5 * 60_000 },
        { types: ['NoSuchType'] },
        { keyId: 'key_unknown' },
      ];
      for (const filter of filters) {
        const expected = written.filter((row) => matchesHistoryFilter(row, filter));
        expect([filter, positions(await all(store, account, filter, 'oldest', 4))]).toEqual([filter, positions(expected)]);
        expect([filter, positions(await all(store, account, filter, 'newest', 3))]).toEqual([filter, positions([...expected].reverse())]);
      }
      expect(written.filter((row) => matchesHistoryFilter(row, filters[6])).length).toBeGreaterThan(0);
    });

    it('keeps accounts apart, and answers an unknown account with an empty last page', async () => {
      const a = accountId();
      const b = accountId();
      await store.write(0, [...rows(a, 5), ...rows(b, 3, 2, 100)], 1020n);
      expect((await all(store, a, {}, 'oldest', 100)).every((r) => r.accountId === a)).toBe(true);
      expect(await all(store, b, {}, 'oldest', 100)).toHaveLength(3);
      expect(await store.page({ accountId: accountId(), filter: {}, direction: 'newest', limit: 10 })).toEqual({ rows: [], next: null });
    });

    it('writes idempotently: a batch written again (at-least-once delivery) is not a second row', async () => {
      const account = accountId();
      const written = rows(account, 12);
      await store.write(0, written, 120n);
      await store.write(0, written.slice(4), 120n);
      expect(await all(store, account, {}, 'oldest', 50)).toHaveLength(12);
    });

    it('moves a checkpoint given with a base only from that base: a lost or older one is HistoryRewoundError, nothing moved', async () => {
      const generation = await store.newGeneration();
      const account = accountId();
      const written = rows(account, 6);
      await expect(store.write(generation, written.slice(0, 2), 20n, 10n)).rejects.toBeInstanceOf(HistoryRewoundError);
      expect(await store.checkpoint(generation)).toBeUndefined();
      await store.write(generation, written.slice(0, 2), 20n, null);
      expect(await store.checkpoint(generation)).toBe(20n);
      await expect(store.write(generation, written.slice(2, 4), 40n, null)).rejects.toBeInstanceOf(HistoryRewoundError);
      await expect(store.write(generation, written.slice(2, 4), 40n, 30n)).rejects.toBeInstanceOf(HistoryRewoundError);
      expect(await store.checkpoint(generation)).toBe(20n);
      await store.write(generation, written.slice(2, 4), 40n, 20n);
      expect(await store.checkpoint(generation)).toBe(40n);
      // Without a base (a rebuild's writes) it is set as given.
      await store.write(generation, written.slice(4), 60n);
      expect(await store.checkpoint(generation)).toBe(60n);
      await store.drop(generation);
    });

    it('a page started while rows are appended neither skips nor repeats a row (newest first, cursor kept)', async () => {
      const account = accountId();
      await store.write(0, rows(account, 20), 200n);
      const seen: HistoryRow[] = [];
      let page = await store.page({ accountId: account, filter: {}, direction: 'newest', limit: 6 });
      seen.push(...page.rows);
      let n = 21;
      while (page.next !== null) {
        await store.write(0, rows(account, 3, 3, n), BigInt((n + 2) * 10));
        n += 3;
        page = await store.page({ accountId: account, filter: {}, direction: 'newest', after: page.next, limit: 6 });
        seen.push(...page.rows);
      }
      expect(positions(seen)).toEqual(positions(rows(account, 20).reverse()));
    });

    it('generations: a new one is written beside the current one, read only once activated, the old one dropped', async () => {
      const account = accountId();
      const current = await store.currentGeneration();
      await store.write(current, rows(account, 4), 40n);
      const next = await store.newGeneration();
      expect(next).not.toBe(current);
      await store.write(next, rows(account, 6), 60n);
      expect(await all(store, account, {}, 'oldest', 10)).toHaveLength(4);
      expect(await store.checkpoint(next)).toBe(60n);
      expect(await store.activate(next)).toBe(current);
      expect(await store.currentGeneration()).toBe(next);
      expect(await store.position()).toBe(60n);
      expect(await all(store, account, {}, 'oldest', 10)).toHaveLength(6);
      await store.drop(current);
      expect(await store.checkpoint(current)).toBeUndefined();
      await store.drop(next); // the current one: kept
      expect(await all(store, account, {}, 'oldest', 10)).toHaveLength(6);
      expect(await store.newGeneration()).toBeGreaterThan(next);
    });

    it('has no position before anything was written', async () => {
      expect(await store.position()).toBeUndefined();
    });
  });
}
