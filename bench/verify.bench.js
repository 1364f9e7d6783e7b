#!/usr/bin/env node
'use strict';
/**
 * Verify throughput over HTTP and gRPC, as ratios against bare baselines measured in the same run on
 * the same machine (bench/README.md). Prints figures; asserts nothing about speed. Exits 1 only when
 * an answer is wrong, 2 when the bench cannot run.
 *
 *   npm run bench                              (builds first: node bench/verify.bench.js --build)
 *   npm run bench -- --processes 1,2           (the scaling figure: service-redis over HTTP, 1 and 2 processes)
 *   npm run bench -- --help                    (options and environment)
 *
 * The load generators run in processes of their own: wrk (HTTP) and ghz (gRPC) when installed, else
 * bench/verify-load.js (autocannon, @grpc/grpc-js). Each server runs in its own child (bench/target.js).
 */
const { execFileSync, spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const { delimiter, join } = require('node:path');
const {
  children,
  connectRedis: connectRedisOrDie,
  dropNamespace,
  forkChild,
  redisCpuMicros,
  SERVICE_NODE_FLAGS,
  wholeFromEnv,
} = require('./common');

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');

function die(message, code = 2) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(code);
}

const USAGE = `usage: npm run bench [-- options]            (npm run bench:verify is the same)
       node bench/verify.bench.js [--build] [options]

Measures verify of the built service (embedded, and with the Redis index) over HTTP (POST /v1/verify)
and gRPC (VerificationService/VerifyKey) against bare baselines (Fastify + ioredis; @grpc/grpc-js +
ioredis) in the same run, and prints req/s and p99 with their ratios to the baseline, and CPU per
request (bench/README.md). Load: wrk and ghz when installed, else autocannon and a @grpc/grpc-js
loader, each in a process of its own. Fails (exit 1) only on a wrong answer, never on speed; exit 2
when it cannot run. npm run bench builds the service first.

options:
  --build                    run npm run build first (what npm run bench passes)
  --processes LIST           instead: the scaling figure, service with the Redis index over HTTP run
                             as PROCESSES=N for each N of LIST (e.g. 1,2); also BENCH_PROCESSES
  --http-loader NAME         wrk or autocannon (default: wrk when installed); also BENCH_HTTP_LOADER
  --grpc-loader NAME         ghz or node (default: ghz when installed); also BENCH_GRPC_LOADER
  -h, --help                 this text

environment:
  REDIS_URL_TEST, REDIS_URL  the Redis to use (the first set; default redis://127.0.0.1:6390)
  BENCH_SECONDS              length of each measured run (default 8)
  BENCH_ROUNDS               rounds, each running every mode once per transport (default 3)
  BENCH_WARMUP_SECONDS       warm-up per mode and transport (default 2)
  BENCH_CONNECTIONS          HTTP connections, and gRPC calls in flight (default 50)
  BENCH_GRPC_CONNECTIONS     gRPC (HTTP/2) connections the calls share (default 4)
  BENCH_KEYS                 keys generated per mode (default 1000)
  BENCH_TRANSPORTS           http,grpc (default both)
  BENCH_PROCESSES            as --processes
  BENCH_JSON                 a path: also write the figures there as JSON
  BENCH_USAGE                on | off: the service's key usage counting (USAGE; default on, as the service's)
`;

// Options first: --help and a mistyped option neither build nor start anything.
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const options = {
  build: false,
  processes: process.env.BENCH_PROCESSES || '',
  httpLoader: process.env.BENCH_HTTP_LOADER || '',
  grpcLoader: process.env.BENCH_GRPC_LOADER || '',
};
for (let index = 0; index < args.length; index++) {
  const arg = args[index];
  const valued = { '--processes': 'processes', '--http-loader': 'httpLoader', '--grpc-loader': 'grpcLoader' }[arg];
  if (arg === '--build') options.build = true;
  else if (valued && index + 1 < args.length) options[valued] = args[++index];
  else {
    // Named only when it looks like an option (an argument could be a secret pasted in the wrong place).
    const named = /^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(arg) ? arg : `at position ${index + 1}`;
    process.stderr.write(`bench: ${valued ? `${arg} needs a value` : `unknown option ${named}`}\n\n${USAGE}`);
    process.exit(2);
  }
}
if (options.processes && !/^\d{1,2}(,\d{1,2})*$/.test(options.processes))
  die('--processes (BENCH_PROCESSES) must be a list of process counts such as 1,2');
