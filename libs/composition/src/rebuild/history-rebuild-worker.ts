/**
 * One share of a parallel history rebuild, in a worker thread started by parallel-rebuild.ts
 * (historyWorkerFill): opens the event store and the history's Redis as the service does (from the same
 * environment) and writes the rows of the key streams of its share up to the rebuild's head into the
 * generation being built (writeHistoryShare). Messages to the parent: `writing` at once, `progress`,
 * then `done` or `failed`. From the parent: `stop` (another share failed), answered by ending with no
 * write in flight.
 */
import { writeHistoryShare } from '@cs/application';
import { createRedisClient, RedisHistoryStore } from '@cs/validity';
import { post, runShare } from './share-worker';

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

runShare('history rebuild', async ({ job, config, store, stopped }) => {
  const client = createRedisClient(config.redis, { commandTimeout: 10_000, onError: () => undefined });
  const history = new RedisHistoryStore(client, { namespace: config.redisNamespace, ownsClient: true });
  try {
    await connected(history);
    post({ type: 'writing' }); // from its first batch on: a stop waits for the writes in flight
    const events = await writeHistoryShare(store, history, {
      generation: Number(job.generation),
      upTo: job.upTo,
      partition: { index: job.index, count: job.count },
      onProgress: (read) => {
        if (stopped()) throw new Error('stopped: another share of the rebuild failed');
        post({ type: 'progress', events: read, keys: 0 });
      },
    });
    post({ type: 'done', events, keys: 0 });
  } finally {
    await history.close().catch(() => undefined);
  }
});
