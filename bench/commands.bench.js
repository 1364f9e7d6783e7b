#!/usr/bin/env node
'use strict';
/**
 * Commands: generate / regenerate / revoke per second and their latency, embedded and on the
 * production stack, the CPU each costs and where it goes, and the revocation fence under that load
 * (bench/README.md, issue 12). Prints figures; asserts nothing about speed. Exits 1 when an answer
 * is wrong or the fence does not hold, 2 when the bench cannot run.
 *
 *   npm run bench:commands                    (builds first: node bench/commands.bench.js --build)
 *   npm run bench:commands -- --help          (options and environment)
 *
 * Processes: each service instance (bench/commands-target.js), the load generator and the fence
 * checker (bench/commands-loader.js) are children of this one, which only orchestrates and counts.
 */
const { execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
// BENCH_DIST: a copy of dist/ inside this tree (so node_modules resolves), e.g. to keep measuring one
// build while dist/ is rebuilt meanwhile.
const DIST = process.env.BENCH_DIST ? require('node:path').resolve(process.env.BENCH_DIST) : join(ROOT, 'dist');
const {
  acceptOnlyBuild,
  children,
  connectRedis: connectRedisOrDie,
  dropNamespace,
  forkChild: forkBenchChild,
  redisCpuMicros,
  wholeFromEnv,
} = require('./common');
const NAME = 'bench:commands';

function die(message, code = 2) {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exit(code);
}

const USAGE = `usage: npm run bench:commands [-- --help]
       node bench/commands.bench.js [--build]

Measures generate, regenerate and revoke (and a mix of the three) of the built service: commands/s,
p50/p99 latency and CPU per command, by concurrency, in modes embedded (SQLite + memory index +
in-process notifications) and production (SQLite + Redis index + Kafka notifications, two instances
on one SQLite file and one Redis namespace; with EVENTSTORE_URL also eventstoredb). Then the fence
under load: while generate and regenerate run, a checker revokes keys through one instance and
verifies them at once on every instance. Then a CPU profile of one mode and a run with SQLite's
synchronous=NORMAL, to name the bottleneck. Exit 1 on a wrong answer or a broken fence (never on
speed), 2 when it cannot run (no build, no Redis, no Kafka).

options:
  --build                    run npm run build first (what npm run bench:commands passes)
  -h, --help                 this text

environment:
  BENCH_MODES                modes to run (default "embedded,production", plus eventstoredb when
                             EVENTSTORE_URL is set)
  BENCH_COMMANDS             default "generate,regenerate,revoke,mixed"
  BENCH_CONCURRENCY          commands in flight, a list (default "1,16")
  BENCH_SECONDS              length of one measured run (default 5)
  BENCH_ROUNDS               rounds, each running every cell once, order rotating (default 3)
  BENCH_WARMUP_SECONDS       warm-up per mode and command (default 2)
  BENCH_REGENERATE_KEYS      keys regenerated over and over, split between workers (default 256)
  BENCH_REVOKE_KEYS          keys generated for revokes before the rounds (default 800; topped up as needed)
  BENCH_FENCE_SECONDS        the fence phase per mode (default 10: half generate, half regenerate load)
  BENCH_PROFILE              mode profiled with --cpu-prof, or "off" (default production, else embedded)
  BENCH_PROFILE_SECONDS      per command in the profiled run (default 5)
  BENCH_DIAGNOSE             1: also run embedded with synchronous=NORMAL (the fsync's share); 0: not (default 1)
  REDIS_URL_TEST, REDIS_URL  the Redis of production mode (default redis://127.0.0.1:6390)
  KAFKA_BROKERS_TEST, KAFKA_BROKERS  the Kafka of production mode (default 127.0.0.1:9192)
  KAFKA_PID                  the broker's pid, for its CPU (default: scripts/services.sh kafka-pid)
  EVENTSTORE_URL             also run the eventstoredb mode against it
  BENCH_DIST                 the build to run (default dist/; a copy inside the tree, e.g. .cache/bench-dist,
                             stays put while dist/ is rebuilt)
  BENCH_JSON                 a path: also write the figures there as JSON
`;

const build = acceptOnlyBuild(NAME, USAGE);
const whole = (name, fallback, min) => wholeFromEnv(die, name, fallback, min);
function list(name, fallback, allowed) {
  const raw = process.env[name];
  const values = (raw === undefined || raw === '' ? fallback : raw)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const v of values) if (allowed && !allowed.includes(v)) die(`${name}: "${v}" is not one of ${allowed.join(', ')}`);
  if (values.length === 0) die(`${name} is empty`);
  return values;
}

