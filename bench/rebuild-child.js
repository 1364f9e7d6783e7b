'use strict';
/**
 * The child processes of bench/rebuild.bench.js (forked with an IPC channel), so that what is
 * measured (CPU, heap, RSS) is the measured thing's alone. Roles (argv[2]):
 *
 *   rebuild   parent -> { type: 'rebuild', store, target: 'redis' | 'memory', redisUrl, namespace }
 *             child  -> { type: 'progress', events, keys } ... then { type: 'rebuilt', ... } | { type: 'failed' }
 *             Rebuilds the validity index from the seeded store with the service's ValidityProjector,
 *             times the phases, checks a sample of lookups and the key count, measures memory.
 *             For 'memory', run it with --expose-gc: heap and RSS deltas after full GCs.
 *   serve     parent -> { type: 'start', env }    child -> { type: 'ready', url, startSeconds }
 *             parent -> { type: 'stats' }         child -> { type: 'stats', rss, heapUsed, cpuMicros }
 *             parent -> { type: 'close' }         child -> { type: 'closed' } then exits
 *             The built credential service (dist/) on a seeded store.
 *   load      parent -> { type: 'load', url, keysFile, seconds, connections, token }
 *             child  -> { type: 'loaded', result, check, cpuMicros }
 *             autocannon against POST /v1/verify, cycling over the sample keys, checking every answer.
 */
const { readFileSync } = require('node:fs');
const { serveOrchestrator } = require('./common');
const { join } = require('node:path');

const DIST = join(__dirname, '..', 'dist');
const role = process.argv[2];
const reply = (payload) => process.send(payload);
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

// ---------------------------------------------------------------- rebuild

async function redisInfo(redis, section) {
  const text = await redis.info(section);
  const fields = {};
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

const redisCpuMicros = async (redis) => {
  const cpu = await redisInfo(redis, 'cpu');
  return Math.round((Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys)) * 1e6);
};

/** cmdstat_<name>: calls and usec, for the commands the rebuild sends. */
async function commandStats(redis) {
  const stats = await redisInfo(redis, 'commandstats');
  const out = {};
  for (const [name, value] of Object.entries(stats)) {
    const calls = /calls=(\d+)/.exec(value);
    const usec = /usec=(\d+)/.exec(value);
    if (calls && usec) out[name.replace('cmdstat_', '')] = { calls: Number(calls[1]), usec: Number(usec[1]) };
  }
  return out;
}

function statsDelta(before, after) {
  const out = {};
  for (const [name, { calls, usec }] of Object.entries(after)) {
    const b = before[name] ?? { calls: 0, usec: 0 };
    if (calls > b.calls) out[name] = { calls: calls - b.calls, usec: usec - b.usec };
  }
  return out;
}