const processCounts = options.processes ? [...new Set(options.processes.split(',').map(Number))] : [];
if (processCounts.some((n) => n < 1 || n > 64)) die('--processes (BENCH_PROCESSES): each count must be from 1 to 64');
if (options.httpLoader && !['wrk', 'autocannon'].includes(options.httpLoader))
  die('--http-loader (BENCH_HTTP_LOADER) must be wrk or autocannon');
if (options.grpcLoader && !['ghz', 'node'].includes(options.grpcLoader)) die('--grpc-loader (BENCH_GRPC_LOADER) must be ghz or node');

if (options.build) {
  try {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  } catch {
    die('npm run build failed');
  }
}

const whole = (name, fallback, min) => wholeFromEnv(die, name, fallback, min);

const { SignJWT } = require('jose');
let domain;
let contracts;
try {
  domain = require(join(DIST, 'libs/domain/src/index.js'));
  contracts = require(join(DIST, 'libs/contracts/src/index.js'));
} catch {
  die('dist/ is missing: run `npm run build` first (or use `npm run bench`, which builds)');
}

const transports = (process.env.BENCH_TRANSPORTS || 'http,grpc').split(',').filter(Boolean);
if (transports.length === 0 || transports.some((t) => !['http', 'grpc'].includes(t)))
  die('BENCH_TRANSPORTS must be http, grpc or http,grpc');
const settings = {
  seconds: whole('BENCH_SECONDS', 8, 1),
  warmupSeconds: whole('BENCH_WARMUP_SECONDS', 2, 0),
  connections: whole('BENCH_CONNECTIONS', 50, 1),
  grpcConnections: whole('BENCH_GRPC_CONNECTIONS', 4, 1),
  keys: whole('BENCH_KEYS', 1000, 1),
  rounds: whole('BENCH_ROUNDS', 3, 1),
  transports: processCounts.length > 0 ? ['http'] : transports,
  processes: processCounts,
  redisUrl: process.env.REDIS_URL_TEST || process.env.REDIS_URL || 'redis://127.0.0.1:6390',
  usage: process.env.BENCH_USAGE || 'on',
};
if (!['on', 'off'].includes(settings.usage)) die('BENCH_USAGE must be on or off');
// The services the bench starts (bench/target.js children, and the built service) read it from here.
process.env.BENCH_USAGE = settings.usage;

// ---------------------------------------------------------------- load generators

/** An executable named `name` on PATH, or in one of `extra` directories. */
function findExecutable(name, extra = []) {
  for (const dir of [...(process.env.PATH || '').split(delimiter), ...extra]) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

function goBin() {
  const dirs = [];
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (gopath) dirs.push(...gopath.split(delimiter).map((p) => join(p, 'bin')));
  } catch {
    // no go toolchain
  }
  dirs.push(join(os.homedir(), 'go', 'bin'));
  return dirs;
}

const wrkPath = options.httpLoader === 'autocannon' ? null : findExecutable('wrk');
if (options.httpLoader === 'wrk' && !wrkPath) die('--http-loader wrk: wrk is not on PATH (Debian: apt-get install wrk)');
const ghzPath = options.grpcLoader === 'node' || !settings.transports.includes('grpc') ? null : findExecutable('ghz', goBin());
if (options.grpcLoader === 'ghz' && !ghzPath)
  die('--grpc-loader ghz: ghz is not on PATH nor in $(go env GOPATH)/bin (go install github.com/bojand/ghz/cmd/ghz@latest)');
const loaders = {
  http: wrkPath ? `wrk (${wrkPath})` : 'autocannon (bench/verify-load.js)',
  grpc: ghzPath ? `ghz (${ghzPath})` : '@grpc/grpc-js (bench/verify-load.js)',
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
  { role: 'baseline', label: 'bare baseline', path: '/verify' },
  { role: 'service-embedded', label: 'service, embedded (memory index)', path: '/v1/verify' },
  { role: 'service-redis', label: 'service, Redis index', path: '/v1/verify' },
];
const DETAIL_HEADER = [
  'run',
  'req/s',
  'x base',
  'p50 ms',
  'p99 ms',
  'CPU us/req',
  'x base',
  'loader CPU',
  'requests',
  'errors',
  'non-OK',
  'wrong',
  'RSS',
];
const TRANSPORT_LABEL = { http: 'HTTP', grpc: 'gRPC' };
const BASELINE_LABEL = { http: 'Fastify + ioredis', grpc: '@grpc/grpc-js + ioredis' };

const SHELL_WITH_TIMES = '"$@"; rc=$?; times >&2; exit $rc';
const TIMES = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/;

/**
 * Runs a load generator in its own process, under `sh -c '...; times'` so that its CPU (user + sys of
 * the shell's children) is known whatever it is; resolves with its stdout and that CPU.
 */
