/**
 * One share of a parallel rebuild, in a worker thread started by parallel-rebuild.ts: opens the event
 * store and the Redis index as the service does (from the same environment), folds the key streams
 * of its share up to the rebuild's head (foldShare), and writes them into the generation being built
 * (fillGeneration). Messages to the parent: `progress`, `writing` (its first write is about to be
 * sent), then `done` or `failed`. From the parent: `stop` (another share failed), answered by ending
 * with no write in flight.
 */
import { foldShare } from '@cs/application';
import { RedisValidityIndex, type KeyRecord } from '@cs/validity';
import { redisVariable, waitForIndex } from '../infrastructure';
import { post, runShare } from './share-worker';

/** The parent has reached the same Redis already: a share waits this long for its own connection. */
const REDIS_WAIT_MS = 10_000;
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

runShare('rebuild', async ({ job, config, store, stopped }) => {
  const index = RedisValidityIndex.connect(config.redis, { namespace: config.redisNamespace, onClientError: () => undefined });
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
        if (stopped()) throw new Error('stopped: another share of the rebuild failed');
        yield record;
      }
    }
    // The values of a Map by key id: no key twice.
    const keys = await index.fillGeneration(job.generation, untilStopped(), { unique: true });
    post({ type: 'done', events, keys });
  } finally {
    await index.close().catch(() => undefined);
  }
});
