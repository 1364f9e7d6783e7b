#!/usr/bin/env node
'use strict';
/**
 * Verify throughput, as a ratio against a bare Fastify + ioredis endpoint measured in the same run
 * on the same machine (bench/README.md). Prints figures; asserts nothing about speed.
 * Exits non-zero only when an answer is wrong (not 200 + valid:true for the key sent) or the
 * bench cannot run. See bench/README.md.
 *
 *   npm run bench:verify                       (builds first: node bench/verify.bench.js --build)
 *   npm run bench:verify -- --help             (options and environment)
 *   BENCH_SECONDS=20 REDIS_URL=redis://127.0.0.1:6391 node bench/verify.bench.js
 *
 * Environment: REDIS_URL_TEST, else REDIS_URL, else redis://127.0.0.1:6390;
 * BENCH_SECONDS (10, per run), BENCH_ROUNDS (3), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (50),
 * BENCH_KEYS (1000), BENCH_JSON (a path: also write the figures there as JSON).
 */
const { fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');

const DIST = join(__dirname, '..', 'dist');

function die(message, code = 2) {
  process.stderr.write(`bench:verify: ${message}\n`);
  process.exit(code);
}

const USAGE = `usage: npm run bench:verify [-- --help]
       node bench/verify.bench.js [--build]

Measures POST /v1/verify of the built service (Redis index and embedded) against a bare Fastify +
ioredis endpoint in the same run, and prints req/s, the ratio to the baseline, latency and CPU per
request (bench/README.md). Fails (exit 1) only on a wrong answer, never on speed; exit 2 when it
cannot run. npm run bench:verify builds the service first.

options:
  --build                    run npm run build first (what npm run bench:verify passes)
  -h, --help                 this text

environment:
  REDIS_URL_TEST, REDIS_URL  the Redis to use (the first set; default redis://127.0.0.1:6390)
  BENCH_SECONDS              length of each measured run (default 10)
  BENCH_ROUNDS               rounds, each running every mode once (default 3)
  BENCH_WARMUP_SECONDS       warm-up per mode (default 2)
  BENCH_CONNECTIONS          concurrent connections (default 50)
  BENCH_KEYS                 keys generated per mode (default 1000)
  BENCH_JSON                 a path: also write the figures there as JSON
`;

// Options first: --help and a mistyped option neither build nor start anything.
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
for (const [index, arg] of args.entries()) {
  if (arg === '--build') continue;
  // Named only when it looks like an option (an argument could be a secret pasted in the wrong place).
  const named = /^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(arg) ? arg : `at position ${index + 1}`;
  process.stderr.write(`bench:verify: unknown option ${named}\n\n${USAGE}`);
  process.exit(2);
}
if (args.includes('--build')) {
  try {
    require('node:child_process').execSync('npm run -s build', { cwd: join(__dirname, '..'), stdio: 'inherit' });
  } catch {
    die('npm run build failed');
  }
}

function whole(name, fallback, min) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) die(`${name} must be a whole number >= ${min}, got "${raw}"`);
  return Number(raw);
}

let autocannon;
try {
  autocannon = require('autocannon');
} catch {
  die('autocannon is not installed: run `npm install` (it is a devDependency)');
}
const Redis = require('ioredis');
const { SignJWT } = require('jose');
let domain;
try {
  domain = require(join(DIST, 'libs/domain/src/index.js'));
} catch {
  die('dist/ is missing: run `npm run build` first (or use `npm run bench:verify`, which builds)');
}

const settings = {
  seconds: whole('BENCH_SECONDS', 10, 1),
  warmupSeconds: whole('BENCH_WARMUP_SECONDS', 2, 0),
  connections: whole('BENCH_CONNECTIONS', 50, 1),
  keys: whole('BENCH_KEYS', 1000, 1),
  rounds: whole('BENCH_ROUNDS', 3, 1),
  redisUrl: process.env.REDIS_URL_TEST || process.env.REDIS_URL || 'redis://127.0.0.1:6390',
};

