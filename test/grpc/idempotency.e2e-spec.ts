/** GenerateKey and RegenerateKey with `idempotency-key` metadata: the JSON API's Idempotency-Key over gRPC. */
import { randomUUID } from 'node:crypto';
import { Client, startTestApp, uniqueAccount, type TestApp } from '../support';
import { actorMetadata, failure, GrpcClients, Status } from './grpc-client';

describe('idempotency-key over gRPC', () => {
  let app: TestApp;
  let grpc: GrpcClients;
  beforeAll(async () => {
    app = await startTestApp();
    grpc = new GrpcClients(app.service.grpcUrl);
  });
  afterAll(async () => {
    grpc?.close();
    await app?.close();
  });

  const history = async (acct: string, md: Record<string, string>): Promise<string[]> =>
    (await grpc.key('GetAccountHistory', { accountId: acct }, md)).events.map((e: { type: string }) => e.type);

  it('a repeated GenerateKey answers the same key and secret and records one KeyGenerated', async () => {
    const acct = uniqueAccount();
    const md = { ...(await actorMetadata({ acct, sub: 'user_grpc_idem' })), 'idempotency-key': randomUUID() };
    const request = { accountId: acct, kind: 'KEY_KIND_API', name: 'Checkout' };
    const first = await grpc.key('GenerateKey', request, md);
    const again = await grpc.key('GenerateKey', request, md);
    expect(again).toEqual(first);
    expect(again.secret).toBe(first.secret);
    expect((await grpc.key('ListKeys', { accountId: acct }, md)).keys).toHaveLength(1);
    expect((await history(acct, md)).filter((t) => t === 'KeyGenerated')).toHaveLength(1);
  });

  it('the same key with another request is FAILED_PRECONDITION, error-code IDEMPOTENCY_KEY_REUSED', async () => {
    const acct = uniqueAccount();
    const md = { ...(await actorMetadata({ acct, sub: 'user_grpc_idem' })), 'idempotency-key': randomUUID() };
    await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API' }, md);
    const error = await failure(grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_SIGNING' }, md));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.trailers['error-code']).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect((await grpc.key('ListKeys', { accountId: acct }, md)).keys).toHaveLength(1);
  });

  it('a repeated RegenerateKey rotates once and answers the same new secret', async () => {
    const acct = uniqueAccount();
    const plain = await actorMetadata({ acct, sub: 'user_grpc_idem' });
    const made = await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API' }, plain);
    const md = { ...plain, 'idempotency-key': randomUUID() };
    const request = { accountId: acct, keyId: made.key.id, oldKeyExpiresIn: 'PT1H' };
    const first = await grpc.key('RegenerateKey', request, md);
    const again = await grpc.key('RegenerateKey', request, md);
    expect(again.secret).toBe(first.secret);
    expect((await history(acct, plain)).filter((t) => t === 'KeyRotated')).toHaveLength(1);
  });

  it('a key used over HTTP replays over gRPC: the same request is the same on both transports', async () => {
    const acct = uniqueAccount();
    const key = randomUUID();
    const http = await Client.actor(app.url, { acct, sub: 'user_grpc_idem', roles: ['owner'] });
    const first = await http.call('POST', `/v1/accounts/${acct}/keys`, {
      json: { kind: 'api', name: 'Both' },
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(201);
    const md = { ...(await actorMetadata({ acct, sub: 'user_grpc_idem' })), 'idempotency-key': key };
    const again = await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', name: 'Both' }, md);
    expect(again.secret).toBe(first.body.secret);
    expect(again.key.id).toBe(first.body.key.id);
  });

  it('a malformed key is INVALID_ARGUMENT and records nothing', async () => {
    const acct = uniqueAccount();
    const md = { ...(await actorMetadata({ acct, sub: 'user_grpc_idem' })), 'idempotency-key': 'k'.repeat(256) };
    const error = await failure(grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API' }, md));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.trailers['error-code']).toEqual(['VALIDATION_FAILED']);
    expect(error.details).toContain('idempotency-key');
    expect((await grpc.key('ListKeys', { accountId: acct }, md)).keys).toHaveLength(0);
  });
});
