#!/usr/bin/env node
'use strict';
/**
 * Rebuild speed, memory per key, and verify at a million keys (issue 12; bench/README.md,
 * "bench:rebuild"). Prints figures; asserts correctness only, never speed.
 *
 *   npm run bench:rebuild                      (builds first: node bench/rebuild.bench.js --build)
 *   npm run bench:rebuild -- --help            (options and environment)
 *   BENCH_STORE=/var/tmp/store-1m REDIS_URL=redis://127.0.0.1:6393 node bench/rebuild.bench.js
 *
 * 1. a store: seeded with BENCH_KEYS keys (bench/seed-store.js), or one seeded before (BENCH_STORE);
 *    and a small one of BENCH_SMALL_KEYS keys for the verify comparison;
 * 2. the Redis index rebuilt from it by the service's ValidityProjector (child process): events/s,
 *    keys/s, phases (read + fold, Redis writes), CPU, Redis commandstats, bytes per key; a sample
 *    of secrets looked up (revoked ones revoked, etc.) and the key count checked;
 * 3. the memory index rebuilt the same way (child with --expose-gc): heap and RSS per million keys;
 * 4. POST /v1/verify of the built service (Redis index, embedded) on the big and the small store,
 *    autocannon in a child, rounds interleaved: the ratio big/small.
 * Exit 1: a wrong answer or lookup, or a wrong key count. Exit 2: cannot run.
 */
