/**
 * Who may call what over gRPC, with the same rules as over HTTP: the actor JWT in `authorization`
 * metadata (missing, forged, expired, unsigned → UNAUTHENTICATED), roles (PERMISSION_DENIED),
 * tenancy (another account's key is NOT_FOUND, as if it did not exist), step-up (UNAUTHENTICATED
 * naming insufficient_user_authentication and max_age, with a www-authenticate trailer), and the
 * service token on the internal calls.
 */
import {
  actorToken,
  randomKeyId,
  startTestApp,
  STEP_UP_MAX_AGE_SECONDS,
  TEST_SECRETS,
  uniqueAccount,
  unsignedToken,
  type TestApp,
} from '../support';
import { actorMetadata, bearerMetadata, failure, GrpcClients, Status } from './grpc-client';

type Call = { method: string; stepUp: boolean; request: (acct: string, keyId: string) => Record<string, unknown> };

/** Every KeyService call with a valid request for a key of `acct`. */
const CALLS: Call[] = [
  { method: 'GenerateKey', stepUp: true, request: (accountId) => ({ accountId, kind: 'KEY_KIND_API' }) },
  { method: 'ListKeys', stepUp: false, request: (accountId) => ({ accountId }) },
  { method: 'GetKey', stepUp: false, request: (accountId, keyId) => ({ accountId, keyId }) },
  { method: 'RegenerateKey', stepUp: true, request: (accountId, keyId) => ({ accountId, keyId, oldKeyExpiresIn: 'PT1H' }) },
  { method: 'SetExpiry', stepUp: true, request: (accountId, keyId) => ({ accountId, keyId, expiresAt: '2099-01-01T00:00:00Z' }) },
  { method: 'RevealKey', stepUp: true, request: (accountId, keyId) => ({ accountId, keyId }) },
  { method: 'UpdateKey', stepUp: false, request: (accountId, keyId) => ({ accountId, keyId, name: 'renamed' }) },
  { method: 'RevokeKey', stepUp: true, request: (accountId, keyId) => ({ accountId, keyId }) },
  { method: 'GetKeyHistory', stepUp: false, request: (accountId, keyId) => ({ accountId, keyId }) },
  { method: 'GetKeyValidityAt', stepUp: false, request: (accountId, keyId) => ({ accountId, keyId, at: new Date().toISOString() }) },
  { method: 'GetAccountHistory', stepUp: false, request: (accountId) => ({ accountId }) },
];

/** The audit reads, which the auditor role may make too. */
const AUDIT_READS = new Set(['GetKeyHistory', 'GetKeyValidityAt', 'GetAccountHistory']);

