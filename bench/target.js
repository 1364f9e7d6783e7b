'use strict';
/**
 * One server under load, run as a child of verify.bench.js (forked with an IPC channel) so that the
 * load generator and the server never share an event loop. Roles:
 *
 *   baseline          bare Fastify + ioredis: POST /verify parses {key}, sha256, one GET, JSON answer; and beside
 *                     it a bare @grpc/grpc-js server with credentials.v1.VerificationService/VerifyKey (the
 *                     project's .proto, the service's proto-loader options) doing the same: sha256, one GET
 *   service-redis     the credential service as deployed for reads: SQLite event store + Redis index
 *   service-embedded  the credential service embedded: SQLite event store + in-process memory index
 *
 * Protocol (process.send / 'message'):
 *   parent -> { type: 'start', role, config }      child -> { type: 'ready', url, grpc } | { type: 'failed', error }
 *   parent -> { type: 'seed', keys: [[key, keyId]] } child -> { type: 'seeded' }   (baseline only)
 *   parent -> { type: 'stats' }                    child -> { type: 'stats', rss, heapUsed, cpuMicros }
 *   parent -> { type: 'close' }                    child -> { type: 'closed' } then exits
 */
const { createHash } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { serveOrchestrator } = require('./common');

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
  const grpc = await startBaselineGrpc(redis, prefix);
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
    await new Promise((resolve) => grpc.server.tryShutdown(resolve));
    await redis.quit();
  };
  return { url: `http://127.0.0.1:${app.server.address().port}`, grpc: grpc.address };
}

/** credentials.v1.VerificationService/VerifyKey, bare: the same work as POST /verify above. */
async function startBaselineGrpc(redis, prefix) {
  const grpc = require('@grpc/grpc-js');
  const protoLoader = require('@grpc/proto-loader');
  const contracts = require(join(DIST, 'libs/contracts/src/index.js'));
  const definition = protoLoader.loadSync(contracts.CREDENTIALS_PROTO_FILES, contracts.PROTO_LOADER_OPTIONS);
  const { VerificationService } = grpc.loadPackageDefinition(definition).credentials.v1;
  const unimplemented = (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: 'not in the baseline' });
  const server = new grpc.Server();
  // Server reflection, as the service has (grpc-server.ts): ghz reads the API from it (its .proto parser
  // rejects proto3 `optional`). Not on the path of a VerifyKey call.
  const { ReflectionService } = require('@grpc/reflection');
  const { withFileDependencies } = require(join(DIST, 'apps/credential-service/src/grpc/reflection.js'));
  const reflected = withFileDependencies(
    protoLoader.loadSync(contracts.CREDENTIALS_PROTO_FILES, { ...contracts.PROTO_LOADER_OPTIONS, keepCase: true }),
  );
  new ReflectionService(reflected).addToServer(server);
  server.addService(VerificationService.service, {
    VerifyKey(call, callback) {
      const key = call.request.key;
      if (typeof key !== 'string' || key === '') return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'key is required' });
      redis.get(prefix + createHash('sha256').update(key, 'utf8').digest('hex')).then(
        (json) => {
          if (json === null) return callback(null, { valid: false, code: 'VERIFY_CODE_NOT_FOUND', kind: 'KEY_KIND_UNSPECIFIED' });
          const entry = JSON.parse(json);
          callback(null, { valid: true, code: 'VERIFY_CODE_VALID', keyId: entry.keyId, accountId: entry.accountId, kind: 'KEY_KIND_API' });
        },
        (error) => callback({ code: grpc.status.UNAVAILABLE, details: error.message }),
      );
    },
    Sign: unimplemented,
    VerifySignature: unimplemented,
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, address: `127.0.0.1:${port}` };
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
    // Key usage counting as bench/verify.bench.js says (BENCH_USAGE; on is the service's default).
    USAGE: process.env.BENCH_USAGE || 'on',
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
  return { url: service.url, grpc: service.grpcUrl };
}

serveOrchestrator({
  role: process.argv[2],
  handlers: {
    start: async (message) => {
      const started =
        message.role === 'baseline' ? startBaseline(message.config) : startService(message.config, message.role === 'service-redis');
      const { url, grpc } = await started;
      return { type: 'ready', url, grpc };
    },
    seed: async (message) => {
      await seedTarget(message.keys);
      return { type: 'seeded' };
    },
  },
  close: () => closeTarget(),
});
