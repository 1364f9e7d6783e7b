/**
 * Standard Webhooks and Ed25519 signing keys over gRPC (issue #14): GenerateKey with a scheme and an
 * algorithm, Sign and VerifySignature with SIGNING_SCHEME_STANDARD_WEBHOOKS; the same answers as HTTP.
 * The HMAC signatures are checked with the standardwebhooks npm package, the Ed25519 ones with node:crypto.
 */
import { createPublicKey, verify as edVerify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startTestApp, uniqueAccount, type TestApp } from '../support';
import { actorMetadata, failure, GrpcClients, Status } from './grpc-client';

describe('Standard Webhooks over gRPC', () => {
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

  async function generate(request: Record<string, unknown>) {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct });
    const answer = await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_SIGNING', ...request }, md);
    return { acct, md, answer };
  }
  const SW = 'SIGNING_SCHEME_STANDARD_WEBHOOKS';

  it('an HMAC key: whsec_ secret, scheme in the view, Sign with webhook_id, VerifySignature VALID', async () => {
    const { acct, answer } = await generate({ scheme: SW });
    expect(answer.secret).toMatch(/^whsec_/);
    expect(answer.key).toMatchObject({ scheme: SW, algorithm: 'SIGNING_ALGORITHM_HMAC_SHA256' });
    const payload = Buffer.from('{"grpc":true}');
    const signed = await grpc.verify('Sign', { accountId: acct, payload, scheme: SW, webhookId: 'msg_grpc1' });
    expect(signed).toMatchObject({ webhookId: 'msg_grpc1', signatures: 1 });
    const headers = { 'webhook-id': 'msg_grpc1', 'webhook-timestamp': String(signed.timestamp), 'webhook-signature': signed.header };
    expect(() => new Webhook(answer.secret).verify(payload, headers)).not.toThrow();
    const request = { accountId: acct, payload, scheme: SW, webhookId: 'msg_grpc1', webhookTimestamp: String(signed.timestamp) };
    expect(await grpc.verify('VerifySignature', { ...request, header: signed.header })).toEqual({
      valid: true,
      code: 'SIGNATURE_CODE_VALID',
    });
    expect(await grpc.verify('VerifySignature', { ...request, webhookId: 'msg_other', header: signed.header })).toMatchObject({
      valid: false,
      code: 'SIGNATURE_CODE_NO_MATCHING_SIGNATURE',
    });
    // The default scheme has no key on this account.
    const none = await failure(grpc.verify('Sign', { accountId: acct, payload }));
    expect([none.code, none.trailers['error-code']]).toEqual([Status.FAILED_PRECONDITION, ['NO_SIGNING_KEY']]);
    const missing = await failure(grpc.verify('VerifySignature', { accountId: acct, payload, scheme: SW, header: signed.header }));
    expect([missing.code, missing.trailers['error-code']]).toEqual([Status.INVALID_ARGUMENT, ['VALIDATION_FAILED']]);
  });

  it('an ed25519 key: only the public key comes back, v1a signatures verify with it, RevealKey is FAILED_PRECONDITION', async () => {
    const { acct, md, answer } = await generate({ scheme: SW, algorithm: 'SIGNING_ALGORITHM_ED25519' });
    expect(answer.secret).toMatch(/^whpk_/);
    expect(answer.key).toMatchObject({ algorithm: 'SIGNING_ALGORITHM_ED25519', publicKey: answer.secret });
    const payload = Buffer.from('ed');
    const signed = await grpc.verify('Sign', { accountId: acct, payload, scheme: SW });
    expect(signed.header).toMatch(/^v1a,/);
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(answer.secret.slice(5), 'base64').toString('base64url') },
      format: 'jwk',
    });
    const content = Buffer.concat([Buffer.from(`${signed.webhookId}.${signed.timestamp}.`), payload]);
    expect(edVerify(null, content, key, Buffer.from(signed.header.slice(4), 'base64'))).toBe(true);
    const reveal = await failure(grpc.key('RevealKey', { accountId: acct, keyId: answer.key.id }, md));
    expect([reveal.code, reveal.trailers['error-code']]).toEqual([Status.FAILED_PRECONDITION, ['KEY_NOT_REVEALABLE']]);
  });

  it('refuses a scheme on an API key and ed25519 without the standard-webhooks scheme', async () => {
    const onApi = await failure(generate({ kind: 'KEY_KIND_API', scheme: SW }));
    expect([onApi.code, onApi.trailers['error-code']]).toEqual([Status.INVALID_ARGUMENT, ['SCHEME_NOT_APPLICABLE']]);
    const ed = await failure(generate({ algorithm: 'SIGNING_ALGORITHM_ED25519' }));
    expect([ed.code, ed.trailers['error-code']]).toEqual([Status.INVALID_ARGUMENT, ['ALGORITHM_NOT_APPLICABLE']]);
  });
});