describe('gRPC security', () => {
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

  async function ownedKey(kind = 'KEY_KIND_API') {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct });
    const answer = await grpc.key('GenerateKey', { accountId: acct, kind }, md);
    return { acct, md, id: answer.key.id as string, secret: answer.secret as string };
  }

  describe('actor credentials', () => {
    it.each(CALLS.map((c) => [c.method, c] as const))('%s without authorization metadata is UNAUTHENTICATED', async (_name, call) => {
      const { acct, id } = await ownedKey();
      const error = await failure(grpc.key(call.method, call.request(acct, id)));
      expect(error.code).toBe(Status.UNAUTHENTICATED);
      expect(error.details).toMatch(/authorization: Bearer <JWT>/);
      expect(error.trailers['www-authenticate']?.[0]).toMatch(/^Bearer error="invalid_token"/);
    });

    it('forged, expired, unsigned, tampered and claim-less tokens, and the service token, are UNAUTHENTICATED', async () => {
      const { acct, id, secret } = await ownedKey();
      const good = await actorToken({ acct });
      const [h, , s] = good.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'x', acct: 'other', roles: ['owner'], auth_time: 0, exp: 9_999_999_999 })).toString('base64url')}.${s}`;
      const tokens: Array<[string, string]> = [
        ['forged', await actorToken({ acct, secret: 'another-secret-that-is-long-enough-0123456789' })],
        ['expired', await actorToken({ acct, ttl: -60 })],
        ['unsigned', unsignedToken(acct)],
        ['tampered', tampered],
        ['no acct', await actorToken({ acct, omit: ['acct'] })],
        ['no auth_time', await actorToken({ acct, omit: ['auth_time'] })],
        ['garbage', 'not-a-jwt'],
        ['service token', TEST_SECRETS.SERVICE_TOKEN],
        ['an API key', secret],
      ];
      for (const [label, token] of tokens) {
        const error = await failure(grpc.key('GetKey', { accountId: acct, keyId: id }, bearerMetadata(token)));
        expect([label, error.code]).toEqual([label, Status.UNAUTHENTICATED]);
      }
      // Not a Bearer credential (HTTP/2 itself allows only one authorization value).
      expect((await failure(grpc.key('ListKeys', { accountId: acct }, { authorization: good }))).code).toBe(Status.UNAUTHENTICATED);
      expect((await failure(grpc.key('ListKeys', { accountId: acct }, { authorization: `Basic ${good}` }))).code).toBe(
        Status.UNAUTHENTICATED,
      );
      // The right token is accepted with any case of "Bearer".
      expect((await grpc.key('ListKeys', { accountId: acct }, { authorization: `bearer ${good}` })).keys).toHaveLength(1);
    });
  });

  describe('roles', () => {
    it.each(CALLS.map((c) => [c.method, c] as const))(
      '%s: a role that may not manage keys is PERMISSION_DENIED (auditor may read history and validity)',
      async (_name, call) => {
        const { acct, id } = await ownedKey();
        for (const roles of [['viewer'], [], ['auditor']]) {
          const md = await actorMetadata({ acct, roles });
          if (AUDIT_READS.has(call.method) && roles.includes('auditor')) {
            const answer = await grpc.key(call.method, call.request(acct, id), md);
            if (call.method === 'GetKeyValidityAt') expect(answer).toMatchObject({ keyId: id, status: 'KEY_STATUS_ACTIVE' });
            else expect(answer.events.length).toBeGreaterThan(0);
            continue;
          }
          const error = await failure(grpc.key(call.method, call.request(acct, id), md));
          expect(error.code).toBe(Status.PERMISSION_DENIED);
          expect(error.trailers['error-code']).toEqual(['FORBIDDEN']);
        }
      },
    );

    it('admin and developer manage keys; one managing role among others is enough', async () => {
      const { acct, id } = await ownedKey();
      for (const roles of [['admin'], ['developer'], ['auditor', 'developer']]) {
        const md = await actorMetadata({ acct, roles });
        expect((await grpc.key('GetKey', { accountId: acct, keyId: id }, md)).id).toBe(id);
      }
    });
  });

  describe('tenancy', () => {
    it.each(CALLS.map((c) => [c.method, c] as const))(
      "%s on another account's key is NOT_FOUND, the same answer as for a random id",
      async (_name, call) => {
        const { acct, id, secret } = await ownedKey();
        const intruder = await actorMetadata({ acct: uniqueAccount('intruder'), roles: ['owner'] });
        const real = await failure(grpc.key(call.method, call.request(acct, id), intruder));
        const random = await failure(grpc.key(call.method, call.request(acct, randomKeyId()), intruder));
        expect(real.code).toBe(Status.NOT_FOUND);
        expect({ code: random.code, details: random.details }).toEqual({ code: real.code, details: real.details });
        // ...and nothing changed.
        expect((await grpc.verify('VerifyKey', { key: secret })).code).toBe('VERIFY_CODE_VALID');
      },
    );
  });

  describe('step-up', () => {
    it.each(CALLS.map((c) => [c.method, c] as const))('%s with a stale auth_time', async (_name, call) => {
      const { acct, id } = await ownedKey();
      const stale = await actorMetadata({ acct, authAge: STEP_UP_MAX_AGE_SECONDS + 30 });
      if (!call.stepUp) {
        await expect(grpc.key(call.method, call.request(acct, id), stale)).resolves.toBeDefined();
        return;
      }
      const error = await failure(grpc.key(call.method, call.request(acct, id), stale));
      expect(error.code).toBe(Status.UNAUTHENTICATED);
      expect(error.details).toContain('insufficient_user_authentication');
      expect(error.details).toContain(`max_age=${STEP_UP_MAX_AGE_SECONDS}`);
      expect(error.trailers['error-code']).toEqual(['STEP_UP_REQUIRED']);
      expect(error.trailers['www-authenticate']?.[0]).toMatch(
        new RegExp(`^Bearer error="insufficient_user_authentication".*max_age=${STEP_UP_MAX_AGE_SECONDS}$`),
      );
    });

    it('an auth_time just within the window is accepted; step-up is checked after tenancy and role', async () => {
      const { acct, id } = await ownedKey();
      const recent = await actorMetadata({ acct, authAge: STEP_UP_MAX_AGE_SECONDS - 20 });
      expect((await grpc.key('RevealKey', { accountId: acct, keyId: id }, recent)).secret).toBeTruthy();
      const staleIntruder = await actorMetadata({ acct: uniqueAccount('intruder'), authAge: 10_000 });
      expect((await failure(grpc.key('RevealKey', { accountId: acct, keyId: id }, staleIntruder))).code).toBe(Status.NOT_FOUND);
      const staleAuditor = await actorMetadata({ acct, roles: ['auditor'], authAge: 10_000 });
      expect((await failure(grpc.key('RevealKey', { accountId: acct, keyId: id }, staleAuditor))).code).toBe(Status.PERMISSION_DENIED);
    });
  });

  describe('the service token on VerificationService', () => {
    const calls: Array<[string, (acct: string, secret: string) => Record<string, unknown>]> = [
      ['VerifyKey', (_acct, key) => ({ key })],
      ['Sign', (accountId) => ({ accountId, payload: Buffer.from('{}') })],
      ['VerifySignature', (accountId) => ({ accountId, payload: Buffer.from('{}'), header: 't=1,v1=00' })],
    ];

    it.each(calls)('%s without it, with a wrong one, or with an actor JWT is UNAUTHENTICATED', async (method, request) => {
      const { acct, secret } = await ownedKey('KEY_KIND_SIGNING');
      const jwt = await actorToken({ acct });
      for (const auth of [
        {},
        bearerMetadata('wrong-service-token-0123456789abcdef'),
        bearerMetadata(jwt),
        { authorization: TEST_SECRETS.SERVICE_TOKEN },
      ]) {
        const error = await failure(grpc.verify(method, request(acct, secret), auth));
        expect(error.code).toBe(Status.UNAUTHENTICATED);
        expect(error.details).toMatch(/SERVICE_TOKEN/);
      }
      await expect(grpc.verify(method, request(acct, secret))).resolves.toBeDefined();
    });
  });

  it('no answer or log line carries a secret it should not', async () => {
    const { acct, md, id, secret } = await ownedKey();
    await grpc.key('GetKeyHistory', { accountId: acct, keyId: id }, md);
    await grpc.verify('VerifyKey', { key: secret });
    await failure(grpc.key('GetKey', { accountId: acct, keyId: 'bad' }, md));
    expect(app.logger.text()).not.toContain(secret);
  });
});
