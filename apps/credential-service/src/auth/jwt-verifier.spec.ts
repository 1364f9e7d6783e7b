/**
 * JwtVerifier: HS256 with AUTH_JWT_SECRET, or RS256/ES256 from a JWKS; every claim the service
 * relies on is checked for shape, so a token lacking one is refused rather than half-used.
 */
import { KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type GenerateKeyPairResult, type JWTPayload } from 'jose';
import { InvalidTokenError, JwtVerifier } from './jwt-verifier';

type VerifierConfig = ConstructorParameters<typeof JwtVerifier>[0];
const SECRET = 'unit-jwt-secret-0123456789-abcdefghijklmnop';
const now = (): number => Math.floor(Date.now() / 1000);

function hsVerifier(auth: Partial<VerifierConfig['auth']> = {}): JwtVerifier {
  return new JwtVerifier({
    auth: { jwtSecret: Buffer.from(SECRET, 'utf8'), jwksUrl: null, issuer: null, audience: null, ...auth },
  } as VerifierConfig);
}

const claims = (overrides: Record<string, unknown> = {}): JWTPayload => ({
  sub: 'user_1',
  acct: 'acct_1',
  roles: ['owner'],
  auth_time: now(),
  iat: now(),
  exp: now() + 600,
  ...overrides,
});

/** Signs `payload` as given (claims set to undefined are left out). */
async function hs256(payload: Record<string, unknown>, secret = SECRET, alg = 'HS256'): Promise<string> {
  const body = Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined));
  return new SignJWT(body).setProtectedHeader({ alg, typ: 'JWT' }).sign(Buffer.from(secret, 'utf8'));
}

async function refusal(verifier: JwtVerifier, token: string): Promise<string> {
  const error = await verifier.verify(token).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  return (error as Error).message;
}

describe('JwtVerifier (HS256)', () => {
  const verifier = hsVerifier();

  it('returns the actor from a valid token', async () => {
    const authTime = now() - 30;
    await expect(verifier.verify(await hs256(claims({ roles: ['admin', 'auditor'], auth_time: authTime })))).resolves.toEqual({
      sub: 'user_1',
      acct: 'acct_1',
      roles: ['admin', 'auditor'],
      authTime,
    });
  });

  it('passes an auth_time in the future through unchanged, for the step-up rule to refuse (actor.spec.ts)', async () => {
    const future = now() + 3600;
    await expect(verifier.verify(await hs256(claims({ auth_time: future })))).resolves.toMatchObject({ authTime: future });
  });

  it.each([
    ['sub', 'missing required "sub" claim'],
    ['exp', 'missing required "exp" claim'],
    ['acct', 'the token has no acct claim'],
    ['roles', 'the roles claim must be an array of strings'],
    ['auth_time', 'the token has no auth_time claim'],
  ])('refuses a token without %s', async (claim, message) => {
    expect(await refusal(verifier, await hs256(claims({ [claim]: undefined })))).toContain(message);
  });

  it.each([
    ['an empty sub', { sub: '' }, 'the token has no subject'],
    ['an empty acct', { acct: '' }, 'the token has no acct claim'],
    ['a numeric acct', { acct: 42 }, 'the token has no acct claim'],
    ['roles as a string', { roles: 'owner' }, 'the roles claim must be an array of strings'],
    ['a non-string role', { roles: ['owner', 7] }, 'the roles claim must be an array of strings'],
    ['auth_time as a string', { auth_time: String(now()) }, 'the token has no auth_time claim'],
    ['auth_time null', { auth_time: null }, 'the token has no auth_time claim'],
  ])('refuses %s', async (_label, overrides, message) => {
    expect(await refusal(verifier, await hs256(claims(overrides)))).toBe(message);
  });

  it('refuses an expired token', async () => {
    expect(await refusal(verifier, await hs256(claims({ exp: now() - 120 })))).toBe('the token has expired');
  });

  it('refuses a token not valid yet (nbf in the future)', async () => {
    expect(await refusal(verifier, await hs256(claims({ nbf: now() + 3600 })))).toMatch(/^the token's claims are not valid/);
  });

  it('refuses a token signed with another secret', async () => {
    expect(await refusal(verifier, await hs256(claims(), 'another-secret-0123456789-abcdefghijklmnop'))).toBe(
      'the token signature is not valid',
    );
  });

  it('refuses HS384/HS512 even with the right secret: HS256 only', async () => {
    expect(await refusal(verifier, await hs256(claims(), SECRET, 'HS384'))).toBe('the token uses an algorithm that is not accepted');
    expect(await refusal(verifier, await hs256(claims(), SECRET, 'HS512'))).toBe('the token uses an algorithm that is not accepted');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    expect(await refusal(verifier, `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`)).toBeTruthy();
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const [header, , signature] = (await hs256(claims())).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ acct: 'acct_2' }))).toString('base64url');
    expect(await refusal(verifier, `${header}.${forged}.${signature}`)).toBe('the token signature is not valid');
  });

  it.each(['', 'not-a-jwt', 'a.b.c', 'a.b'])('refuses garbage %j without echoing it', async (token) => {
    const message = await refusal(verifier, token);
    expect(message).toBe('the token is not a valid JWT');
  });

  describe('with AUTH_ISSUER and AUTH_AUDIENCE', () => {
    const strict = hsVerifier({ issuer: 'https://id.example', audience: 'credential-service' });

    it('accepts the configured issuer and audience', async () => {
      await expect(strict.verify(await hs256(claims({ iss: 'https://id.example', aud: 'credential-service' })))).resolves.toMatchObject({
        sub: 'user_1',
      });
    });

    it.each([
      ['another issuer', { iss: 'https://evil.example', aud: 'credential-service' }],
      ['no issuer', { aud: 'credential-service' }],
      ['another audience', { iss: 'https://id.example', aud: 'payments' }],
      ['no audience', { iss: 'https://id.example' }],
    ])('refuses %s', async (_label, extra) => {
      expect(await refusal(strict, await hs256(claims(extra)))).toMatch(/^the token's claims are not valid/);
    });
  });
});

