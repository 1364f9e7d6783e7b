'use strict';
/**
 * What the benchmarks share (bench/README.md): the orchestrator's side of the child-process protocol
 * (ask a child, wait for its answer or its death, close it or kill it), the child's side of it (stats,
 * close, and going away with the orchestrator), and the Redis chores (connect or explain, Redis CPU,
 * drop a namespace).
 */
const { fork } = require('node:child_process');
const { join } = require('node:path');

// ---------------------------------------------------------------- command line and environment

/**
 * The command line of a bench that takes no option but --build: --help (-h) prints `usage` and
 * exits 0; anything else is refused with exit 2, named only when it looks like an option (an
 * argument could be a secret pasted in the wrong place). Returns whether --build was given.
 */
function acceptOnlyBuild(name, usage, args = process.argv.slice(2)) {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage);
    process.exit(0);
  }
  for (const [index, arg] of args.entries()) {
    if (arg === '--build') continue;
    const named = /^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(arg) ? arg : `at position ${index + 1}`;
    process.stderr.write(`${name}: unknown option ${named}\n\n${usage}`);
    process.exit(2);
  }
  return args.includes('--build');
}

/** A whole-number environment variable: `fallback` when unset or empty, else at least `min` (or `die`). */
function wholeFromEnv(die, name, fallback, min) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) die(`${name} must be a whole number >= ${min}, got "${raw}"`);
  return Number(raw);
}

// ---------------------------------------------------------------- orchestrator side

/**
 * The Node flags the service's own entry points run it with (package.json start scripts,
 * docker/Dockerfile): a bench child standing for the service runs with them too.
 */
const SERVICE_NODE_FLAGS = ['--max-semi-space-size=64'];

/** Every child forked by forkChild that has not exited yet: killed on Ctrl-C and on failure. */
const children = new Set();

/**
 * Forks `bench/<script>` with an IPC channel. `ask(message, expected, timeoutMs, onProgress)` sends
 * a message and resolves with the child's first answer of type `expected` (rejects on `failed`, on
 * the child's exit, or after the timeout); `progress` messages go to the last ask's onProgress.
 * `close()` asks a server child to close (killing it if it does not within 30 s); `end()` lets a
 * one-shot child finish.
 */
function forkChild(script, { args = [], label, name, execArgv = [], timeoutMs = 120_000 }) {
  const child = fork(join(__dirname, script), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  children.add(child);
  const waiters = [];
  let onProgress = () => {};
  child.on('message', (message) => {
    if (message.type === 'progress') return onProgress(message);
    const index = waiters.findIndex((w) => w.types.includes(message.type));
    if (index >= 0) waiters.splice(index, 1)[0].resolve(message);
  });
  child.on('exit', (code, signal) => {
    children.delete(child);
    for (const w of waiters.splice(0)) w.reject(new Error(`${label} exited (code ${code}, signal ${signal})`));
  });
  const ask = (message, expected, askTimeoutMs = timeoutMs, progress) =>
    new Promise((resolve, reject) => {
      if (progress) onProgress = progress;
      const timer = setTimeout(() => reject(new Error(`${label}: no "${expected}" within ${askTimeoutMs / 1000} s`)), askTimeoutMs);
      waiters.push({
        types: [expected, 'failed'],
        resolve: (answer) => {
          clearTimeout(timer);
          if (answer.type === 'failed') reject(new Error(`${label}: ${answer.error}`));
          else resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send(message);
    });
  const exited = () =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    ask,
    end: async () => {
      if (child.connected) child.disconnect();
      await exited();
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = exited();
      await ask({ type: 'close' }, 'closed', 30_000).catch((error) => {
        process.stderr.write(`${name}: ${error.message}; killing ${label} (pid ${child.pid})\n`);
        child.kill('SIGKILL');
      });
      await done;
    },
  };
}

// ---------------------------------------------------------------- child side

/**
 * The child's half of the protocol: `handlers[type](message, reply)` for the child's own messages,
 * `stats` (memory and CPU so far, unless the child has its own) and `close` (runs `close`, answers
 * `closed`, then exits: process.exit, not a kill, so that --cpu-prof writes its profile). A child
 * whose orchestrator dies closes and exits too: it never lingers holding a port, a store or a Redis
 * connection. A handler that throws or rejects answers `failed`.
 */
function serveOrchestrator({ handlers, close, role = 'child' }) {
  let closing = null;
  const closeOnce = () => (closing ??= Promise.resolve().then(close));
  const reply = (payload) => process.send(payload);
  const fail = (error) => reply({ type: 'failed', error: error && error.stack ? error.stack : String(error) });
  const builtIn = {
    stats: () => {
      const { rss, heapUsed } = process.memoryUsage();
      const { user, system } = process.cpuUsage();
      return { type: 'stats', rss, heapUsed, cpuMicros: user + system };
    },
  };
  process.on('message', (message) => {
    if (message.type === 'close') {
      closeOnce().then(
        () => {
          reply({ type: 'closed' });
          process.disconnect();
          setTimeout(() => process.exit(0), 200).unref();
        },
        (error) => {
          fail(error);
          process.exit(1);
        },
      );
      return;
    }
    const handler = handlers[message.type] ?? builtIn[message.type];
    if (!handler) return fail(new Error(`${role}: unknown message ${JSON.stringify(message)}`));
    Promise.resolve()
      .then(() => handler(message, reply))
      .then((answer) => answer && reply(answer), fail);
  });
  process.on('disconnect', () => {
    closeOnce().finally(() => process.exit(0));
  });
  return { reply, fail };
}

// ---------------------------------------------------------------- Redis

/** A client of the Redis at `url`, or `die` with what to do when it is not reachable. */
async function connectRedis(url, die, hint) {
  const Redis = require('ioredis');
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {}); // reported below, once
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    die(`Redis is not reachable at ${url} (${error.message}).\n  ${hint}`);
  }
  return redis;
}

/** CPU microseconds Redis has used so far (user + sys, all its threads), from INFO cpu; 0 without a client. */
async function redisCpuMicros(redis) {
  if (!redis) return 0;
  const info = await redis.info('cpu');
  const field = (name) => Number((new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info) || [])[1] || 0);
  return Math.round((field('used_cpu_user') + field('used_cpu_sys')) * 1e6);
}

/** Deletes every key under `<namespace>:` (SCAN + UNLINK); returns how many. */
async function dropNamespace(redis, namespace, count = 1000) {
  let cursor = '0';
  let dropped = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', count);
    cursor = next;
    if (keys.length > 0) dropped += await redis.unlink(...keys);
  } while (cursor !== '0');
  return dropped;
}

module.exports = {
  SERVICE_NODE_FLAGS,
  acceptOnlyBuild,
  wholeFromEnv,
  children,
  forkChild,
  serveOrchestrator,
  connectRedis,
  redisCpuMicros,
  dropNamespace,
};
