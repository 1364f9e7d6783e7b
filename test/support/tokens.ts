/**
 * Actor JWTs (HS256, signed with the test AUTH_JWT_SECRET) and the service-token header, plus the
 * broken tokens the auth tests need: forged, expired, `alg: none`, missing claims.
 */
import { SignJWT } from 'jose';
import { TEST_SECRETS } from './app';

export interface ActorTokenOptions {
  acct: string;
  sub?: string;
  roles?: string[];
  /** Seconds ago the user last entered a password (default 0: just now). */
  authAge?: number;
  /** Seconds until the token expires (negative: already expired). Default 600. */
  ttl?: number;
  /** HS256 secret; default the one the test app trusts. */
  secret?: string;
  /** Claims to leave out, e.g. ['acct'] or ['auth_time']. */
  omit?: Array<'sub' | 'acct' | 'roles' | 'auth_time' | 'exp'>;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export async function actorToken(options: ActorTokenOptions): Promise<string> {
  const now = nowSeconds();
  const omit = new Set(options.omit ?? []);
  const claims: Record<string, unknown> = {};
  if (!omit.has('acct')) claims.acct = options.acct;
  if (!omit.has('roles')) claims.roles = options.roles ?? ['owner'];
  if (!omit.has('auth_time')) claims.auth_time = now - (options.authAge ?? 0);
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(now);
  if (!omit.has('sub')) jwt = jwt.setSubject(options.sub ?? 'user_e2e');
  if (!omit.has('exp')) jwt = jwt.setExpirationTime(now + (options.ttl ?? 600));
  return jwt.sign(Buffer.from(options.secret ?? TEST_SECRETS.AUTH_JWT_SECRET, 'utf8'));
}

/** An unsigned token (`alg: none`) with otherwise perfect claims. */
export function unsignedToken(acct: string, roles: string[] = ['owner']): string {
  const now = nowSeconds();
  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'user_e2e', acct, roles, auth_time: now, iat: now, exp: now + 600 })}.`;
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
export const serviceAuth = (): Record<string, string> => bearer(TEST_SECRETS.SERVICE_TOKEN);
