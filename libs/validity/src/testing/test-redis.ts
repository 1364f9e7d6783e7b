/**
 * The real Redis an integration spec runs against (REDIS_URL_TEST, started by `npm test`; never
 * skipped). `useTestRedis(label)` opens one connection for the spec file, hands out fresh namespaces
 * under a prefix of the file's own, and deletes everything under that prefix after the file.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';

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
