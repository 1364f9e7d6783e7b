/**
 * Key usage over gRPC (KeyService GetKeyUsage, ListUnusedKeys, GetKey's last_used_at): the same
 * counts, checks and errors as the JSON API (test/http/usage.e2e-spec.ts), verified through VerifyKey.
 */
import { DAY_MS, emptyRefused, epochDay } from '@cs/validity';
import { randomKeyId, startTestApp, uniqueAccount, type TestApp } from '../support';
import { actorMetadata, failure, GrpcClients, Status } from './grpc-client';

type Generated = { key: { id: string }; secret: string };
const today = (): string => new Date().toISOString().slice(0, 10);

describe('key usage over gRPC', () => {
  let app: TestApp;
  let grpc: GrpcClients;

  beforeAll(async () => {
    app = await startTestApp({ USAGE_FLUSH_MS: '600000' });
    grpc = new GrpcClients(app.service.grpcUrl);
  });
  afterAll(async () => {
    grpc?.close();
    await app?.close();
  });

  const flush = async (): Promise<void> => {
    expect(await app.service.infra.usage?.flusher.flush()).toBe(true);
  };

  async function account() {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct, roles: ['developer'] });
    const generate = async (request: Record<string, unknown> = {}) =>
      grpc.key<Generated>('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', ...request }, md);
    return { acct, md, generate };
  }

  it('counts VerifyKey answers per day, valid and refused by code; GetKey carries last_used_at once flushed', async () => {
    const { acct, md, generate } = await account();
    const used = await generate({ allowedIps: ['10.0.0.0/8'] });
    const unused = await generate();
    for (let i = 0; i < 2; i++)
      expect((await grpc.verify('VerifyKey', { key: used.secret, ip: '10.0.0.1' })).code).toBe('VERIFY_CODE_VALID');
    expect((await grpc.verify('VerifyKey', { key: used.secret, ip: '203.0.113.9' })).code).toBe('VERIFY_CODE_IP_NOT_ALLOWED');
    await flush();

    const view = await grpc.key('GetKey', { accountId: acct, keyId: used.key.id }, md);
    expect(Date.parse(view.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await grpc.key('GetKey', { accountId: acct, keyId: unused.key.id }, md)).lastUsedAt).toBeUndefined();

    const usage = await grpc.key('GetKeyUsage', { accountId: acct, keyId: used.key.id, from: today() }, md);
    expect(usage).toMatchObject({
      keyId: used.key.id,
      from: today(),
      to: today(),
      lastUsedAt: view.lastUsedAt,
      total: { valid: 2, refused: 1 },
    });
    expect(usage.days).toEqual([
      {
        day: today(),
        valid: 2,
        refused: 1,
        refusedRevoked: 0,
        refusedExpired: 0,
        refusedIpNotAllowed: 1,
        refusedSuspended: 0,
        refusedOriginNotAllowed: 0,
        refusedInsufficientPermissions: 0,
      },
    ]);
  });

  it('lists the unused keys, not a used one', async () => {
    const { acct, md, generate } = await account();
    const used = await generate({ name: 'used' });
    const stale = await generate({ name: 'stale' });
    await grpc.verify('VerifyKey', { key: used.secret });
    await flush();
    const longAgo = Date.now() - 40 * DAY_MS;
    await app.service.infra.usage?.store.apply([
      { keyId: stale.key.id, day: epochDay(longAgo), valid: 3, refused: emptyRefused(), lastUsedAt: longAgo },
    ]);
    const report = await grpc.key('ListUnusedKeys', { accountId: acct, unusedForDays: 30 }, md);
    expect(report.unusedForDays).toBe(30);
    expect(report.keys).toEqual([
      expect.objectContaining({
        keyId: stale.key.id,
        name: 'stale',
        kind: 'KEY_KIND_API',
        status: 'KEY_STATUS_ACTIVE',
        lastUsedAt: new Date(longAgo).toISOString(),
      }),
    ]);
    expect((await grpc.key('ListUnusedKeys', { accountId: acct }, md)).unusedForDays).toBe(90);
  });

  it('answers NOT_FOUND for an unknown key, INVALID_ARGUMENT for a bad range, UNAVAILABLE USAGE_UNAVAILABLE when usage cannot be read', async () => {
    const { acct, md, generate } = await account();
    const key = await generate();
    expect((await failure(grpc.key('GetKeyUsage', { accountId: acct, keyId: randomKeyId() }, md))).code).toBe(Status.NOT_FOUND);
    const bad = await failure(grpc.key('GetKeyUsage', { accountId: acct, keyId: key.key.id, from: '2026-02-30' }, md));
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    expect((await failure(grpc.key('ListUnusedKeys', { accountId: acct, unusedForDays: 5000 }, md))).code).toBe(Status.INVALID_ARGUMENT);
    const store = app.service.infra.usage?.store;
    if (!store) throw new Error('usage is on by default');
    const spy = jest.spyOn(store, 'daily').mockRejectedValue(new Error('connection refused'));
    try {
      const down = await failure(grpc.key('GetKeyUsage', { accountId: acct, keyId: key.key.id }, md));
      expect(down.code).toBe(Status.UNAVAILABLE);
      expect(down.trailers['error-code']).toEqual(['USAGE_UNAVAILABLE']);
    } finally {
      spy.mockRestore();
    }
  });
});