const { createHash, randomBytes } = require('node:crypto');
const { existsSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const {
  acceptOnlyBuild,
  children,
  connectRedis: connectRedisOrDie,
  dropNamespace: dropRedisNamespace,
  forkChild,
  redisCpuMicros,
  SERVICE_NODE_FLAGS,
  wholeFromEnv,
} = require('./common');

const GOAL_EVENTS_PER_SECOND = 50_000;
const GOAL_VERIFY_RATIO = 0.9;

function die(message, code = 2) {
  process.stderr.write(`bench:rebuild: ${message}\n`);
  process.exit(code);
}

const USAGE = `usage: npm run bench:rebuild [-- --help]
       node bench/rebuild.bench.js [--build]

Seeds an event store of BENCH_KEYS keys (realistic mix; bench/seed-store.js), rebuilds the Redis
validity index and the in-process one from it, and measures: events/s and keys/s of the rebuild
(phases: read + fold, Redis writes; against the goal of ${GOAL_EVENTS_PER_SECOND.toLocaleString('en-US')} events/s), memory per million keys
(in-process heap/RSS, Redis bytes per key), and POST /v1/verify throughput with BENCH_KEYS keys in the
index against BENCH_SMALL_KEYS keys, same run (goal: within 10%). Fails (exit 1) only on a wrong
answer, a wrong lookup after a rebuild or a wrong key count, never on speed; exit 2 when it cannot run.

options:
  --build                    run npm run build first (what npm run bench:rebuild passes)
  -h, --help                 this text

environment:
  REDIS_URL_TEST, REDIS_URL  the Redis to use (the first set; default redis://127.0.0.1:6390)
  BENCH_KEYS                 keys in the big store (default 1000000; about 1.72 events per key)
  BENCH_SMALL_KEYS           keys in the small store (default 1000)
  BENCH_STORE                a directory: reuse the store seeded there (seed it there first if it has
                             none) and keep it; default: seed into a temporary directory, deleted at the end
  BENCH_PARTS                what to run, comma-separated: rebuild,memory,verify (default all three)
  BENCH_SECONDS              length of each measured verify run (default 10)
  BENCH_ROUNDS               verify rounds, each running every mode once (default 3)
  BENCH_WARMUP_SECONDS       verify warm-up per mode (default 2)
  BENCH_CONNECTIONS          autocannon connections (default 50)
  BENCH_SAMPLE               distinct keys the verify load sends, spread over the store; both stores get
                             as many as the small one yields, at most this (default 10000)
  BENCH_CHECK                secrets looked up after each rebuild (default 2000)
  BENCH_REBUILD_WORKERS      worker threads of the Redis rebuild, as projection:rebuild --workers
                             (default: the cores, at most 4); 1: one thread, with its phases timed
  BENCH_INDEXES              the verify part's indexes, comma-separated: redis,embedded (default both)
  BENCH_SERVICE_FLAGS        extra Node flags for the services under test and the rebuilds, space-separated
                             (diagnostics, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof, or --trace-gc)
  BENCH_JSON                 a path: also write the figures there as JSON
`;

const build = acceptOnlyBuild('bench:rebuild', USAGE);
const whole = (name, fallback, min) => wholeFromEnv(die, name, fallback, min);

const PARTS = ['rebuild', 'memory', 'verify'];
const settings = {
  keys: whole('BENCH_KEYS', 1_000_000, 10),
  smallKeys: whole('BENCH_SMALL_KEYS', 1000, 10),
  store: process.env.BENCH_STORE || null,
  parts: (process.env.BENCH_PARTS || PARTS.join(',')).split(',').map((p) => p.trim()),
  seconds: whole('BENCH_SECONDS', 10, 1),
  rounds: whole('BENCH_ROUNDS', 3, 1),
  warmupSeconds: whole('BENCH_WARMUP_SECONDS', 2, 0),
  connections: whole('BENCH_CONNECTIONS', 50, 1),
  sample: whole('BENCH_SAMPLE', 10_000, 1),
  check: whole('BENCH_CHECK', 2000, 1),
  // As projection:rebuild: the cores, at most 4 (MAX_DEFAULT_REBUILD_WORKERS in libs/composition).
  serviceFlags: (process.env.BENCH_SERVICE_FLAGS || '').split(' ').filter(Boolean),
  indexes: (process.env.BENCH_INDEXES || 'redis,embedded').split(',').map((i) => i.trim()),
  workers: whole('BENCH_REBUILD_WORKERS', Math.min(4, os.availableParallelism()), 1),
  redisUrl: process.env.REDIS_URL_TEST || process.env.REDIS_URL || 'redis://127.0.0.1:6390',
};
for (const index of settings.indexes) {
  if (!['redis', 'embedded'].includes(index)) die(`BENCH_INDEXES: unknown index "${index}" (known: redis, embedded)`);
}
for (const part of settings.parts) if (!PARTS.includes(part)) die(`BENCH_PARTS: unknown part "${part}" (known: ${PARTS.join(', ')})`);
const runs = (part) => settings.parts.includes(part);

if (build) {
  try {
    require('node:child_process').execSync('npm run -s build', { cwd: join(__dirname, '..'), stdio: 'inherit' });
  } catch {
    die('npm run build failed');
  }
}
if (!existsSync(join(__dirname, '..', 'dist', 'apps', 'credential-service', 'src', 'bootstrap.js'))) {
  die('dist/ is missing: run `npm run build` first (or use `npm run bench:rebuild`, which builds)');
}
try {
  require.resolve('autocannon');
} catch {
  die('autocannon is not installed: run `npm install` (it is a devDependency)');
}
const seeding = require('./seed-store');

const run = `bench-rb-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const namespaces = { big: `${run}-big`, small: `${run}-small` };
const secrets = {
  jwtSecret: 'bench-jwt-secret-not-for-production-0123456789',
  serviceToken: 'svc_bench_token_not_for_production_0123',
};

const out = (text) => process.stdout.write(text);
const n = (value) => Math.round(value).toLocaleString('en-US');
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const gb = (bytes) => `${(bytes / 1024 ** 3).toFixed(2)} GB`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const pad = (value, width, right = false) => (right ? String(value).padEnd(width) : String(value).padStart(width));
function table(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const format = (cells) => cells.map((c, i) => pad(c, widths[i], i === 0)).join('  ');
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format)].join('\n');
}

// ---------------------------------------------------------------- children

const startChild = (role, execArgv = []) =>
  forkChild('rebuild-child.js', { args: [role], label: `${role} child`, name: 'bench:rebuild', execArgv });
/** The rebuild and the service under test run as the service's entry points run it. */
const startServiceChild = (role, execArgv) => startChild(role, [...SERVICE_NODE_FLAGS, ...execArgv, ...settings.serviceFlags]);

// ---------------------------------------------------------------- Redis

const connectRedis = () =>
  connectRedisOrDie(
    settings.redisUrl,
    die,
    'Set REDIS_URL (or REDIS_URL_TEST) to a running Redis, or start a throwaway one, e.g.\n' +
      "  redis-server --daemonize yes --port 6393 --bind 127.0.0.1 --save '' --appendonly no",
  );
const dropNamespace = (redis, namespace) => dropRedisNamespace(redis, namespace, 5000);

// ---------------------------------------------------------------- phases

function seed(dir, keys, label) {
  const t0 = Date.now();
  out(`${label}: seeding ${n(keys)} keys into ${dir}\n`);
  return seeding
    .seedStore({
      dir,
      keys,
      onProgress: ({ keys: done, events, total, seconds }) =>
        out(`  ${n(done)} of ${n(total)} keys, ${n(events)} events, ${n(events / seconds)} events/s\n`),
    })
    .then((summary) => {
      out(`  seeded ${n(summary.keys)} keys, ${n(summary.events)} events in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      return summary;
    });
}

