/**
 * AES-256-GCM sealing of the viewable copy of a secret (what the step-up reveal shows again, and the signing keys
 * the service must use itself). Each sealed copy names its master key by `kid`, so a new MASTER_KEY
 * can be introduced while older copies still open with the previous keys. The key id and secret
 * version are bound in as additional data: a sealed copy moved onto another key will not open.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SealedSecret } from '@cs/domain';

export class SecretSealer {
  private readonly keys = new Map<string, Buffer>();
  private readonly currentKid: string;

  /** `masterKey` seals; `previousKeys` only open older copies. Each is 32 bytes. */
  constructor(masterKey: Buffer, previousKeys: Buffer[] = []) {
    this.currentKid = SecretSealer.kidOf(masterKey);
    for (const key of [masterKey, ...previousKeys]) {
      if (key.length !== 32) throw new RangeError('a master key must be 32 bytes');
      this.keys.set(SecretSealer.kidOf(key), key);
    }
  }

  static kidOf(masterKey: Buffer): string {
    return createHash('sha256').update('credential-service/master-key-id').update(masterKey).digest('hex').slice(0, 12);
  }

  seal(secret: string, binding: { keyId: string; secretVersion: number }): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKid) as Buffer, iv);
    cipher.setAAD(aad(binding));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return {
      kid: this.currentKid,
      alg: 'A256GCM',
      iv: iv.toString('base64url'),
      ciphertext: ciphertext.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
    };
  }

  /** Throws SealedSecretUnavailableError when the master key is unknown or the copy was altered. */
  open(sealed: SealedSecret, binding: { keyId: string; secretVersion: number }): string {
    const key = this.keys.get(sealed.kid);
    if (!key) throw new SealedSecretUnavailableError(`master key ${sealed.kid} is not configured`);
    try {
      // The full 16-byte tag only: without authTagLength, GCM accepts a tag truncated to 4 bytes.
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'), { authTagLength: 16 });
      decipher.setAAD(aad(binding));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedSecretUnavailableError('the sealed secret failed authentication');
    }
  }
}

const aad = ({ keyId, secretVersion }: { keyId: string; secretVersion: number }): Buffer =>
  Buffer.from(`${keyId}#${secretVersion}`, 'utf8');

/** An operator problem (wrong or missing master key), not a client error; retrying does not help. */
export class SealedSecretUnavailableError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'SealedSecretUnavailableError';
  }
}
