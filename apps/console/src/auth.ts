/**
 * Sign-in: OpenID Connect authorization code + PKCE as a public client (oauth4webapi). Tokens live in
 * this module's memory only. Across the redirect, sessionStorage holds the PKCE verifier, state, nonce
 * and the action to resume — never a token or a secret — and that entry is removed on return.
 */
import type { ConsoleConfig } from '@cs/client';
import * as oauth from 'oauth4webapi';

export type { ConsoleConfig };

export interface Session {
  accessToken: string;
  sub: string;
  acct: string;
  roles: string[];
  authTime: number | null;
  expiresAt: number;
}

/** What to do once back from the provider: a plain description, never a secret. */
export type PendingAction = { kind: string; [field: string]: unknown };

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  maxAge: number | null;
  returnTo: string;
  action: PendingAction | null;
}

const PENDING = 'console.signin';

let session: Session | null = null;
let server: oauth.AuthorizationServer | null = null;

export const currentSession = (): Session | null => (session && session.expiresAt > Date.now() ? session : null);

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/console/config.json', { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`the console configuration is unavailable (HTTP ${response.status})`);
  return (await response.json()) as ConsoleConfig;
}

/** http: is allowed for a provider on this machine only (the embedded one in development). */
function insecureAllowed(url: URL): { [oauth.allowInsecureRequests]?: boolean } {
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  return url.protocol === 'http:' && local ? { [oauth.allowInsecureRequests]: true } : {};
}

async function authorizationServer(config: ConsoleConfig): Promise<oauth.AuthorizationServer> {
  if (server) return server;
  const issuer = new URL(config.issuer);
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecureAllowed(issuer) });
  server = await oauth.processDiscoveryResponse(issuer, response);
  return server;
}

const redirectUri = (config: ConsoleConfig): string => new URL(config.redirectPath, window.location.origin).href;

/**
 * Leaves for the provider. `stepUp`: RFC 9470's re-authentication (prompt=login, max_age=0), after which
 * `action` is resumed.
 */
export async function signIn(config: ConsoleConfig, options: { stepUp?: boolean; action?: PendingAction | null } = {}): Promise<never> {
  const as = await authorizationServer(config);
  if (!as.authorization_endpoint) throw new Error('the identity provider has no authorization endpoint');
  const pending: Pending = {
    verifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    maxAge: options.stepUp ? 0 : null,
    returnTo: window.location.pathname.startsWith(config.redirectPath) ? '/console/' : window.location.pathname,
    action: options.action ?? null,
  };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri(config));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scopes);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  if (options.stepUp) {
    url.searchParams.set('prompt', 'login');
    url.searchParams.set('max_age', '0');
  }
  window.location.assign(url.href);
  return new Promise<never>(() => undefined);
}

/** The access token's claims, read for display (the API verifies the token; the console only shapes screens). */
function claims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * On /console/callback: exchanges the code for tokens, replaces the callback URL (code and state leave
 * the history), and returns where to go and what to resume.
 */
export async function completeSignIn(config: ConsoleConfig): Promise<{ returnTo: string; action: PendingAction | null }> {
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const current = new URL(window.location.href);
  window.history.replaceState(null, '', '/console/');
  if (!raw) throw new Error('this sign-in was not started here (or was already completed); sign in again');
  const pending = JSON.parse(raw) as Pending;
  const as = await authorizationServer(config);
  const client: oauth.Client = { client_id: config.clientId };
  const params = oauth.validateAuthResponse(as, client, current, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(config),
    pending.verifier,
    insecureAllowed(new URL(config.issuer)),
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
    ...(pending.maxAge === null ? {} : { maxAge: pending.maxAge }),
  });
  const id = oauth.getValidatedIdTokenClaims(result);
  const access = claims(result.access_token);
  const roles = Array.isArray(access.roles) ? access.roles.filter((r): r is string => typeof r === 'string') : [];
  session = {
    accessToken: result.access_token,
    sub: typeof access.sub === 'string' ? access.sub : (id?.sub ?? ''),
    acct: typeof access.acct === 'string' ? access.acct : '',
    roles,
    authTime: typeof access.auth_time === 'number' ? access.auth_time : typeof id?.auth_time === 'number' ? id.auth_time : null,
    expiresAt: Date.now() + (result.expires_in ?? 300) * 1000,
  };
  return { returnTo: pending.returnTo, action: pending.action };
}

/** Forgets the tokens (memory only, so a reload forgets them too). */
export function signOut(): void {
  session = null;
}