const COMMANDS = ['generate', 'regenerate', 'revoke', 'mixed'];
const ALL_MODES = ['embedded', 'production', 'eventstoredb'];
const eventStoreUrl = process.env.EVENTSTORE_URL || '';
const settings = {
  modes: list('BENCH_MODES', eventStoreUrl ? 'embedded,production,eventstoredb' : 'embedded,production', ALL_MODES),
  commands: list('BENCH_COMMANDS', COMMANDS.join(','), COMMANDS),
  concurrency: list('BENCH_CONCURRENCY', '1,16').map((c) =>
    /^\d+$/.test(c) && Number(c) >= 1 ? Number(c) : die(`BENCH_CONCURRENCY: "${c}"`),
  ),
  seconds: whole('BENCH_SECONDS', 5, 1),
  rounds: whole('BENCH_ROUNDS', 3, 1),
  warmupSeconds: whole('BENCH_WARMUP_SECONDS', 2, 0),
  regenerateKeys: whole('BENCH_REGENERATE_KEYS', 256, 1),
  revokeKeys: whole('BENCH_REVOKE_KEYS', 800, 0),
  fenceSeconds: whole('BENCH_FENCE_SECONDS', 10, 0),
  profileSeconds: whole('BENCH_PROFILE_SECONDS', 5, 1),
  diagnose: whole('BENCH_DIAGNOSE', 1, 0) > 0,
  redisUrl: process.env.REDIS_URL_TEST || process.env.REDIS_URL || 'redis://127.0.0.1:6390',
  kafkaBrokers: process.env.KAFKA_BROKERS_TEST || process.env.KAFKA_BROKERS || '127.0.0.1:9192',
};
const needsShared = settings.modes.some((m) => m !== 'embedded');
settings.profile = (process.env.BENCH_PROFILE || (needsShared ? 'production' : 'embedded')).trim();
if (![...ALL_MODES, 'off'].includes(settings.profile)) die(`BENCH_PROFILE: "${settings.profile}" is not a mode or "off"`);
if (settings.modes.includes('eventstoredb') && !eventStoreUrl) die('the eventstoredb mode needs EVENTSTORE_URL');
const maxConcurrency = Math.max(...settings.concurrency);

if (build) {
  try {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  } catch {
    die('npm run build failed');
  }
}
try {
  require.resolve(join(DIST, 'apps/credential-service/src/bootstrap.js'));
} catch {
  die('dist/ is missing: run `npm run build` first (or use `npm run bench:commands`, which builds)');
}
const { Kafka, logLevel } = require('kafkajs');
const { summarizeProfile, formatSummary } = require('./commands-profile');

const run = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const secrets = {
  jwtSecret: 'bench-jwt-secret-not-for-production-0123456789',
  serviceToken: 'svc_bench_token_not_for_production_0123',
  masterKey: Buffer.alloc(32, 7).toString('base64'),
};
const say = (text) => process.stdout.write(`${text}\n`);

// ---------------------------------------------------------------- children

const forkChild = (script, label, execArgv = []) => forkBenchChild(script, { label, name: NAME, execArgv });

async function startInstance(label, config, execArgv) {
  const handle = forkChild('commands-target.js', label, execArgv);
  const { url } = await handle.ask({ type: 'start', config }, 'ready');
  return { ...handle, label, url, stats: () => handle.ask({ type: 'stats' }, 'stats', 10_000).then((m) => m) };
}

let loader = null;
async function load(message) {
  loader ??= forkChild('commands-loader.js', 'load generator');
  const { result } = await loader.ask({ type: 'load', ...secrets, ...message }, 'loaded', (message.seconds + 300) * 1000);
  return result;
}

// ---------------------------------------------------------------- shared services

const connectRedis = () =>
  connectRedisOrDie(
    settings.redisUrl,
    die,
    'Set REDIS_URL_TEST (or REDIS_URL), start the test services (bash scripts/services.sh start; ' +
      'eval "$(bash scripts/services.sh env)"), or run BENCH_MODES=embedded',
  );