function describeMix(summary) {
  const mix = seeding.KEY_MIX.map((m) => `${m.name} ${n(summary.categories[m.name])}`).join(', ');
  const types = Object.entries(summary.eventTypes)
    .map(([t, c]) => `${t} ${n(c)}`)
    .join(', ');
  return (
    `  ${n(summary.keys)} keys, ${n(summary.events)} events (${(summary.events / summary.keys).toFixed(2)} per key), ` +
    `${n(summary.accounts)} accounts; ${n(summary.ipRestricted)} IP-restricted, ${n(summary.signing)} signing keys\n` +
    `  keys: ${mix}\n  events: ${types}\n`
  );
}

async function rebuildInto(target, dir, namespace) {
  const child = startServiceChild(
    'rebuild',
    target === 'memory' ? ['--expose-gc', '--max-old-space-size=8192'] : ['--max-old-space-size=8192'],
  );
  try {
    return await child.ask(
      {
        type: 'rebuild',
        store: dir,
        target,
        redisUrl: settings.redisUrl,
        namespace,
        sampleSize: settings.check,
        workers: target === 'redis' ? settings.workers : 1,
      },
      'rebuilt',
      60 * 60 * 1000,
      (p) => {
        if (p.scanned !== undefined) out(`  counted ${n(p.scanned)} Redis keys...\n`);
        else if (p.written !== undefined) out(`  ${n(p.written)} keys handed to the index's replaceAll...\n`);
        else out(`  ${n(p.events)} events read, ${n(p.keys)} keys folded...\n`);
      },
    );
  } finally {
    await child.end();
  }
}

let failures = 0;
function checkRebuild(r, label) {
  const lines = [];
  const ok = r.check.wrong === 0;
  lines.push(`  lookups: ${r.check.looked - r.check.wrong} of ${r.check.looked} sample secrets as expected${ok ? '' : ' <- WRONG'}`);
  for (const s of r.check.samples) lines.push(`    ${s}`);
  const countOk = r.keys === r.seeded.keys && r.counted.keys === r.seeded.keys;
  lines.push(
    `  key count: seeded ${n(r.seeded.keys)}, rebuild returned ${n(r.keys)}, index holds ${n(r.counted.keys)} records, ` +
      `${n(r.counted.hashes)} hash entries, ${n(r.counted.accounts)} account sets${countOk ? '' : ' <- WRONG'}`,
  );
  if (!ok || !countOk) failures++;
  if (!ok || !countOk) lines.push(`  ${label}: WRONG (see above)`);
  return lines.join('\n') + '\n';
}

