/**
 * Keys of the embedded OpenID provider, generated once into DATA_DIR/oidc-keys.json (mode 0600) like the
 * dev secrets: an ES256 signing key (its public half is the provider's JWKS, which the API trusts) and the
 * keys that sign the provider's cookies.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface IdentityKeys {
  /** Private JWKs (ES256, with kid, alg and use). */
  signingKeys: Array<Record<string, unknown>>;
  cookieKeys: string[];
}

export const identityKeysPath = (dataDir: string): string => join(dataDir, 'oidc-keys.json');

function generate(): IdentityKeys {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return {
    signingKeys: [{ ...jwk, kid: `es256-${randomUUID().slice(0, 8)}`, alg: 'ES256', use: 'sig' }],
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
}

export function loadOrCreateIdentityKeys(dataDir: string): IdentityKeys {
  const path = identityKeysPath(dataDir);
  if (existsSync(path)) {
    const keys = JSON.parse(readFileSync(path, 'utf8')) as IdentityKeys;
    if (Array.isArray(keys.signingKeys) && keys.signingKeys.length > 0 && Array.isArray(keys.cookieKeys) && keys.cookieKeys.length > 0)
      return keys;
  }
  const keys = generate();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

/** The public half of the signing keys: what the provider publishes at /oidc/jwks. */
export function publicJwks(keys: IdentityKeys): { keys: Array<Record<string, unknown>> } {
  return { keys: keys.signingKeys.map(({ d: _d, ...publicPart }) => publicPart) };
}
