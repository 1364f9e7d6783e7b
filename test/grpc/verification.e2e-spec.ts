/**
 * credentials.v1.VerificationService over gRPC: VerifyKey answers with a code for any key, Sign
 * signs the exact bytes with every valid signing secret (two during a rotation's grace), and
 * VerifySignature accepts a header made with either secret alone; the same answers as over HTTP.
 */
import { randomBytes } from 'node:crypto';
import { formatKey } from '@cs/domain';
import { signPayload, verifySignatureHeader } from '@cs/signature';
import { Client, startTestApp, uniqueAccount, type TestApp } from '../support';
import { actorMetadata, failure, GrpcClients, Status } from './grpc-client';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('credentials.v1.VerificationService over gRPC', () => {
  let app: TestApp;
  let grpc: GrpcClients;
  let http: Client;

  beforeAll(async () => {
    app = await startTestApp();
    grpc = new GrpcClients(app.service.grpcUrl);
    http = Client.service(app.url);
  });
  afterAll(async () => {
    grpc?.close();
    await app?.close();
  });

  async function newKey(request: Record<string, unknown> = { kind: 'KEY_KIND_API' }) {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct });
    const answer = await grpc.key('GenerateKey', { accountId: acct, ...request }, md);
    return { acct, md, id: answer.key.id as string, secret: answer.secret as string };
  }

  describe('VerifyKey', () => {
    it('VALID with key_id, account_id, kind and expires_at; the same verdict as HTTP', async () => {
      const { acct, md, id, secret } = await newKey();
      await grpc.key('SetExpiry', { accountId: acct, keyId: id, expiresAt: '2099-01-01T00:00:00Z' }, md);
      const answer = await grpc.verify('VerifyKey', { key: secret });
      expect(answer).toEqual({
        valid: true,
        code: 'VERIFY_CODE_VALID',
        keyId: id,
        accountId: acct,
        kind: 'KEY_KIND_API',
        expiresAt: '2099-01-01T00:00:00.000Z',
        permissions: [],
        metadata: { fields: {} },
        webhookFormat: 'WEBHOOK_FORMAT_SINGLE',
      });
      const viaHttp = (await http.verify({ key: secret })).body;
      expect(viaHttp).toMatchObject({ valid: true, code: 'VALID', keyId: id, accountId: acct, kind: 'api', expiresAt: answer.expiresAt });
    });

    it('MALFORMED for garbage and a bad checksum, NOT_FOUND for a well-formed unknown key', async () => {
      const { secret } = await newKey();
      const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
      for (const key of ['garbage', 'ak_live_', flipped, 'x'.repeat(4096)]) {
        expect(await grpc.verify('VerifyKey', { key })).toMatchObject({
          valid: false,
          code: 'VERIFY_CODE_MALFORMED',
          kind: 'KEY_KIND_UNSPECIFIED',
        });
      }
    });

    it('a signing secret is NOT_FOUND as an API key, VALID when kind is KEY_KIND_SIGNING; an unknown kind is INVALID_ARGUMENT', async () => {
      const { id, secret } = await newKey({ kind: 'KEY_KIND_SIGNING' });
      expect(await grpc.verify('VerifyKey', { key: secret })).toMatchObject({ valid: false, code: 'VERIFY_CODE_NOT_FOUND' });
      expect(await grpc.verify('VerifyKey', { key: secret, kind: 'KEY_KIND_SIGNING' })).toMatchObject({
        valid: true,
        code: 'VERIFY_CODE_VALID',
        keyId: id,
        kind: 'KEY_KIND_SIGNING',
      });
      const error = await failure(grpc.verify('VerifyKey', { key: secret, kind: 7 }));
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
    });

    it('NOT_FOUND for a well-formed key that was never issued, as over HTTP', async () => {
      for (const key of [formatKey('api', 'live', randomBytes(32)), formatKey('signing', 'test', randomBytes(32))]) {
        expect(await grpc.verify('VerifyKey', { key })).toEqual({
          valid: false,
          code: 'VERIFY_CODE_NOT_FOUND',
          kind: 'KEY_KIND_UNSPECIFIED',
          // Proto3 defaults: nothing is said about a key that was not found.
          permissions: [],
          metadata: null,
          webhookFormat: 'WEBHOOK_FORMAT_UNSPECIFIED',
        });
        expect((await http.verify({ key })).body).toEqual({ valid: false, code: 'NOT_FOUND' });
      }
    });

    it('REVOKED (also from a disallowed IP), EXPIRED, IP_NOT_ALLOWED (also with no ip), IPv6 ranges', async () => {
      const restricted = await newKey({ kind: 'KEY_KIND_API', allowedIps: ['203.0.113.0/24', '2001:db8::/32'] });
      expect((await grpc.verify('VerifyKey', { key: restricted.secret, ip: '203.0.113.9' })).code).toBe('VERIFY_CODE_VALID');
      expect((await grpc.verify('VerifyKey', { key: restricted.secret, ip: '2001:db8::1' })).code).toBe('VERIFY_CODE_VALID');
      expect((await grpc.verify('VerifyKey', { key: restricted.secret, ip: '::ffff:203.0.113.9' })).code).toBe('VERIFY_CODE_VALID');
      const denied = await grpc.verify('VerifyKey', { key: restricted.secret, ip: '198.51.100.1' });
      expect(denied).toMatchObject({ valid: false, code: 'VERIFY_CODE_IP_NOT_ALLOWED', keyId: restricted.id, accountId: restricted.acct });
      expect((await grpc.verify('VerifyKey', { key: restricted.secret })).code).toBe('VERIFY_CODE_IP_NOT_ALLOWED');
      await grpc.key('RevokeKey', { accountId: restricted.acct, keyId: restricted.id }, restricted.md);
      expect((await grpc.verify('VerifyKey', { key: restricted.secret, ip: '198.51.100.1' })).code).toBe('VERIFY_CODE_REVOKED');

      const expiring = await newKey();
      await grpc.key('SetExpiry', { accountId: expiring.acct, keyId: expiring.id, expiresAt: '2020-01-01T00:00:00Z' }, expiring.md);
      expect(await grpc.verify('VerifyKey', { key: expiring.secret })).toMatchObject({
        valid: false,
        code: 'VERIFY_CODE_EXPIRED',
        expiresAt: '2020-01-01T00:00:00.000Z',
      });
    });

    it('a missing key, a key over 4096 characters, or a bad ip is INVALID_ARGUMENT', async () => {
      for (const [request, message] of [
        [{}, 'key is required'],
        [{ key: '' }, 'key is required'],
        [{ key: 'x'.repeat(4097) }, 'key must be at most 4096 characters'],
        [{ key: 'ak_live_x', ip: '' }, 'ip must be an IPv4 address (dotted decimal) or an IPv6 address'],
        [{ key: 'ak_live_x', ip: '999.1.1.1' }, 'ip must be an IPv4 address (dotted decimal) or an IPv6 address'],
      ] as const) {
        const error = await failure(grpc.verify('VerifyKey', request));
        expect([error.code, error.details]).toEqual([Status.INVALID_ARGUMENT, message]);
      }
    });
  });

  describe('Sign and VerifySignature', () => {
    it('signs the exact bytes (binary too) with the signing key; the header verifies with the secret and over HTTP', async () => {
      const { acct, id, secret } = await newKey({ kind: 'KEY_KIND_SIGNING' });
      const payload = Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x22, 0x0a]);
      const signed = await grpc.verify('Sign', { accountId: acct, payload });
      expect(signed).toMatchObject({ keyIds: [id], signatures: 1 });
      expect(signed.header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(Math.abs(signed.timestamp - nowSeconds())).toBeLessThanOrEqual(2);
      expect(signed.header).toBe(signPayload({ payload, secrets: [secret], timestamp: signed.timestamp }));
      expect(verifySignatureHeader({ payload, header: signed.header, secrets: [secret], now: nowSeconds() }).valid).toBe(true);

      expect(await grpc.verify('VerifySignature', { accountId: acct, payload, header: signed.header })).toEqual({
        valid: true,
        code: 'SIGNATURE_CODE_VALID',
      });
      const viaHttp = await http.verifySignature(acct, {
        payload: payload.toString('base64'),
        payloadEncoding: 'base64',
        header: signed.header,
      });
      expect(viaHttp.body).toEqual({ valid: true, code: 'VALID' });
      // ...and a header signed over HTTP verifies over gRPC.
      const httpSigned = await http.signRaw(acct, payload);
      expect((await grpc.verify('VerifySignature', { accountId: acct, payload, header: httpSigned.body.header })).code).toBe(
        'SIGNATURE_CODE_VALID',
      );
    });

    it('other bytes, another secret, a malformed header, a stale timestamp: valid false with the code', async () => {
      const { acct, secret } = await newKey({ kind: 'KEY_KIND_SIGNING' });
      const payload = Buffer.from('{"amount":100}');
      const { header } = await grpc.verify('Sign', { accountId: acct, payload });
      const check = (request: Record<string, unknown>) => grpc.verify('VerifySignature', { accountId: acct, payload, header, ...request });
      expect(await check({ payload: Buffer.from('{"amount":999}') })).toEqual({
        valid: false,
        code: 'SIGNATURE_CODE_NO_MATCHING_SIGNATURE',
      });
      expect((await check({ header: signPayload({ payload, secrets: ['sig_live_not-the-secret'], timestamp: nowSeconds() }) })).code).toBe(
        'SIGNATURE_CODE_NO_MATCHING_SIGNATURE',
      );
      expect((await check({ header: 'nonsense' })).code).toBe('SIGNATURE_CODE_MALFORMED_HEADER');
      const old = signPayload({ payload, secrets: [secret], timestamp: nowSeconds() - 1000 });
      expect((await check({ header: old })).code).toBe('SIGNATURE_CODE_TIMESTAMP_OUTSIDE_TOLERANCE');
      expect((await check({ header: old, toleranceSeconds: 2000 })).code).toBe('SIGNATURE_CODE_VALID');
      expect((await check({ header: old, toleranceSeconds: 0 })).code).toBe('SIGNATURE_CODE_TIMESTAMP_OUTSIDE_TOLERANCE');
    });

    it('an account without a signing key: Sign is FAILED_PRECONDITION (NO_SIGNING_KEY), VerifySignature says NO_SIGNING_KEY', async () => {
      const { acct } = await newKey({ kind: 'KEY_KIND_API' });
      const error = await failure(grpc.verify('Sign', { accountId: acct, payload: Buffer.from('x') }));
      expect(error.code).toBe(Status.FAILED_PRECONDITION);
      expect(error.trailers['error-code']).toEqual(['NO_SIGNING_KEY']);
      expect(await grpc.verify('VerifySignature', { accountId: acct, payload: Buffer.from('x'), header: 't=1,v1=00' })).toEqual({
        valid: false,
        code: 'SIGNATURE_CODE_NO_SIGNING_KEY',
      });
    });

    it('rotation: after regenerate with PT1H two v1 and either secret alone verifies; after "now" only the newest', async () => {
      const { acct, md, id, secret: first } = await newKey({ kind: 'KEY_KIND_SIGNING' });
      const payload = Buffer.from('{"event":"payment.succeeded"}');
      const second = (await grpc.key('RegenerateKey', { accountId: acct, keyId: id, oldKeyExpiresIn: 'PT1H' }, md)).secret as string;
      // The secrets as a receiver would hold them, revealed (audited) from the service.
      expect((await grpc.key('RevealKey', { accountId: acct, keyId: id, version: 'SECRET_VERSION_PREVIOUS' }, md)).secret).toBe(first);
      expect((await grpc.key('RevealKey', { accountId: acct, keyId: id, version: 'SECRET_VERSION_CURRENT' }, md)).secret).toBe(second);

      const signed = await grpc.verify('Sign', { accountId: acct, payload });
      expect(signed.signatures).toBe(2);
      expect(signed.keyIds).toEqual([id]);
      expect(signed.header.match(/v1=/g)).toHaveLength(2);
      for (const secret of [first, second]) {
        // A receiver holding only one of the secrets accepts the service's header...
        expect(verifySignatureHeader({ payload, header: signed.header, secrets: [secret], now: nowSeconds() }).valid).toBe(true);
        // ...and the service accepts a header made with either secret alone.
        const alone = signPayload({ payload, secrets: [secret], timestamp: nowSeconds() });
        expect(await grpc.verify('VerifySignature', { accountId: acct, payload, header: alone })).toEqual({
          valid: true,
          code: 'SIGNATURE_CODE_VALID',
        });
      }

      const third = (await grpc.key('RegenerateKey', { accountId: acct, keyId: id, oldKeyExpiresIn: 'now' }, md)).secret as string;
      const after = await grpc.verify('Sign', { accountId: acct, payload });
      expect(after.signatures).toBe(1);
      expect(after.header).toBe(signPayload({ payload, secrets: [third], timestamp: after.timestamp }));
      for (const [secret, code] of [
        [first, 'SIGNATURE_CODE_NO_MATCHING_SIGNATURE'],
        [second, 'SIGNATURE_CODE_NO_MATCHING_SIGNATURE'],
        [third, 'SIGNATURE_CODE_VALID'],
      ]) {
        const alone = signPayload({ payload, secrets: [secret], timestamp: nowSeconds() });
        expect((await grpc.verify('VerifySignature', { accountId: acct, payload, header: alone })).code).toBe(code);
      }
    });

    it('an empty payload is signed like any other; a revoked signing key signs nothing', async () => {
      const { acct, md, id, secret } = await newKey({ kind: 'KEY_KIND_SIGNING' });
      const signed = await grpc.verify('Sign', { accountId: acct });
      expect(signed.header).toBe(signPayload({ payload: Buffer.alloc(0), secrets: [secret], timestamp: signed.timestamp }));
      await grpc.key('RevokeKey', { accountId: acct, keyId: id }, md);
      expect((await failure(grpc.verify('Sign', { accountId: acct, payload: Buffer.from('x') }))).code).toBe(Status.FAILED_PRECONDITION);
    });

    it('missing or malformed account_id, missing header, a tolerance out of range: INVALID_ARGUMENT', async () => {
      const { acct } = await newKey({ kind: 'KEY_KIND_SIGNING' });
      const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        ['Sign', { payload: Buffer.from('x') }, /account_id must be/],
        ['Sign', { accountId: 'bad id!', payload: Buffer.from('x') }, /account_id must be/],
        ['VerifySignature', { payload: Buffer.from('x'), header: 't=1,v1=00' }, /account_id must be/],
        ['VerifySignature', { accountId: acct, payload: Buffer.from('x') }, /^header is required$/],
        [
          'VerifySignature',
          { accountId: acct, payload: Buffer.from('x'), header: 'x'.repeat(8193) },
          /header must be shorter than or equal to 8192 characters/,
        ],
        [
          'VerifySignature',
          { accountId: acct, payload: Buffer.from('x'), header: 't=1,v1=00', toleranceSeconds: -1 },
          /tolerance_seconds must not be less than 0/,
        ],
        [
          'VerifySignature',
          { accountId: acct, payload: Buffer.from('x'), header: 't=1,v1=00', toleranceSeconds: 86_401 },
          /tolerance_seconds must not be greater than 86400/,
        ],
      ];
      for (const [method, request, message] of cases) {
        const error = await failure(grpc.verify(method, request));
        expect([method, error.code]).toEqual([method, Status.INVALID_ARGUMENT]);
        expect(error.details).toMatch(message);
      }
    });
  });
});