function describeRebuild(r) {
  const perEvent = (micros) => (micros / r.events).toFixed(1);
  const perKey = (micros) => (micros / r.keys).toFixed(1);
  const rate = r.events / r.total.seconds;
  return (
    `  ${n(r.events)} events -> ${n(r.keys)} keys in ${r.total.seconds.toFixed(1)} s: ` +
    `${n(rate)} events/s, ${n(r.keys / r.total.seconds)} keys/s` +
    (r.target === 'redis' ? ` (x${(rate / GOAL_EVENTS_PER_SECOND).toFixed(2)} of the ${n(GOAL_EVENTS_PER_SECOND)} events/s goal)` : '') +
    '\n' +
    (r.filled
      ? `  ${r.workers} worker threads, each reading, folding and writing a share of the keys (the phases overlap): ` +
        `done in ${r.filled.seconds.toFixed(1)} s; then the fixup, the swap and what was appended meanwhile\n`
      : `  read + fold: ${r.readFold.seconds.toFixed(1)} s, ${n(r.events / r.readFold.seconds)} events/s, ` +
        `node CPU ${perEvent(r.readFold.cpuMicros)} us/event\n` +
        `  ${r.target === 'redis' ? 'Redis writes' : 'index writes'}: ` +
        `${r.write.seconds.toFixed(1)} s, ${n(r.keys / r.write.seconds)} keys/s, ` +
        `node CPU ${perKey(r.write.cpuMicros)} us/key` +
        (r.target === 'redis' ? `, Redis CPU ${perKey(r.write.redisCpuMicros)} us/key` : '') +
        '\n') +
    `  CPU in all: node ${(r.total.cpuMicros / 1e6).toFixed(1)} s (${perEvent(r.total.cpuMicros)} us/event)` +
    (r.target === 'redis' ? `, Redis ${(r.total.redisCpuMicros / 1e6).toFixed(1)} s (${perEvent(r.total.redisCpuMicros)} us/event)` : '') +
    `; wall ${r.total.seconds.toFixed(1)} s\n`
  );
}

function describeRedisMemory(r) {
  const stats = Object.entries(r.commandStats)
    .filter(([name]) => !['info', 'scan', 'memory'].includes(name))
    .sort((a, b) => b[1].usec - a[1].usec)
    .map(([name, s]) => `${name} ${n(s.calls)} calls ${(s.usec / s.calls).toFixed(1)} us/call`)
    .join(', ');
  const u = r.memoryUsage;
  return (
    `  Redis commandstats during the rebuild (usec inside Redis; a script's includes its calls): ${stats}\n` +
    `  Redis memory: used_memory +${mb(r.usedMemoryDelta)} = ${n(r.usedMemoryDelta / r.keys)} bytes per key ` +
    `(${n(r.counted.hashes)} hash entries, ${n(r.counted.keys)} records, ${n(r.counted.accounts)} account sets, 1 expiry zset)\n` +
    `  MEMORY USAGE (sampled): hash entry ${n(u.h.avg)} B (n=${u.h.n}), key record ${n(u.k.avg)} B (n=${u.k.n}), ` +
    `account set ${n(u.a.avg)} B (n=${u.a.n}), expiry zset ${mb(u.exp.avg)}\n`
  );
}

function describeMemory(r) {
  const perMillion = (bytes) => (bytes / r.keys) * 1e6;
  const extrapolated = r.keys < 1_000_000 ? ` (extrapolated linearly from ${n(r.keys)} keys)` : '';
  return (
    `  in-process index: heap +${mb(r.memory.heapDelta)}, RSS +${mb(r.memory.rssDelta)} after full GCs for ${n(r.keys)} keys ` +
    `(${n(r.counted.hashes)} hash entries): ${n(r.memory.heapDelta / r.keys)} bytes per key of heap\n` +
    `  per million keys: heap ${gb(perMillion(r.memory.heapDelta))}, RSS ${gb(perMillion(r.memory.rssDelta))}${extrapolated}\n`
  );
}

// ---------------------------------------------------------------- verify at scale

