/**
 * One share of a parallel history rebuild, in a worker thread started by parallel-rebuild.ts
 * (historyWorkerFill): opens the event store and the history's Redis as the service does (from the same
 * environment) and writes the rows of the key streams of its share up to the rebuild's head into the
 * generation being built (writeHistoryShare). Messages to the parent: `writing` at once, `progress`,
 * then `done` or `failed`. From the parent: `stop` (another share failed), answered by ending with no
 * write in flight.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { writeHistoryShare } from '@cs/application';
import { EventStoreDBEventStore, SqliteEventStore, type EventStore } from '@cs/event-store';
import { createRedisClient, RedisHistoryStore } from '@cs/validity';
import { loadConfig } from '../config/configuration';
import type { ShareJob, ShareMessage } from './rebuild-worker';

const post = (message: ShareMessage): void => parentPort!.postMessage(message);
/** The parent has reached the same Redis already: a share waits this long for its own connection. */
const REDIS_WAIT_MS = 10_000;

/** Until the history's Redis answers (a new connection takes a moment; no offline queue), at most REDIS_WAIT_MS. */
async function connected(history: RedisHistoryStore): Promise<void> {
  for (const deadline = Date.now() + REDIS_WAIT_MS; ;) {
    try {
      await history.currentGeneration();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw new Error(`cannot reach the history's Redis: ${(error as Error).message}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function run(job: ShareJob): Promise<void> {
  const config = loadConfig(job.env);
  if (!config.redis) throw new Error('a parallel history rebuild writes into Redis: REDIS_URL or REDIS_CLUSTER_NODES is not set');
  const store: EventStore = config.eventStoreUrl
    ? EventStoreDBEventStore.connect(config.eventStoreUrl, { timeoutMs: config.eventStoreTimeoutMs })
    : SqliteEventStore.open(join(config.dataDir, 'events.sqlite'));
  const client = createRedisClient(config.redis, { commandTimeout: 10_000, onError: () => undefined });
  const history = new RedisHistoryStore(client, { namespace: config.redisNamespace, ownsClient: true });
  let stopped = false;
  parentPort!.on('message', (message: { type: string }) => {
    if (message.type === 'stop') stopped = true;
  });
  try {
    await connected(history);
    post({ type: 'writing' }); // from its first batch on: a stop waits for the writes in flight
    const events = await writeHistoryShare(store, history, {
      generation: Number(job.generation),
      upTo: job.upTo,
      partition: { index: job.index, count: job.count },
      onProgress: (read) => {
        if (stopped) throw new Error('stopped: another share of the rebuild failed');
        post({ type: 'progress', events: read, keys: 0 });
      },
    });
    post({ type: 'done', events, keys: 0 });
  } finally {
    await Promise.allSettled([store.close(), history.close()]);
  }
}

run(workerData as ShareJob).then(
  () => process.exit(0),
  (error: unknown) => {
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
