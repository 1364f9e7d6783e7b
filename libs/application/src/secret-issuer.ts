/**
 * Issues new key material: 32 random bytes in the key format, its hash, its start and a sealed
 * copy. The only place a new secret exists in the clear before it is returned to the caller once.
 * Standard Webhooks signing keys: `whsec_<base64>` (HMAC), or an Ed25519 `whsk_` private key that is
 * only sealed, whose public key `whpk_…` is what the caller gets (issue #14: it never leaves).
 */
import { randomBytes } from 'node:crypto';
import {
  formatEd25519PrivateKey,
  formatKey,
  formatWebhookSecret,
  hashKey,
  keyStart,
  STANDARD_WEBHOOKS_PREFIX,
  webhookKeyStart,
  type KeyEnv,
  type KeyKind,
  type NewSecret,
  type SigningAlgorithm,
  type SigningScheme,
} from '@cs/domain';
import { ed25519PublicKeyOf } from '@cs/signature';
import type { SecretSealer } from './secret-sealer';

export interface IssuedMaterial {
  /** What the caller is shown once: the secret, or for an Ed25519 key its public key (`whpk_…`). */
  secret: string;
  material: NewSecret;
}

/** A signing key's scheme and algorithm (absent: 'stripe', 'hmac-sha256'). */
export interface SigningKeyProfile {
  scheme?: SigningScheme;
  algorithm?: SigningAlgorithm;
}

export class SecretIssuer {
  constructor(
    private readonly sealer: SecretSealer,
    private readonly env: KeyEnv,
  ) {}

  issue(kind: KeyKind, keyId: string, secretVersion: number, profile: SigningKeyProfile = {}): IssuedMaterial {
    if (kind === 'signing' && profile.scheme === 'standard-webhooks') return this.issueWebhookKey(keyId, secretVersion, profile);
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

  private issueWebhookKey(keyId: string, secretVersion: number, profile: SigningKeyProfile): IssuedMaterial {
    if (profile.algorithm === 'ed25519') {
      const privateKey = formatEd25519PrivateKey(randomBytes(32));
      const publicKey = ed25519PublicKeyOf(privateKey);
      return {
        secret: publicKey,
        material: {
          // The private key's hash, as for any secret: a leaked whsk_ is found by it.
          hash: hashKey(privateKey),
          start: webhookKeyStart(publicKey),
          sealed: this.sealer.seal(privateKey, { keyId, secretVersion }),
          publicKey: publicKey.slice(STANDARD_WEBHOOKS_PREFIX.publicKey.length),
        },
      };
    }
    const secret = formatWebhookSecret(randomBytes(32));
    return {
      secret,
      material: { hash: hashKey(secret), start: webhookKeyStart(secret), sealed: this.sealer.seal(secret, { keyId, secretVersion }) },
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