function runLoader(command, argv, env) {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', SHELL_WITH_TIMES, 'sh', command, ...argv], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    loaderChildren.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      loaderChildren.delete(child);
      const lines = stderr.trimEnd().split('\n');
      const times = TIMES.exec(lines[lines.length - 1] || '');
      const cpuMicros = times ? Math.round((Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) * 1e6) : 0;
      const diagnostics = lines.slice(0, -2).join('\n');
      if (code !== 0) reject(new Error(`${command} exited with code ${code}: ${diagnostics.slice(-1000)}`));
      else resolve({ stdout, cpuMicros, diagnostics });
    });
  });
}
const loaderChildren = new Set();

const resultLine = (stdout, tag) => {
  const line = stdout.split('\n').find((l) => l.startsWith(`${tag} `));
  if (!line) throw new Error(`the load generator printed no ${tag} line:\n${stdout.slice(-1000)}`);
  return JSON.parse(line.slice(tag.length + 1));
};

/** One load run: `transport` against `target` for `seconds`; the figures and the check of the answers. */
async function load(transport, target, seconds) {
  const env = { BENCH_AUTHORIZATION: AUTH.authorization, BENCH_SECONDS: String(seconds), BENCH_CONNECTIONS: String(settings.connections) };
  if (transport === 'http' && wrkPath) {
    const threads = Math.max(1, Math.min(os.cpus().length, settings.connections));
    const argv = [
      '-t',
      threads,
      '-c',
      settings.connections,
      '-d',
      `${seconds}s`,
      '--timeout',
      '10s',
      '-s',
      join(__dirname, 'verify-wrk.lua'),
    ];
    const run = await runLoader(wrkPath, [...argv.map(String), target.url + target.path, '--', target.keysFile, target.path], env);
    const r = resultLine(run.stdout, 'WRK_RESULT');
    const kinds = Object.entries({ 'not 200': r.non200, 'not valid': r.notValid, 'keyId not in flight': r.otherKeyId }).filter(
      ([, n]) => n > 0,
    );
    return {
      requests: r.requests,
      reqPerSec: r.requests / (r.durationMicros / 1e6),
      p50: r.p50Micros / 1000,
      p99: r.p99Micros / 1000,
      errors: r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout,
      nonOk: r.non200,
      wrong: r.wrong,
      kinds,
      samples: r.samples.split('\n').filter(Boolean).slice(0, 5),
      loaderCpuMicros: run.cpuMicros,
    };
  }
  if (transport === 'grpc' && ghzPath) {
    // No --proto: ghz reads the API by server reflection (both targets serve it); its .proto parser
    // rejects proto3 `optional` fields (VerifyKeyRequest.ip).
    const argv = [
      '--insecure',
      '--call',
      'credentials.v1.VerificationService.VerifyKey',
      '-D',
      target.ghzData,
      '-M',
      target.ghzMetadata,
      '-c',
      String(settings.connections),
      '--connections',
      String(Math.min(settings.grpcConnections, settings.connections)),
      '-z',
      `${seconds}s`,
      '-t',
      '10s',
      '--format',
      'json',
      target.grpc,
    ];
    const run = await runLoader(ghzPath, argv, {});
    const r = JSON.parse(run.stdout);
    const statuses = { ...(r.statusCodeDistribution || {}) };
    // When the duration ends, ghz closes its connections under the calls still in flight (at most one
    // per call slot): those end "Unavailable: transport is closing" or "Canceled: grpc: the client
    // connection is closing" and are not answers, right or wrong.
    const closedBy = (text) =>
      Object.entries(r.errorDistribution || {})
        .filter(([message]) => message.includes(text))
        .reduce((sum, [, n]) => sum + n, 0);
    let cutOff = 0;
    for (const [status, text] of [
      ['Unavailable', 'transport is closing'],
      ['Canceled', 'client connection is closing'],
    ]) {
      const cut = Math.min(closedBy(text), settings.connections - cutOff, statuses[status] || 0);
      if (cut > 0) statuses[status] -= cut;
      cutOff += cut;
    }
    const count = r.count - cutOff;
    const ok = statuses.OK || 0;
    const latency = (p) => ((r.latencyDistribution || []).find((d) => d.percentage === p) || { latency: 0 }).latency / 1e6;
    const kinds = Object.entries(statuses).filter(([status, n]) => status !== 'OK' && n > 0);
    return {
      requests: count,
      reqPerSec: count / (r.total / 1e9),
      p50: latency(50),
      p99: latency(99),
      errors: (statuses.Unavailable || 0) + (statuses.DeadlineExceeded || 0),
      nonOk: count - ok,
      wrong: count - ok,
      kinds: kinds.map(([status, n]) => [`gRPC ${status}`, n]),
      samples: Object.keys(r.errorDistribution || {}).slice(0, 5),
      loaderCpuMicros: run.cpuMicros,
      cutOff,
    };
  }
  const script = join(__dirname, 'verify-load.js');
  const address = transport === 'http' ? target.url + target.path : target.grpc;
  const run = await runLoader(process.execPath, [script, transport, address, target.keysFile], {
    ...env,
    BENCH_GRPC_CHANNELS: String(settings.grpcConnections),
  });
  const r = resultLine(run.stdout, 'LOAD_RESULT');
  return {
    requests: r.requests,
    reqPerSec: r.requests / (r.durationMicros / 1e6),
    p50: r.p50Ms,
    p99: r.p99Ms,
    errors: r.errors,
    nonOk: r.nonOk,
    wrong: r.check.wrong,
    kinds: Object.entries(r.check.kinds),
    samples: r.check.samples,
    loaderCpuMicros: run.cpuMicros,
  };
}

