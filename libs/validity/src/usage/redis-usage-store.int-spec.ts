import { useTestRedis } from '../testing/test-redis';
import { describeUsageStoreConformance } from './testing/usage-store.conformance';
import { RedisUsageStore } from './redis-usage-store';
import { DAY_MS, emptyRefused, epochDay, USAGE_RETENTION_DAYS } from './usage.port';

const redis = useTestRedis('usage');

describeUsageStoreConformance('redis', { create: async () => new RedisUsageStore(redis.client, { namespace: redis.namespace() }) });

describe('RedisUsageStore', () => {
  it("keeps its keys under the deployment's namespace, each expiring with the retention", async () => {
    const namespace = redis.namespace();
    const store = new RedisUsageStore(redis.client, { namespace });
    const day = epochDay(Date.now());
    await store.apply([{ keyId: 'key_x', day, valid: 1, refused: emptyRefused(), lastUsedAt: Date.now() }]);
    const keys = (await redis.client.keys(`${namespace}:*`)).sort();
    expect(keys).toEqual([
      `${namespace}:usage-last:key_x`,
      `${namespace}:usage:key_x:${new Date(day * DAY_MS).toISOString().slice(0, 10)}`,
    ]);
    for (const key of keys) {
      const ttl = await redis.client.pttl(key);
      expect(ttl).toBeGreaterThan((USAGE_RETENTION_DAYS - 1) * DAY_MS);
      expect(ttl).toBeLessThanOrEqual((USAGE_RETENTION_DAYS + 1) * DAY_MS);
    }
  });
});
