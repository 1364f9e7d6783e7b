'use strict';
/**
 * One server under load, run as a child of verify.bench.js (forked with an IPC channel) so that the
 * load generator and the server never share an event loop. Roles:
 *
 *   baseline          bare Fastify + ioredis: POST /verify parses {key}, sha256, one GET, JSON answer
 *   service-redis     the credential service as deployed for reads: SQLite event store + Redis index
 *   service-embedded  the credential service embedded: SQLite event store + in-process memory index
 *
 * Protocol (process.send / 'message'):
 *   parent -> { type: 'start', role, config }      child -> { type: 'ready', url } | { type: 'failed', error }
 *   parent -> { type: 'seed', keys: [[key, keyId]] } child -> { type: 'seeded' }   (baseline only)
 *   parent -> { type: 'stats' }                    child -> { type: 'stats', rss, heapUsed, cpuMicros }
 *   parent -> { type: 'close' }                    child -> { type: 'closed' } then exits
 */
const { createHash } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const DIST = join(__dirname, '..', 'dist');

let closeTarget = async () => {};
let seedTarget = async () => {
  throw new Error('this target takes no seed');
};

async function startBaseline(config) {
  const Fastify = require('fastify');
  const Redis = require('ioredis');
  const redis = new Redis(config.redisUrl);
  const prefix = `${config.namespace}:b:`;
  const app = Fastify({ logger: false });
  app.post('/verify', async (request, reply) => {
    const key = request.body && request.body.key;
    if (typeof key !== 'string') return reply.code(400).send({ error: 'key must be a string' });
    const json = await redis.get(prefix + createHash('sha256').update(key, 'utf8').digest('hex'));
    if (json === null) return { valid: false, code: 'NOT_FOUND' };
    const entry = JSON.parse(json);
    return { valid: true, code: 'VALID', keyId: entry.keyId, accountId: entry.accountId, kind: entry.kind, expiresAt: entry.expiresAt };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  seedTarget = async (keys) => {
    for (let i = 0; i < keys.length; i += 500) {
      const pipeline = redis.pipeline();
      for (const [key, keyId] of keys.slice(i, i + 500)) {
        const entry = { keyId, accountId: 'bench_baseline', kind: 'api', status: 'active', expiresAt: null, allowedIps: [] };
        pipeline.set(prefix + createHash('sha256').update(key, 'utf8').digest('hex'), JSON.stringify(entry));
      }
      await pipeline.exec();
    }
  };
  closeTarget = async () => {
    await app.close();
    await redis.quit();
  };
  return `http://127.0.0.1:${app.server.address().port}`;
}

async function startService(config, withRedis) {
  const { startCredentialService } = require(join(DIST, 'apps/credential-service/src/bootstrap.js'));
  const { loadConfig } = require(join(DIST, 'libs/composition/src/index.js'));
  const dataDir = mkdtempSync(join(tmpdir(), 'cs-bench-'));
  const env = {
    PORT: '0',
    GRPC_PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    AUTH_JWT_SECRET: config.jwtSecret,
    SERVICE_TOKEN: config.serviceToken,
    MASTER_KEY: config.masterKey,
    LOG_LEVEL: 'warn',
    ...(withRedis ? { REDIS_URL: config.redisUrl, REDIS_NAMESPACE: config.namespace } : {}),
  };
  let service;
  try {
    service = await startCredentialService(loadConfig(env));
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  closeTarget = async () => {
    try {
      await service.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  return service.url;
}

let closing = null;
const closeOnce = () => (closing ??= closeTarget());

process.on('message', (message) => {
  const reply = (payload) => process.send(payload);
  const fail = (error) => reply({ type: 'failed', error: error && error.stack ? error.stack : String(error) });
  switch (message.type) {
    case 'start': {
      const started =
        message.role === 'baseline' ? startBaseline(message.config) : startService(message.config, message.role === 'service-redis');
      started.then((url) => reply({ type: 'ready', url }), fail);
      break;
    }
    case 'seed':
      seedTarget(message.keys).then(() => reply({ type: 'seeded' }), fail);
      break;
    case 'stats': {
      const { rss, heapUsed } = process.memoryUsage();
      const { user, system } = process.cpuUsage();
      reply({ type: 'stats', rss, heapUsed, cpuMicros: user + system });
      break;
    }
    case 'close':
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
      break;
    default:
      fail(new Error(`unknown message ${JSON.stringify(message)}`));
  }
});

// If the orchestrator dies, do not linger holding a port or a Redis connection.
process.on('disconnect', () => {
  closeOnce().finally(() => process.exit(0));
});