async function verifyAtScale(stores, redis, tmp) {
  const modes = [];
  // Both loads cycle over the same number of distinct keys (as many as the small store yields, at most
  // BENCH_SAMPLE), each spread over its own store: what differs between them is the index's size, not the
  // traffic (more distinct keys in flight would also mean more per-key usage counts to aggregate and flush).
  const samples = new Map();
  let count = settings.sample;
  for (const store of [...stores].sort((a, b) => a.summary.keys - b.summary.keys)) {
    const keysFile = join(tmp, `sample-${store.name}.keys`); // plaintext: mode 0600, deleted at the end
    const sampled = seeding.writeSample(store.dir, keysFile, count);
    count = Math.min(count, sampled);
    samples.set(store, { keysFile, sampled });
  }
  for (const store of stores) {
    const { keysFile, sampled } = samples.get(store);
    for (const index of settings.indexes) {
      modes.push({
        store,
        index,
        label: `${index === 'redis' ? 'Redis index' : 'embedded'}, ${n(store.summary.keys)} keys`,
        keysFile,
        sampled,
        runs: [],
        wrong: 0,
      });
    }
  }
  for (const mode of modes) {
    const masterKey = createHash('sha256').update(`bench-master-key:${mode.store.summary.seed}`).digest().toString('base64');
    const env = {
      PORT: '0',
      GRPC_PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: mode.store.dir,
      AUTH_JWT_SECRET: secrets.jwtSecret,
      SERVICE_TOKEN: secrets.serviceToken,
      MASTER_KEY: masterKey,
      LOG_LEVEL: 'warn',
      // Nothing but verify: no expiry scheduler and no notification relay over the seeded history.
      WORKERS: 'none',
      ...(mode.index === 'redis' ? { REDIS_URL: settings.redisUrl, REDIS_NAMESPACE: namespaces[mode.store.name] } : {}),
    };
    mode.target = startServiceChild('serve', ['--max-old-space-size=8192']);
    out(`starting the service (${mode.label})${mode.index === 'embedded' ? ': it folds the store into memory first' : ''}...\n`);
    const ready = await mode.target.ask({ type: 'start', env }, 'ready', 30 * 60 * 1000);
    mode.url = ready.url;
    const stats = await mode.target.ask({ type: 'stats' }, 'stats', 10_000);
    out(`  ${mode.url} ready in ${ready.startSeconds.toFixed(1)} s, RSS ${mb(stats.rss)}; load over ${n(mode.sampled)} sample keys\n`);
  }

  const load = async (mode, seconds) => {
    const loader = startChild('load');
    try {
      return await loader.ask(
        { type: 'load', url: mode.url, keysFile: mode.keysFile, seconds, connections: settings.connections, token: secrets.serviceToken },
        'loaded',
        (seconds + 60) * 1000,
      );
    } finally {
      await loader.end();
    }
  };
  const reportWrong = (mode, what, check) => {
    if (check.wrong === 0) return;
    mode.wrong += check.wrong;
    failures++;
    const kinds = Object.entries(check.kinds)
      .map(([k, c]) => `${k} x${c}`)
      .join(', ');
    out(`  ${mode.label}, ${what}: ${check.wrong} wrong answers: ${kinds}\n    ${check.samples.join('\n    ')}\n`);
  };

  if (settings.warmupSeconds > 0) {
    out(`warming up ${settings.warmupSeconds} s each\n`);
    for (const mode of modes) reportWrong(mode, 'warm-up', (await load(mode, settings.warmupSeconds)).check);
  }
  for (let round = 1; round <= settings.rounds; round++) {
    const order = modes.map((_, i) => modes[(i + round - 1) % modes.length]);
    const lines = [];
    for (const mode of order) {
      const before = {
        server: await mode.target.ask({ type: 'stats' }, 'stats', 10_000),
        redis: await redisCpuMicros(redis),
        at: process.hrtime.bigint(),
      };
      const { result, check, cpuMicros: loaderMicros } = await load(mode, settings.seconds);
      const elapsed = Number(process.hrtime.bigint() - before.at) / 1000;
      const after = await mode.target.ask({ type: 'stats' }, 'stats', 10_000);
      const redisMicros = (await redisCpuMicros(redis)) - before.redis;
      const answered = Math.max(1, result.requests);
      reportWrong(mode, `round ${round}`, check);
      const r = {
        ...result,
        serverCpuMicrosPerReq: (after.cpuMicros - before.server.cpuMicros) / answered,
        redisCpuMicrosPerReq: redisMicros / answered,
        serverCpuPercent: (100 * (after.cpuMicros - before.server.cpuMicros)) / elapsed,
        loaderCpuPercent: (100 * loaderMicros) / elapsed,
        rss: after.rss,
        wrong: check.wrong,
      };
      mode.runs.push(r);
      lines.push(
        `${mode.label}: ${n(r.reqPerSec)} req/s p99 ${r.p99} ms, CPU server ${r.serverCpuPercent.toFixed(0)}% ` +
          `${r.serverCpuMicrosPerReq.toFixed(0)} us/req, redis ${r.redisCpuMicrosPerReq.toFixed(0)} us/req, ` +
          `loader ${r.loaderCpuPercent.toFixed(0)}%`,
      );
    }
    out(`round ${round}:\n  ${lines.join('\n  ')}\n`);
  }
  for (const mode of modes) await mode.target.close();

  // Per index: per round the big store's req/s over the small one's (runs close in time), median over rounds.
  const rows = modes.map((mode) => {
    const small = modes.find((m) => m.index === mode.index && m.store.name === 'small');
    const ratio = median(mode.runs.map((r, i) => r.reqPerSec / small.runs[i].reqPerSec));
    const cpu = (m) => median(m.runs.map((r) => r.serverCpuMicrosPerReq + r.redisCpuMicrosPerReq));
    const byRate = [...mode.runs].sort((a, b) => a.reqPerSec - b.reqPerSec);
    const typical = byRate[Math.floor((byRate.length - 1) / 2)];
    return {
      label: mode.label,
      index: mode.index,
      keys: mode.store.summary.keys,
      reqPerSec: median(mode.runs.map((r) => r.reqPerSec)),
      ratio,
      p50: typical.p50,
      p99: typical.p99,
      serverCpu: median(mode.runs.map((r) => r.serverCpuMicrosPerReq)),
      redisCpu: median(mode.runs.map((r) => r.redisCpuMicrosPerReq)),
      cpuRatio: cpu(mode) / cpu(small),
      loader: median(mode.runs.map((r) => r.loaderCpuPercent)),
      requests: mode.runs.reduce((s, r) => s + r.requests, 0),
      errors: mode.runs.reduce((s, r) => s + r.errors + r.timeouts, 0),
      non2xx: mode.runs.reduce((s, r) => s + r.non2xx, 0),
      wrong: mode.wrong,
      rss: mode.runs[mode.runs.length - 1].rss,
    };
  });
  out(
    `\n${table(
      [
        'mode',
        'req/s',
        'x small',
        'p50 ms',
        'p99 ms',
        'CPU us/req',
        'x small',
        'loader CPU',
        'requests',
        'errors',
        'non-2xx',
        'wrong',
        'RSS after',
      ],
      rows.map((r) => [
        r.label,
        n(r.reqPerSec),
        r.ratio.toFixed(2),
        r.p50,
        r.p99,
        `${r.serverCpu.toFixed(0)}+${r.redisCpu.toFixed(0)}`,
        r.cpuRatio.toFixed(2),
        `${r.loader.toFixed(0)}%`,
        r.requests,
        r.errors,
        r.non2xx,
        r.wrong,
        mb(r.rss),
      ]),
    )}\n`,
  );
  for (const r of rows.filter((row) => row.keys !== settings.smallKeys)) {
    out(
      `verify with ${n(r.keys)} keys against ${n(settings.smallKeys)} (${r.index}): ` +
        `req/s x${r.ratio.toFixed(2)}, CPU per request x${r.cpuRatio.toFixed(2)} ` +
        `(goal: req/s within 10%, x${GOAL_VERIFY_RATIO} or more)\n`,
    );
  }
  out(
    'req/s: autocannon mean of a run, median over rounds; x small: per round, over the same index on the small store, median.\n' +
      'CPU us/req: server process + Redis (INFO cpu) per answered request, median; its x small compares the sums.\n' +
      '"wrong": answers (warm-up included) other than 200 + valid:true + the keyId of the key sent.\n',
  );
  return rows;
}

