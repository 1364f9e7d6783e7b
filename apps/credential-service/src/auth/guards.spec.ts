/**
 * The HTTP guards without a server: bearer parsing, the service-credential comparison, the problem
 * each refusal becomes (with its WWW-Authenticate challenge), and ActorGuard's order of checks with
 * a real JwtVerifier (HS256), a real Reflector and a rate-limit double that records what it charged.
 */
import 'reflect-metadata';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SignJWT } from 'jose';
import { ProblemException } from '../http/problem';
import type { RateLimits } from '../rate-limit/rate-limits';
import { ActorGuard, authProblem, bearerToken, Requires, serviceTokenMatches, ServiceTokenGuard } from './guards';
import { JwtVerifier } from './jwt-verifier';

type GuardConfig = ConstructorParameters<typeof ActorGuard>[2];
const SECRET = 'unit-jwt-secret-0123456789-abcdefghijklmnop';
const SERVICE_TOKEN = 'unit-service-token-0123456789abcdef';
const MAX_AGE = 300;
const now = (): number => Math.floor(Date.now() / 1000);

const config = {
  auth: { jwtSecret: Buffer.from(SECRET, 'utf8'), jwksUrl: null, issuer: null, audience: null },
  stepUpMaxAgeSeconds: MAX_AGE,
  serviceToken: SERVICE_TOKEN,
} as unknown as GuardConfig;

async function token(overrides: Record<string, unknown> = {}): Promise<string> {
  const claims = Object.fromEntries(
    Object.entries({ sub: 'user_1', acct: 'acct_1', roles: ['owner'], auth_time: now(), exp: now() + 600, ...overrides }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(Buffer.from(SECRET, 'utf8'));
}

class Routes {
  @Requires({ access: 'manage', stepUp: true })
  revoke(this: void): void {}
  @Requires({ access: 'manage', stepUp: false })
  rename(this: void): void {}
  @Requires({ access: 'read-history', stepUp: false })
  history(this: void): void {}
}

function httpContext(handler: keyof Routes, request: Record<string, unknown>): ExecutionContext {
  return {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

/** A RateLimits double recording each charge, in order. */
function recordingLimits(): { limits: RateLimits; charged: string[] } {
  const charged: string[] = [];
  const limits = {
    actor: (sub: string) => void charged.push(`actor:${sub}`),
    account: (acct: string) => void charged.push(`account:${acct}`),
    service: (call: string) => void charged.push(`service:${call}`),
  } as unknown as RateLimits;
  return { limits, charged };
}

async function problemOf(work: () => unknown): Promise<ProblemException> {
  let thrown: unknown = null;
  try {
    await work();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ProblemException);
  return thrown as ProblemException;
}

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer   abc  ', 'abc'],
  ])('%j gives %j', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });

  it.each([
    [undefined],
    [''],
    ['Bearer'],
    ['Bearer '],
    ['Bearerabc'],
    ['Basic dXNlcjpwYXNz'],
    ['Bearer a b'],
    ['Token abc'],
    [' Bearer abc'],
    [['Bearer a', 'Bearer b']],
  ])('%j gives no token', (header) => {
    expect(bearerToken(header)).toBeNull();
  });
});

describe('serviceTokenMatches', () => {
  it('matches the configured credential exactly', () => {
    expect(serviceTokenMatches(SERVICE_TOKEN, SERVICE_TOKEN)).toBe(true);
  });

  it.each([[null], [''], [SERVICE_TOKEN.slice(0, -1)], [`${SERVICE_TOKEN}x`], [SERVICE_TOKEN.toUpperCase()], [` ${SERVICE_TOKEN}`]])(
    'refuses %j',
    (presented) => {
      expect(serviceTokenMatches(presented, SERVICE_TOKEN)).toBe(false);
    },
  );
});

describe('authProblem', () => {
  it('UNAUTHENTICATED is 401 with an invalid_token challenge whose description cannot break out of its quotes', () => {
    const problem = authProblem({ code: 'UNAUTHENTICATED', message: 'bad "token"' });
    expect(problem.status).toBe(401);
    expect(problem.code).toBe('UNAUTHENTICATED');
    expect(problem.extras.headers?.['www-authenticate']).toBe(`Bearer error="invalid_token", error_description="bad 'token'"`);
  });

  it('STEP_UP_REQUIRED is 401 with the RFC 9470 challenge and max_age, also in the body', () => {
    const problem = authProblem({ code: 'STEP_UP_REQUIRED', message: 'again', maxAge: MAX_AGE });
    expect(problem.status).toBe(401);
    expect(problem.extras.headers?.['www-authenticate']).toMatch(
      /^Bearer error="insufficient_user_authentication", error_description="[^"]+", max_age=300$/,
    );
    expect(problem.body()).toMatchObject({ code: 'STEP_UP_REQUIRED', maxAge: MAX_AGE });
    expect(problem.body()).not.toHaveProperty('headers');
  });

  it('FORBIDDEN is 403; KEY_NOT_FOUND is a plain 404 "key not found"', () => {
    expect(authProblem({ code: 'FORBIDDEN', message: 'no' })).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(authProblem({ code: 'KEY_NOT_FOUND', message: 'anything' })).toMatchObject({
      status: 404,
      code: 'KEY_NOT_FOUND',
      detail: 'key not found',
    });
  });
});

