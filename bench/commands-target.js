'use strict';
/**
 * One instance of the built credential service, run as a child of commands.bench.js (forked with an
 * IPC channel) so that neither the load generator nor the fence checker shares its event loop.
 *
 * Protocol (process.send / 'message'):
 *   parent -> { type: 'start', config }   child -> { type: 'ready', url } | { type: 'failed', error }
 *   parent -> { type: 'stats' }           child -> { type: 'stats', rss, cpuMicros, elu, sqlite }
 *   parent -> { type: 'close' }           child -> { type: 'closed' } then exits (writing its --cpu-prof, if any)
 *
 * config: { dist (the build to run), jwtSecret, serviceToken, masterKey, dataDir, keepData, redisUrl?, namespace?, kafkaBrokers?,
 *           kafkaTopic?, eventStoreUrl?, sqliteSynchronous? ('NORMAL': the diagnostic run only) }
 *
 * Instrumentation (cheap, always on): the wall time this process spends inside better-sqlite3's
 * synchronous calls, split into writes (transactions and statements run outside one: the append with
 * its COMMIT and fsync, checkpoint saves) and reads (get/all/iterate), and the event loop's
 * utilization (perf_hooks). A synchronous fsync blocks the event loop without using CPU, so
 * "event loop busy" well above "CPU" points at it.
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { serveOrchestrator } = require('./common');

const sqlite = { writeNs: 0n, writes: 0, readNs: 0n, reads: 0 };
let sqliteDepth = 0;
let synchronousOverride = null;

/** Wraps better-sqlite3 before the service loads it (the same module instance: one node_modules). */
function instrumentSqlite() {
  const Database = require('better-sqlite3');
  const timed = (fn, kind) =>
    function timedSqlite(...args) {
      if (sqliteDepth > 0) return fn.apply(this, args);
      sqliteDepth++;
      const t0 = process.hrtime.bigint();
      try {
        return fn.apply(this, args);
      } finally {
        sqliteDepth--;
        const ns = process.hrtime.bigint() - t0;
        if (kind === 'write') {
          sqlite.writeNs += ns;
          sqlite.writes++;
        } else {
          sqlite.readNs += ns;
          sqlite.reads++;
        }
      }
    };
  // Statements: a run outside a transaction is an autocommit write (with its own fsync).
  const probe = new Database(':memory:');
  const Statement = Object.getPrototypeOf(probe.prepare('SELECT 1'));
  probe.close();
  Statement.run = timed(Statement.run, 'write');
  for (const name of ['get', 'all', 'iterate']) Statement[name] = timed(Statement[name], 'read');
  // Transactions: their properties are read-only, so hand back a function of the same shape.
  const transaction = Database.prototype.transaction;
  Database.prototype.transaction = function timedTransaction(fn) {
    const tx = transaction.call(this, fn);
    const wrapped = timed(tx, 'write');
    for (const variant of ['default', 'deferred', 'immediate', 'exclusive']) wrapped[variant] = timed(tx[variant], 'write');
    wrapped.database = tx.database;
    return wrapped;
  };
  // The diagnostic run: the same service with synchronous=NORMAL (WAL: no fsync per commit).
  const pragma = Database.prototype.pragma;
  Database.prototype.pragma = function maybeOverridden(source, options) {
    if (synchronousOverride && /^\s*synchronous\s*=\s*full\s*$/i.test(source)) source = `synchronous = ${synchronousOverride}`;
    return pragma.call(this, source, options);
  };
}

let closeTarget = async () => {};

async function startService(config) {
  synchronousOverride = config.sqliteSynchronous || null;
  instrumentSqlite();
  const dist = config.dist || join(__dirname, '..', 'dist');
  // A copy of dist/ elsewhere (BENCH_DIST) finds the .proto files of this tree.
  process.env.CREDENTIALS_PROTO_ROOT ??= join(__dirname, '..', 'libs/contracts/proto');
  const { startCredentialService } = require(join(dist, 'apps/credential-service/src/bootstrap.js'));
  const { loadConfig } = require(join(dist, 'libs/composition/src/index.js'));
  const dataDir = config.dataDir || mkdtempSync(join(tmpdir(), 'cs-cmdbench-'));
  const env = {
    PORT: '0',
    GRPC_PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    AUTH_JWT_SECRET: config.jwtSecret,
    SERVICE_TOKEN: config.serviceToken,
    MASTER_KEY: config.masterKey,
    LOG_LEVEL: 'warn',
    // The bench drives a few accounts far harder than a person would: no management rate limit.
    RATE_LIMIT_MANAGEMENT_PER_MINUTE: '0',
    RATE_LIMIT_ACCOUNT_PER_MINUTE: '0',
    RATE_LIMIT_VERIFY_PER_SECOND: '0',
    // A loaded 2-core machine: a Redis read may take longer than the 250 ms default (as the e2e apps do).
    INDEX_TIMEOUT_MS: '2000',
    ...(config.redisUrl ? { REDIS_URL: config.redisUrl, REDIS_NAMESPACE: config.namespace } : {}),
    ...(config.kafkaBrokers ? { KAFKA_BROKERS: config.kafkaBrokers, KAFKA_TOPIC: config.kafkaTopic } : {}),
    ...(config.eventStoreUrl ? { EVENTSTORE_URL: config.eventStoreUrl } : {}),
  };
  let service;
  try {
    service = await startCredentialService(loadConfig(env));
  } catch (error) {
    if (!config.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  closeTarget = async () => {
    try {
      await service.close();
    } finally {
      if (!config.keepData) rmSync(dataDir, { recursive: true, force: true });
    }
  };
  return service.url;
}

serveOrchestrator({
  role: 'commands target',
  handlers: {
    start: async (message) => ({ type: 'ready', url: await startService(message.config) }),
    stats: () => {
      const { rss } = process.memoryUsage();
      const { user, system } = process.cpuUsage();
      const elu = performance.eventLoopUtilization();
      return {
        type: 'stats',
        rss,
        cpuMicros: user + system,
        // The clock of --cpu-prof's timestamps (microseconds, monotonic): marks a window in the profile.
        nowMicros: Number(process.hrtime.bigint() / 1000n),
        elu: { idle: elu.idle, active: elu.active },
        sqlite: {
          writeMicros: Number(sqlite.writeNs / 1000n),
          writes: sqlite.writes,
          readMicros: Number(sqlite.readNs / 1000n),
          reads: sqlite.reads,
        },
      };
    },
  },
  close: () => closeTarget(),
});
