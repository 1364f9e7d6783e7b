/**
 * Composition of the adapters chosen by configuration (ARCHITECTURE.md, "Production stack and
 * embedded default") and of the workers that run on them. Both apps and the CLI scripts use it, so
 * the service and apps/projector can never disagree on what an environment variable means.
 */
import { SqliteEventStore, type CheckpointStore, type EventStore } from '@cs/event-store';
import { MemoryValidityIndex, type ValidityIndex } from '@cs/validity';
import { join } from 'node:path';
import type { AppConfig } from './config/configuration';
import { ExpiryScheduler, soleLeader, type LeaderLease } from './expiry-scheduler';
import { KeyCommandExecutor } from './key-command-executor';
import { SecretIssuer } from './secret-issuer';
import { SecretSealer } from './secret-sealer';
import { ValidityProjector, type ProjectorLogger } from './validity-projector';

export interface Worker {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface Infrastructure {
  config: AppConfig;
  mode: { eventStore: 'sqlite' | 'eventstoredb'; validityIndex: 'memory' | 'redis'; notifications: 'in-process' | 'kafka' | 'none' };
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

/** Adapter factories for the production stack; registered by the modules that own them. */
export interface AdapterFactories {
  eventStore?: (config: AppConfig) => Promise<{ store: EventStore; checkpoints?: CheckpointStore }>;
  validityIndex?: (config: AppConfig) => Promise<{ index: ValidityIndex; lease?: LeaderLease; checkpoints?: CheckpointStore }>;
  notificationWorker?: (config: AppConfig, store: EventStore, checkpoints: CheckpointStore, logger: ProjectorLogger) => Promise<Worker | null>;
}

export async function createInfrastructure(config: AppConfig, logger: ProjectorLogger, factories: AdapterFactories = {}): Promise<Infrastructure> {
  const closers: (() => Promise<void>)[] = [];
  let store: EventStore;
  let checkpoints: CheckpointStore | undefined;
  if (config.eventStoreUrl) {
    if (!factories.eventStore) throw new Error('EVENTSTORE_URL is set but no EventStoreDB adapter is available');
    ({ store, checkpoints } = await factories.eventStore(config));
  } else {
    const sqlite = SqliteEventStore.open(join(config.dataDir, 'events.sqlite'));
    store = sqlite;
    checkpoints = sqlite.checkpoints();
  }
  closers.push(() => store.close());

  let index: ValidityIndex = new MemoryValidityIndex();
  let lease: LeaderLease = soleLeader;
  if (config.redisUrl) {
    if (!factories.validityIndex) throw new Error('REDIS_URL is set but no Redis adapter is available');
    const redis = await factories.validityIndex(config);
    index = redis.index;
    lease = redis.lease ?? soleLeader;
    checkpoints = checkpoints ?? redis.checkpoints;
  }
  closers.unshift(() => index.close());
  if (!checkpoints) throw new Error('no checkpoint store: with EVENTSTORE_URL set, REDIS_URL must be set too');

  const sealer = new SecretSealer(config.masterKey, config.previousMasterKeys);
  const executor = new KeyCommandExecutor(store, index);
  const projector = new ValidityProjector(store, index, logger);
  const scheduler = new ExpiryScheduler(index, executor, logger, { intervalMs: config.expirySweepMs, lease });
  const workers: Worker[] = [];
  const notificationWorker = factories.notificationWorker ? await factories.notificationWorker(config, store, checkpoints, logger) : null;
  if (notificationWorker) workers.push(notificationWorker);

  const infra: Infrastructure = {
    config,
    mode: {
      eventStore: config.eventStoreUrl ? 'eventstoredb' : 'sqlite',
      validityIndex: config.redisUrl ? 'redis' : 'memory',
      notifications: config.kafka ? 'kafka' : notificationWorker ? 'in-process' : 'none',
    },
    store,
    index,
    checkpoints,
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
