/**
 * The key format: `<kind>_<env>_<43 base62 chars of 32 random bytes><6 base62 chars of CRC32>`,
 * e.g. `ak_live_…` for API keys and `sig_live_…` for signing keys. The prefix lets scanners and
 * people recognise a key; the checksum lets the hot path reject a mistyped or invented key without
 * any I/O. Randomness comes in as bytes: this module is pure.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { KeyKind } from './events';

export type KeyEnv = 'live' | 'test';
export const KEY_ENVS: readonly KeyEnv[] = ['live', 'test'];
export const KEY_RANDOM_BYTES = 32;

const KIND_PREFIX: Record<KeyKind, string> = { api: 'ak', signing: 'sig', publishable: 'pk' };
const PREFIX_KIND: Record<string, KeyKind> = { ak: 'api', sig: 'signing', pk: 'publishable' };
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43; // ceil(256 / log2(62))
const CHECKSUM_LENGTH = 6; // ceil(32 / log2(62))
const START_BODY_CHARS = 6;
const KEY_PATTERN = /^(ak|sig|pk)_(live|test)_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;
/** Longer input is rejected before the regex runs, so a huge body costs nothing. */
export const MAX_KEY_LENGTH = 64;

function toBase62(value: bigint, width: number): string {
  let out = '';
  let rest = value;
  while (rest > 0n) {
    out = BASE62[Number(rest % 62n)] + out;
    rest /= 62n;
  }
  return out.padStart(width, '0');
}

/** The CRC32 in base62; plain numbers (a CRC32 is exact in a double), as verify runs it on every call. */
function checksum(text: string): string {
  let rest = crc32(text) >>> 0;
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

export function formatKey(kind: KeyKind, env: KeyEnv, random: Uint8Array): string {
  if (random.length !== KEY_RANDOM_BYTES) throw new RangeError(`a key needs ${KEY_RANDOM_BYTES} random bytes`);
  const body = toBase62(BigInt(`0x${Buffer.from(random).toString('hex')}`), BODY_LENGTH);
  const head = `${KIND_PREFIX[kind]}_${env}_${body}`;
  return head + checksum(head);
}

export interface ParsedKey {
  kind: KeyKind;
  env: KeyEnv;
  start: string;
}

/** Offline check of shape and checksum; null for anything that cannot be a key we issued. */
export function parseKey(key: string): ParsedKey | null {
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH) return null;
  const match = KEY_PATTERN.exec(key);
  if (!match) return null;
  const [, prefix, env, body, sum] = match;
  const head = `${prefix}_${env}_${body}`;
  if (checksum(head) !== sum) return null;
  return { kind: PREFIX_KIND[prefix], env: env as KeyEnv, start: keyStart(key) };
}

/** The displayable beginning of a key: prefix, environment and the first body characters. */
export function keyStart(key: string): string {
  const secondUnderscore = key.indexOf('_', key.indexOf('_') + 1);
  return key.slice(0, secondUnderscore + 1 + START_BODY_CHARS);
}

/** SHA-256 of the key, hex: what the index is keyed by. One-shot `crypto.hash`, cheaper than a Hash object per call. */
export function hashKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/** Constant-time equality of two hex digests (or any two strings of secret-derived material). */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left); // same work whatever the lengths, then fail
    return false;
  }
  return timingSafeEqual(left, right);
}

/**
 * Standard Webhooks signing keys (standardwebhooks.com), for the `standard-webhooks` scheme: an HMAC
 * secret is `whsec_<base64 of 32 random bytes>`; an Ed25519 private key is `whsk_<base64 of its
 * 32-byte seed>` (sealed, never shown) and its public key `whpk_<base64 of 32 bytes>`.
 */
export const STANDARD_WEBHOOKS_PREFIX = { secret: 'whsec_', privateKey: 'whsk_', publicKey: 'whpk_' } as const;

/** `whsec_<base64>` of 32 random bytes: a Standard Webhooks HMAC signing secret. */
export function formatWebhookSecret(random: Uint8Array): string {
  if (random.length !== KEY_RANDOM_BYTES) throw new RangeError(`a key needs ${KEY_RANDOM_BYTES} random bytes`);
  return STANDARD_WEBHOOKS_PREFIX.secret + Buffer.from(random).toString('base64');
}

/** `whsk_<base64>` of a 32-byte Ed25519 seed: a Standard Webhooks asymmetric private key. */
export function formatEd25519PrivateKey(seed: Uint8Array): string {
  if (seed.length !== KEY_RANDOM_BYTES) throw new RangeError(`a key needs ${KEY_RANDOM_BYTES} random bytes`);
  return STANDARD_WEBHOOKS_PREFIX.privateKey + Buffer.from(seed).toString('base64');
}

/** The displayable beginning of a `whsec_…` secret or a `whpk_…` public key: the prefix and six characters. */
export function webhookKeyStart(key: string): string {
  return key.slice(0, key.indexOf('_') + 1 + START_BODY_CHARS);
}

/** The prefixes every secret this service issues starts with (`ak_live_`, `sig_test_`, `whsec_`, …): what must never be stored as data. */
export const ISSUED_SECRET_PREFIXES: readonly string[] = [
  ...Object.values(KIND_PREFIX).flatMap((kind) => KEY_ENVS.map((env) => `${kind}_${env}_`)),
  STANDARD_WEBHOOKS_PREFIX.secret,
  STANDARD_WEBHOOKS_PREFIX.privateKey,
];
