/**
 * The Redis IdempotencyStore on a real Redis Cluster (the `cluster` tier): the same conformance, with
 * the namespace hash-tagged as the service names it there (`{ns}:idem:…`), so every script's one key
 * is served by whichever node owns its slot.
 */
import { randomUUID } from 'node:crypto';
import { createRedisClient, isCluster, redisKeyNamespace } from '@cs/validity';
import { testRedisClusterNodes } from '../../../../libs/validity/src/testing/test-redis';
import { describeIdempotencyStoreConformance } from './testing/idempotency-store.conformance';
import { RedisIdempotencyStore } from './redis-idempotency-store';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeIdempotencyStoreConformance('RedisIdempotencyStore on Redis Cluster', () => {
  const client = createRedisClient({ clusterNodes: testRedisClusterNodes() }, { commandTimeout: 2000, onError: () => undefined });
  expect(isCluster(client)).toBe(true);
  const namespace = redisKeyNamespace(`cstest-idem-${randomUUID().slice(0, 8)}`, true);
  expect(namespace).toMatch(/^\{cstest-idem-[0-9a-f]{8}\}$/);
  return Promise.resolve({ store: new RedisIdempotencyStore(client, namespace, 5000), elapse: sleep });
});