// ---------------------------------------------------------------- main

async function main() {
  const redis = await connectRedis();
  const cpus = os.cpus();
  const started = new Date();
  out(
    `bench:rebuild ${started.toISOString()}  node ${process.version}  ${cpus.length} cores (${cpus[0] ? cpus[0].model.trim() : '?'})  ` +
      `${os.platform()} ${os.release()}  load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n` +
      `Redis ${settings.redisUrl} (namespaces ${run}-*); parts: ${settings.parts.join(', ')}\n` +
      'every measured thing runs in its own child process; figures on a shared machine vary: read CPU per event beside wall time\n\n',
  );

  const tmp = mkdtempSync(join(os.tmpdir(), 'cs-bench-rebuild-'));
  let stopping = false;
  const cleanup = async () => {
    for (const child of children) child.kill('SIGTERM');
    let dropped = 0;
    for (const namespace of Object.values(namespaces)) dropped += await dropNamespace(redis, namespace).catch(() => 0);
    rmSync(tmp, { recursive: true, force: true });
    return dropped;
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\nbench:rebuild: ${signal}, cleaning up (temporary files, Redis keys)\n`);
      cleanup().finally(() => process.exit(130));
    });
  }

  const report = { date: started.toISOString(), node: process.version, cores: cpus.length, cpu: cpus[0] && cpus[0].model.trim(), settings };
  try {
    // 1. The stores.
    const big = { name: 'big', dir: settings.store || join(tmp, 'big') };
    if (settings.store && existsSync(join(settings.store, 'seed.json'))) {
      big.summary = seeding.readSummary(settings.store);
      out(`big store: reusing ${settings.store} (seeded ${big.summary.createdAt}; BENCH_KEYS does not apply)\n`);
    } else {
      big.summary = await seed(big.dir, settings.keys, 'big store');
    }
    out(describeMix(big.summary));
    const small = { name: 'small', dir: join(tmp, 'small') };
    small.summary = await seed(small.dir, settings.smallKeys, 'small store');
    report.store = { ...big.summary, seed: undefined };

    // 2. The Redis index, rebuilt from the big store.
    const needsRedisIndex = runs('rebuild') || (runs('verify') && settings.indexes.includes('redis'));
    if (needsRedisIndex) {
      out(`\nrebuild into Redis (namespace ${namespaces.big}), the service's ValidityProjector.rebuild():\n`);
      const r = await rebuildInto('redis', big.dir, namespaces.big);
      out(describeRebuild(r) + checkRebuild(r, 'Redis rebuild') + describeRedisMemory(r));
      report.redisRebuild = r;
    }
    // 3. The memory index.
    if (runs('memory')) {
      out('\nrebuild into the in-process index (its own process, --expose-gc):\n');
      const r = await rebuildInto('memory', big.dir, null);
      out(describeRebuild(r) + checkRebuild(r, 'memory rebuild') + describeMemory(r));
      report.memoryRebuild = r;
    }
    // 4. Verify at scale.
    if (runs('verify')) {
      if (settings.indexes.includes('redis')) {
        const r = await rebuildInto('redis', small.dir, namespaces.small);
        out(`\nverify at scale: small store's Redis index rebuilt (${n(r.keys)} keys); ${checkRebuild(r, 'small rebuild').trimStart()}`);
      }
      out(
        `POST /v1/verify, ${settings.connections} connections, autocannon in a child process, warm-up ${settings.warmupSeconds} s, ` +
          `${settings.rounds} round(s) of ${settings.seconds} s per mode, order rotating; the services run with WORKERS=none\n`,
      );
      report.verify = await verifyAtScale([big, small], redis, tmp);
    }
  } finally {
    if (!stopping) {
      for (const child of children) child.kill('SIGTERM');
      const dropped = await cleanup();
      out(
        `\ncleaned up: ${n(dropped)} Redis keys under ${run}-*, the temporary directory` +
          `${settings.store ? ` (kept the store in ${settings.store})` : ''}\n`,
      );
      redis.disconnect();
    }
  }
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(report, null, 2)}\n`);
  if (failures > 0) {
    process.stderr.write(`bench:rebuild: ${failures} correctness failure(s) (see above)\n`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`bench:rebuild: ${error && error.stack ? error.stack : error}\n`);
  for (const child of children) child.kill('SIGTERM');
  process.exit(2);
});
