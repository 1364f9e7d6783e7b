/**
 * libs/signature against libs/signature/test-vectors.json, the file other languages' implementations
 * check themselves against: every sign vector is reproduced exactly, every verify vector gives its code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ed25519PublicKeyFromJwk,
  ed25519PublicKeyOf,
  signPayload,
  signStandardWebhook,
  verifySignatureHeader,
  verifyStandardWebhook,
  type Ed25519Jwk,
} from '@cs/signature';

interface Vector {
  name: string;
  scheme: 'stripe' | 'standard-webhooks';
  payload?: string;
  payloadHex?: string;
}
interface SignVector extends Vector {
  secrets: string[];
  webhookId?: string;
  timestamp: number;
  expected: Record<string, string>;
}
interface VerifyVector extends Vector {
  secrets?: string[];
  publicKeys?: (string | Ed25519Jwk)[];
  headers: Record<string, string>;
  now: number;
  expected: string;
  reason?: string;
}
const vectors = JSON.parse(readFileSync(join(__dirname, '..', 'test-vectors.json'), 'utf8')) as {
  keys: Record<string, string> & { ed25519Jwk: Ed25519Jwk };
  sign: SignVector[];
  verify: VerifyVector[];
};
const payloadOf = (v: Vector): string | Buffer => (v.payloadHex === undefined ? (v.payload as string) : Buffer.from(v.payloadHex, 'hex'));

describe('test-vectors.json', () => {
  it('has sign and verify vectors of both schemes, and negative cases', () => {
    expect(new Set(vectors.sign.map((v) => v.scheme))).toEqual(new Set(['stripe', 'standard-webhooks']));
    expect(vectors.verify.filter((v) => v.expected !== 'VALID').length).toBeGreaterThanOrEqual(8);
  });

  it('its keys belong together: each public key is the private key’s, and the JWK is the same key', () => {
    expect(ed25519PublicKeyOf(vectors.keys.ed25519PrivateKey)).toBe(vectors.keys.ed25519PublicKey);
    expect(ed25519PublicKeyOf(vectors.keys.ed25519PrivateKeyNew)).toBe(vectors.keys.ed25519PublicKeyNew);
    expect(ed25519PublicKeyFromJwk(vectors.keys.ed25519Jwk)).toBe(vectors.keys.ed25519PublicKey);
  });

  it.each(vectors.sign.map((v) => [v.name, v] as const))('sign: %s', (_name, v) => {
    const payload = payloadOf(v);
    if (v.scheme === 'stripe') {
      expect({ signature: signPayload({ payload, secrets: v.secrets, timestamp: v.timestamp }) }).toEqual(v.expected);
    } else {
      expect(signStandardWebhook({ payload, webhookId: v.webhookId as string, timestamp: v.timestamp, secrets: v.secrets })).toEqual(
        v.expected,
      );
    }
  });

  it.each(vectors.verify.map((v) => [v.name, v] as const))('verify: %s', (_name, v) => {
    const payload = payloadOf(v);
    const result =
      v.scheme === 'stripe'
        ? verifySignatureHeader({ payload, header: v.headers['x-signature'], secrets: v.secrets ?? [], now: v.now })
        : verifyStandardWebhook({ payload, headers: v.headers, secrets: v.secrets, publicKeys: v.publicKeys, now: v.now });
    expect(result.code).toBe(v.expected);
    if (v.reason !== undefined) expect(result).toMatchObject({ reason: v.reason });
  });
});
