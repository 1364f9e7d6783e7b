/**
 * Rebuilds the read models from the event store (e.g. after a projection change or to prove the read
 * model matches history): the validity index (with Redis; the embedded one is rebuilt at every start)
 * and the account history (Redis, or DATA_DIR/history.sqlite). Each new one is built beside the live
 * one and swapped in at once: verify and history reads keep answering from the old one until then.
 *
 *   npm run projection:rebuild          (scripts/projection-rebuild.js: options, install, build, then this)
 *   npm run projection:rebuild -- --help
 *
 * Redis unreachable: stops after REDIS_WAIT_MS with one line naming REDIS_URL and exit code 1.
 */
import {
  ConfigError,
  createInfrastructure,
  defaultRebuildWorkers,
  loadConfig,
  redisVariable,
  waitForIndex,
  historyWorkerFill,
  workerFill,
} from '@cs/composition';

/** How long to wait for the index's Redis before giving up: a rebuild is run by hand, so fail fast. */
const REDIS_WAIT_MS = 3_000;
/** Progress lines at most this often (the projectors report every 10,000 events: 100 lines a million). */
const PROGRESS_EVERY_MS = 2_000;

/** `line`, at most once per PROGRESS_EVERY_MS (the first report at once). */
function throttled(log: (line: string) => void): (line: string) => void {
  let last = 0;
  return (line) => {
    const now = Date.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    log(line);
  };
}

async function main(): Promise<void> {
  if (process.argv.length > 2) {
    process.stderr.write('rebuild-projection takes no options; see `npm run projection:rebuild -- --help`\n');
    process.exit(2);
  }
  const env = { ...process.env, WORKERS: 'none' };
  const config = loadConfig(env);
  // Set by the launcher (scripts/projection-rebuild.js: --workers, --only), checked there.
  const workers = process.env.REBUILD_WORKERS ? Number(process.env.REBUILD_WORKERS) : defaultRebuildWorkers();
  const only = process.env.REBUILD_ONLY;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  // A rebuild answers no verify: no key usage.
  const infra = await createInfrastructure({ ...config, usage: { ...config.usage, enabled: false } }, { log, warn: log, error: log });
  try {
    // Redis reachable (the history is kept there too), or a clear stop naming the variable.
    if (config.redis) await waitForIndex(infra.index, { log, warn: log, error: log }, REDIS_WAIT_MS, redisVariable(config));
    if (only === 'history') {
      // The validity index is left as it is.
    } else if (!config.redis) {
      log('REDIS_URL (or REDIS_CLUSTER_NODES) is not set: the embedded in-process index is rebuilt at every start.');
    } else {
      const started = Date.now();
      log(`rebuilding the validity index with ${workers === 1 ? '1 thread' : `${workers} worker threads, each a share of the keys`}`);
      const progress = throttled(log);
      const keys = await infra.projector.rebuild((events, count) => progress(`  ${events} events read, ${count} keys folded...`), {
        fill: workers > 1 ? workerFill(env, workers) : undefined,
      });
      log(`rebuilt the validity index: ${keys} keys in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }
    if (only === 'validity') return;
    const started = Date.now();
    // Worker threads into Redis only: SQLite takes one writer at a time.
    const threads = config.redis ? workers : 1;
    log(`rebuilding the account history with ${threads === 1 ? '1 thread' : `${threads} worker threads, each a share of the keys`}`);
    const progress = throttled(log);
    const events = await infra.historyProjector.rebuild((count) => progress(`  ${count} events written to the account history...`), {
      fill: threads > 1 ? historyWorkerFill(env, threads) : undefined,
    });
    const seconds = (Date.now() - started) / 1000;
    const rate = Math.round(events / Math.max(seconds, 0.001));
    log(`rebuilt the account history: ${events} events in ${seconds.toFixed(1)}s (${rate} events/s)`);
  } finally {
    await infra.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error instanceof ConfigError ? 'configuration error' : 'rebuild failed'}: ${error.message}\n`);
  process.exit(1);
});
