/**
 * The real Redis an integration spec runs against (REDIS_URL_TEST, started by `npm test`; never
 * skipped). `useTestRedis(label)` opens one connection for the spec file, hands out fresh namespaces
 * under a prefix of the file's own, and deletes everything under that prefix after the file.
 * `useTestRedisCluster(label)` does the same on the Redis Cluster of the `cluster` tier.
 */
import { randomUUID } from 'node:crypto';
import Redis, { Cluster } from 'ioredis';

export function testRedisUrl(): string {
  const url = process.env.REDIS_URL_TEST;
  if (!url) {
    throw new Error(
      'REDIS_URL_TEST is not set: start Redis (`bash scripts/services.sh start`, then `eval "$(bash scripts/services.sh env)"`)',
    );
  }
  return url;
}

export interface TestRedis {
  /** The spec file's connection (open between beforeAll and afterAll). */
  readonly client: Redis;
  /** A namespace no other index of this run uses. */
  namespace(): string;
}

export function useTestRedis(label: string): TestRedis {
  const url = testRedisUrl();
  const prefix = `cstest-${label}-${randomUUID().slice(0, 8)}`;
  let count = 0;
  let client: Redis | undefined;

  beforeAll(async () => {
    client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    await client.connect().catch((error: Error) => {
      throw new Error(`cannot reach Redis at REDIS_URL_TEST=${url}: ${error.message}`);
    });
  });

  afterAll(async () => {
    if (!client) return;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}-*`, 'COUNT', 1000);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    await client.quit();
  });

  return {
    get client(): Redis {
      if (!client) throw new Error('the test Redis connection is open only inside tests (after beforeAll)');
      return client;
    },
    namespace: () => `${prefix}-${++count}`,
  };
}

/**
 * The real Redis Cluster of the `cluster` test tier (REDIS_CLUSTER_NODES_TEST, `host:port,...`, started
 * by `scripts/services.sh start-cluster`; never skipped: a spec that needs it fails without it).
 */
export function testRedisClusterNodes(): { host: string; port: number }[] {
  const raw = process.env.REDIS_CLUSTER_NODES_TEST;
  if (!raw) {
    throw new Error(
      'REDIS_CLUSTER_NODES_TEST is not set: start the Redis Cluster (`bash scripts/services.sh start-cluster`, ' +
        'then `eval "$(bash scripts/services.sh env)"`)',
    );
  }
  return raw.split(',').map((node) => {
    const cut = node.lastIndexOf(':');
    return { host: node.slice(0, cut), port: Number(node.slice(cut + 1)) };
  });
}

export interface TestRedisCluster {
  /** The spec file's cluster client (open between beforeAll and afterAll). */
  readonly client: Cluster;
  /** A namespace no other index of this run uses (without braces: the index hash-tags it). */
  namespace(): string;
  /** Deletes every key of this file's namespaces, on every master. */
  cleanup(): Promise<void>;
}

export function useTestRedisCluster(label: string): TestRedisCluster {
  const nodes = testRedisClusterNodes();
  const prefix = `cstest-${label}-${randomUUID().slice(0, 8)}`;
  let count = 0;
  let client: Cluster | undefined;

  const cleanup = async (): Promise<void> => {
    if (!client) return;
    for (const node of client.nodes('master')) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `{${prefix}-*`, 'COUNT', 1000);
        // one key at a time: keys of different namespaces are in different slots
        for (const key of keys) await client.unlink(key);
        cursor = next;
      } while (cursor !== '0');
    }
  };

  beforeAll(async () => {
    client = new Cluster(nodes, { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 1 }, clusterRetryStrategy: () => null });
    await client.connect().catch((error: Error) => {
      throw new Error(`cannot reach the Redis Cluster at REDIS_CLUSTER_NODES_TEST: ${error.message}`);
    });
  });

  afterAll(async () => {
    if (!client) return;
    await cleanup();
    await client.quit();
  });

  return {
    get client(): Cluster {
      if (!client) throw new Error('the test Redis Cluster connection is open only inside tests (after beforeAll)');
      return client;
    },
    namespace: () => `${prefix}-${++count}`,
    cleanup,
  };
}
