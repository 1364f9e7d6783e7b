import { randomUUID } from 'node:crypto';
import { createRedisClient, isCluster, redisKeyNamespace } from '@cs/validity';
import { describeIdempotencyStoreConformance } from './testing/idempotency-store.conformance';
import { IdempotencyStoreUnavailableError } from './idempotency-store';
import { RedisIdempotencyStore } from './redis-idempotency-store';

// Integration tier: a real Redis is required. Never skip silently, a skipped adapter suite reads as green.
const url = process.env.REDIS_URL_TEST;
if (!url) {
  throw new Error(
    'REDIS_URL_TEST is not set: start Redis (`bash scripts/services.sh start`, then `eval "$(bash scripts/services.sh env)"`)',
  );
}
const redisUrl: string = url;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function connect(target = redisUrl): RedisIdempotencyStore {
  const client = createRedisClient(
    { url: target },
    { commandTimeout: 1000, connectTimeout: 200, onError: () => undefined, redis: { retryStrategy: () => null } },
  );
  return new RedisIdempotencyStore(client, redisKeyNamespace(`cstest-idem-${randomUUID().slice(0, 8)}`, isCluster(client)), 500);
}

describeIdempotencyStoreConformance('RedisIdempotencyStore', () => Promise.resolve({ store: connect(), elapse: sleep }));

describe('RedisIdempotencyStore faults', () => {
  it('an unreachable Redis is IdempotencyStoreUnavailableError, not a claim', async () => {
    const store = connect('redis://127.0.0.1:1');
    await expect(store.begin('k', 'fp', 1000)).rejects.toBeInstanceOf(IdempotencyStoreUnavailableError);
    await store.close();
  });
});
