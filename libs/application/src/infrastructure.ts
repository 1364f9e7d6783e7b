/**
 * Composition of the adapters chosen by configuration (ARCHITECTURE.md, "Production stack and
 * embedded default") and of the workers that run on them. Both apps and the CLI scripts use it, so
 * the service and apps/projector can never disagree on what an environment variable means.
 */
import { EventStoreDBEventStore, SqliteEventStore, type CheckpointStore, type EventStore } from '@cs/event-store';
import { InProcessNotifier, KafkaNotifier, NotificationRelay, type Notifier } from '@cs/notifications';
import { MemoryValidityIndex, RedisValidityIndex, type ValidityIndex } from '@cs/validity';
import Redis from 'ioredis';
import { join } from 'node:path';
import type { AppConfig } from './config/configuration';
import { ExpiryScheduler, soleLeader, type LeaderLease } from './expiry-scheduler';
import { KeyCommandExecutor } from './key-command-executor';
import { SecretIssuer } from './secret-issuer';
import { SecretSealer } from './secret-sealer';
import { LeaseGatedWorker } from './lease-gated-worker';
import { RedisLeaderLease } from './redis-leader-lease';

/** How long a relay instance that stopped renewing keeps the lease before another takes over. */
const RELAY_LEASE_MS = 10_000;
import { ValidityProjector, type ProjectorLogger } from './validity-projector';

export interface Worker {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface Infrastructure {
  config: AppConfig;
  mode: { eventStore: 'sqlite' | 'eventstoredb'; validityIndex: 'memory' | 'redis'; notifications: 'in-process' | 'kafka' };
  notifier: Notifier;
  relay: NotificationRelay;
  store: EventStore;
  index: ValidityIndex;
  checkpoints: CheckpointStore;
  sealer: SecretSealer;
  issuer: SecretIssuer;
  executor: KeyCommandExecutor;
  projector: ValidityProjector;
  scheduler: ExpiryScheduler;
  workers: Worker[];
  /** True once the store is open and the read model has caught up with it. */
  ready: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Overrides for tests: an adapter to use instead of the one the configuration names. */
export interface InfrastructureOverrides {
  store?: EventStore;
  index?: ValidityIndex;
}

export async function createInfrastructure(config: AppConfig, logger: ProjectorLogger, overrides: InfrastructureOverrides = {}): Promise<Infrastructure> {
  const closers: (() => Promise<void>)[] = [];
  let store: EventStore;
  let checkpoints: CheckpointStore | undefined;
  if (overrides.store) {
    store = overrides.store;
  } else if (config.eventStoreUrl) {
    store = EventStoreDBEventStore.connect(config.eventStoreUrl);
  } else {
    const sqlite = SqliteEventStore.open(join(config.dataDir, 'events.sqlite'));
    store = sqlite;
    checkpoints = sqlite.checkpoints();
  }
  closers.push(() => store.close());

  let index: ValidityIndex = overrides.index ?? new MemoryValidityIndex();
  let lease: LeaderLease = soleLeader;
  let relayLease: LeaderLease | null = null;
  if (!overrides.index && config.redisUrl) {
    const redisIndex = RedisValidityIndex.connect(config.redisUrl, { namespace: config.redisNamespace });
    index = redisIndex;
    const leaseClient = new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
    lease = new RedisLeaderLease(leaseClient, `${config.redisNamespace}:scheduler-lease`);
    relayLease = new RedisLeaderLease(leaseClient, `${config.redisNamespace}:relay-lease`, RELAY_LEASE_MS);
    closers.push(async () => void leaseClient.disconnect());
  }
  closers.unshift(() => index.close());
  // With a durable index (Redis), checkpoints live beside it; the in-memory index has SQLite's.
  if (config.redisUrl || !checkpoints) checkpoints = indexCheckpoints(index);

  const sealer = new SecretSealer(config.masterKey, config.previousMasterKeys);
  const executor = new KeyCommandExecutor(store, index);
  const projector = new ValidityProjector(store, index, logger);
  const scheduler = new ExpiryScheduler(index, executor, logger, { intervalMs: config.expirySweepMs, lease });
  const workers: Worker[] = [];
  const notifier = config.kafka
    ? new KafkaNotifier({ brokers: config.kafka.brokers, topic: config.kafka.topic, clientId: config.kafka.clientId })
    : new InProcessNotifier({ log: (line) => logger.log(line) });
  closers.push(() => notifier.close());
  const relay = new NotificationRelay({
    store,
    checkpoints,
    notifier,
    name: config.kafka ? 'kafka-relay' : 'in-process-relay',
    logger,
  });
  const relayWorker: Worker = { name: 'notification-relay', start: async () => relay.start(), stop: () => relay.stop() };
  // With a shared Redis there may be several instances: one relay runs, the others stand by.
  workers.push(relayLease ? new LeaseGatedWorker('notification-relay', relayWorker, relayLease, RELAY_LEASE_MS / 3, logger) : relayWorker);

  const infra: Infrastructure = {
    config,
    mode: {
      eventStore: config.eventStoreUrl ? 'eventstoredb' : 'sqlite',
      validityIndex: config.redisUrl ? 'redis' : 'memory',
      notifications: config.kafka ? 'kafka' : 'in-process',
    },
    store,
    index,
    checkpoints,
    notifier,
    relay,
    sealer,
    issuer: new SecretIssuer(sealer, config.keyEnv),
    executor,
    projector,
    scheduler,
    workers,
    ready: false,
    async start() {
      // An in-process index starts empty: fold the whole store into it before serving.
      if (!config.redisUrl) {
        const keys = await projector.rebuild();
        logger.log(`validity index rebuilt from the event store: ${keys} keys`);
      }
      if (config.workers === 'all' || !config.redisUrl) await projector.start();
      if (config.workers === 'all') {
        scheduler.start();
        for (const worker of workers) await worker.start();
      }
      infra.ready = true;
    },
    async stop() {
      infra.ready = false;
      await scheduler.stop();
      for (const worker of workers) await worker.stop();
      await projector.stop();
      for (const close of closers) await close();
    },
  };
  return infra;
}

/** Checkpoints kept beside the read model (Redis), so a projection and its checkpoint move together. */
function indexCheckpoints(index: ValidityIndex): CheckpointStore {
  return {
    load: (name) => index.loadCheckpoint(name),
    save: (name, position) => index.saveCheckpoint({ name, position }),
  };
}
