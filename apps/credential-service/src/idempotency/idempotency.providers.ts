/** The IdempotencyStore the configuration names: Redis when REDIS_URL or REDIS_CLUSTER_NODES is set, else memory (embedded). */
import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@cs/composition';
import { createRedisClient, isCluster, redisKeyNamespace } from '@cs/validity';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from './idempotency-store';
import { Idempotency } from './idempotency';
import { MemoryIdempotencyStore } from './memory-idempotency-store';
import { RedisIdempotencyStore } from './redis-idempotency-store';

const REDIS_COMMAND_TIMEOUT_MS = 2000;

export function idempotencyStoreFor(config: AppConfig): IdempotencyStore {
  if (!config.redis) return new MemoryIdempotencyStore();
  // Errors reach the caller as 503 IDEMPOTENCY_UNAVAILABLE (and a warning); the client's own events say nothing more.
  const client = createRedisClient(config.redis, { commandTimeout: REDIS_COMMAND_TIMEOUT_MS, onError: () => undefined });
  return new RedisIdempotencyStore(client, redisKeyNamespace(config.redisNamespace, isCluster(client)), REDIS_COMMAND_TIMEOUT_MS);
}

export const IDEMPOTENCY_PROVIDERS: Provider[] = [
  { provide: IDEMPOTENCY_STORE, useFactory: idempotencyStoreFor, inject: [APP_CONFIG] },
  Idempotency,
];
