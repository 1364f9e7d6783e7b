/**
 * Composition of the adapters chosen by configuration (README, "Production stack"; docs/decisions.md)
 * and of the workers that run on them. Both apps and the CLI scripts use it, so
 * the service and apps/projector can never disagree on what an environment variable means.
 */
import { chainedEventStore, EventStoreDBEventStore, SqliteEventStore, type CheckpointStore, type EventStore } from '@cs/event-store';
import { InProcessNotifier, KafkaNotifier, NotificationRelay, type Notifier } from '@cs/notifications';
import {
  createRedisClient,
  isCluster,
  MemoryValidityIndex,
  RedisHistoryStore,
  SqliteHistoryStore,
  type HistoryStore,
  RedisValidityIndex,
  redisKeyNamespace,
  type IndexHealth,
  type UsageStore,
  type ValidityIndex,
} from '@cs/validity';
import { join } from 'node:path';
import type { AppConfig } from './config/configuration';
import {
  AccountHistoryReads,
  delay,
  ExpiryScheduler,
  HistoryProjector,
  ExpiryWarner,
  IndexTrustMonitor,
  KeyCommandExecutor,
  SecretIssuer,
  SecretSealer,
  SigningKeySlots,
  soleLeader,
  ValidityProjector,
  type LeaderLease,
  type ProjectorLogger,
  type Worker,
} from '@cs/application';
import { LeaseGatedWorker } from './lease-gated-worker';
import { ServiceMetrics } from './observability/metrics';
import { tracedEventStore } from './observability/traced-event-store';
import { RedisLeaderLease } from './redis-leader-lease';
import { createKeyUsage, type KeyUsage } from './usage';

/** How long a relay instance that stopped renewing keeps the lease before another takes over. */
const RELAY_LEASE_MS = 10_000;

export type { Worker };

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
  /** The signing-key cap on the write side (account slot streams). */
  slots: SigningKeySlots;
  projector: ValidityProjector;
  /** Index trust and healing (index-trust-monitor.ts); the figures behind readiness. */
  trustMonitor: IndexTrustMonitor;
  scheduler: ExpiryScheduler;
  workers: Worker[];
  /** Prometheus metrics of this composition (README, "Observability"), served at /metrics by both apps. */
  metrics: ServiceMetrics;
  /** True once the store is open and the read model has caught up with it. */
  ready: boolean;
  /** Key usage (usage.ts): null with USAGE=off. */
  usage: KeyUsage | null;
  /** The account history read model (README, "Account history"): Redis, SQLite in DATA_DIR, or SQLite in memory for a test's store. */
  history: HistoryStore;
  /** Its projection (a worker: one instance runs it, under a lease, with a shared Redis). */
  historyProjector: HistoryProjector;
  historyReads: AccountHistoryReads;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Overrides for tests: an adapter to use instead of the one the configuration names. */
export interface InfrastructureOverrides {
  store?: EventStore;
  index?: ValidityIndex;
  /** The key usage store to use (otherwise: Redis, SQLite, or memory when `store` is given). */
  usage?: UsageStore;
  /** The history read model to use (otherwise: Redis, SQLite in DATA_DIR, or SQLite in memory when `store` is given). */
  history?: HistoryStore;
}

