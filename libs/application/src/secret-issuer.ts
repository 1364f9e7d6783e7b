/**
 * Issues new key material: 32 random bytes in the key format, its hash, its start and a sealed
 * copy. The only place a new secret exists in the clear before it is returned to the caller once.
 */
import { randomBytes } from 'node:crypto';
import { formatKey, hashKey, keyStart, type KeyEnv, type KeyKind, type NewSecret } from '@cs/domain';
import type { SecretSealer } from './secret-sealer';

export interface IssuedMaterial {
  secret: string;
  material: NewSecret;
}

export class SecretIssuer {
  constructor(
    private readonly sealer: SecretSealer,
    private readonly env: KeyEnv,
  ) {}

  issue(kind: KeyKind, keyId: string, secretVersion: number): IssuedMaterial {
    const secret = formatKey(kind, this.env, randomBytes(32));
    return {
      secret,
      material: {
        hash: hashKey(secret),
        start: keyStart(secret),
        sealed: this.sealer.seal(secret, { keyId, secretVersion }),
        // Public by design: a publishable key is shown in full in its views (events.ts).
        ...(kind === 'publishable' ? { value: secret } : {}),
      },
    };
  }
}

export function newKeyId(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let id = 'key_';
  while (id.length < 28) {
    // Rejection sampling keeps every character equally likely (no modulo bias).
    for (const byte of randomBytes(32)) if ((byte & 63) < 62 && id.length < 28) id += alphabet[byte & 63];
  }
  return id;
}

export const KEY_ID_PATTERN = /^key_[0-9A-Za-z]{24}$/;
