/**
 * The embedded OpenID provider (oidc-provider 9, loaded only in embedded mode): authorization code + PKCE
 * for one first-party public client (the console), implicit consent, JWT access tokens for this API
 * carrying sub, acct, roles and auth_time (the instant the password was entered), and the sign-in and
 * password re-verification pages (pages.ts) with login throttling (throttle.ts). Sessions, codes and
 * interactions live in memory: a restart signs everyone out. One process only (keys in DATA_DIR).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import type { IdentityKeys } from '@cs/composition';
import type { AccessTokenLike, Configuration, KoaContextWithOIDC, Provider as ProviderType } from 'oidc-provider';
import { contentSecurityPolicy, errorPage, logoutPage, signInPage, STYLESHEET } from './pages';
import { LoginThrottle, type ThrottleLimits } from './throttle';
import { UserStore, type LocalUser } from './users';

export interface EmbeddedProviderOptions {
  issuer: string;
  clientId: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  audience: string;
  keys: IdentityKeys;
  users: UserStore;
  throttle: ThrottleLimits;
  logger: Logger;
}

const WRONG_CREDENTIALS = 'Wrong email or password.';
const WRONG_PASSWORD = 'Wrong password.';
const MAX_FORM_BYTES = 8 * 1024;

/** oidc-provider prints one notice on import under Node 20 ("Unsupported runtime"): it goes through our logger. */
async function importProvider(
  logger: Logger,
): Promise<[typeof import('oidc-provider'), typeof import('oidc-provider/lib/adapters/memory_adapter.js')]> {
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    if (text.startsWith('oidc-provider')) logger.warn(text);
    else original(...args);
  };
  try {
    // Its memory adapter, on a store of this provider's own, chosen explicitly: in memory on purpose (see above).
    return await Promise.all([import('oidc-provider'), import('oidc-provider/lib/adapters/memory_adapter.js')]);
  } finally {
    console.warn = original;
  }
}

