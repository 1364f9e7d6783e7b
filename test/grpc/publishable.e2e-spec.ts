/**
 * Publishable keys over gRPC: the same rules and answers as the JSON API (test/http/publishable.e2e-spec.ts).
 * An update's origins travel as an OriginList, so that "absent" (unchanged) and "empty" (refused) differ.
 */
import { startTestApp, uniqueAccount, type TestApp } from '../support';
import { actorMetadata, failure, GrpcClients, Status } from './grpc-client';

describe('publishable keys over gRPC', () => {
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

  it('generates a pk_ key shown in full, verifies it from its origins only, and updates them', async () => {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct });
    const answer = await grpc.key(
      'GenerateKey',
      { accountId: acct, kind: 'KEY_KIND_PUBLISHABLE', allowedOrigins: ['https://shop.example'] },
      md,
    );
    const key = answer.secret as string;
    expect(key).toMatch(/^pk_live_/);
    expect(answer.key).toMatchObject({
      kind: 'KEY_KIND_PUBLISHABLE',
      publishableKey: key,
      allowedOrigins: ['https://shop.example'],
      permissions: ['checkout:read', 'payment-links:read', 'products:read', 'prices:read'],
    });

    const verify = (request: Record<string, unknown>) => grpc.verify('VerifyKey', { key, kind: 'KEY_KIND_PUBLISHABLE', ...request });
    expect(await verify({ origin: 'https://shop.example' })).toMatchObject({ valid: true, code: 'VERIFY_CODE_VALID' });
    expect(await verify({ origin: 'https://evil.example' })).toMatchObject({ valid: false, code: 'VERIFY_CODE_ORIGIN_NOT_ALLOWED' });
    expect(await grpc.verify('VerifyKey', { key, origin: 'https://shop.example' })).toMatchObject({ code: 'VERIFY_CODE_NOT_FOUND' });

    const id = answer.key.id as string;
    const updated = await grpc.key(
      'UpdateKey',
      { accountId: acct, keyId: id, allowedOrigins: { origins: ['https://eu.shop.example'] } },
      md,
    );
    expect(updated.allowedOrigins).toEqual(['https://eu.shop.example']);
    expect(await verify({ origin: 'https://eu.shop.example' })).toMatchObject({ code: 'VERIFY_CODE_VALID' });
    const emptied = await failure(grpc.key('UpdateKey', { accountId: acct, keyId: id, allowedOrigins: { origins: [] } }, md));
    expect(emptied.code).toBe(Status.INVALID_ARGUMENT);
    expect(emptied.trailers['error-code']).toEqual(['INVALID_ALLOWED_ORIGINS']);
  });

  it('refuses origins on an API key', async () => {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct });
    const refused = await failure(
      grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', allowedOrigins: ['https://shop.example'] }, md),
    );
    expect(refused.code).toBe(Status.INVALID_ARGUMENT);
    expect(refused.trailers['error-code']).toEqual(['ORIGINS_NOT_APPLICABLE']);
  });
});
