/**
 * Verifies actor JWTs with `jose`: HS256 with AUTH_JWT_SECRET, or RS256/ES256 from AUTH_JWKS_URL.
 * Claims are checked for shape so a token without `acct` or `auth_time` is refused, not half-used.
 */
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { APP_CONFIG, type AppConfig } from '@cs/composition';
import type { Actor } from './actor';

export class InvalidTokenError extends Error {}

@Injectable()
export class JwtVerifier {
  private readonly jwks: JWTVerifyGetKey | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.jwks = config.auth.jwksUrl ? createRemoteJWKSet(new URL(config.auth.jwksUrl)) : null;
  }

  async verify(token: string): Promise<Actor> {
    let payload: JWTPayload;
    const options = {
      requiredClaims: ['exp', 'sub'],
      ...(this.config.auth.issuer ? { issuer: this.config.auth.issuer } : {}),
      ...(this.config.auth.audience ? { audience: this.config.auth.audience } : {}),
    };
    try {
      payload = this.jwks
        ? (await jwtVerify(token, this.jwks, { ...options, algorithms: ['RS256', 'ES256'] })).payload
        : (await jwtVerify(token, this.config.auth.jwtSecret as Uint8Array, { ...options, algorithms: ['HS256'] })).payload;
    } catch (error) {
      throw new InvalidTokenError(describe(error));
    }
    const { sub, acct, roles, auth_time: authTime } = payload as JWTPayload & Record<string, unknown>;
    if (typeof sub !== 'string' || sub === '') throw new InvalidTokenError('the token has no subject');
    if (typeof acct !== 'string' || acct === '') throw new InvalidTokenError('the token has no acct claim');
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string'))
      throw new InvalidTokenError('the roles claim must be an array of strings');
    if (typeof authTime !== 'number' || !Number.isFinite(authTime)) throw new InvalidTokenError('the token has no auth_time claim');
    return { sub, acct, roles, authTime };
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_JWT_EXPIRED') return 'the token has expired';
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'the token signature is not valid';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return `the token's claims are not valid: ${(error as Error).message}`;
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'the token uses an algorithm that is not accepted';
  return 'the token is not a valid JWT';
}