export async function createInfrastructure(
  config: AppConfig,
  logger: ProjectorLogger,
  overrides: InfrastructureOverrides = {},
): Promise<Infrastructure> {
  const closers: (() => Promise<void>)[] = [];
  let store: EventStore;
  let checkpoints: CheckpointStore | undefined;
  if (overrides.store) {
    store = overrides.store;
  } else if (config.eventStoreUrl) {
    store = EventStoreDBEventStore.connect(config.eventStoreUrl, {
      timeoutMs: config.eventStoreTimeoutMs,
      recreateAfterFailures: config.eventStoreRecreateAfter,
      logger,
    });
  } else {
    const sqlite = SqliteEventStore.open(join(config.dataDir, 'events.sqlite'));
    // EventStoreDB's calls get spans from the gRPC instrumentation; SQLite's are made here.
    store = tracedEventStore(sqlite, 'sqlite');
    checkpoints = sqlite.checkpoints();
  }
  // Every append, whoever makes it, links its events to the stream's previous one (README, "Audit trail").
  store = chainedEventStore(store);
  closers.push(() => store.close());

  let index: ValidityIndex = overrides.index ?? new MemoryValidityIndex();
  let lease: LeaderLease = soleLeader;
  let relayLease: LeaderLease | null = null;
  let historyLease: LeaderLease | null = null;
  if (!overrides.index && config.redis) {
    // Client errors are reported by the trust monitor, once per change of state (index-trust-monitor.ts).
    // REDIS_URL or REDIS_CLUSTER_NODES: on a cluster the index keeps its namespace in one slot ({ns}).
    const redisIndex = RedisValidityIndex.connect(config.redis, {
      namespace: config.redisNamespace,
      readTimeoutMs: config.indexTimeoutMs,
      onClientError: () => undefined,
    });
    index = redisIndex;
    // A lease that cannot be renewed is lost (lease-gated-worker.ts logs that); the error itself is expected.
    const leaseClient = createRedisClient(config.redis, { commandTimeout: 2000, onError: () => undefined });
    // Each lease is one key (its scripts declare it), so any slot would do on a cluster; they take the
    // index's prefix, `{ns}` there, so that a deployment's keys are found together.
    const leaseNs = redisKeyNamespace(config.redisNamespace, isCluster(leaseClient));
    lease = new RedisLeaderLease(leaseClient, `${leaseNs}:scheduler-lease`);
    relayLease = new RedisLeaderLease(leaseClient, `${leaseNs}:relay-lease`, RELAY_LEASE_MS);
    historyLease = new RedisLeaderLease(leaseClient, `${leaseNs}:history-lease`, RELAY_LEASE_MS);
    closers.push(async () => void leaseClient.disconnect());
  }
  closers.unshift(() => index.close());
  // With a durable index (Redis), checkpoints live beside it; the in-memory index has SQLite's.
  if (config.redis || !checkpoints) checkpoints = indexCheckpoints(index);

  const metrics = new ServiceMetrics();
  const sealer = new SecretSealer(config.masterKey, config.previousMasterKeys);
  let writeFailureLogged = false;
  const onIndexWriteFailed = (error: Error): void => {
    if (writeFailureLogged) return;
    writeFailureLogged = true; // once per process: the trust monitor reports the index's state changes
    logger.warn(
      `validity index write failed (${error.message}); ` +
        'commands go on from the event store, and the index is not trusted until it has applied them',
    );
  };
  // A command waits at most twice the read bound for its inline write, then answers from the store.
  const executor = new KeyCommandExecutor(store, index, undefined, onIndexWriteFailed, Math.max(2 * config.indexTimeoutMs, 100));
  const slots = new SigningKeySlots(store, executor, {
    // Adopted once per account, when its slot stream is created: keys generated before the stream.
    existingSigningKeyIds: async (accountId) =>
      (await index.listKeys(accountId)).filter((k) => k.kind === 'signing' && k.status !== 'revoked').map((k) => k.keyId),
  });
  const projector = new ValidityProjector(store, index, logger);
  const runsWorkers = config.workers === 'all' || !config.redis;
  const trustMonitor = new IndexTrustMonitor(store, index, logger, { projector: runsWorkers ? projector : null });
  const scheduler = new ExpiryScheduler(index, executor, logger, {
    intervalMs: config.expirySweepMs,
    lease,
    observer: metrics.commandObserver,
    warner: new ExpiryWarner(index, executor, { leadsSeconds: config.expiryWarningLeadsSeconds, observer: metrics.commandObserver }),
    warningIntervalMs: config.expiryWarningIntervalMs,
  });
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

  const history = createHistoryStore(config, overrides);
  closers.push(() => history.close());
  const historyProjector = new HistoryProjector(store, history, logger);
  // Like the relay: with a shared Redis, one instance projects the history and the others stand by.
  workers.push(
    historyLease
      ? new LeaseGatedWorker('history-projection', historyProjector, historyLease, RELAY_LEASE_MS / 3, logger)
      : historyProjector,
  );

  const usage = createKeyUsage(config, logger, { store: overrides.usage, memory: overrides.store !== undefined });

  const infra: Infrastructure = {
    config,
    mode: {
      eventStore: config.eventStoreUrl ? 'eventstoredb' : 'sqlite',
      validityIndex: config.redis ? 'redis' : 'memory',
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
    slots,
    projector,
    trustMonitor,
    scheduler,
    workers,
    metrics,
    ready: false,
    usage,
    history,
    historyProjector,
    historyReads: new AccountHistoryReads(store, history),
    async start() {
      usage?.start();
      // An in-process index starts empty: fold the whole store into it before serving.
      if (!config.redis) {
        const keys = await projector.rebuild();
        logger.log(`validity index rebuilt from the event store: ${keys} keys`);
      } else if (runsWorkers) {
        // A shared index that is new or was emptied is built from the store before the projection resumes on it.
        const health = await waitForIndex(index, logger, Infinity, redisVariable(config));
        if (health.empty) {
          const keys = await projector.rebuild();
          logger.log(`validity index built from the event store: ${keys} keys`);
        }
      }
      if (runsWorkers) await projector.start();
      await trustMonitor.start();
      if (config.workers === 'all') {
        scheduler.start();
        for (const worker of workers) await worker.start();
      }
      infra.ready = true;
    },
    async stop() {
      infra.ready = false;
      await trustMonitor.stop();
      await scheduler.stop();
      for (const worker of workers) await worker.stop();
      await projector.stop();
      await usage?.stop();
      for (const close of closers) await close();
    },
  };
  metrics.watch({
    ready: () => readiness(infra).ready,
    trust: () => {
      const report = trustMonitor.report();
      return {
        storeReachable: report.storeReachable,
        storeHead: report.storeHead,
        indexState: report.rebuilding ? 'rebuilding' : report.index.state,
        indexTrusted: report.index.trusted,
        lag: report.lag,
        rebuilds: report.rebuilds,
      };
    },
    relay: () => relay.stats(),
    expiry: () => ({ backlog: scheduler.backlog, recorded: scheduler.expired }),
    usage: () => usage?.flusher.stats() ?? null,
  });
  return infra;
}

/** Bound on each history read or write to Redis: a stalled Redis answers 503 HISTORY_UNAVAILABLE, never hangs a read. */
const HISTORY_REDIS_TIMEOUT_MS = 2000;

/** The history read model the mode calls for (README, "Account history"). */
function createHistoryStore(config: AppConfig, overrides: InfrastructureOverrides): HistoryStore {
  if (overrides.history) return overrides.history;
  if (config.redis) {
    // Its own connection: a rebuild's bulk writes never queue ahead of the index's reads.
    const client = createRedisClient(config.redis, { commandTimeout: HISTORY_REDIS_TIMEOUT_MS, onError: () => undefined });
    return new RedisHistoryStore(client, { namespace: config.redisNamespace, ownsClient: true });
  }
  return SqliteHistoryStore.open(overrides.store ? ':memory:' : join(config.dataDir, 'history.sqlite'));
}

/** The variable that says where the index's Redis is, for messages: REDIS_URL or REDIS_CLUSTER_NODES. */
export const redisVariable = (config: AppConfig): 'REDIS_URL' | 'REDIS_CLUSTER_NODES' =>
  config.redis && 'clusterNodes' in config.redis ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL';

/**
 * Waits until the index answers a probe (logging once while it does not); returns its health. With
 * `timeoutMs`, gives up then with an error that names `variable` (REDIS_URL or REDIS_CLUSTER_NODES).
 */
export async function waitForIndex(
  index: ValidityIndex,
  logger: ProjectorLogger,
  timeoutMs = Infinity,
  variable: 'REDIS_URL' | 'REDIS_CLUSTER_NODES' = 'REDIS_URL',
): Promise<IndexHealth> {
  const started = Date.now();
  let warned = false;
  for (;;) {
    const health = await index.trust.probe();
    if (health.state !== 'unreachable') return health;
    if (Date.now() - started >= timeoutMs)
      throw new Error(`cannot reach the validity index's Redis (${variable}): ${health.reason ?? 'unreachable'}`);
    // A connection takes a moment to open: only a wait that lasts is worth a line.
    if (!warned && Date.now() - started >= 2000) {
      logger.warn(`waiting for the validity index's Redis (${variable}): ${health.reason ?? 'unreachable'}`);
      warned = true;
    }
    await delay(50);
  }
}

/**
 * Checkpoints kept beside the read model (Redis), so a projection and its checkpoint move together.
 * A CheckpointStore overwrites (also backwards), so the relay can replace a checkpoint that is not a
 * position of the event store (InvalidCheckpointError) with the positions it publishes from then on.
 */
function indexCheckpoints(index: ValidityIndex): CheckpointStore {
  return {
    load: (name) => index.loadCheckpoint(name),
    save: (name, position) => index.saveCheckpoint({ name, position, rewind: true }),
  };
}

export interface Readiness {
  ready: boolean;
  /** Why not, when not. */
  reason: string | null;
  details: {
    eventStore: Infrastructure['mode']['eventStore'];
    validityIndex: Infrastructure['mode']['validityIndex'];
    store: { reachable: boolean; head: string | null };
    index: {
      state: string;
      trusted: boolean;
      reason: string | null;
      position: string | null;
      requiredPosition: string;
      lag: string | null;
      identity: string | null;
      rebuilding: boolean;
      rebuilds: number;
    };
    notifications: Infrastructure['mode']['notifications'];
    projectionCheckpoint: string | null;
  };
}

/**
 * Ready = started, the event store answers, and the validity index is trusted and caught up
 * (index-trust.ts). The same rule for HTTP /health/ready, gRPC health and the projector's health.
 */
export function readiness(infra: Infrastructure): Readiness {
  const report = infra.trustMonitor.report();
  const { index } = report;
  const reason = !infra.ready
    ? 'starting or stopping'
    : !report.storeReachable
      ? 'the event store is unreachable'
      : !index.trusted
        ? `validity index ${index.state}: ${index.reason ?? ''}`.trim()
        : null;
  return {
    ready: reason === null,
    reason,
    details: {
      eventStore: infra.mode.eventStore,
      validityIndex: infra.mode.validityIndex,
      store: { reachable: report.storeReachable, head: report.storeHead?.toString() ?? null },
      index: {
        state: report.rebuilding ? 'rebuilding' : index.state,
        trusted: index.trusted,
        reason: index.reason,
        position: index.position?.toString() ?? null,
        requiredPosition: index.required.toString(),
        lag: report.lag?.toString() ?? null,
        identity: index.identity,
        rebuilding: report.rebuilding,
        rebuilds: report.rebuilds,
      },
      notifications: infra.mode.notifications,
      projectionCheckpoint: infra.projector.checkpoint?.toString() ?? null,
    },
  };
}
