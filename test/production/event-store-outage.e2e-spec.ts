/**
 * The event store at the edge (the EventStoreDB double, real Redis): a store that stops answering, or
 * a key stream an operator hard-deleted, reaches callers as a deliberate answer — HTTP 503
 * STORE_UNAVAILABLE with Retry-After (gRPC UNAVAILABLE), 410 KEY_HISTORY_DELETED (gRPC NOT_FOUND) —
 * never 500 / INTERNAL, within the store bound, and the service answers again without a restart once
 * the store does.
 */
import { keyStreamId } from '@cs/domain';
import { startEsdbDouble, type EsdbDouble } from '../doubles/eventstoredb/esdb-double';
import { GrpcClients, actorMetadata, failure, Status } from '../grpc/grpc-client';
import { startTestApp, uniqueAccount, type TestApp } from '../support/app';
import { actorToken } from '../support/tokens';
import { testRedisEnv } from '../support/redis-stack';

// REDIS_URL_TEST, or REDIS_CLUSTER_NODES_TEST with E2E_REDIS=cluster (test/support/redis-stack.ts)
const redisEnv = testRedisEnv();

describe('the event store fails under a running service (EventStoreDB double, real Redis)', () => {
  let double: EsdbDouble;
  let app: TestApp;
  let grpc: GrpcClients;

  beforeAll(async () => {
    double = await startEsdbDouble();
    app = await startTestApp({
      ...redisEnv,
      REDIS_NAMESPACE: `e2e-store-${Date.now().toString(36)}`,
      KAFKA_BROKERS: '',
      EVENTSTORE_URL: double.url,
      EVENTSTORE_TIMEOUT_MS: '400',
    });
    grpc = new GrpcClients(app.service.grpcUrl);
  }, 60000);

  afterAll(async () => {
    double?.faults.clear();
    grpc?.close();
    await app?.close();
    await double?.stop();
  });

  afterEach(() => double.faults.clear());

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  };

  it('a stalled store: commands and history reads answer 503 STORE_UNAVAILABLE with Retry-After within the bound (gRPC UNAVAILABLE), then work again once it answers', async () => {
    const account = uniqueAccount();
    const owner = await actorToken({ acct: account, roles: ['owner'] });
    const made = await call('POST', `/v1/accounts/${account}/keys`, owner, { kind: 'api', name: 'before' });
    expect(made.status).toBe(201);

    double.faults.stall();
    const started = Date.now();
    const refused = await call('POST', `/v1/accounts/${account}/keys`, owner, { kind: 'api', name: 'during' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const history = await call('GET', `/v1/accounts/${account}/keys/${made.body.key.id}/history`, owner);
    expect([history.status, history.body.code]).toEqual([503, 'STORE_UNAVAILABLE']);

    const md = await actorMetadata({ acct: account, roles: ['owner'] });
    const overGrpc = await failure(grpc.key('RevokeKey', { accountId: account, keyId: made.body.key.id }, md));
    expect(overGrpc.code).toBe(Status.UNAVAILABLE);
    expect(overGrpc.trailers['error-code']).toEqual(['STORE_UNAVAILABLE']);

    double.faults.release().clear();
    const after = await call('POST', `/v1/accounts/${account}/keys`, owner, { kind: 'api', name: 'after' });
    expect(after.status).toBe(201);
    // The refused command left nothing behind: the account holds the two keys that were answered 201.
    const listed = await call('GET', `/v1/accounts/${account}/keys`, owner);
    expect(listed.status).toBe(200);
    expect((listed.body.keys as { name: string }[]).map((k) => k.name).sort()).toEqual(['after', 'before']);
  });

  it('a key stream hard-deleted by an operator: 410 KEY_HISTORY_DELETED over HTTP, NOT_FOUND with the same code over gRPC', async () => {
    const account = uniqueAccount();
    const owner = await actorToken({ acct: account, roles: ['owner'] });
    const made = await call('POST', `/v1/accounts/${account}/keys`, owner, { kind: 'api', name: 'tombstoned' });
    expect(made.status).toBe(201);
    double.log.tombstone(keyStreamId(made.body.key.id), { kind: 'any' });

    const revoked = await call('DELETE', `/v1/accounts/${account}/keys/${made.body.key.id}`, owner);
    expect([revoked.status, revoked.body.code]).toEqual([410, 'KEY_HISTORY_DELETED']);
    expect(JSON.stringify(revoked.body)).not.toContain(made.body.secret);
    const history = await call('GET', `/v1/accounts/${account}/keys/${made.body.key.id}/history`, owner);
    expect([history.status, history.body.code]).toEqual([410, 'KEY_HISTORY_DELETED']);

    const md = await actorMetadata({ acct: account, roles: ['owner'] });
    const overGrpc = await failure(grpc.key('GetKeyHistory', { accountId: account, keyId: made.body.key.id }, md));
    expect(overGrpc.code).toBe(Status.NOT_FOUND);
    expect(overGrpc.trailers['error-code']).toEqual(['KEY_HISTORY_DELETED']);
  });
});
