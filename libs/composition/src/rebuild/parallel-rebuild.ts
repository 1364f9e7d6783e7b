/**
 * A rebuild of the Redis validity index by several worker threads (README, "Rebuild and scale"):
 * each reads one share of the key streams (ReadAllOptions.partition), folds it and bulk-writes it
 * into the generation the index is building (rebuild-worker.ts), on its own Redis connection. The
 * shares are independent (a key's stream is in one share), so the index's fixup and swap stay single,
 * in the caller's ValidityProjector.rebuild. Reading, folding and serializing, which held a rebuild
 * to one core, then use as many as there are workers.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HistoryFill, PartitionedFill } from '@cs/application';
import type { ShareJob, ShareMessage } from './share-worker';

/** The most workers a rebuild starts by default: past this the Redis server, not Node, is the limit. */
export const MAX_DEFAULT_REBUILD_WORKERS = 4;

export const defaultRebuildWorkers = (): number => Math.min(MAX_DEFAULT_REBUILD_WORKERS, availableParallelism());

/** The young generation each worker gets (the service's entry points give Node --max-semi-space-size=64). */
const WORKER_YOUNG_GENERATION_MB = 192;

interface Share {
  worker: Worker;
  writing: boolean;
  finished: boolean;
  events: number;
  keys: number;
  exited: Promise<void>;
}

/**
 * A PartitionedFill running `workers` worker threads, each opening the store and the index from
 * `env` (the service's configuration variables). If one share fails, the others stop (those not yet
 * writing at once, the others once their writes in flight have settled) before it rejects, so no
 * write lands after the caller deletes the partial generation.
 */
export function workerFill(env: Record<string, string | undefined>, workers: number): PartitionedFill {
  return sharesInWorkers('rebuild-worker.js', env, workers);
}

/**
 * A HistoryFill running `workers` worker threads (history-rebuild-worker.ts), each writing the history
 * rows of one share of the key streams into the generation being built, on its own Redis connection.
 */
export function historyWorkerFill(env: Record<string, string | undefined>, workers: number): HistoryFill {
  const fill = sharesInWorkers('history-rebuild-worker.js', env, workers);
  return async ({ generation, upTo, onProgress }) => {
    const { events } = await fill({ generation: String(generation), upTo, onProgress: (read) => onProgress?.(read) });
    return { events };
  };
}

function sharesInWorkers(script: string, env: Record<string, string | undefined>, workers: number): PartitionedFill {
  if (!(Number.isSafeInteger(workers) && workers >= 1)) throw new RangeError(`workers must be a whole number >= 1, got ${workers}`);
  return ({ generation, upTo, onProgress }) =>
    new Promise((resolve, reject) => {
      const shares: Share[] = [];
      let failure: Error | undefined;
      const progress = () => onProgress?.(sum('events'), sum('keys'));
      const sum = (field: 'events' | 'keys') => shares.reduce((total, share) => total + share[field], 0);
      const fail = (error: Error) => {
        if (failure) return;
        failure = error;
        for (const share of shares) {
          if (share.finished) continue;
          if (share.writing) share.worker.postMessage({ type: 'stop' });
          else void share.worker.terminate();
        }
        void Promise.all(shares.map((share) => share.exited)).then(() => reject(error));
      };
      const settle = () => {
        if (!failure && shares.every((share) => share.finished)) resolve({ events: sum('events'), keys: sum('keys') });
      };
      for (let index = 0; index < workers; index++) {
        const job: ShareJob = { env, generation, upTo, index, count: workers };
        const worker = new Worker(join(__dirname, script), {
          workerData: job,
          resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
        });
        const exited = new Promise<void>((done) => worker.once('exit', () => done()));
        const share: Share = { worker, writing: false, finished: false, events: 0, keys: 0, exited };
        shares.push(share);
        worker.on('message', (message: ShareMessage) => {
          if (message.type === 'progress') {
            share.events = message.events;
            share.keys = message.keys;
            progress();
          } else if (message.type === 'writing') {
            share.writing = true;
          } else if (message.type === 'done') {
            Object.assign(share, { finished: true, events: message.events, keys: message.keys });
            settle();
          } else {
            fail(new Error(`rebuild share ${index + 1} of ${workers} failed: ${message.message}`));
          }
        });
        worker.on('error', (error: Error) => fail(new Error(`rebuild share ${index + 1} of ${workers} failed: ${error.message}`)));
        worker.on('exit', (code) => {
          if (!share.finished) fail(new Error(`rebuild share ${index + 1} of ${workers} ended (exit ${code}) before finishing`));
        });
      }
    });
}
