import { useTestRedis } from '../testing/test-redis';
import { describeHistoryStoreConformance } from './testing/history-store.conformance';
import { RedisHistoryStore } from './redis-history-store';
import type { HistoryRow } from './history.port';

const redis = useTestRedis('history');

describeHistoryStoreConformance('redis', { create: async () => new RedisHistoryStore(redis.client, { namespace: redis.namespace() }) });
// A small scan budget: sparse filters end pages early with a cursor, and paging still finds every row.
describeHistoryStoreConformance('redis, scan budget 5', {
  create: async () => new RedisHistoryStore(redis.client, { namespace: redis.namespace(), scanBudget: 5 }),
});

const row = (accountId: string, position: bigint, type: string): HistoryRow => ({
  position,
  streamId: 'key-key_a',
  revision: Number(position),
  id: `e${position}`,
  type,
  data: { keyId: 'key_a', accountId },
  metadata: { actor: { type: 'user', sub: 'u1', acct: accountId, roles: [] }, occurredAt: '2026-01-01T00:00:00.000Z' },
  recordedAt: '2026-01-01T00:00:00.001Z',
  keyId: 'key_a',
  accountId,
});

describe('RedisHistoryStore', () => {
  it("keeps an account's keys under its hash tag, in the deployment's namespace, and a page reads O(page) rows", async () => {
    const namespace = redis.namespace();
    const store = new RedisHistoryStore(redis.client, { namespace });
    await store.write(0, [row('acct_h', 1n, 'KeyGenerated'), row('acct_h', 2n, 'KeyRevoked')], 2n);
    const keys = (await redis.client.keys(`${namespace}:*`)).sort();
    expect(keys).toEqual([
      `${namespace}:history:0:{acct_h}:a:user:u1`,
      `${namespace}:history:0:{acct_h}:all`,
      `${namespace}:history:0:{acct_h}:e`,
      `${namespace}:history:0:{acct_h}:k:key_a`,
      `${namespace}:history:0:{acct_h}:t:KeyGenerated`,
      `${namespace}:history:0:{acct_h}:t:KeyRevoked`,
      `${namespace}:history:cp:0`,
    ]);
    // Positions above 2^53 (EventStoreDB commit positions) keep their order and value.
    const big = 2n ** 62n + 7n;
    await store.write(0, [row('acct_h', big, 'KeyUpdated'), row('acct_h', big + 1000n, 'KeyUpdated')], big + 1000n);
    const page = await store.page({ accountId: 'acct_h', filter: {}, direction: 'newest', limit: 3 });
    expect(page.rows.map((r) => r.position)).toEqual([big + 1000n, big, 2n]);
  });

  it('a page of a large account reads the page, not the account: the same few commands for 20 or 5,000 rows', async () => {
    const namespace = redis.namespace();
    const store = new RedisHistoryStore(redis.client, { namespace });
    const many = Array.from({ length: 5000 }, (_, i) => row('acct_big', BigInt(i + 1), i % 2 ? 'KeyUpdated' : 'KeyRevealed'));
    await store.write(0, many, 5000n);
    const calls: string[] = [];
    const spy = jest.spyOn(redis.client, 'sendCommand');
    spy.mockImplementation(function (this: unknown, command: { name: string }) {
      calls.push(command.name);
      return (jest.requireActual('ioredis').default.prototype.sendCommand as (...a: unknown[]) => unknown).apply(this, [command]);
    });
    try {
      const page = await store.page({ accountId: 'acct_big', filter: { types: ['KeyUpdated'] }, direction: 'newest', limit: 50 });
      expect(page.rows).toHaveLength(50);
      expect(page.rows.every((r) => r.type === 'KeyUpdated')).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect(calls).toEqual(['get', 'zrevrangebylex', 'hmget']);
  });
});
