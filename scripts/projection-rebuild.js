#!/usr/bin/env node
/**
 * `npm run projection:rebuild`: reads its options first (so `--help` and a mistyped option neither
 * install, build nor touch any store), then makes sure dependencies and dist/ are current, then
 * runs the rebuild (dist/scripts/rebuild-projection.js, from scripts/rebuild-projection.ts).
 */
const { execSync, spawnSync } = require('node:child_process');
const { join } = require('node:path');

const USAGE = `usage: npm run projection:rebuild [-- --help]

Rebuilds the read models from the event store, e.g. after a projection change or to prove they match
history: the validity index (the Redis index that verify answers from; the embedded one is rebuilt at
every start) and the account history (Redis, or DATA_DIR/history.sqlite in the embedded mode). Each new
one is built beside the live one and swapped in at once: verify and history reads keep answering from
the old one until then. Prints progress. Builds the service first (npm run build), installing
dependencies if they are missing.

options:
  --workers N            worker threads reading, folding and writing a share of the keys each, for
                         the validity index and, in Redis, the history (1 to 64; default: the cores,
                         at most 4); 1: in this process alone
  --only validity|history   rebuild that read model only (default: both)
  -h, --help             this text

environment (as the service reads it; see the README, "Configuration"):
  REDIS_URL              the Redis holding the index and the history; unset: the history in DATA_DIR
                         only (the embedded index is rebuilt at every start). Unreachable: stops
                         within a few seconds, naming it
  REDIS_CLUSTER_NODES    instead of REDIS_URL: a Redis Cluster's nodes, host:port,host:port,...
  REDIS_CLUSTER_PASSWORD, REDIS_CLUSTER_USERNAME   the cluster's AUTH, if it asks for it
  REDIS_NAMESPACE        prefix of the index's keys (default cs)
  EVENTSTORE_URL         the event store to replay; unset: SQLite in DATA_DIR
  DATA_DIR               the embedded store's directory (default ./data)
  AUTH_JWT_SECRET, SERVICE_TOKEN, MASTER_KEY   required with REDIS_URL, as for the service
  EVENTSTORE_TIMEOUT_MS, INDEX_TIMEOUT_MS      bounds on each call, as for the service
`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const refuse = (message) => {
  process.stderr.write(`projection:rebuild: ${message}\n\n${USAGE}`);
  process.exit(2);
};
let workers;
let only;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  const onlyInline = /^--only=(.*)$/s.exec(arg);
  if (arg === '--only' || onlyInline) {
    const value = onlyInline ? onlyInline[1] : args[++i];
    // The value is not repeated (see below).
    if (value !== 'validity' && value !== 'history') refuse('--only must be validity or history');
    only = value;
    continue;
  }
  const inline = /^--workers=(.*)$/s.exec(arg);
  if (arg === '--workers' || inline) {
    const value = inline ? inline[1] : args[++i];
    if (value === undefined) refuse('--workers needs a number');
    // The value is not repeated: an argument could be a secret pasted in the wrong place.
    if (!/^[0-9]{1,2}$/.test(value) || Number(value) < 1 || Number(value) > 64) refuse('--workers must be a whole number from 1 to 64');
    workers = value;
    continue;
  }
  // Named only when it looks like an option (an argument could be a secret pasted in the wrong place).
  const named = /^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(arg) ? arg : `at position ${i + 1}`;
  refuse(`unknown option ${named}`);
}

const root = join(__dirname, '..');
execSync('node scripts/ensure-install.js && npm run -s build', { cwd: root, stdio: 'inherit' });
// In a child, with the young generation the service's entry points give Node (package.json, docker/Dockerfile):
// a rebuild holds every key's record while it folds and serializes them (README, "Rebuild and scale").
const child = spawnSync(process.execPath, ['--max-semi-space-size=64', join(root, 'dist', 'scripts', 'rebuild-projection.js')], {
  cwd: process.cwd(),
  stdio: 'inherit',
  env: {
    ...process.env,
    ...(workers === undefined ? {} : { REBUILD_WORKERS: workers }),
    ...(only === undefined ? {} : { REBUILD_ONLY: only }),
  },
});
if (child.error) throw child.error;
process.exit(child.status ?? 1);
