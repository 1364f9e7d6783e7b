/**
 * One share of a parallel rebuild, in a worker thread started by parallel-rebuild.ts: opens the event
 * store and the Redis index as the service does (from the same environment), folds the key streams
 * of its share up to the rebuild's head (foldShare), and writes them into the generation being built
 * (fillGeneration). Messages to the parent: `progress`, `writing` (its first write is about to be
 * sent), then `done` or `failed`. From the parent: `stop` (another share failed), answered by ending
 * with no write in flight.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { foldShare } from '@cs/application';
import { EventStoreDBEventStore, SqliteEventStore, type EventStore } from '@cs/event-store';
import { RedisValidityIndex, type KeyRecord } from '@cs/validity';
import { loadConfig } from '../config/configuration';
import { redisVariable, waitForIndex } from '../infrastructure';

/** The parent has reached the same Redis already: a share waits this long for its own connection. */
const REDIS_WAIT_MS = 10_000;
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

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

const post = (message: ShareMessage): void => parentPort!.postMessage(message);

async function run(job: ShareJob): Promise<void> {
  const config = loadConfig(job.env);
  if (!config.redis) throw new Error('a parallel rebuild writes into Redis: REDIS_URL or REDIS_CLUSTER_NODES is not set');
  const store: EventStore = config.eventStoreUrl
    ? EventStoreDBEventStore.connect(config.eventStoreUrl, { timeoutMs: config.eventStoreTimeoutMs })
    : SqliteEventStore.open(join(config.dataDir, 'events.sqlite'));
  const index = RedisValidityIndex.connect(config.redis, { namespace: config.redisNamespace, onClientError: () => undefined });
  let stopped = false;
  parentPort!.on('message', (message: { type: string }) => {
    if (message.type === 'stop') stopped = true;
  });
  try {
    await waitForIndex(index, quiet, REDIS_WAIT_MS, redisVariable(config));
    const { records, events } = await foldShare(store, {
      partition: { index: job.index, count: job.count },
      upTo: job.upTo,
      onProgress: (read, keys) => post({ type: 'progress', events: read, keys }),
    });
    post({ type: 'progress', events, keys: records.size });
    post({ type: 'writing' });
    function* untilStopped(): Generator<KeyRecord> {
      for (const record of records.values()) {
        if (stopped) throw new Error('stopped: another share of the rebuild failed');
        yield record;
      }
    }
    // The values of a Map by key id: no key twice.
    const keys = await index.fillGeneration(job.generation, untilStopped(), { unique: true });
    post({ type: 'done', events, keys });
  } finally {
    await Promise.allSettled([store.close(), index.close()]);
  }
}

run(workerData as ShareJob).then(
  () => process.exit(0),
  (error: unknown) => {
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
