/**
 * A stand-in OpenID provider for the console's screen tests, answered inside the browser context
 * (playwright routes) at <service>/fake-oidc: discovery, an authorization endpoint that signs the person
 * in at once (redirecting back with a code) and a token endpoint whose access token is an actor JWT the
 * service accepts (HS256 with the test AUTH_JWT_SECRET). It records every authorization request, so a
 * test sees the step-up (prompt=login, max_age=0). The console's own code runs unchanged against it:
 * /console/config.json is answered here too, pointing at it. The embedded provider (oidc-provider) has
 * its own tests; these are about the screens.
 */
import { randomBytes } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import type { BrowserContext } from 'playwright-core';
import { TEST_SECRETS } from '../../support/app';

export interface FakeUser {
  sub: string;
  acct: string;
  roles: string[];
  /** Seconds since the password was entered at the first sign-in (a step-up makes it 0). */
  authAge?: number;
}

export interface FakeProvider {
  issuer: string;
  /** Every authorization request's parameters, in order. */
  authorizations: URLSearchParams[];
}

const CLIENT_ID = 'console';

export async function fakeProvider(context: BrowserContext, base: string, user: FakeUser): Promise<FakeProvider> {
  const issuer = `${base}/fake-oidc`;
  const { privateKey } = await generateKeyPair('RS256');
  const authorizations: URLSearchParams[] = [];
  const codes = new Map<string, { nonce: string; authTime: number }>();
  const now = () => Math.floor(Date.now() / 1000);

  await context.route(`${base}/console/config.json`, (route) =>
    route.fulfill({
      json: { issuer, clientId: CLIENT_ID, scopes: 'openid', apiBase: base, redirectPath: '/console/callback' },
    }),
  );
  await context.route(`${issuer}/**`, async (route) => {
    const url = new URL(route.request().url());
    const path = url.pathname.slice('/fake-oidc'.length);
    if (path === '/.well-known/openid-configuration') {
      return route.fulfill({
        json: {
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
          id_token_signing_alg_values_supported: ['RS256'],
        },
      });
    }
    if (path === '/auth') {
      const params = url.searchParams;
      authorizations.push(params);
      const stepUp = params.get('prompt') === 'login';
      const code = randomBytes(16).toString('hex');
      codes.set(code, { nonce: params.get('nonce') ?? '', authTime: stepUp ? now() : now() - (user.authAge ?? 0) });
      const back = new URL(params.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', params.get('state') ?? '');
      back.searchParams.set('iss', issuer);
      return route.fulfill({ status: 302, headers: { location: back.href } });
    }
    if (path === '/token') {
      const form = new URLSearchParams(route.request().postData() ?? '');
      const grant = codes.get(form.get('code') ?? '');
      if (!grant) return route.fulfill({ status: 400, json: { error: 'invalid_grant' } });
      codes.delete(form.get('code') ?? '');
      const accessToken = await new SignJWT({ acct: user.acct, roles: user.roles, auth_time: grant.authTime })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.sub)
        .setIssuedAt()
        .setExpirationTime(now() + 600)
        .sign(Buffer.from(TEST_SECRETS.AUTH_JWT_SECRET, 'utf8'));
      const idToken = await new SignJWT({ nonce: grant.nonce, auth_time: grant.authTime })
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(issuer)
        .setAudience(CLIENT_ID)
        .setSubject(user.sub)
        .setIssuedAt()
        .setExpirationTime(now() + 600)
        .sign(privateKey);
      return route.fulfill({
        headers: { 'cache-control': 'no-store' },
        json: { access_token: accessToken, token_type: 'Bearer', expires_in: 600, id_token: idToken, scope: 'openid' },
      });
    }
    return route.fulfill({ status: 404, body: 'not found' });
  });
  return { issuer, authorizations };
}