describe('ActorGuard', () => {
  const guard = (limits: RateLimits): ActorGuard => new ActorGuard(new Reflector(), new JwtVerifier(config), config, limits);

  it('lets a fresh owner of the account through and puts the actor on the request', async () => {
    const { limits, charged } = recordingLimits();
    const request = { headers: { authorization: `Bearer ${await token()}` }, params: { accountId: 'acct_1' } } as Record<string, unknown>;
    await expect(guard(limits).canActivate(httpContext('revoke', request))).resolves.toBe(true);
    expect(request.actor).toMatchObject({ sub: 'user_1', acct: 'acct_1', roles: ['owner'] });
    expect(charged).toEqual(['actor:user_1', 'account:acct_1']);
  });

  it('refuses a step-up call whose auth_time is in the future (beyond 60 s of skew) with 401 STEP_UP_REQUIRED', async () => {
    const { limits } = recordingLimits();
    // 70, not 61: the token is minted a moment before the check, and a loaded machine can take seconds between.
    for (const ahead of [70, 3600, 10 * 365 * 86400]) {
      const request = {
        headers: { authorization: `Bearer ${await token({ auth_time: now() + ahead })}` },
        params: { accountId: 'acct_1' },
      };
      const problem = await problemOf(() => guard(limits).canActivate(httpContext('revoke', request)));
      expect(problem).toMatchObject({ status: 401, code: 'STEP_UP_REQUIRED' });
      expect(problem.extras.headers?.['www-authenticate']).toContain('insufficient_user_authentication');
      expect(request).not.toHaveProperty('actor');
    }
  });

  it('accepts an auth_time a few seconds ahead (clock skew) on a step-up call', async () => {
    const { limits } = recordingLimits();
    const request = { headers: { authorization: `Bearer ${await token({ auth_time: now() + 5 })}` }, params: { accountId: 'acct_1' } };
    await expect(guard(limits).canActivate(httpContext('revoke', request))).resolves.toBe(true);
  });

  it('refuses a step-up call with a stale auth_time, and lets the same token make a call without step-up', async () => {
    const { limits } = recordingLimits();
    const stale = `Bearer ${await token({ auth_time: now() - MAX_AGE - 30 })}`;
    const problem = await problemOf(() =>
      guard(limits).canActivate(httpContext('revoke', { headers: { authorization: stale }, params: { accountId: 'acct_1' } })),
    );
    expect(problem).toMatchObject({ status: 401, code: 'STEP_UP_REQUIRED' });
    await expect(
      guard(limits).canActivate(httpContext('rename', { headers: { authorization: stale }, params: { accountId: 'acct_1' } })),
    ).resolves.toBe(true);
  });

  it('no or a broken token is 401 UNAUTHENTICATED, charged to nobody', async () => {
    const { limits, charged } = recordingLimits();
    for (const headers of [
      {},
      { authorization: 'Basic abc' },
      { authorization: `Bearer ${await token({ exp: now() - 60 })}` },
      { authorization: `Bearer ${await token({ auth_time: undefined })}` },
    ]) {
      const problem = await problemOf(() => guard(limits).canActivate(httpContext('rename', { headers, params: { accountId: 'acct_1' } })));
      expect(problem).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    }
    expect(charged).toEqual([]);
  });

  it('another account is 404 (counted against the actor, never against that account)', async () => {
    const { limits, charged } = recordingLimits();
    const request = { headers: { authorization: `Bearer ${await token()}` }, params: { accountId: 'acct_2' } };
    expect(await problemOf(() => guard(limits).canActivate(httpContext('revoke', request)))).toMatchObject({
      status: 404,
      code: 'KEY_NOT_FOUND',
    });
    expect(charged).toEqual(['actor:user_1']);
  });

  it('an auditor may read history but not manage, even freshly authenticated', async () => {
    const { limits } = recordingLimits();
    const auditor = `Bearer ${await token({ roles: ['auditor'] })}`;
    await expect(
      guard(limits).canActivate(httpContext('history', { headers: { authorization: auditor }, params: { accountId: 'acct_1' } })),
    ).resolves.toBe(true);
    expect(
      await problemOf(() =>
        guard(limits).canActivate(httpContext('rename', { headers: { authorization: auditor }, params: { accountId: 'acct_1' } })),
      ),
    ).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
  });
});

describe('ServiceTokenGuard', () => {
  const guard = (limits: RateLimits): ServiceTokenGuard => new ServiceTokenGuard(config, new Reflector(), limits);
  const context = (authorization?: string): ExecutionContext =>
    ({
      getClass: () => class Internal {},
      switchToHttp: () => ({ getRequest: () => ({ headers: authorization ? { authorization } : {} }) }),
    }) as unknown as ExecutionContext;

  it('lets the service credential through, charged to the signing limit by default', () => {
    const { limits, charged } = recordingLimits();
    expect(guard(limits).canActivate(context(`Bearer ${SERVICE_TOKEN}`))).toBe(true);
    expect(charged).toEqual(['service:signing']);
  });

  it('refuses anything else with 401 UNAUTHENTICATED, charging nothing', async () => {
    const { limits, charged } = recordingLimits();
    for (const header of [undefined, SERVICE_TOKEN, `Bearer ${SERVICE_TOKEN}x`, `Basic ${SERVICE_TOKEN}`, `Bearer ${await token()}`]) {
      expect(await problemOf(() => guard(limits).canActivate(context(header)))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    }
    expect(charged).toEqual([]);
  });
});
