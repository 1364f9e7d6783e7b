/**
 * Verifies actor JWTs with `jose`: HS256 with AUTH_JWT_SECRET; RS256/ES256 from AUTH_JWKS_URL (an identity
 * provider's keys: roles and account read where OIDC_ROLES_CLAIM / OIDC_ACCOUNT_CLAIM say); and the access
 * tokens of the embedded OpenID provider (ES256, its public keys held in-process, its issuer and audience).
 * Claims are checked for shape so a token without `acct` or `auth_time` is refused, not half-used.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { APP_CONFIG, type AppConfig } from '@cs/composition';
import type { Actor } from './actor';

export class InvalidTokenError extends Error {}

/** The embedded provider this service trusts, once its issuer (the bound port) is known. */
export interface EmbeddedTrust {
  issuer: string;
  audience: string;
  jwks: JSONWebKeySet;
}

@Injectable()
export class JwtVerifier {
  private readonly jwks: JWTVerifyGetKey | null;
  private embedded: { issuer: string; audience: string; kids: Set<string>; keys: JWTVerifyGetKey } | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.jwks = config.auth.jwksUrl ? createRemoteJWKSet(new URL(config.auth.jwksUrl)) : null;
  }

  /** Accepts the embedded provider's access tokens from now on (bootstrap, once the provider runs). */
  trustEmbeddedProvider(trust: EmbeddedTrust): void {
    const kids = new Set(trust.jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string'));
    this.embedded = { issuer: trust.issuer, audience: trust.audience, kids, keys: createLocalJWKSet(trust.jwks) };
  }

  async verify(token: string): Promise<Actor> {
    let payload: JWTPayload;
    let mapped = false;
    const options = {
      requiredClaims: ['exp', 'sub'],
      ...(this.config.auth.issuer ? { issuer: this.config.auth.issuer } : {}),
      ...(this.config.auth.audience ? { audience: this.config.auth.audience } : {}),
    };
    try {
      const header = safeHeader(token);
      const embedded = this.embedded;
      if (embedded && header && header.alg !== 'HS256' && typeof header.kid === 'string' && embedded.kids.has(header.kid)) {
        payload = (
          await jwtVerify(token, embedded.keys, {
            requiredClaims: ['exp', 'sub'],
            issuer: embedded.issuer,
            audience: embedded.audience,
            typ: 'at+jwt',
            algorithms: ['ES256'],
          })
        ).payload;
      } else if (this.jwks) {
        payload = (await jwtVerify(token, this.jwks, { ...options, algorithms: ['RS256', 'ES256'] })).payload;
        mapped = true;
      } else {
        payload = (await jwtVerify(token, this.config.auth.jwtSecret as Uint8Array, { ...options, algorithms: ['HS256'] })).payload;
      }
    } catch (error) {
      throw new InvalidTokenError(describe(error));
    }
    const claims = payload as JWTPayload & Record<string, unknown>;
    const { sub, auth_time: authTime } = claims;
    const acct = mapped ? claimAt(claims, this.config.identity?.accountClaim ?? 'acct') : claims.acct;
    const roles = mapped ? claimAt(claims, this.config.identity?.rolesClaim ?? 'roles') : claims.roles;
    if (typeof sub !== 'string' || sub === '') throw new InvalidTokenError('the token has no subject');
    if (typeof acct !== 'string' || acct === '') throw new InvalidTokenError('the token has no acct claim');
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string'))
      throw new InvalidTokenError('the roles claim must be an array of strings');
    if (typeof authTime !== 'number' || !Number.isFinite(authTime)) throw new InvalidTokenError('the token has no auth_time claim');
    return { sub, acct, roles, authTime };
  }
}

function safeHeader(token: string): { alg?: string; kid?: string } | null {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return null;
  }
}

/** The value at a dotted path (`realm_access.roles`); a claim whose own name holds the dots wins. */
function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (path in claims) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_JWT_EXPIRED') return 'the token has expired';
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'the token signature is not valid';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return `the token's claims are not valid: ${(error as Error).message}`;
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'the token uses an algorithm that is not accepted';
  return 'the token is not a valid JWT';
}