async function readForm(ctx: KoaContextWithOIDC): Promise<URLSearchParams | null> {
  const type = String(ctx.req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return null;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function createEmbeddedProvider(options: EmbeddedProviderOptions): Promise<ProviderType> {
  const [{ Provider, errors, interactionPolicy }, { createMemoryAdapter }] = await importProvider(options.logger);
  const { users, logger, clientId, audience } = options;
  const throttle = new LoginThrottle(options.throttle);
  const csrfKey = Buffer.from(options.keys.cookieKeys[0], 'base64url');
  const csrfFor = (uid: string): string => createHmac('sha256', csrfKey).update(`sign-in:${uid}`).digest('base64url');
  const csrfMatches = (uid: string, presented: string | null): boolean => {
    const expected = Buffer.from(csrfFor(uid));
    const actual = Buffer.from(presented ?? '');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  };
  const redirectOrigins = [...new Set(options.redirectUris.map((uri) => new URL(uri).origin))];
  const issuerOrigin = new URL(options.issuer).origin;
  const csp = contentSecurityPolicy(redirectOrigins.filter((o) => o !== issuerOrigin));

  const html = (ctx: KoaContextWithOIDC, status: number, body: string): void => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.set('cache-control', 'no-store');
    ctx.body = body;
  };

  // A session whose person was removed, or whose password changed after they signed in, signs in again.
  const policy = interactionPolicy.base();
  policy.get('login').checks.push(
    new interactionPolicy.Check('credentials_changed', 'the user was removed or their password changed', 'login_required', (ctx) => {
      const session = ctx.oidc.session;
      if (!session?.accountId || ctx.oidc.result?.login) return false;
      const user = users.byId(session.accountId);
      return !user || Math.floor(Date.parse(user.passwordChangedAt) / 1000) > (session.loginTs ?? 0);
    }),
  );

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_name: 'Developer Space console',
        token_endpoint_auth_method: 'none',
        application_type: 'web',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris,
        require_auth_time: true,
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: options.keys.signingKeys },
    cookies: { keys: options.keys.cookieKeys },
    adapter: createMemoryAdapter(),
    pkce: { required: () => true },
    scopes: ['openid', 'email'],
    claims: { openid: ['sub'], email: ['email'] },
    responseTypes: ['code'],
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      revocation: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => html(ctx, 200, logoutPage(form)),
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => html(ctx, 200, errorPage('Signed out', 'You are signed out.')),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== audience) throw new errors.InvalidTarget();
          return { scope: '', audience, accessTokenFormat: 'jwt', accessTokenTTL: 15 * 60, jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    ttl: { AccessToken: 15 * 60, AuthorizationCode: 60, IdToken: 15 * 60, Interaction: 15 * 60, Session: 8 * 3600, Grant: 8 * 3600 },
    interactions: { policy, url: (_ctx: unknown, interaction: { uid: string }) => `/oidc/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => {
      const user = users.byId(sub);
      if (!user) return undefined;
      return { accountId: user.id, claims: () => ({ sub: user.id, email: user.email }) };
    },
    extraTokenClaims: (ctx: KoaContextWithOIDC, token: AccessTokenLike) => {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const user = users.byId(token.accountId);
      if (!user) return undefined;
      // When the password was entered: the code's (or refresh token's) auth_time, from the sign-in session.
      const authTime = ctx.oidc.entities.AuthorizationCode?.authTime ?? ctx.oidc.entities.RefreshToken?.authTime;
      return { acct: user.account, roles: [user.role], ...(authTime === undefined ? {} : { auth_time: authTime }) };
    },
    // The console is first-party: consent is implicit (a grant made on its behalf).
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, result } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      if (client.clientId !== clientId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email');
      grant.addResourceScope(audience, '');
      await grant.save();
      return grant;
    },
    renderError: (ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }) => {
      const description = out.error_description?.startsWith('unrecognized route') ? 'Nothing here.' : (out.error_description ?? '');
      html(ctx, ctx.status >= 400 ? ctx.status : 400, errorPage('Sign-in could not continue', `${out.error ?? 'error'}: ${description}`));
    },
  };

  const provider = new Provider(options.issuer, configuration);

  provider.use(async (ctx, next) => {
    await next();
    ctx.set('content-security-policy', csp);
    ctx.set('x-frame-options', 'DENY');
    ctx.set('referrer-policy', 'no-referrer');
    ctx.set('x-content-type-options', 'nosniff');
  });

  provider.use(async (ctx, next) => {
    if (ctx.path === '/assets/sign-in.css' && ctx.method === 'GET') {
      ctx.type = 'text/css';
      ctx.set('cache-control', 'public, max-age=3600');
      ctx.body = STYLESHEET;
      return;
    }
    const match = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/login)?$/.exec(ctx.path);
    if (!match) return next();
    const [, uid, login] = match;
    let interaction;
    try {
      interaction = await provider.interactionDetails(ctx.req, ctx.res);
    } catch {
      return html(ctx, 400, errorPage('Sign-in expired', 'This sign-in page has expired. Go back to the console and sign in again.'));
    }
    if (interaction.uid !== uid || interaction.prompt.name !== 'login') {
      return html(ctx, 400, errorPage('Sign-in expired', 'This sign-in page has expired. Go back to the console and sign in again.'));
    }
    // Re-verification: a person already signed in, asked again (prompt=login, max_age): only their password.
    const current: LocalUser | undefined = interaction.session?.accountId ? users.byId(interaction.session.accountId) : undefined;
    const reverify = current ? { email: current.email } : null;
    const view = { uid, csrf: csrfFor(uid), reverify };

    if (!login) {
      if (ctx.method !== 'GET') return html(ctx, 405, errorPage('Not allowed', 'Use the sign-in form.'));
      return html(ctx, 200, signInPage(view));
    }
    if (ctx.method !== 'POST') return html(ctx, 405, errorPage('Not allowed', 'Use the sign-in form.'));
    const site = ctx.req.headers['sec-fetch-site'];
    const origin = ctx.req.headers.origin;
    const form = await readForm(ctx);
    if (!form || site === 'cross-site' || (origin !== undefined && origin !== 'null' && origin !== issuerOrigin)) {
      return html(ctx, 403, errorPage('Sign-in refused', 'The form did not come from this sign-in page. Sign in again from the console.'));
    }
    if (!csrfMatches(uid, form.get('csrf'))) {
      return html(ctx, 403, errorPage('Sign-in refused', 'The form did not come from this sign-in page. Sign in again from the console.'));
    }
    const email = reverify ? reverify.email : (form.get('email') ?? '').trim().slice(0, 320);
    const password = form.get('password') ?? '';
    const ip = ctx.req.socket.remoteAddress ?? 'unknown';
    const wait = await throttle.retryAfter(email, ip);
    if (wait > 0) {
      logger.warn(`sign-in refused: too many failed attempts (retry in ${wait} s)`);
      ctx.set('retry-after', String(wait));
      const minutes = Math.max(1, Math.ceil(wait / 60));
      return html(
        ctx,
        429,
        signInPage({
          ...view,
          email: reverify ? undefined : email,
          error: `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        }),
      );
    }
    const user = email && password ? await users.authenticate(email, password) : null;
    if (!user) {
      await throttle.failed(email, ip);
      logger.warn('sign-in failed: wrong email or password');
      return html(
        ctx,
        401,
        signInPage({ ...view, email: reverify ? undefined : email, error: reverify ? WRONG_PASSWORD : WRONG_CREDENTIALS }),
      );
    }
    await throttle.succeeded(email);
    logger.log(`${user.id} ${reverify ? 're-entered their password' : 'signed in'}`);
    const returnTo = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: user.id, remember: false } },
      { mergeWithLastSubmission: false },
    );
    ctx.status = 303;
    ctx.redirect(returnTo);
    ctx.status = 303;
  });

  return provider;
}
