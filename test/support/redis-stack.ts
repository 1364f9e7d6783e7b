/**
 * The Redis the production e2e suites (test/production, E2E_STACK=production) run against: one Redis
 * (REDIS_URL_TEST, the default) or, with E2E_REDIS=cluster, the Redis Cluster of the `cluster` tier of
 * scripts/test.sh (REDIS_CLUSTER_NODES_TEST, `scripts/services.sh start-cluster`). The app is
 * configured with REDIS_URL or REDIS_CLUSTER_NODES accordingly; a suite that reads or changes keys
 * itself gets a client of the same kind and the key prefix the index uses there (`{ns}` on a cluster).
 * A missing variable fails the suite, it never skips it.
 */
import { createRedisClient, redisKeyNamespace, type RedisClient } from '@cs/validity';
import type { Cluster } from 'ioredis';

export type RedisMode = 'standalone' | 'cluster';
export const REDIS_MODE: RedisMode = process.env.E2E_REDIS === 'cluster' ? 'cluster' : 'standalone';

/** REDIS_URL or REDIS_CLUSTER_NODES for the app, from the test services. */
export function testRedisEnv(): { REDIS_URL: string } | { REDIS_CLUSTER_NODES: string } {
  if (REDIS_MODE === 'cluster') {
    const nodes = process.env.REDIS_CLUSTER_NODES_TEST;
    if (!nodes)
      throw new Error('E2E_REDIS=cluster needs REDIS_CLUSTER_NODES_TEST (`bash scripts/services.sh start-cluster`, then its `env`)');
    return { REDIS_CLUSTER_NODES: nodes };
  }
  const url = process.env.REDIS_URL_TEST;
  if (!url) throw new Error('the production e2e needs REDIS_URL_TEST (run `npm test`, which starts real Redis)');
  return { REDIS_URL: url };
}

/** A client of the same Redis as the app's, for a suite that reads or changes keys itself. */
export function testRedisClient(): RedisClient {
  const env = testRedisEnv();
  const target =
    'REDIS_URL' in env
      ? { url: env.REDIS_URL }
      : {
          clusterNodes: env.REDIS_CLUSTER_NODES.split(',').map((node) => {
            const cut = node.lastIndexOf(':');
            return { host: node.slice(0, cut), port: Number(node.slice(cut + 1)) };
          }),
        };
  // Unlike the app's, this client queues commands until it is connected: a test need not wait for it.
  return createRedisClient(target, { commandTimeout: 5000, redis: { enableOfflineQueue: true }, cluster: { enableOfflineQueue: true } });
}

/** The prefix of the index's keys of a namespace on the test Redis. */
export const testKeyPrefix = (namespace: string): string => redisKeyNamespace(namespace, REDIS_MODE === 'cluster');

/** Every key matching `pattern`, on every master of a cluster. */
export async function scanKeys(client: RedisClient, pattern: string): Promise<string[]> {
  const nodes = 'isCluster' in client && client.isCluster ? (client as Cluster).nodes('master') : [client];
  const found: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return found;
}