// ---------------------------------------------------------------- checks by hand (not under load)

let grpcClientClass = null;
function grpcClient(address) {
  if (!grpcClientClass) {
    const grpc = require('@grpc/grpc-js');
    const protoLoader = require('@grpc/proto-loader');
    const definition = protoLoader.loadSync(contracts.CREDENTIALS_PROTO_FILES, contracts.PROTO_LOADER_OPTIONS);
    grpcClientClass = { grpc, Service: grpc.loadPackageDefinition(definition).credentials.v1.VerificationService };
  }
  const { grpc, Service } = grpcClientClass;
  const client = new Service(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('authorization', AUTH.authorization);
  return {
    verify: (key) =>
      new Promise((resolve) =>
        client.VerifyKey({ key }, metadata, { deadline: Date.now() + 5000 }, (error, answer) =>
          resolve(error ? { error: `gRPC ${grpc.status[error.code] ?? error.code}: ${error.details}` } : answer),
        ),
      ),
    close: () => client.close(),
  };
}

/** `count` keys spread over the list, verified one by one over `transport`: each must be valid with its keyId. */
async function checkSample(target, transport, count = 20) {
  const sample = Array.from(
    { length: Math.min(count, target.keys.length) },
    (_, i) => target.keys[Math.floor((i * target.keys.length) / Math.min(count, target.keys.length))],
  );
  const problems = [];
  const client = transport === 'grpc' ? grpcClient(target.grpc) : null;
  try {
    for (const [key, keyId] of sample) {
      let answer;
      if (client) answer = await client.verify(key);
      else {
        const response = await fetch(target.url + target.path, { method: 'POST', headers: AUTH, body: JSON.stringify({ key }) });
        const text = await response.text();
        try {
          answer = response.status === 200 ? JSON.parse(text) : { error: `HTTP ${response.status}: ${text.slice(0, 200)}` };
        } catch {
          answer = { error: `not JSON: ${text.slice(0, 200)}` };
        }
      }
      if (answer.error || answer.valid !== true || answer.keyId !== keyId)
        problems.push(answer.error || `${JSON.stringify(answer).slice(0, 200)} (sent the key of ${keyId})`);
    }
  } finally {
    if (client) client.close();
  }
  return { checked: sample.length, problems };
}

/** One verify by hand per key sampled, before any load, retried for a while: the index must already answer VALID. */
async function sanityCheck(target) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { problems } = await checkSample(target, 'http', 3);
    if (problems.length === 0) return;
    if (Date.now() > deadline) throw new Error(`sanity check: ${target.path} answers ${problems[0]} for a key just generated`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---------------------------------------------------------------- the service as deployed (PROCESSES=N), for the scaling figure

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU (user + sys, microseconds) and RSS of a process and its children, from /proc (Linux). */
function processTreeStats(rootPid) {
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, rss (pages) 24.
      stats.set(Number(entry), { ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]), rss: Number(fields[21]) });
    } catch {
      // gone meanwhile
    }
  }
  const tree = new Set([rootPid]);
  for (let grown = true; grown;) {
    grown = false;
    for (const [pid, s] of stats) {
      if (tree.has(pid) || !tree.has(s.ppid)) continue;
      tree.add(pid);
      grown = true;
    }
  }
  let ticks = 0;
  let pages = 0;
  for (const pid of tree) {
    if (!stats.has(pid)) continue;
    ticks += stats.get(pid).cpu;
    pages += stats.get(pid).rss;
  }
  return { cpuMicros: Math.round((ticks * 1e6) / CLK_TCK), rss: pages * 4096, processes: tree.size };
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

/** GET on a connection of its own (each may be handed to another worker). */
const getFresh = (url, headers) =>
  new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });

