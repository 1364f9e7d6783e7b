/**
 * What every share of a parallel rebuild does the same way, in its worker thread (rebuild-worker.ts for
 * the validity index, history-rebuild-worker.ts for the history; started by parallel-rebuild.ts): the
 * job and the messages, the configuration and the event store opened as the service opens them, the
 * parent's `stop`, and the exit (`failed` with the message, exit code 1).
 */
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { EventStoreDBEventStore, SqliteEventStore, type EventStore } from '@cs/event-store';
import { loadConfig, type AppConfig } from '../config/configuration';

export interface ShareJob {
  env: Record<string, string | undefined>;
  generation: string;
  upTo: bigint;
  index: number;
  count: number;
}

export type ShareMessage =
  | { type: 'progress'; events: number; keys: number }
  | { type: 'writing' }
  | { type: 'done'; events: number; keys: number }
  | { type: 'failed'; message: string };

export const post = (message: ShareMessage): void => parentPort!.postMessage(message);

export interface ShareContext {
  job: ShareJob;
  /** The service's configuration, Redis set (a parallel rebuild writes into Redis). */
  config: AppConfig & { redis: NonNullable<AppConfig['redis']> };
  store: EventStore;
  /** Whether the parent said `stop` (another share failed). */
  stopped: () => boolean;
}

/** Runs this thread's share with its context; closes the store after it; exits 0, or 1 after `failed`. */
export function runShare(what: string, share: (context: ShareContext) => Promise<void>): void {
  const job = workerData as ShareJob;
  const work = async (): Promise<void> => {
    const config = loadConfig(job.env);
    if (!config.redis) throw new Error(`a parallel ${what} writes into Redis: REDIS_URL or REDIS_CLUSTER_NODES is not set`);
    const store: EventStore = config.eventStoreUrl
      ? EventStoreDBEventStore.connect(config.eventStoreUrl, { timeoutMs: config.eventStoreTimeoutMs })
      : SqliteEventStore.open(join(config.dataDir, 'events.sqlite'));
    let stopped = false;
    parentPort!.on('message', (message: { type: string }) => {
      if (message.type === 'stop') stopped = true;
    });
    try {
      await share({ job, config: { ...config, redis: config.redis }, store, stopped: () => stopped });
    } finally {
      await store.close().catch(() => undefined);
    }
  };
  work().then(
    () => process.exit(0),
    (error: unknown) => {
      post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
}
