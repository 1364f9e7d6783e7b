/**
 * Index trust on the production adapters (SQLite or the EventStoreDB double, real Redis): when the
 * shared validity index is emptied under a running service (FLUSHALL, a restart without data), the
 * service gives no verdict and no key list from it — HTTP 503 INDEX_UNAVAILABLE with Retry-After, gRPC
 * UNAVAILABLE with the same code in the `error-code` trailer, /health/ready and gRPC health not ready —
 * rebuilds it from the event store by itself, and answers correctly again without a restart.
 * (test/faults covers stalls, kills and restarts of a private Redis process.)
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@cs/validity';
import { startEsdbDouble, type EsdbDouble } from '../doubles/eventstoredb/esdb-double';
import { GrpcClients, failure, Status } from '../grpc/grpc-client';
import { eventually, startTestApp, uniqueAccount, TEST_SECRETS, type TestApp } from '../support/app';
import { actorToken } from '../support/tokens';
import { scanKeys, testKeyPrefix, testRedisClient, testRedisEnv } from '../support/redis-stack';

// REDIS_URL_TEST, or REDIS_CLUSTER_NODES_TEST with E2E_REDIS=cluster (test/support/redis-stack.ts)
const redisEnv = testRedisEnv();

describe.each(['sqlite', 'eventstoredb'] as const)('index trust with the %s store and real Redis', (storeMode) => {
  let double: EsdbDouble | null = null;
  let app: TestApp;
  let redis: RedisClient;
  let grpc: GrpcClients;
  const namespace = `e2e-trust-${randomUUID().slice(0, 8)}`;
  const prefix = testKeyPrefix(namespace); // `{namespace}` on a cluster

  beforeAll(async () => {
    const env: Record<string, string> = { ...redisEnv, REDIS_NAMESPACE: namespace, KAFKA_BROKERS: '' };
    if (storeMode === 'eventstoredb') env.EVENTSTORE_URL = process.env.EVENTSTORE_URL ?? (double = await startEsdbDouble()).url;
    app = await startTestApp(env);
    redis = testRedisClient();
    grpc = new GrpcClients(app.service.grpcUrl);
  }, 60000);

  afterAll(async () => {
    grpc?.close();
    await app?.close();
    await double?.stop();
    await redis?.quit();
  });

  const call = async (method: string, path: string, body?: unknown, token: string = TEST_SECRETS.SERVICE_TOKEN) => {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  };

  /** As FLUSHALL would, at once for readers: the generation pointer and position go first, then the rest page by page. */
  async function flushNamespace(): Promise<void> {
    await redis.del(`${prefix}:gen`, `${prefix}:cp:validity-projection`);
    const keys = await scanKeys(redis, `${prefix}:*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  }

  it('answers 503 INDEX_UNAVAILABLE (never NOT_FOUND) while the emptied index is rebuilt, then heals by itself', async () => {
    const account = uniqueAccount();
    const owner = await actorToken({ acct: account, roles: ['owner'] });
    const made = await call('POST', `/v1/accounts/${account}/keys`, { kind: 'api', name: 'trust' }, owner);
    expect(made.status).toBe(201);
    const revoked = await call('POST', `/v1/accounts/${account}/keys`, { kind: 'api', name: 'revoked' }, owner);
    expect((await call('DELETE', `/v1/accounts/${account}/keys/${revoked.body.key.id}`, undefined, owner)).status).toBeLessThan(300);
    expect((await call('POST', '/v1/verify', { key: made.body.secret })).body.code).toBe('VALID');
    expect((await call('GET', '/health/ready')).status).toBe(200);
    expect((await call('GET', '/health/live')).status).toBe(200);

    // Answers are collected from the flush on: each must be a correct verdict or 503, never another verdict.
    const seen = new Map<string, number>();
    const count = (label: string) => seen.set(label, (seen.get(label) ?? 0) + 1);
    let flushed = false;
    let stop = false;
    let unavailableChecked = false;
    const verifier = async () => {
      while (!stop) {
        const [good, bad] = await Promise.all([
          call('POST', '/v1/verify', { key: made.body.secret }),
          call('POST', '/v1/verify', { key: revoked.body.secret }),
        ]);
        for (const [label, answer, right] of [
          ['active', good, 'VALID'],
          ['revoked', bad, 'REVOKED'],
        ] as const) {
          if (answer.status === 503) {
            expect(answer.body.code).toBe('INDEX_UNAVAILABLE');
            expect(answer.headers.get('retry-after')).toBe('1');
            expect(answer.headers.get('content-type')).toContain('application/problem+json');
            count(`${label}:503`);
            unavailableChecked = true;
          } else {
            expect(answer.status).toBe(200);
            if (flushed) expect(`${label}:${answer.body.code}`).toBe(`${label}:${right}`);
            count(`${label}:${answer.body.code}`);
          }
        }
      }
    };
    const verifiers = Array.from({ length: 8 }, verifier);
    const started = Date.now();
    await flushNamespace();
    flushed = true;
    // Every process notices at its next read; the one that runs the workers rebuilds.
    await eventually(async () => unavailableChecked, 5000, 5);
    const ready = await call('GET', '/health/ready');
    if (ready.status === 503) {
      expect(ready.body.code).toBe('NOT_READY');
      expect(ready.body.detail).toMatch(/validity index/);
      expect(ready.body.details.credentials.index.trusted).toBe(false);
    }
    await eventually(async () => (await call('GET', '/health/ready')).status === 200, 15000, 20);
    const healedMs = Date.now() - started;
    await eventually(async () => (await call('POST', '/v1/verify', { key: made.body.secret })).body.code === 'VALID', 5000, 20);
    stop = true;
    await Promise.all(verifiers);
    console.log(
      `[trust] ${storeMode}: emptied index rebuilt and trusted again in ${healedMs} ms; answers ${JSON.stringify(Object.fromEntries(seen))}`,
    );
    expect(seen.get('revoked:VALID')).toBeUndefined();
    expect(seen.get('active:NOT_FOUND')).toBeUndefined();
    const list = await call('GET', `/v1/accounts/${account}/keys`, undefined, owner);
    expect(list.status).toBe(200);
    expect(list.body.keys.map((k: { id: string }) => k.id).sort()).toEqual([made.body.key.id, revoked.body.key.id].sort());
    const health = await call('GET', '/health/ready');
    expect(health.body.details.credentials.index).toMatchObject({ trusted: true, state: 'trusted', lag: '0' });
    expect(health.body.details.credentials.index.rebuilds).toBeGreaterThanOrEqual(1);
  });

  it('over gRPC: UNAVAILABLE with error-code INDEX_UNAVAILABLE while untrusted, and health NOT_SERVING', async () => {
    const account = uniqueAccount();
    const owner = await actorToken({ acct: account, roles: ['owner'] });
    const made = await call('POST', `/v1/accounts/${account}/keys`, { kind: 'api', name: 'grpc' }, owner);
    // Hold the index untrusted: position far behind what this process must see (as after an append
    // whose inline write failed), with nothing that would ever bring it there.
    app.service.infra.index.trust.requirePosition(2n ** 62n);
    const error = await failure(grpc.verify('VerifyKey', { key: made.body.secret }));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.trailers['error-code']).toEqual(['INDEX_UNAVAILABLE']);
    expect(await grpc.unary(grpc.health, 'Check', { service: '' })).toEqual({ status: 'NOT_SERVING' });
    const http = await call('GET', `/v1/accounts/${account}/keys`, undefined, owner);
    expect(http.status).toBe(503);
    expect(http.body.code).toBe('INDEX_UNAVAILABLE');
    expect((await call('GET', '/health/ready')).status).toBe(503);
    expect((await call('GET', '/health/live')).status).toBe(200);
  });
});