function kafkaAdmin() {
  return new Kafka({
    clientId: `${run}-admin`,
    brokers: settings.kafkaBrokers.split(','),
    connectionTimeout: 3000,
    logLevel: logLevel.NOTHING,
  }).admin();
}

async function checkKafka() {
  const admin = kafkaAdmin();
  try {
    await Promise.race([admin.connect(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 10 s')), 10_000))]);
    await admin.listTopics();
  } catch (error) {
    die(
      `Kafka is not reachable at ${settings.kafkaBrokers} (${error.message}).\n` +
        '  Set KAFKA_BROKERS_TEST (or KAFKA_BROKERS), start the test services (bash scripts/services.sh start; ' +
        'eval "$(bash scripts/services.sh env)"), or run BENCH_MODES=embedded',
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function deleteTopics(topics) {
  if (topics.length === 0) return 'no topics';
  const admin = kafkaAdmin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const mine = topics.filter((t) => existing.has(t));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 10_000 });
    return `deleted Kafka topic(s) ${mine.join(', ') || '(none created)'}`;
  } catch (error) {
    return `could not delete Kafka topic(s) ${topics.join(', ')}: ${error.message}`;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** The broker's pid (for its CPU), when it is the one scripts/services.sh runs, or KAFKA_PID. */
function kafkaPid() {
  if (process.env.KAFKA_PID) return Number(process.env.KAFKA_PID);
  try {
    const pid = Number(
      execFileSync('bash', [join(ROOT, 'scripts/services.sh'), 'kafka-pid'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim(),
    );
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** utime + stime of a process, in microseconds (all its threads), from /proc; null when unreadable. */
function processCpuMicros(pid) {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

async function metricsOf(url) {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${secrets.serviceToken}` } });
  const text = await response.text();
  const value = (name) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return {
    relayRunning: value('cs_relay_running'),
    relayLag: value('cs_relay_lag_positions'),
    published: value('cs_relay_published_total'),
  };
}

// ---------------------------------------------------------------- one mode

const ACCOUNTS = Array.from({ length: 16 }, (_, i) => `bench_acct_${i}`);

function modeLabel(mode) {
  return {
    embedded: 'embedded: SQLite + memory index + in-process',
    production: 'production: SQLite + Redis + Kafka (x2)',
    eventstoredb: 'production: EventStoreDB + Redis + Kafka (x2)',
  }[mode];
}

async function startMode(mode, { redis, tmpDirs, topics, namespaces, execArgv = [], single = false, sqliteSynchronous, tag = '' }) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'cs-cmdbench-'));
  tmpDirs.push(dataDir);
  const base = { ...secrets, dist: DIST, dataDir, keepData: true, sqliteSynchronous };
  let config = base;
  if (mode !== 'embedded') {
    const namespace = `${run}-${mode}${tag}`;
    const topic = `${run}-${mode}${tag}`;
    namespaces.push(namespace);
    topics.push(topic);
    config = { ...base, redisUrl: settings.redisUrl, namespace, kafkaBrokers: settings.kafkaBrokers, kafkaTopic: topic };
    if (mode === 'eventstoredb') config.eventStoreUrl = eventStoreUrl;
  }
  const instances = [await startInstance(`${mode}${tag} A`, config, execArgv)];
  // A second instance on the same SQLite file (or EventStoreDB) and the same Redis namespace and topic.
  if (mode !== 'embedded' && !single) instances.push(await startInstance(`${mode}${tag} B`, config));
  return {
    mode,
    label: modeLabel(mode) + tag,
    instances,
    redis: mode === 'embedded' ? null : redis,
    regeneratePool: [],
    revokePool: [],
    rates: {},
  };
}

/** Generates `count` keys through A (set-up, not measured); returns [account, keyId] pairs. */
async function fill(state, count) {
  if (count <= 0) return [];
  const [a] = state.instances;
  const result = await load({ url: a.url, verifyUrl: a.url, command: 'generate', concurrency: 8, seconds: 0, count, accounts: ACCOUNTS });
  if (result.generated.length < count)
    throw new Error(`set-up: generated ${result.generated.length} of ${count} keys: ${result.samples.join('; ')}`);
  return result.generated;
}

async function prepare(state) {
  const t0 = Date.now();
  state.regeneratePool = await fill(state, settings.regenerateKeys);
  state.revokePool = await fill(state, settings.revokeKeys);
  const urls = state.instances.map((i) => i.url).join(', ');
  say(
    `${state.label}: ${urls}; ${state.regeneratePool.length + state.revokePool.length} keys in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

/** Keys to revoke for a run: what the last comparable run revoked, and a margin; topped up when short. */
async function revokeKeysFor(state, command, concurrency, seconds) {
  if (command !== 'revoke' && command !== 'mixed') return [];
  return state.revokePool.splice(0, await topUp(state, command, concurrency, seconds));
}

/** Makes sure the revoke pool holds enough keys for a run; returns how many the run gets. */
async function topUp(state, command, concurrency, seconds) {
  const rate = state.rates[`revoke@${concurrency}`] ?? state.rates[`revoke@${maxConcurrency}`] ?? 300;
  // Rates on a shared machine swing by 2x from one run to the next: a wide margin (unused keys go back).
  const needed = Math.ceil((rate * seconds * 2.5) / (command === 'mixed' ? 3 : 1)) + concurrency;
  if (state.revokePool.length < needed) {
    const t0 = Date.now();
    const missing = needed - state.revokePool.length;
    state.revokePool.push(...(await fill(state, missing)));
    say(`  (${state.mode}: topped up ${missing} keys to revoke in ${((Date.now() - t0) / 1000).toFixed(1)} s, not measured)`);
  }
  return needed;
}

async function snapshot(state) {
  return {
    instances: await Promise.all(state.instances.map((i) => i.stats())),
    redis: await redisCpuMicros(state.redis),
    kafka: state.mode === 'embedded' ? null : processCpuMicros(kafkaBroker),
  };
}

/** One measured (or warm-up) run of `command` at `concurrency` on `state`. */
async function measure(state, command, concurrency, seconds) {
  const [a, b] = state.instances;
  const revokeKeys = await revokeKeysFor(state, command, concurrency, seconds);
  const before = await snapshot(state);
  const result = await load({
    url: a.url,
    // The new secret of each regenerate is verified on the other instance when there is one.
    verifyUrl: (b ?? a).url,
    command,
    concurrency,
    seconds,
    accounts: ACCOUNTS,
    regenerateKeys: state.regeneratePool,
    revokeKeys,
  });
  const after = await snapshot(state);
  // Keys generated now are revoked later; keys not revoked go back.
  state.revokePool.push(...result.generated, ...revokeKeys.slice(result.taken));
  const elapsed = result.elapsedMicros;
  const done = Math.max(1, result.commands);
  const cpu = (s) => s.cpuMicros;
  const [a0, a1] = [before.instances[0], after.instances[0]];
  const aCpu = cpu(a1) - cpu(a0);
  const bCpu = b ? cpu(after.instances[1]) - cpu(before.instances[1]) : 0;
  const active = a1.elu.active - a0.elu.active;
  const idle = a1.elu.idle - a0.elu.idle;
  const runResult = {
    command,
    concurrency,
    commands: result.commands,
    perSecond: (result.commands * 1e6) / elapsed,
    seconds: elapsed / 1e6,
    p50: result.p50,
    p99: result.p99,
    byType: result.byType,
    errors: result.errors,
    non2xx: result.non2xx,
    wrong: result.wrong,
    regenerateChecks: result.regenerateChecks,
    outOfKeys: result.outOfKeys,
    kinds: result.kinds,
    samples: result.samples,
    cpuA: aCpu / done,
    cpuB: bCpu / done,
    cpuAPercent: (100 * aCpu) / elapsed,
    loopBusyA: (100 * active) / Math.max(1, active + idle),
    sqliteWriteA: (a1.sqlite.writeMicros - a0.sqlite.writeMicros) / done,
    sqliteWritesA: (a1.sqlite.writes - a0.sqlite.writes) / done,
    sqliteReadA: (a1.sqlite.readMicros - a0.sqlite.readMicros) / done,
    redis: state.redis ? (after.redis - before.redis) / done : null,
    kafka:
      before.kafka !== null && after.kafka !== null ? Math.max(0, after.kafka - before.kafka - kafkaIdlePerMicro * elapsed) / done : null,
    loaderPercent: (100 * result.loaderCpuMicros) / elapsed,
    rss: a1.rss,
  };
  if (command === 'revoke' || command === 'mixed') {
    const revokeRate = (result.revoked * 1e6) / elapsed;
    const key = `revoke@${concurrency}`;
    if (command === 'revoke') state.rates[key] = Math.max(revokeRate, state.rates[key] ?? 1);
  }
  return runResult;
}

function line(r) {
  const f = (v, digits = 0) => (v === null || v === undefined ? '-' : v.toFixed(digits));
  return (
    `${r.command}@${r.concurrency} ${f(r.perSecond)} cmd/s p50 ${f(r.p50, 1)} p99 ${f(r.p99, 1)} ms; ` +
    `CPU A ${f(r.cpuAPercent)}% ${f(r.cpuA)} us/cmd${r.cpuB ? ` (+B ${f(r.cpuB)})` : ''}, loop busy A ${f(r.loopBusyA)}%, ` +
    `sqlite writes ${f(r.sqliteWriteA)}${r.redis !== null ? `, redis ${f(r.redis)}` : ''}` +
    `${r.kafka !== null ? `, kafka ${f(r.kafka)}` : ''} us/cmd, ` +
    `loader ${f(r.loaderPercent)}%${r.outOfKeys ? ` (ran out of keys after ${r.seconds.toFixed(1)} s)` : ''}` +
    `${
      r.errors + r.non2xx + r.wrong > 0
        ? `; ${r.errors} errors, ${r.non2xx} non-2xx, ${r.wrong} wrong: ${Object.entries(r.kinds)
            .map(([k, n]) => `${k} x${n}`)
            .join(', ')}`
        : ''
    }`
  );
}

// ---------------------------------------------------------------- the report

const median = (values) => {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((l) => String(l[i]).length)));
  const format = (cells) => cells.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format)].join('\n');
}

function summarize(cells) {
  return cells.map(({ state, command, concurrency, runs }) => {
    const byRate = [...runs].sort((x, y) => x.perSecond - y.perSecond);
    const typical = byRate[Math.floor((byRate.length - 1) / 2)];
    const m = (key) => median(runs.map((r) => r[key]));
    return {
      mode: state.mode,
      label: state.label,
      command,
      concurrency,
      perSecond: m('perSecond'),
      p50: typical.p50,
      p99: typical.p99,
      cpuA: m('cpuA'),
      cpuB: m('cpuB'),
      cpuAPercent: m('cpuAPercent'),
      loopBusyA: m('loopBusyA'),
      sqliteWriteA: m('sqliteWriteA'),
      sqliteWritesA: m('sqliteWritesA'),
      redis: m('redis'),
      kafka: m('kafka'),
      loaderPercent: m('loaderPercent'),
      commands: runs.reduce((s, r) => s + r.commands, 0),
      errors: runs.reduce((s, r) => s + r.errors, 0),
      non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
      wrong: runs.reduce((s, r) => s + r.wrong, 0),
      checks: runs.reduce((s, r) => s + r.regenerateChecks, 0),
      runs,
    };
  });
}

function printTable(rows) {
  const f = (v, digits = 0) => (v === null || v === undefined ? '-' : v.toFixed(digits));
  say(
    table(
      [
        'mode',
        'command',
        'conc',
        'cmd/s',
        'p50 ms',
        'p99 ms',
        'CPU us/cmd svc',
        'redis',
        'kafka',
        'svc A CPU',
        'A loop busy',
        'sqlite write us/cmd',
        'loader',
        'commands',
        'errors',
        'non-2xx',
        'wrong',
      ],
      rows.map((r) => [
        r.label,
        r.command,
        r.concurrency,
        f(r.perSecond),
        f(r.p50, 1),
        f(r.p99, 1),
        r.cpuB ? `${f(r.cpuA)}+${f(r.cpuB)}` : f(r.cpuA),
        f(r.redis),
        f(r.kafka),
        `${f(r.cpuAPercent)}%`,
        `${f(r.loopBusyA)}%`,
        `${f(r.sqliteWriteA)} (${f(r.sqliteWritesA, 1)} tx)`,
        `${f(r.loaderPercent)}%`,
        r.commands,
        r.errors,
        r.non2xx,
        r.wrong,
      ]),
    ),
  );
}

// ---------------------------------------------------------------- main

let kafkaBroker = null;
/** The broker's CPU per microsecond of wall time before the bench started (subtracted from runs). */
let kafkaIdlePerMicro = 0;

async function main() {
  const cpus = os.cpus();
  const started = new Date();
  const redis = needsShared || settings.profile !== 'embedded' ? await connectRedis() : null;
  if (needsShared) await checkKafka();
  kafkaBroker = needsShared ? kafkaPid() : null;
  // The broker's CPU while this bench sends it nothing (a JVM is never quite idle; others may use it too).
  if (kafkaBroker) {
    const c0 = processCpuMicros(kafkaBroker);
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, 3000));
    const c1 = processCpuMicros(kafkaBroker);
    if (c0 !== null && c1 !== null) kafkaIdlePerMicro = (c1 - c0) / (Number(process.hrtime.bigint() - t0) / 1000);
  }
  say(
    `${NAME} ${started.toISOString()}  node ${process.version}  ${cpus.length} cores (${cpus[0] ? cpus[0].model.trim() : '?'})  ` +
      `${os.platform()} ${os.release()}  load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n` +
      `modes ${settings.modes.join(', ')}; commands ${settings.commands.join(', ')}; concurrency ${settings.concurrency.join(', ')}; ` +
      `${settings.rounds} round(s) of ${settings.seconds} s per cell, warm-up ${settings.warmupSeconds} s\n` +
      (needsShared
        ? `Redis ${settings.redisUrl} (namespaces ${run}-*), Kafka ${settings.kafkaBrokers} (topics ${run}-*, ` +
          `broker pid ${kafkaBroker ?? 'unknown: no broker CPU'}` +
          `${kafkaBroker ? `, ${(100 * kafkaIdlePerMicro).toFixed(1)}% of a core before the bench: subtracted` : ''})\n`
        : '') +
      (eventStoreUrl
        ? `EventStoreDB ${eventStoreUrl.replace(/\/\/[^@]*@/, '//')}\n`
        : 'EventStoreDB: EVENTSTORE_URL not set (it cannot be installed on this machine): no eventstoredb mode\n') +
      'each service instance, the load generator and the fence checker are separate processes; cells run one at a time\n',
  );

  const tmpDirs = [];
  const topics = [];
  const namespaces = [];
  const opened = [];
  const report = {
    date: started.toISOString(),
    node: process.version,
    cores: cpus.length,
    cpu: cpus[0] && cpus[0].model.trim(),
    settings,
    rows: [],
    fence: [],
    diagnose: null,
    profile: null,
  };
  let failures = 0;
  let stopping = false;
  const states = [];
  const closeAll = async () => {
    for (const state of opened.splice(0)) for (const i of state.instances) await i.close();
  };
  const cleanup = async () => {
    await closeAll();
    if (loader) await loader.close();
    loader = null;
    for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
    let dropped = 0;
    if (redis) for (const ns of namespaces) dropped += await dropNamespace(redis, ns).catch(() => 0);
    const kafka = needsShared || settings.profile !== 'embedded' ? await deleteTopics(topics) : 'no Kafka used';
    if (redis) redis.disconnect();
    return `dropped ${dropped} Redis keys under ${run}-*; ${kafka}; removed ${tmpDirs.length} data dir(s)`;
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n${NAME}: ${signal}, cleaning up\n`);
      for (const child of children) child.kill('SIGTERM');
      cleanup().finally(() => process.exit(130));
    });
  }
  const countWrong = (what, r) => {
    if (r.errors + r.non2xx + r.wrong === 0) return;
    failures += r.errors + r.non2xx + r.wrong;
    say(`  ${what}: ${r.errors} errors, ${r.non2xx} non-2xx, ${r.wrong} wrong answers\n    ${r.samples.join('\n    ')}`);
  };

  try {
    // 1. Every mode's instances, keys for it, a warm-up of every command.
    for (const mode of settings.modes) {
      const state = await startMode(mode, { redis, tmpDirs, topics, namespaces });
      opened.push(state);
      states.push(state);
      await prepare(state);
      if (settings.warmupSeconds > 0) {
        for (const command of settings.commands) {
          const r = await measure(state, command, maxConcurrency, settings.warmupSeconds);
          countWrong(`${mode} warm-up ${command}`, r);
        }
      }
    }

    // 2. Measured rounds: cells one at a time; each round rotates the modes and the commands.
    const cells = [];
    for (const state of states)
      for (const command of settings.commands)
        for (const concurrency of settings.concurrency) cells.push({ state, command, concurrency, runs: [] });
    for (let round = 1; round <= settings.rounds; round++) {
      say(`round ${round}:`);
      const modes = states.map((_, i) => states[(i + round - 1) % states.length]);
      const commands = settings.commands.map((_, i) => settings.commands[(i + round - 1) % settings.commands.length]);
      for (const state of modes)
        for (const command of commands)
          for (const concurrency of settings.concurrency) {
            const cell = cells.find((c) => c.state === state && c.command === command && c.concurrency === concurrency);
            const r = await measure(state, command, concurrency, settings.seconds);
            cell.runs.push(r);
            say(`  ${state.mode} ${line(r)}`);
            countWrong(`${state.mode} ${command}@${concurrency} round ${round}`, r);
          }
    }
    const rows = summarize(cells);
    report.rows = rows;

    // 3. The fence under load, per mode: generate then regenerate load while the checker runs.
    if (settings.fenceSeconds > 0) {
      say(`\nthe fence under load (${settings.fenceSeconds} s per mode: generate then regenerate at concurrency ${maxConcurrency}):`);
      for (const state of states) {
        const [a, b] = state.instances;
        const checker = forkChild('commands-loader.js', `fence checker (${state.mode})`);
        const urlsVerify = [{ name: 'A', url: a.url }, ...(b ? [{ name: 'B', url: b.url }] : [])];
        await checker.ask({ type: 'fence', ...secrets, urlA: a.url, urlsVerify, account: 'bench_fence' }, 'fencing');
        const half = Math.max(1, Math.round(settings.fenceSeconds / 2));
        const underLoad = [];
        for (const command of ['generate', 'regenerate']) {
          const r = await measure(state, command, maxConcurrency, half);
          underLoad.push(r);
          countWrong(`${state.mode} fence phase ${command}`, r);
        }
        const { result } = await checker.ask({ type: 'stop' }, 'fenced', 60_000);
        await checker.close();
        const where = b
          ? 'verified on A (the instance that revoked) and B (the other instance: same SQLite file, same Redis)'
          : 'verified on A, the only instance (the memory index is per process)';
        say(
          `  ${state.label}: ${result.iterations} generate -> regenerate -> revoke cycles through A, ` +
            `${result.verifies} verifies, ${where}; violations ${result.violations}; ` +
            `stale (not VALID) right after generate ${result.staleAfterGenerate}; checker command failures ${result.commandFailures}`,
        );
        for (const kind of Object.keys(result.kinds)) say(`    ${kind} x${result.kinds[kind]}`);
        for (const sample of result.samples) say(`    e.g. ${sample}`);
        for (const r of underLoad) say(`    load meanwhile: ${line(r)}`);
        report.fence.push({ mode: state.mode, ...result, load: underLoad });
        if (result.violations > 0) failures += result.violations;
        if (result.iterations === 0) {
          say(`  ${state.mode}: the fence checker completed no cycle: the fence is not shown to hold`);
          failures++;
        }
      }
    }

    // 4. The relay to Kafka: has it kept up?
    for (const state of states.filter((s) => s.mode !== 'embedded')) {
      const t0 = Date.now();
      let metrics = [];
      for (;;) {
        metrics = await Promise.all(state.instances.map((i) => metricsOf(i.url)));
        const running = metrics.filter((m) => m.relayRunning === 1);
        if (running.length > 0 && running.every((m) => m.relayLag === 0)) break;
        if (Date.now() - t0 > 60_000) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const running = metrics.find((m) => m.relayRunning === 1);
      say(
        `\n${state.label}: Kafka relay ` +
          (running
            ? `caught up ${((Date.now() - t0) / 1000).toFixed(1)} s after the last command (lag ${running.relayLag}); ` +
              `published ${metrics.reduce((s, m) => s + (m.published ?? 0), 0)} notifications`
            : 'not running on any instance after 60 s'),
      );
    }
    await closeAll();

    // 5. Where the time goes: one mode again, alone, under --cpu-prof; and embedded without the fsync.
    if (settings.profile !== 'off') {
      const profileDir = mkdtempSync(join(os.tmpdir(), 'cs-cmdbench-prof-'));
      tmpDirs.push(profileDir);
      const state = await startMode(settings.profile, {
        redis,
        tmpDirs,
        topics,
        namespaces,
        single: true,
        tag: '-prof',
        execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
      });
      opened.push(state);
      await prepare(state);
      // Keys for the revoke run made now, so that no top-up falls inside the profiled window.
      const measured = opened.find((o) => o.mode === settings.profile) || states.find((o) => o.mode === settings.profile);
      if (measured) Object.assign(state.rates, measured.rates);
      await topUp(state, 'revoke', maxConcurrency, settings.profileSeconds);
      let commands = 0;
      const profiled = [];
      const from = (await state.instances[0].stats()).nowMicros;
      for (const command of ['generate', 'regenerate', 'revoke']) {
        const r = await measure(state, command, maxConcurrency, settings.profileSeconds);
        countWrong(`profile ${command}`, r);
        commands += r.commands;
        profiled.push(r);
      }
      const profileEnd = (await state.instances[0].stats()).nowMicros;
      await closeAll();
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      say(
        `\nCPU profile of ${state.label}, one instance, ${settings.profileSeconds} s each of generate, regenerate, revoke ` +
          `at concurrency ${maxConcurrency} (the measured runs only):`,
      );
      for (const r of profiled) say(`  ${line(r)}`);
      if (file) {
        // Only the measured runs: start-up, set-up and top-ups fall outside [from, to]; top-ups between runs add a little.
        const summary = summarizeProfile(join(profileDir, file), { from, to: profileEnd });
        say(formatSummary(summary, commands));
        report.profile = { mode: settings.profile, summary, runs: profiled };
      } else {
        say('  (no .cpuprofile was written)');
      }
    }
    if (settings.diagnose) {
      const variants = [];
      for (const synchronous of [undefined, 'NORMAL']) {
        const state = await startMode('embedded', {
          redis,
          tmpDirs,
          topics,
          namespaces,
          sqliteSynchronous: synchronous,
          tag: synchronous ? ' sync=NORMAL' : ' sync=FULL',
        });
        opened.push(state);
        await prepare(state);
        const runs = [];
        for (const command of ['generate', 'regenerate', 'revoke']) {
          const r = await measure(state, command, maxConcurrency, settings.seconds);
          countWrong(`diagnose ${command}`, r);
          runs.push(r);
        }
        variants.push({ synchronous: synchronous ?? 'FULL', runs });
        await closeAll();
      }
      say(
        "\nthe fsync's share: embedded, synchronous=FULL (as shipped) against NORMAL (no fsync per commit; diagnostic only), " +
          `back to back, ${settings.seconds} s each at concurrency ${maxConcurrency}:`,
      );
      for (const v of variants) for (const r of v.runs) say(`  ${v.synchronous.padEnd(6)} ${line(r)}`);
      report.diagnose = variants;
    }
  } finally {
    if (!stopping) say(`\n${await cleanup()}`);
  }

  say('');
  printTable(report.rows);
  say(
    '\ncmd/s: commands answered per second (any answer), median over rounds; p50/p99: of the median run; for mixed,\n' +
      'all three kinds together. CPU us/cmd svc: CPU of the service process A per command (+B: the second instance,\n' +
      "which verifies each regenerate's new secret and runs its own projection); redis: Redis's CPU (INFO cpu, anything\n" +
      "else on that Redis included); kafka: the broker process's CPU less its rate before the bench (others may use it). svc A CPU: A's\n" +
      "CPU as % of one core; A loop busy: its event loop's utilization - well above its CPU means it is blocked in\n" +
      'synchronous calls that use no CPU (an fsync). sqlite write us/cmd: wall time A spent in SQLite writes (transactions\n' +
      'and autocommit statements, fsync included) per command, with SQLite transactions per command. loader: the load\n' +
      "generator's CPU. Every regenerate's new secret was verified right after it returned (VALID expected).",
  );
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(report, null, 2)}\n`);
  if (failures > 0) {
    process.stderr.write(`${NAME}: ${failures} wrong answers or fence violations (see above)\n`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`${NAME}: ${error && error.stack ? error.stack : error}\n`);
  for (const child of children) child.kill('SIGTERM');
  process.exit(2);
});
