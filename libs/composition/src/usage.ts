/**
 * Key usage's composition (README, "Key usage"): the store the mode calls for (Redis with a shared
 * Redis, SQLite in DATA_DIR in the embedded mode, memory when the event store itself is in memory, i.e.
 * a test's), the aggregate verify bumps, its coarse clock and the flusher. USAGE=off: none of it exists.
 */
import { join } from 'node:path';
import type { ProjectorLogger } from '@cs/application';
import {
  CoarseClock,
  createRedisClient,
  MemoryUsageStore,
  RedisUsageStore,
  SqliteUsageStore,
  UsageAggregator,
  UsageFlusher,
  type UsageStore,
} from '@cs/validity';
import type { AppConfig } from './config/configuration';

export interface KeyUsage {
  /** `given`: a store handed in by a test (InfrastructureOverrides.usage). */
  mode: 'redis' | 'sqlite' | 'memory' | 'given';
  store: UsageStore;
  aggregator: UsageAggregator;
  clock: CoarseClock;
  flusher: UsageFlusher;
  start(): void;
  /** Stops the timers, writes what is left (best effort) and closes the store. */
  stop(): Promise<void>;
}

/** Bound on each write of a batch to Redis: a stalled Redis holds back the flusher, never verify. */
const USAGE_REDIS_TIMEOUT_MS = 2000;

export function createKeyUsage(
  config: AppConfig,
  logger: ProjectorLogger,
  options: { store?: UsageStore; memory: boolean },
): KeyUsage | null {
  if (!config.usage.enabled) return null;
  let mode: KeyUsage['mode'];
  let store: UsageStore;
  if (options.store) {
    mode = 'given';
    store = options.store;
  } else if (config.redis) {
    mode = 'redis';
    // Its own connection: a batch being written never queues behind (or ahead of) a verify's lookup.
    const client = createRedisClient(config.redis, { commandTimeout: USAGE_REDIS_TIMEOUT_MS, onError: () => undefined });
    store = new RedisUsageStore(client, { namespace: config.redisNamespace, ownsClient: true });
  } else if (options.memory) {
    mode = 'memory';
    store = new MemoryUsageStore();
  } else {
    mode = 'sqlite';
    store = SqliteUsageStore.open(join(config.dataDir, 'usage.sqlite'));
  }
  const clock = new CoarseClock();
  const aggregator = new UsageAggregator(clock, config.usage.maxKeys);
  const flusher = new UsageFlusher(aggregator, store, logger, config.usage.flushMs);
  return {
    mode,
    store,
    aggregator,
    clock,
    flusher,
    start() {
      clock.start(100);
      flusher.start();
    },
    async stop() {
      clock.stop();
      await flusher.stop();
      await store.close();
    },
  };
}