async function rebuild({ store: dir, target, redisUrl, namespace, sampleSize, workers = 1 }) {
  const { SqliteEventStore } = require(join(DIST, 'libs/event-store/src/index.js'));
  const { MemoryValidityIndex, RedisValidityIndex } = require(join(DIST, 'libs/validity/src/index.js'));
  const { ValidityProjector } = require(join(DIST, 'libs/application/src/index.js'));
  const seeded = require('./seed-store');
  const summary = seeded.readSummary(dir);
  const expected = seeded.expectedSample(dir, sampleSize);
  const gc = global.gc;
  if (target === 'memory' && !gc) throw new Error('the memory rebuild must run with --expose-gc');

  let redis = null;
  let index;
  if (target === 'redis') {
    const Redis = require('ioredis');
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    // The writer's command timeout is the service's default (2 s): each pipelined batch must fit it.
    index = RedisValidityIndex.connect(redisUrl, { namespace });
  } else {
    index = new MemoryValidityIndex();
  }
  const store = SqliteEventStore.open(join(dir, 'events.sqlite'));

  // The phases: read + fold ends when the projector hands the records to replaceAll.
  const marks = {};
  const mark = async (name) => {
    marks[name] = { at: process.hrtime.bigint(), cpu: cpuMicros(), redisCpu: redis ? await redisCpuMicros(redis) : 0 };
  };
  const inner = index.unguarded();
  const timed = Object.create(inner);
  timed.unguarded = () => timed;
  timed.replaceAll = async (records, checkpoint, options) => {
    await mark('folded');
    // Progress of the writes: records handed over so far (the adapter awaits between batches).
    let handed = 0;
    const counted = function* () {
      for (const record of records) {
        handed++;
        yield record;
      }
    };
    const timer = setInterval(() => reply({ type: 'progress', written: handed }), 5000);
    try {
      return await inner.replaceAll(counted(), checkpoint, options);
    } finally {
      clearInterval(timer);
      await mark('written');
    }
  };
  // With worker threads (what projection:rebuild does by default), each reads, folds and writes a share:
  // the phases overlap, so only the end of the workers' part is marked.
  timed.replaceAllBy = (fill, checkpoint, options) =>
    inner.replaceAllBy(
      async (generation) => {
        await fill(generation);
        await mark('filled');
      },
      checkpoint,
      options,
    );
  let fill;
  if (target === 'redis' && workers > 1) {
    const { workerFill } = require(join(DIST, 'libs/composition/src/index.js'));
    // The workers read the service's configuration variables; the secrets are required but unused here.
    const env = {
      REDIS_URL: redisUrl,
      REDIS_NAMESPACE: namespace,
      DATA_DIR: dir,
      AUTH_JWT_SECRET: 'bench-rebuild-jwt-secret-0123456789abcdef',
      SERVICE_TOKEN: 'bench-rebuild-service-token-0123456789',
      MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    };
    fill = workerFill(env, workers);
  }
  const proxy = Object.create(index);
  proxy.unguarded = () => timed;

  const logger = {
    log: () => {},
    warn: (m) => process.stderr.write(`rebuild: ${m}\n`),
    error: (m) => process.stderr.write(`rebuild: ${m}\n`),
  };
  const projector = new ValidityProjector(store, proxy, logger);

  let memoryBefore = null;
  if (gc) {
    gc();
    gc();
    memoryBefore = process.memoryUsage();
  }
  const usedBefore = redis ? Number((await redisInfo(redis, 'memory')).used_memory) : 0;
  const statsBefore = redis ? await commandStats(redis) : {};
  let lastProgress = Date.now();
  let events = 0;
  await mark('start');
  const keys = await projector.rebuild(
    (count, folded) => {
      events = count;
      if (Date.now() - lastProgress >= 5000) {
        lastProgress = Date.now();
        reply({ type: 'progress', events: count, keys: folded });
      }
    },
    { fill },
  );
  await mark('end');
  const statsAfter = redis ? await commandStats(redis) : {};

  const phase = (from, to) => ({
    seconds: Number(marks[to].at - marks[from].at) / 1e9,
    cpuMicros: marks[to].cpu - marks[from].cpu,
    redisCpuMicros: marks[to].redisCpu - marks[from].redisCpu,
  });
  const result = {
    type: 'rebuilt',
    target,
    keys,
    events,
    seeded: { keys: summary.keys, events: summary.events },
    workers: fill ? workers : 1,
    total: phase('start', 'end'),
    readFold: fill ? null : phase('start', 'folded'),
    write: fill ? null : phase('folded', 'written'),
    filled: fill ? phase('start', 'filled') : null,
  };

  // Correctness: the key count, and the sample's entries as verify would read them.
  const check = { looked: 0, wrong: 0, samples: [] };
  const wrong = (what) => {
    check.wrong++;
    if (check.samples.length < 5) check.samples.push(what);
  };
  const lookup = inner.lookup.bind(inner);
  for (const e of expected) {
    check.looked++;
    const entry = await lookup(e.hash);
    if (!entry) wrong(`${e.category} v${e.version} of ${e.keyId}: not found`);
    else if (entry.keyId !== e.keyId || entry.accountId !== e.accountId)
      wrong(`${e.category} v${e.version}: entry of ${entry.keyId}, not ${e.keyId}`);
    else if (entry.status !== e.status) wrong(`${e.category} v${e.version} of ${e.keyId}: ${entry.status}, expected ${e.status}`);
    else if (entry.allowedIps.length > 0 !== e.ipRestricted)
      wrong(`${e.category} v${e.version} of ${e.keyId}: allowedIps ${JSON.stringify(entry.allowedIps)}`);
  }
  result.check = check;

  if (redis) {
    const g = await redis.get(`${namespace}:gen`);
    const counted = { k: 0, h: 0, a: 0, exp: 0 };
    const samples = { h: [], k: [], a: [] };
    let cursor = '0';
    let lastScanProgress = Date.now();
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${namespace}:${g}:*`, 'COUNT', 5000);
      cursor = next;
      for (const key of found) {
        const type = key.slice(namespace.length + g.length + 2).split(':')[0];
        counted[type] = (counted[type] ?? 0) + 1;
        if (samples[type] && samples[type].length < 200 && Math.random() < 0.01) samples[type].push(key);
      }
      if (Date.now() - lastScanProgress >= 5000) {
        lastScanProgress = Date.now();
        reply({ type: 'progress', scanned: counted.k + counted.h + counted.a });
      }
    } while (cursor !== '0');
    result.counted = { keys: counted.k, hashes: counted.h, accounts: counted.a, expiryZsets: counted.exp };
    const usage = async (keys) => {
      let sum = 0;
      for (const key of keys) sum += Number(await redis.memory('USAGE', key, 'SAMPLES', '0'));
      return keys.length ? { n: keys.length, avg: sum / keys.length } : { n: 0, avg: 0 };
    };
    result.memoryUsage = {
      h: await usage(samples.h),
      k: await usage(samples.k),
      a: await usage(samples.a),
      exp: await usage([`${namespace}:${g}:exp`]),
    };
    result.usedMemoryDelta = Number((await redisInfo(redis, 'memory')).used_memory) - usedBefore;
    result.commandStats = statsDelta(statsBefore, statsAfter);
    result.generation = g;
    await redis.quit();
  } else {
    const state = index.state;
    result.counted = {
      keys: state.records.size,
      hashes: state.byHash.size,
      accounts: state.byAccount.size,
      expiryZsets: state.expiries.size,
    };
  }

  await store.close();
  if (gc) {
    gc();
    gc();
    const after = process.memoryUsage();
    result.memory = {
      heapDelta: after.heapUsed - memoryBefore.heapUsed,
      rssDelta: after.rss - memoryBefore.rss,
      externalDelta: after.external - memoryBefore.external,
      rss: after.rss,
    };
  }
  // Keep the index alive until measured.
  result.held = index ? 1 : 0;
  await index.close();
  return result;
}

// ---------------------------------------------------------------- serve

let closeService = async () => {};

async function serve(env) {
  const started = Date.now();
  const { startCredentialService } = require(join(DIST, 'apps/credential-service/src/bootstrap.js'));
  const { loadConfig } = require(join(DIST, 'libs/composition/src/index.js'));
  const service = await startCredentialService(loadConfig(env));
  closeService = () => service.close();
  return { url: service.url, startSeconds: (Date.now() - started) / 1000 };
}

// ---------------------------------------------------------------- load

function load({ url, keysFile, seconds, connections, token }) {
  const autocannon = require('autocannon');
  const keys = readFileSync(keysFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' '));
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let next = 0;
  const check = { ok: 0, wrong: 0, kinds: {}, samples: [] };
  const wrong = (kind, body) => {
    check.wrong++;
    check.kinds[kind] = (check.kinds[kind] ?? 0) + 1;
    // Answers carry ids and codes, never the key sent.
    if (check.samples.length < 5) check.samples.push(`${kind}: ${String(body).slice(0, 200)}`);
  };
  const cpuBefore = cpuMicros();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/v1/verify`,
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            headers,
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
      (error, result) => {
        if (error) return reject(error);
        resolve({
          type: 'loaded',
          result: {
            reqPerSec: result.requests.average,
            requests: result.requests.total,
            p50: result.latency.p50,
            p99: result.latency.p99,
            errors: result.errors,
            timeouts: result.timeouts,
            non2xx: result.non2xx,
            seconds: result.duration,
          },
          check,
          cpuMicros: cpuMicros() - cpuBefore,
        });
      },
    );
    instance.on('error', reject);
  });
}

// ---------------------------------------------------------------- protocol

serveOrchestrator({
  role,
  handlers: {
    rebuild: (message) => rebuild(message),
    start: async (message) => ({ type: 'ready', ...(await serve(message.env)) }),
    load: (message) => load(message),
  },
  close: () => closeService(),
});