describe('JwtVerifier (JWKS: RS256 / ES256)', () => {
  let server: Server;
  let verifier: JwtVerifier;
  let rsa: GenerateKeyPairResult;
  let ec: GenerateKeyPairResult;
  let publicPem: string;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    // jose 6 generates WebCrypto keys; KeyObject.from gives the PEM of the same key
    publicPem = KeyObject.from(rsa.publicKey).export({ type: 'spki', format: 'pem' }) as string;
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // Configuration insists on https:; the verifier itself takes any URL, so a local http JWKS serves here.
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    verifier = new JwtVerifier({ auth: { jwtSecret: null, jwksUrl: url, issuer: null, audience: null } } as unknown as VerifierConfig);
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('accepts RS256 and ES256 tokens signed by keys of the set', async () => {
    const rs = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey);
    const es = await new SignJWT(claims({ sub: 'user_2' })).setProtectedHeader({ alg: 'ES256', kid: 'ec-1' }).sign(ec.privateKey);
    await expect(verifier.verify(rs)).resolves.toMatchObject({ sub: 'user_1', acct: 'acct_1' });
    await expect(verifier.verify(es)).resolves.toMatchObject({ sub: 'user_2' });
  });

  it('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const confused = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(Buffer.from(publicPem));
    expect(await refusal(verifier, confused)).toBe('the token uses an algorithm that is not accepted');
  });

  it('refuses a token signed by a key outside the set', async () => {
    const stranger = await generateKeyPair('RS256');
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(stranger.privateKey);
    expect(await refusal(verifier, token)).toBe('the token signature is not valid');
  });

  it('still checks the claims of a correctly signed token', async () => {
    const token = await new SignJWT(claims({ auth_time: undefined }))
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
      .sign(rsa.privateKey);
    expect(await refusal(verifier, token)).toBe('the token has no auth_time claim');
  });
});

