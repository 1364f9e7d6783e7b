/**
 * Running on every core (README, "Running on every core"): PROCESSES=N (or `auto`, one per core)
 * makes this process a node:cluster primary that forks N workers, each a whole credential service
 * (startCredentialService) on the same HTTP and gRPC ports, shared through node:cluster (the primary
 * accepts connections and hands them to the workers in turn). The primary serves nothing itself:
 * it starts the workers (the first alone, so a new shared index is built once), replaces one that
 * dies (with back-off, logged), forwards SIGTERM/SIGINT and exits when every worker has.
 *
 * Only with a shared read model: the embedded memory index is per process, so N > 1 without a Redis
 * index is a configuration error (each worker would answer from its own copy, and a revocation made
 * through one would not be seen by the others). With Redis the workers share what must be shared:
 * the index (revocation fence included), rate limits, and the relay and expiry-scheduler leases
 * (one holder at a time); the projection is idempotent (revision-guarded), so each worker runs it.
 * On SQLite the N workers append to one file: BEGIN IMMEDIATE with the revision check inside, a
 * 5 s busy timeout, and subscriptions that poll for other processes' rows (libs/event-store/src/sqlite).
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { LoggerService } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { ConfigError, pickFreePort, type AppConfig } from '@cs/composition';

export const MAX_PROCESSES = 64;

/** PROCESSES: unset or empty = 1; a whole number 1-64; `auto` = one per core (os.availableParallelism). */
export function processCount(env: NodeJS.ProcessEnv): number {
  const raw = env.PROCESSES;
  if (raw === undefined || raw.trim() === '') return 1;
  if (raw.trim() === 'auto') return Math.min(MAX_PROCESSES, availableParallelism());
  if (!/^\d{1,3}$/.test(raw.trim()) || Number(raw) < 1 || Number(raw) > MAX_PROCESSES)
    throw new ConfigError('PROCESSES', `must be a whole number from 1 to ${MAX_PROCESSES}, or auto (one per core)`);
  return Number(raw);
}

/** N > 1 needs an index every process reads: Redis (REDIS_URL or REDIS_CLUSTER_NODES). */
export function checkSharedIndex(count: number, config: AppConfig): void {
  if (count <= 1) return;
  if (config.redis === null)
    throw new ConfigError(
      'PROCESSES',
      'more than 1 needs a shared validity index (set REDIS_URL or REDIS_CLUSTER_NODES): the embedded memory index is per process, ' +
        'so each process would answer from its own copy and a revocation made through one would not reach the others',
    );
}

interface Message {
  type?: unknown;
}
const READY = 'cs-worker-ready';

/**
 * In a worker, once its service is up: tells the primary, and labels this process's /metrics with
 * `cs_worker_info{worker, pid} 1`, since with several workers a scrape answers for the one that
 * took the connection.
 */
export function workerStarted(): void {
  if (!cluster.isWorker || !cluster.worker) return;
  const gauge = new Gauge({
    name: 'cs_worker_info',
    help: 'Set to 1 in each worker of PROCESSES > 1: which worker (and pid) answered this scrape; counters are per worker',
    labelNames: ['worker', 'pid'] as const,
    registers: [register],
  });
  // The slot (1..N) the primary logs; a replacement takes the slot of the worker it replaces.
  gauge.labels(process.env.CS_WORKER_SLOT ?? String(cluster.worker.id), String(process.pid)).set(1);
  process.send?.({ type: READY });
}

const describeExit = (code: number | null, signal: string | null): string => (signal ? `signal ${signal}` : `code ${code}`);

/**
 * The cluster primary: resolves PORT/GRPC_PORT 0 to concrete ports, forks `count` workers (the first
 * one alone), restarts a worker that dies after start-up with back-off (0.5 s doubling to 30 s while
 * deaths keep coming within a minute), forwards SIGTERM/SIGINT and resolves with the exit code when
 * every worker has exited. A worker that fails during the first start stops everything, with its code.
 */
export async function runPrimary(count: number, config: AppConfig, logger: LoggerService): Promise<number> {
  const log = (message: string): void => void logger.log(message, 'processes');
  const warn = (message: string): void => void logger.warn(message, 'processes');
  const env: Record<string, string> = {
    PORT: String(config.port === 0 ? await pickFreePort(config.host) : config.port),
    GRPC_PORT: String(config.grpcPort === 0 ? await pickFreePort(config.host) : config.grpcPort),
  };
  if (config.identity.mode === 'embedded')
    warn(
      'the embedded sign-in provider (/oidc) keeps sessions and sign-in pages in one process: with PROCESSES > 1 a console ' +
        'sign-in can land on a worker that did not start it and fail; set OIDC_ISSUER for the console, or run one process',
    );
  log(`starting ${count} worker processes on HTTP port ${env.PORT} and gRPC port ${env.GRPC_PORT}`);

  let stopping = false;
  let started = false;
  let exitCode = 0;
  const deaths: number[] = [];
  const workers = new Set<Worker>();
  const timers = new Set<NodeJS.Timeout>();
  let allExited: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allExited = resolve));
  const live = (): Worker[] => [...workers];
  const checkDone = (): void => {
    if (stopping && live().length === 0 && timers.size === 0) allExited();
  };

  const fork = (slot: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ ...env, CS_WORKER_SLOT: String(slot) });
      workers.add(worker);
      worker.on('message', (message: Message) => {
        if (message?.type !== READY) return;
        log(`worker ${slot} (pid ${worker.process.pid}) ready`);
        resolve();
      });
      worker.once('exit', (code, signal) => {
        workers.delete(worker);
        reject(new Error(`worker ${slot} exited during start-up (${describeExit(code, signal)})`));
        if (!started || stopping) {
          if (code && code !== 0 && !stopping) exitCode = code;
          checkDone();
          return;
        }
        const now = Date.now();
        deaths.push(now);
        while (deaths.length > 0 && deaths[0] < now - 60_000) deaths.shift();
        const delayMs = Math.min(30_000, 500 * 2 ** (deaths.length - 1));
        warn(`worker ${slot} (pid ${worker.process.pid}) exited (${describeExit(code, signal)}); starting another in ${delayMs / 1000} s`);
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (stopping) return checkDone();
          fork(slot).catch((error: Error) => warn(error.message));
        }, delayMs);
        timers.add(timer);
      });
    });

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping ${live().length} workers`);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const worker of live()) worker.process.kill(signal);
    // A worker that does not finish closing within 30 s is killed.
    setTimeout(() => {
      for (const worker of live()) worker.process.kill('SIGKILL');
    }, 30_000).unref();
    checkDone();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  try {
    // The first alone: with a new (empty) shared index it builds the index from the store once.
    await fork(1);
    await Promise.all(Array.from({ length: count - 1 }, (_, i) => fork(i + 2)));
    started = true;
    log(
      `${count} workers ready (pids ${live()
        .map((w) => w.process.pid)
        .join(', ')})`,
    );
  } catch (error) {
    if (!stopping) {
      logger.error(`${(error as Error).message}; stopping the others`, 'processes');
      if (exitCode === 0) exitCode = 1;
      stop('SIGTERM');
    }
  }
  await done;
  return exitCode;
}