const run = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const secrets = {
  jwtSecret: 'bench-jwt-secret-not-for-production-0123456789',
  serviceToken: 'svc_bench_token_not_for_production_0123',
  masterKey: Buffer.alloc(32, 7).toString('base64'),
};
const namespaces = { baseline: `${run}-base`, service: `${run}-svc` };
const AUTH = { authorization: `Bearer ${secrets.serviceToken}`, 'content-type': 'application/json' };

const MODES = [
  { role: 'baseline', label: 'baseline: Fastify + ioredis', path: '/verify' },
  { role: 'service-redis', label: 'service: SQLite + Redis index', path: '/v1/verify' },
  { role: 'service-embedded', label: 'service: embedded (memory index)', path: '/v1/verify' },
];

// ---------------------------------------------------------------- child processes (the servers)

const children = new Set();

function startTarget(role, config) {
  const child = fork(join(__dirname, 'target.js'), [role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  const waiters = [];
  child.on('message', (message) => {
    const index = waiters.findIndex((w) => w.types.includes(message.type));
    if (index >= 0) waiters.splice(index, 1)[0].resolve(message);
  });
  child.on('exit', (code, signal) => {
    children.delete(child);
    for (const w of waiters.splice(0)) w.reject(new Error(`${role} exited (code ${code}, signal ${signal})`));
  });
  const ask = (message, expected, timeoutMs = 60_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role}: no "${expected}" within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({
        types: [expected, 'failed'],
        resolve: (answer) => {
          clearTimeout(timer);
          if (answer.type === 'failed') reject(new Error(`${role}: ${answer.error}`));
          else resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send(message);
    });
  return {
    child,
    start: () => ask({ type: 'start', role, config }, 'ready'),
    seed: (keys) => ask({ type: 'seed', keys }, 'seeded'),
    stats: () => ask({ type: 'stats' }, 'stats', 10_000),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask({ type: 'close' }, 'closed', 30_000).catch((error) => {
        process.stderr.write(`bench:verify: ${error.message}; killing ${role} (pid ${child.pid})\n`);
        child.kill('SIGKILL');
      });
      await exited;
    },
  };
}

// ---------------------------------------------------------------- Redis

async function connectRedis() {
  const redis = new Redis(settings.redisUrl, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => {}); // reported below, once
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    die(
      `Redis is not reachable at ${settings.redisUrl} (${error.message}).\n` +
        '  Set REDIS_URL (or REDIS_URL_TEST) to a running Redis, or start a throwaway one, e.g.\n' +
        "  redis-server --daemonize yes --port 6390 --bind 127.0.0.1 --save '' --appendonly no",
    );
  }
  return redis;
}

/** CPU seconds Redis has used so far (user + sys, all its threads), from INFO cpu. */
async function redisCpuMicros(redis) {
  const info = await redis.info('cpu');
  const field = (name) => Number((new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info) || [])[1] || 0);
  return Math.round((field('used_cpu_user') + field('used_cpu_sys')) * 1e6);
}

async function dropNamespace(redis, namespace) {
  let cursor = '0';
  let dropped = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) dropped += await redis.unlink(...keys);
  } while (cursor !== '0');
  return dropped;
}

// ---------------------------------------------------------------- keys

async function mint(accountId) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ acct: accountId, roles: ['owner'], auth_time: now })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench_user')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(Buffer.from(secrets.jwtSecret, 'utf8'));
}