describe('JwtVerifier (embedded OpenID provider, trusted in-process)', () => {
  const ISSUER = 'http://127.0.0.1:3000/oidc';
  const AUDIENCE = 'http://127.0.0.1:3000/v1';
  let verifier: JwtVerifier;
  let key: GenerateKeyPairResult;

  beforeAll(async () => {
    key = await generateKeyPair('ES256');
    verifier = hsVerifier();
    verifier.trustEmbeddedProvider({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: { keys: [{ ...(await exportJWK(key.publicKey)), kid: 'es256-1', alg: 'ES256', use: 'sig' }] },
    });
  });

  const accessToken = (extra: Record<string, unknown> = {}, typ = 'at+jwt') =>
    new SignJWT(claims({ iss: ISSUER, aud: AUDIENCE, ...extra }))
      .setProtectedHeader({ alg: 'ES256', kid: 'es256-1', typ })
      .sign(key.privateKey);

  it("accepts the provider's access tokens, and still the HS256 ones", async () => {
    await expect(verifier.verify(await accessToken())).resolves.toMatchObject({ sub: 'user_1', acct: 'acct_1', roles: ['owner'] });
    await expect(verifier.verify(await hs256(claims()))).resolves.toMatchObject({ sub: 'user_1' });
  });

  it.each([
    ['another issuer', { iss: 'http://evil.example/oidc' }, 'at+jwt'],
    ['another audience (an ID token is for the client)', { aud: 'console' }, 'at+jwt'],
    ['a token that is not an access token', {}, 'JWT'],
  ])('refuses %s', async (_label, extra, typ) => {
    expect(await refusal(verifier, await accessToken(extra, typ))).toMatch(/^the token's claims are not valid/);
  });

  it('refuses a token under its key id signed by another key', async () => {
    const stranger = await generateKeyPair('ES256');
    const token = await new SignJWT(claims({ iss: ISSUER, aud: AUDIENCE }))
      .setProtectedHeader({ alg: 'ES256', kid: 'es256-1', typ: 'at+jwt' })
      .sign(stranger.privateKey);
    expect(await refusal(verifier, token)).toBe('the token signature is not valid');
  });
});

describe('JwtVerifier (JWKS) with OIDC_ACCOUNT_CLAIM / OIDC_ROLES_CLAIM', () => {
  let server: Server;
  let key: GenerateKeyPairResult;
  let verifier: JwtVerifier;

  beforeAll(async () => {
    key = await generateKeyPair('RS256');
    const keys = [{ ...(await exportJWK(key.publicKey)), kid: 'kc-1', alg: 'RS256', use: 'sig' }];
    server = createServer((_req, res) => res.end(JSON.stringify({ keys })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/certs`;
    verifier = new JwtVerifier({
      auth: { jwtSecret: null, jwksUrl: url, issuer: null, audience: null },
      identity: { rolesClaim: 'realm_access.roles', accountClaim: 'tenant' },
    } as unknown as VerifierConfig);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  const keycloak = (payload: Record<string, unknown>) =>
    new SignJWT(claims({ acct: undefined, roles: undefined, ...payload }))
      .setProtectedHeader({ alg: 'RS256', kid: 'kc-1' })
      .sign(key.privateKey);

  it('reads the account and the roles where configured (a dotted path reaches into an object)', async () => {
    const token = await keycloak({ tenant: 'acct_9', realm_access: { roles: ['developer', 'offline_access'] } });
    await expect(verifier.verify(token)).resolves.toMatchObject({ acct: 'acct_9', roles: ['developer', 'offline_access'] });
  });

  it('refuses a token whose configured claims are missing or malformed', async () => {
    expect(await refusal(verifier, await keycloak({ realm_access: { roles: ['owner'] } }))).toBe('the token has no acct claim');
    expect(await refusal(verifier, await keycloak({ tenant: 'acct_9', realm_access: 'owner' }))).toBe(
      'the roles claim must be an array of strings',
    );
  });
});