/** The built service (dist/apps/credential-service/src/main.js) with PROCESSES=n and the Redis index, as a child. */
async function startDeployed(n, namespace) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'cs-bench-'));
  const [port, grpcPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, join(DIST, 'apps/credential-service/src/main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH || '',
      PROCESSES: String(n),
      USAGE: settings.usage,
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      AUTH_JWT_SECRET: secrets.jwtSecret,
      SERVICE_TOKEN: secrets.serviceToken,
      MASTER_KEY: secrets.masterKey,
      REDIS_URL: settings.redisUrl,
      REDIS_NAMESPACE: namespace,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  deployedChildren.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  // Ready, and (with n > 1) n different workers answering: /metrics names the one that took the connection.
  const deadline = Date.now() + 90_000;
  const pids = new Set();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PROCESSES=${n}: the service exited (code ${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) throw new Error(`PROCESSES=${n}: not ready within 90 s: ${stderr}`);
    try {
      const ready = await getFresh(`${url}/health/ready`);
      if (ready.status === 200) {
        if (n === 1) break;
        const metrics = await getFresh(`${url}/metrics`, { authorization: AUTH.authorization });
        const pid = /^cs_worker_info\{worker="\d+",pid="(\d+)"\} 1$/m.exec(metrics.body);
        if (pid) pids.add(pid[1]);
        if (pids.size >= n) break;
        continue;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    grpc: `127.0.0.1:${grpcPort}`,
    stats: async () => processTreeStats(child.pid),
    close: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(killer);
      }
      deployedChildren.delete(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
const deployedChildren = new Set();
// ---------------------------------------------------------------- child processes (the servers)

function startTarget(role, config) {
  // The service runs with the Node flags of its own entry points; the bare baseline with Node's defaults.
  const execArgv = role === 'baseline' ? [] : SERVICE_NODE_FLAGS;
  const { child, ask, close } = forkChild('target.js', { args: [role], label: role, name: 'bench:verify', timeoutMs: 60_000, execArgv });
  return {
    child,
    start: () => ask({ type: 'start', role, config }, 'ready'),
    seed: (keys) => ask({ type: 'seed', keys }, 'seeded'),
    stats: () => ask({ type: 'stats' }, 'stats', 10_000),
    close,
  };
}

// ---------------------------------------------------------------- Redis

const connectRedis = () =>
  connectRedisOrDie(
    settings.redisUrl,
    die,
    'Set REDIS_URL (or REDIS_URL_TEST) to a running Redis, or start a throwaway one, e.g.\n' +
      "  redis-server --daemonize yes --port 6390 --bind 127.0.0.1 --save '' --appendonly no",
  );

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

// ---------------------------------------------------------------- report

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const pad = (value, width, right = false) => (right ? String(value).padEnd(width) : String(value).padStart(width));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => (value >= 10 ? value.toFixed(0) : value.toFixed(value >= 1 ? 1 : 2));

function table(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const format = (cells) => cells.map((c, i) => pad(c, widths[i], i === 0)).join('  ');
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format)].join('\n');
}

/** Figures of one mode over the rounds, against `base` (the baseline's runs, same rounds). */
function summarize(label, runs, baseRuns) {
  const perReq = (r) => r.serverCpuMicrosPerReq + r.redisCpuMicrosPerReq;
  return {
    label,
    reqPerSec: median(runs.map((r) => r.reqPerSec)),
    ratio: median(runs.map((r, i) => r.reqPerSec / baseRuns[i].reqPerSec)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    p99Ratio: median(runs.map((r, i) => r.p99 / baseRuns[i].p99)),
    serverCpuMicrosPerReq: median(runs.map((r) => r.serverCpuMicrosPerReq)),
    redisCpuMicrosPerReq: median(runs.map((r) => r.redisCpuMicrosPerReq)),
    cpuRatio: median(runs.map(perReq)) / median(baseRuns.map(perReq)),
    serverCpuPercent: median(runs.map((r) => r.serverCpuPercent)),
    loaderCpuPercent: median(runs.map((r) => r.loaderCpuPercent)),
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    nonOk: runs.reduce((sum, r) => sum + r.nonOk, 0),
    wrong: runs.reduce((sum, r) => sum + r.wrong, 0),
    rss: runs[runs.length - 1].rss,
    runs,
  };
}

// ---------------------------------------------------------------- main

async function measure(transport, target, redis) {
  const before = { server: await target.stats(), redis: await redisCpuMicros(redis), at: process.hrtime.bigint() };
  const result = await load(transport, target, settings.seconds);
  const elapsedMicros = Number(process.hrtime.bigint() - before.at) / 1000;
  const after = await target.stats();
  const redisMicros = (await redisCpuMicros(redis)) - before.redis;
  const serverMicros = after.cpuMicros - before.server.cpuMicros;
  const answered = Math.max(1, result.requests);
  return {
    ...result,
    serverCpuMicrosPerReq: serverMicros / answered,
    redisCpuMicrosPerReq: redisMicros / answered,
    serverCpuPercent: (100 * serverMicros) / elapsedMicros,
    loaderCpuPercent: (100 * result.loaderCpuMicros) / elapsedMicros,
    rss: after.rss,
  };
}

function writeKeyFiles(dir, name, keys) {
  const keysFile = join(dir, `${name}.tsv`);
  writeFileSync(keysFile, keys.map(([key, keyId]) => `${key}\t${keyId}\n`).join(''), { mode: 0o600 });
  const ghzData = join(dir, `${name}.json`);
  writeFileSync(ghzData, JSON.stringify(keys.map(([key]) => ({ key }))), { mode: 0o600 });
  return { keysFile, ghzData };
}

function shuffle(keys) {
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return keys;
}

async function main() {
  const redis = await connectRedis();
  const cpus = os.cpus();
  const started = new Date();
  const scaling = settings.processes.length > 0;
  process.stdout.write(
    `bench:verify ${started.toISOString()}  node ${process.version}  ` +
      `${cpus.length} cores (${cpus[0] ? cpus[0].model.trim() : '?'})  ${os.platform()} ${os.release()}\n` +
      `connections ${settings.connections}` +
      (settings.transports.includes('grpc')
        ? ` (gRPC: ${settings.connections} calls in flight on ${settings.grpcConnections} connections)`
        : '') +
      ', ' +
      `warm-up ${settings.warmupSeconds} s, ${settings.rounds} round(s) of ${settings.seconds} s, ` +
      `${settings.keys} keys, Redis ${settings.redisUrl}, key usage ${settings.usage}\n` +
      `load: ${settings.transports.map((t) => `${TRANSPORT_LABEL[t]} ${loaders[t]}`).join('; ')}; each in a process of its own\n` +
      (scaling
        ? `scaling: the built service with the Redis index, PROCESSES=${settings.processes.join(', ')}, over HTTP; ` +
          `the load generator and Redis share the same ${cpus.length} cores\n\n`
        : 'each server runs in its own process (idle while another is loaded); runs one after another, never concurrently,\n' +
          'in rounds; the order rotates each round\n\n'),
  );

  const keyDir = mkdtempSync(join(os.tmpdir(), 'cs-bench-keys-'));
  const config = { ...secrets, redisUrl: settings.redisUrl };
  const targets = scaling
    ? settings.processes.map((n) => ({
        role: `processes-${n}`,
        label: `PROCESSES=${n}`,
        path: '/v1/verify',
        processes: n,
        namespace: `${run}-p${n}`,
      }))
    : MODES.map((m) => ({ ...m, namespace: m.role === 'baseline' ? namespaces.baseline : namespaces.service }));
  for (const t of targets)
    Object.assign(t, { handle: null, runs: Object.fromEntries(settings.transports.map((tr) => [tr, []])), wrong: 0 });
  const allNamespaces = [...new Set(targets.map((t) => t.namespace))];
  let stopping = false;
  const cleanup = async () => {
    for (const child of [...children, ...loaderChildren, ...deployedChildren]) child.kill('SIGTERM');
    rmSync(keyDir, { recursive: true, force: true });
    for (const namespace of allNamespaces) await dropNamespace(redis, namespace).catch(() => {});
    redis.disconnect();
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
      cleanup().finally(() => process.exit(130));
    });
  }
  const reportWrong = (target, what, result) => {
    if (result.wrong === 0) return;
    target.wrong += result.wrong;
    const kinds = result.kinds.map(([k, n]) => `${k} x${n}`).join(', ');
    process.stdout.write(`  ${target.label}, ${what}: ${result.wrong} wrong answers: ${kinds}\n    ${result.samples.join('\n    ')}\n`);
  };
  const sampleChecks = async (when) => {
    const lines = [];
    for (const target of targets) {
      for (const transport of settings.transports) {
        const { checked, problems } = await checkSample(target, transport);
        if (problems.length > 0) {
          target.wrong += problems.length;
          process.stdout.write(
            `  ${target.label}, ${TRANSPORT_LABEL[transport]} ${when} load: ${problems.length} wrong: ${problems.slice(0, 3).join('; ')}\n`,
          );
        }
        lines.push(`${target.role}/${transport} ${checked - problems.length}/${checked}`);
      }
    }
    process.stdout.write(`checked by hand ${when} load (valid, right keyId): ${lines.join(', ')}\n`);
  };

  try {
    // 1. Start every target and give it its keys.
    for (const target of targets) {
      const t0 = Date.now();
      if (scaling) {
        target.handle = await startDeployed(target.processes, target.namespace);
        Object.assign(target, { url: target.handle.url, grpc: target.handle.grpc, stats: target.handle.stats });
      } else {
        target.handle = startTarget(target.role, { ...config, namespace: target.namespace });
        const ready = await target.handle.start();
        Object.assign(target, { url: ready.url, grpc: ready.grpc, stats: target.handle.stats });
      }
      if (target.role === 'baseline') {
        target.keys = baselineKeys(settings.keys);
        await target.handle.seed(target.keys);
      } else {
        target.keys = await generateKeys(target.url, settings.keys);
      }
      await sanityCheck(target);
      // Keys as generated walk the accounts in turn; shuffled so lookups are spread.
      Object.assign(target, writeKeyFiles(keyDir, target.role, shuffle(target.keys)));
      const grpcLine = settings.transports.includes('grpc') ? `, gRPC ${target.grpc}` : '';
      process.stdout.write(
        `${target.label}: ${target.url}${grpcLine}, ${target.keys.length} keys ready in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
      );
    }
    if (settings.transports.includes('grpc')) {
      for (const target of targets) {
        target.ghzMetadata = join(keyDir, `${target.role}.metadata.json`);
        writeFileSync(target.ghzMetadata, JSON.stringify({ authorization: AUTH.authorization }), { mode: 0o600 });
      }
    }
    await sampleChecks('before');

    // 2. Warm-up, each in turn (JIT, connection pools, the load generator itself).
    if (settings.warmupSeconds > 0) {
      process.stdout.write(`warming up ${settings.warmupSeconds} s each\n`);
      for (const transport of settings.transports)
        for (const target of targets)
          reportWrong(target, `${TRANSPORT_LABEL[transport]} warm-up`, await load(transport, target, settings.warmupSeconds));
    }

    // 3. Measured rounds. The order rotates each round so no target always runs first (or last).
    for (let round = 1; round <= settings.rounds; round++) {
      const lines = [];
      for (const transport of settings.transports) {
        const order = targets.map((_, i) => targets[(i + round - 1) % targets.length]);
        for (const target of order) {
          const result = await measure(transport, target, redis);
          reportWrong(target, `${TRANSPORT_LABEL[transport]} round ${round}`, result);
          target.runs[transport].push(result);
        }
        const base = targets[0].runs[transport][round - 1];
        for (const target of order) {
          const r = target.runs[transport][round - 1];
          const ratio = target === targets[0] ? '' : ` (x${(r.reqPerSec / base.reqPerSec).toFixed(2)})`;
          lines.push(
            `${TRANSPORT_LABEL[transport]} ${target.role} ${r.reqPerSec.toFixed(0)} req/s${ratio} p99 ${ms(r.p99)} ms, ` +
              `CPU server ${r.serverCpuPercent.toFixed(0)}% ${r.serverCpuMicrosPerReq.toFixed(0)} us/req, ` +
              `redis ${r.redisCpuMicrosPerReq.toFixed(0)} us/req, loader ${r.loaderCpuPercent.toFixed(0)}%`,
          );
        }
      }
      process.stdout.write(`round ${round}:\n  ${lines.join('\n  ')}\n`);
    }
    await sampleChecks('after');
  } finally {
    for (const target of targets) if (target.handle) await target.handle.close();
    rmSync(keyDir, { recursive: true, force: true });
    if (!stopping) {
      let dropped = 0;
      for (const namespace of allNamespaces) dropped += await dropNamespace(redis, namespace);
      redis.disconnect();
      process.stdout.write(`closed the servers; removed the key files; dropped ${dropped} Redis keys under ${run}-*\n`);
    }
  }

  const report = {
    date: started.toISOString(),
    node: process.version,
    cores: cpus.length,
    cpu: cpus[0] && cpus[0].model.trim(),
    settings,
    loaders,
  };
  if (scaling) {
    const base = targets[0];
    const rows = targets.map((t) => ({ processes: t.processes, ...summarize(t.label, t.runs.http, base.runs.http) }));
    report.scaling = rows;
    process.stdout.write(
      '\nScaling: POST /v1/verify, service with the Redis index, ' +
        `${cpus.length} cores shared by the service, Redis and the load generator\n\n` +
        table(
          [
            'processes',
            'req/s',
            `x ${base.processes}`,
            'p99 ms',
            'CPU us/req',
            'service CPU',
            'redis us/req',
            'loader CPU',
            'requests',
            'errors',
            'wrong',
          ],
          rows.map((r) => [
            r.processes,
            r.reqPerSec.toFixed(0),
            r.ratio.toFixed(2),
            ms(r.p99),
            r.serverCpuMicrosPerReq.toFixed(0),
            `${(r.serverCpuPercent / 100).toFixed(2)} cores`,
            r.redisCpuMicrosPerReq.toFixed(0),
            `${(r.loaderCpuPercent / 100).toFixed(2)} cores`,
            r.requests,
            r.errors,
            r.wrong,
          ]),
        ) +
        `\n\nreq/s: median over rounds; x ${base.processes}: per round, ` +
        `over PROCESSES=${base.processes}'s req/s in the same round, median. ` +
        'CPU us/req: CPU of the service (primary + workers, from /proc)\nper answered verify: the per-core cost; ' +
        'service CPU / loader CPU: cores busy on average during a run. With the load generator on the same cores,\n' +
        'the figure shows what N processes gain on this machine, not what they would on a machine of their own.\n',
    );
  } else {
    const byTransport = {};
    for (const transport of settings.transports) {
      const base = targets[0].runs[transport];
      byTransport[transport] = targets.map((t) => ({ role: t.role, ...summarize(t.label, t.runs[transport], base) }));
    }
    report.rows = byTransport;
    const [, embedded, redisMode] = MODES;
    const cell = (transport, role, what) => {
      const row = byTransport[transport].find((r) => r.role === role);
      if (what === 'rate') return role === 'baseline' ? row.reqPerSec.toFixed(0) : `${row.reqPerSec.toFixed(0)} (${row.ratio.toFixed(2)}x)`;
      return role === 'baseline' ? `${ms(row.p99)} ms` : `${ms(row.p99)} ms (${row.p99Ratio.toFixed(2)}x)`;
    };
    const issueRows = [];
    for (const transport of settings.transports) {
      issueRows.push([
        `${TRANSPORT_LABEL[transport]} verify req/s`,
        ...['baseline', embedded.role, redisMode.role].map((role) => cell(transport, role, 'rate')),
      ]);
      issueRows.push([
        `${TRANSPORT_LABEL[transport]} verify p99`,
        ...['baseline', embedded.role, redisMode.role].map((role) => cell(transport, role, 'p99')),
      ]);
    }
    process.stdout.write(`\n${table(['', 'bare baseline', 'this service embedded', 'this service Redis index'], issueRows)}\n`);
    process.stdout.write(
      '\n(ratio) = per round, over the bare baseline of the same transport in the same round; median over rounds. ' +
        'Goal, not asserted: req/s >= 0.9x, p99 <= 1.2x.\n' +
        `Baselines: HTTP ${BASELINE_LABEL.http}, gRPC ${BASELINE_LABEL.grpc} (sha256 of the key, one Redis GET).\n`,
    );
    const detail = [];
    for (const transport of settings.transports)
      for (const r of byTransport[transport])
        detail.push([
          `${TRANSPORT_LABEL[transport]} ${r.label}`,
          r.reqPerSec.toFixed(0),
          r.ratio.toFixed(2),
          ms(r.p50),
          ms(r.p99),
          `${r.serverCpuMicrosPerReq.toFixed(0)}+${r.redisCpuMicrosPerReq.toFixed(0)}`,
          r.cpuRatio.toFixed(2),
          `${r.loaderCpuPercent.toFixed(0)}%`,
          r.requests,
          r.errors,
          r.nonOk,
          r.wrong,
          mb(r.rss),
        ]);
    process.stdout.write(
      `\n${table(DETAIL_HEADER, detail)}\n` +
        '\nreq/s, p50, p99: median over rounds. CPU us/req: CPU time per answered request of the server process + of Redis (INFO cpu),\n' +
        'median over rounds; its x base compares the sums. Unlike req/s it holds when the machine, not the server, is the limit.\n' +
        'loader CPU: the load generator (user + sys) as % of one core. errors: connection errors and timeouts; non-OK: answers other\n' +
        'than HTTP 200 / gRPC OK; wrong: answers failing the check (warm-up included; see bench/README.md for what each loader checks).\n',
    );
  }
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(report, null, 2)}\n`);
  const wrongTotal = targets.reduce((sum, t) => sum + t.wrong, 0);
  if (wrongTotal > 0) {
    process.stderr.write(`bench: ${wrongTotal} wrong answers (see above)\n`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`bench: ${error && error.stack ? error.stack : error}\n`);
  for (const child of [...children, ...loaderChildren, ...deployedChildren]) child.kill('SIGTERM');
  process.exit(2);
});