/** Generates `count` API keys through the public HTTP API; returns [secret, keyId] pairs. */
async function generateKeys(url, count) {
  const accounts = Array.from({ length: Math.min(10, count) }, (_, i) => `bench_acct_${i}`);
  const tokens = new Map(await Promise.all(accounts.map(async (a) => [a, await mint(a)])));
  const keys = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const account = accounts[i % accounts.length];
      const response = await fetch(`${url}/v1/accounts/${account}/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.get(account)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'api', name: `bench ${i}` }),
      });
      const body = await response.text();
      if (response.status !== 201) throw new Error(`generating key ${i}: HTTP ${response.status} ${body.slice(0, 300)}`);
      const { key, secret } = JSON.parse(body);
      keys[i] = [secret, key.id];
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return keys;
}

/** Keys of the same shape for the baseline, which has no API to make them. */
function baselineKeys(count) {
  return Array.from({ length: count }, () => [
    domain.formatKey('api', 'live', randomBytes(domain.KEY_RANDOM_BYTES)),
    `key_${randomBytes(12).toString('hex')}`,
  ]);
}

/** One verify by hand per key sampled, before any load: the index must already answer VALID. */
async function sanityCheck(url, path, keys) {
  const sample = [keys[0], keys[keys.length - 1], keys[Math.floor(keys.length / 2)]];
  const deadline = Date.now() + 10_000;
  for (const [key, keyId] of sample) {
    for (;;) {
      const response = await fetch(url + path, { method: 'POST', headers: AUTH, body: JSON.stringify({ key }) });
      const text = await response.text();
      let body = null;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: body stays null and the check below fails with the text
      }
      if (response.status === 200 && body && body.valid === true && body.keyId === keyId) break;
      if (Date.now() > deadline)
        throw new Error(`sanity check: ${path} answers HTTP ${response.status} ${text.slice(0, 300)} for a key just generated`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

// ---------------------------------------------------------------- load

/**
 * Runs autocannon against url+path for `seconds`, cycling over keys; every answer must be
 * 200 + {valid: true, keyId: <the key's id>}. Anything else is counted, by kind, with samples.
 */
function load(url, path, keys, seconds) {
  let next = 0;
  const check = { ok: 0, wrong: 0, kinds: new Map(), samples: [] };
  const wrong = (kind, body) => {
    check.wrong++;
    check.kinds.set(kind, (check.kinds.get(kind) ?? 0) + 1);
    if (check.samples.length < 5) check.samples.push(`${kind}: ${String(body).slice(0, 200)}`);
  };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: url + path,
        connections: settings.connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            headers: AUTH,
            setupRequest(request, context) {
              const [key, keyId] = keys[next++ % keys.length];
              context.keyId = keyId;
              return { ...request, body: JSON.stringify({ key }) };
            },
            onResponse(status, body, context) {
              if (status !== 200) return wrong(`HTTP ${status}`, body);
              let answer;
              try {
                answer = JSON.parse(body);
              } catch {
                return wrong('not JSON', body);
              }
              if (answer.valid !== true) return wrong(`valid=${answer.valid} code=${answer.code}`, body);
              if (answer.keyId !== context.keyId) return wrong('another keyId', `${body} (sent the key of ${context.keyId})`);
              check.ok++;
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve({ result, check })),
    );
    instance.on('error', reject);
  });
}

// ---------------------------------------------------------------- report

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const pad = (value, width, right = false) => (right ? String(value).padEnd(width) : String(value).padStart(width));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function table(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const format = (cells) => cells.map((c, i) => pad(c, widths[i], i === 0)).join('  ');
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format)].join('\n');
}

function summarize(modes) {
  const baseline = modes.find((m) => m.role === 'baseline');
  return modes.map((m) => {
    const runs = m.runs;
    // The run whose req/s is the median stands for the mode (its latencies with it).
    const byRate = [...runs].sort((a, b) => a.reqPerSec - b.reqPerSec);
    const typical = byRate[Math.floor((byRate.length - 1) / 2)];
    // Ratio per round (runs next to each other in time), then the median over rounds.
    const ratio = m === baseline ? 1 : median(runs.map((run, r) => run.reqPerSec / baseline.runs[r].reqPerSec));
    const cpuPerReq = median(runs.map((r) => r.serverCpuMicrosPerReq + r.redisCpuMicrosPerReq));
    const baseCpuPerReq = median(baseline.runs.map((r) => r.serverCpuMicrosPerReq + r.redisCpuMicrosPerReq));
    return {
      role: m.role,
      label: m.label,
      reqPerSec: median(runs.map((r) => r.reqPerSec)),
      ratio,
      serverCpuMicrosPerReq: median(runs.map((r) => r.serverCpuMicrosPerReq)),
      redisCpuMicrosPerReq: median(runs.map((r) => r.redisCpuMicrosPerReq)),
      cpuRatio: cpuPerReq / baseCpuPerReq,
      loaderCpuPercent: median(runs.map((r) => r.loaderCpuPercent)),
      p50: typical.p50,
      p99: typical.p99,
      requests: runs.reduce((sum, r) => sum + r.requests, 0),
      errors: runs.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
      non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
      wrong: m.wrong,
      rss: runs[runs.length - 1].rss,
      runs,
    };
  });
}

// ---------------------------------------------------------------- main

async function main() {
  const redis = await connectRedis();
  const cpus = os.cpus();
  const started = new Date();
  process.stdout.write(
    `bench:verify ${started.toISOString()}  node ${process.version}  ` +
      `${cpus.length} cores (${cpus[0] ? cpus[0].model.trim() : '?'})  ${os.platform()} ${os.release()}\n` +
      `connections ${settings.connections}, warm-up ${settings.warmupSeconds} s, ` +
      `${settings.rounds} round(s) of ${settings.seconds} s per mode, ${settings.keys} keys, Redis ${settings.redisUrl}\n` +
      'each server runs in its own process (idle while another is loaded); the load generator is this process;\n' +
      'modes run one after another, never concurrently, in rounds; the order rotates each round\n\n',
  );

  const config = { ...secrets, redisUrl: settings.redisUrl };
  const modes = MODES.map((m) => ({ ...m, target: null, url: null, keys: null, runs: [], wrong: 0 }));
  let stopping = false;
  const cleanup = async () => {
    for (const child of children) child.kill('SIGTERM');
    for (const namespace of Object.values(namespaces)) await dropNamespace(redis, namespace).catch(() => {});
    redis.disconnect();
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\nbench:verify: ${signal}, cleaning up\n`);
      cleanup().finally(() => process.exit(130));
    });
  }
  const reportWrong = (mode, what, check) => {
    if (check.wrong === 0) return;
    mode.wrong += check.wrong;
    const kinds = [...check.kinds].map(([k, n]) => `${k} x${n}`).join(', ');
    process.stdout.write(`  ${mode.label}, ${what}: ${check.wrong} wrong answers: ${kinds}\n    ${check.samples.join('\n    ')}\n`);
  };

  try {
    // 1. Start every target and give it its keys.
    for (const mode of modes) {
      const namespace = mode.role === 'baseline' ? namespaces.baseline : namespaces.service;
      mode.target = startTarget(mode.role, { ...config, namespace });
      mode.url = (await mode.target.start()).url;
      const t0 = Date.now();
      if (mode.role === 'baseline') {
        mode.keys = baselineKeys(settings.keys);
        await mode.target.seed(mode.keys);
      } else {
        mode.keys = await generateKeys(mode.url, settings.keys);
      }
      await sanityCheck(mode.url, mode.path, mode.keys);
      // Keys as generated walk the accounts in turn; shuffle so lookups are spread.
      for (let i = mode.keys.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [mode.keys[i], mode.keys[j]] = [mode.keys[j], mode.keys[i]];
      }
      process.stdout.write(`${mode.label}: ${mode.url}, ${mode.keys.length} keys ready in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    }

    // 2. Warm-up, each in turn (JIT, connection pools, Redis scripts, the load generator itself).
    if (settings.warmupSeconds > 0) {
      process.stdout.write(`warming up ${settings.warmupSeconds} s each\n`);
      for (const mode of modes) reportWrong(mode, 'warm-up', (await load(mode.url, mode.path, mode.keys, settings.warmupSeconds)).check);
    }

    // 3. Measured rounds. The order rotates each round so no mode always runs first (or last).
    for (let round = 1; round <= settings.rounds; round++) {
      const order = modes.map((_, i) => modes[(i + round - 1) % modes.length]);
      for (const mode of order) {
        const before = {
          server: await mode.target.stats(),
          redis: await redisCpuMicros(redis),
          loader: process.cpuUsage(),
          at: process.hrtime.bigint(),
        };
        const { result, check } = await load(mode.url, mode.path, mode.keys, settings.seconds);
        const elapsedMicros = Number(process.hrtime.bigint() - before.at) / 1000;
        const loader = process.cpuUsage(before.loader);
        const after = await mode.target.stats();
        const redisMicros = (await redisCpuMicros(redis)) - before.redis;
        const { rss } = after;
        const serverMicros = after.cpuMicros - before.server.cpuMicros;
        const answered = Math.max(1, result.requests.total);
        reportWrong(mode, `round ${round}`, check);
        mode.runs.push({
          serverCpuMicrosPerReq: serverMicros / answered,
          redisCpuMicrosPerReq: redisMicros / answered,
          serverCpuPercent: (100 * serverMicros) / elapsedMicros,
          loaderCpuPercent: (100 * (loader.user + loader.system)) / elapsedMicros,
          reqPerSec: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          meanLatency: result.latency.mean,
          requests: result.requests.total,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          wrong: check.wrong,
          rss,
        });
      }
      const base = modes[0].runs[round - 1];
      const line = order.map((mode) => {
        const run = mode.runs[round - 1];
        const ratio = mode === modes[0] ? '' : ` (x${(run.reqPerSec / base.reqPerSec).toFixed(2)})`;
        const cpu =
          `CPU server ${run.serverCpuPercent.toFixed(0)}% ${run.serverCpuMicrosPerReq.toFixed(0)} us/req, ` +
          `redis ${run.redisCpuMicrosPerReq.toFixed(0)} us/req, loader ${run.loaderCpuPercent.toFixed(0)}%`;
        return `${mode.role} ${run.reqPerSec.toFixed(0)} req/s${ratio} p99 ${run.p99} ms, ${cpu}`;
      });
      process.stdout.write(`round ${round}:\n  ${line.join('\n  ')}\n`);
    }
  } finally {
    for (const mode of modes) if (mode.target) await mode.target.close();
    if (!stopping) {
      const dropped = (await dropNamespace(redis, namespaces.baseline)) + (await dropNamespace(redis, namespaces.service));
      redis.disconnect();
      process.stdout.write(`closed the servers; dropped ${dropped} Redis keys under ${run}-*\n`);
    }
  }

  const rows = summarize(modes);
  process.stdout.write(
    `\n${table(
      [
        'mode',
        'req/s',
        'x baseline',
        'p50 ms',
        'p99 ms',
        'CPU us/req',
        'x baseline',
        'loader CPU',
        'requests',
        'errors',
        'non-2xx',
        'wrong',
        'RSS after',
      ],
      rows.map((r) => [
        r.label,
        r.reqPerSec.toFixed(0),
        r.ratio.toFixed(2),
        r.p50,
        r.p99,
        `${r.serverCpuMicrosPerReq.toFixed(0)}+${r.redisCpuMicrosPerReq.toFixed(0)}`,
        r.cpuRatio.toFixed(2),
        `${r.loaderCpuPercent.toFixed(0)}%`,
        r.requests,
        r.errors,
        r.non2xx,
        r.wrong,
        mb(r.rss),
      ]),
    )}\n`,
  );
  process.stdout.write(
    "\nreq/s: autocannon's mean req/s of a run, median over rounds. x baseline: per round, the mode's req/s over the\n" +
      "baseline's in the same round; median over rounds. p50/p99: of the median run. requests/errors/non-2xx: all rounds.\n" +
      'CPU us/req: CPU time per answered request of the server process + of Redis (INFO cpu), median over rounds; its x baseline\n' +
      'compares the sums. Unlike req/s it holds when the machine, not the server, is the limit. loader CPU: this process\n' +
      '(autocannon) as % of one core; near 100% means the load generator caps req/s and the req/s ratio tends to 1.\n' +
      '"wrong": answers (warm-up included) other than 200 + valid:true + the keyId of the key sent. ' +
      'RSS: the server process after its last run.\n',
  );
  if (process.env.BENCH_JSON) {
    const cpu = cpus[0] && cpus[0].model.trim();
    const report = { date: started.toISOString(), node: process.version, cores: cpus.length, cpu, settings, rows };
    writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(report, null, 2)}\n`);
  }
  const wrongTotal = modes.reduce((sum, m) => sum + m.wrong, 0);
  if (wrongTotal > 0) {
    process.stderr.write(`bench:verify: ${wrongTotal} wrong answers (see above)\n`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`bench:verify: ${error && error.stack ? error.stack : error}\n`);
  for (const child of children) child.kill('SIGTERM');
  process.exit(2);
});
