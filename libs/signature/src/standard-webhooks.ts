/**
 * Standard Webhooks (standardwebhooks.com): three headers, `webhook-id`, `webhook-timestamp` and
 * `webhook-signature: v1,<base64> [v1a,<base64> ...]`, over `"<id>.<timestamp>.<payload>"`.
 *
 * - `v1`: HMAC-SHA256 keyed with the base64-decoded bytes of a `whsec_<base64>` secret.
 * - `v1a`: Ed25519 signed with a `whsk_<base64 of the 32-byte seed>` private key, checked with the
 *   `whpk_<base64 of the 32-byte public key>` public key (or its JWK, RFC 8037 `OKP`/`Ed25519`).
 *
 * The prefix says which algorithm a key is for, as the spec intends, so one list of keys can mix
 * both. Same rules as the `t=,v1=` scheme: pure, never throws for what a sender put in a request,
 * throws `SignatureError` for caller mistakes only.
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign as edSign,
  timingSafeEqual,
  verify as edVerify,
  type KeyObject,
} from 'node:crypto';
import { SignatureError } from './errors';
import { DEFAULT_TOLERANCE_SECONDS, MAX_HEADER_LENGTH, MAX_SIGNATURES, MAX_TIMESTAMP_SECONDS } from './header';
import type { MalformedHeaderReason } from './header';
import { assertPayload, assertTimestamp, isList } from './sign';
import type { Payload } from './sign';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const ED25519_PRIVATE_KEY_PREFIX = 'whsk_';
export const ED25519_PUBLIC_KEY_PREFIX = 'whpk_';
/** A `webhook-id` longer than this is refused (signing throws, verifying answers MALFORMED_HEADER). */
export const MAX_WEBHOOK_ID_LENGTH = 256;
/** HMAC key length the spec allows for `whsec_` secrets, in bytes. */
export const MIN_WEBHOOK_SECRET_BYTES = 24;
export const MAX_WEBHOOK_SECRET_BYTES = 64;

/** Printable ASCII without `.` (the separator of the signed content), space or `,`. */
const WEBHOOK_ID_PATTERN = /^[!-+\-/0-~]+$/;
const TIMESTAMP_PATTERN = /^(0|[1-9][0-9]{0,10})$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/_-]+={0,2}$/;
const HMAC_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
const ED25519_KEY_BYTES = 32;
// DER headers of an Ed25519 PKCS#8 private key and SPKI public key (RFC 8410), before the 32 raw bytes.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/** The three headers, named as they are sent. */
export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** An Ed25519 public key as a JWK (RFC 8037), as a JWKS publishes it. */
export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  /** base64url of the 32 raw bytes. */
  x: string;
  kid?: string;
  use?: string;
  alg?: string;
}

export type StandardWebhookSignatureVersion = 'v1' | 'v1a';

export type StandardWebhookMalformedReason = MalformedHeaderReason | 'MISSING_ID' | 'INVALID_ID' | 'MISSING_COMMA';

export type StandardWebhookVerifyResult =
  | { valid: true; code: 'VALID'; webhookId: string; timestamp: number }
  | { valid: false; code: 'MALFORMED_HEADER'; reason: StandardWebhookMalformedReason }
  | { valid: false; code: 'TIMESTAMP_OUTSIDE_TOLERANCE' | 'NO_MATCHING_SIGNATURE' | 'NO_SIGNING_KEY' };

export interface SignStandardWebhookInput {
  payload: Payload;
  /** The message id: the same for every retry of one event; printable ASCII without `.`, `,` or space. */
  webhookId: string;
  /** Unix seconds (not milliseconds), an integer: the time of this attempt. */
  timestamp: number;
  /** `whsec_…` secrets (a `v1` each) and `whsk_…` private keys (a `v1a` each), in this order. */
  secrets: readonly string[];
}

export interface VerifyStandardWebhookInput {
  /** The RAW request body exactly as received: never re-serialized JSON. */
  payload: Payload;
  /** The request's headers (names in any case, e.g. Node's `req.headers`); the three above are read. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** `whsec_…` secrets: each is checked against every `v1` signature. */
  secrets?: string | readonly string[];
  /** `whpk_…` public keys or Ed25519 JWKs: each is checked against every `v1a` signature. */
  publicKeys?: string | Ed25519Jwk | readonly (string | Ed25519Jwk)[];
  /** The receiver's clock, unix seconds (may be fractional). */
  now: number;
  /** Max |now - webhook-timestamp| in seconds; non-negative and finite. Default 300. */
  toleranceSeconds?: number;
}

type SigningKey = { version: 'v1'; key: Buffer } | { version: 'v1a'; key: KeyObject };

/** @internal Decodes base64 (either alphabet, padding optional); null unless it is exactly `length` bytes. */
function decodeBase64(text: string, length?: { min: number; max: number }): Buffer | null {
  if (!BASE64_PATTERN.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  if (length && (bytes.length < length.min || bytes.length > length.max)) return null;
  return bytes;
}

const exactly = (n: number) => ({ min: n, max: n });

function invalidSecret(message: string): SignatureError {
  return new SignatureError('INVALID_SECRET', message);
}

/** The HMAC key of a `whsec_<base64>` secret: 24 to 64 bytes. Throws INVALID_SECRET otherwise (without quoting it). */
function webhookSecretKey(secret: unknown): Buffer {
  if (typeof secret !== 'string' || !secret.startsWith(WEBHOOK_SECRET_PREFIX))
    throw invalidSecret(`each secret must be a string starting with ${WEBHOOK_SECRET_PREFIX}`);
  const key = decodeBase64(secret.slice(WEBHOOK_SECRET_PREFIX.length), { min: MIN_WEBHOOK_SECRET_BYTES, max: MAX_WEBHOOK_SECRET_BYTES });
  if (!key)
    throw invalidSecret(
      `a ${WEBHOOK_SECRET_PREFIX} secret must be base64 of ${MIN_WEBHOOK_SECRET_BYTES} to ${MAX_WEBHOOK_SECRET_BYTES} bytes`,
    );
  return key;
}

/** The private key of a `whsk_<base64 of the 32-byte seed>` string. */
function ed25519PrivateKey(secret: string): KeyObject {
  const seed = decodeBase64(secret.slice(ED25519_PRIVATE_KEY_PREFIX.length), exactly(ED25519_KEY_BYTES));
  if (!seed) throw invalidSecret(`a ${ED25519_PRIVATE_KEY_PREFIX} key must be base64 of a 32-byte Ed25519 seed`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

/** The raw 32 bytes of a `whpk_…` string or an Ed25519 JWK; throws INVALID_SECRET otherwise. */
function ed25519PublicKeyBytes(publicKey: unknown): Buffer {
  if (typeof publicKey === 'string') {
    if (!publicKey.startsWith(ED25519_PUBLIC_KEY_PREFIX))
      throw invalidSecret(`each public key must start with ${ED25519_PUBLIC_KEY_PREFIX} (or be an Ed25519 JWK)`);
    const raw = decodeBase64(publicKey.slice(ED25519_PUBLIC_KEY_PREFIX.length), exactly(ED25519_KEY_BYTES));
    if (!raw) throw invalidSecret(`a ${ED25519_PUBLIC_KEY_PREFIX} key must be base64 of 32 bytes`);
    return raw;
  }
  if (typeof publicKey === 'object' && publicKey !== null) {
    const jwk = publicKey as Partial<Ed25519Jwk>;
    const raw =
      jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string' ? decodeBase64(jwk.x, exactly(ED25519_KEY_BYTES)) : null;
    if (!raw) throw invalidSecret('a JWK public key must be { kty: "OKP", crv: "Ed25519", x: <base64url of 32 bytes> }');
    return raw;
  }
  throw invalidSecret(`each public key must be a ${ED25519_PUBLIC_KEY_PREFIX} string or an Ed25519 JWK`);
}

function publicKeyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
}

/** `whpk_<base64>` of the public key that belongs to a `whsk_…` private key. */
export function ed25519PublicKeyOf(privateKey: string): string {
  if (typeof privateKey !== 'string' || !privateKey.startsWith(ED25519_PRIVATE_KEY_PREFIX))
    throw invalidSecret(`the private key must start with ${ED25519_PRIVATE_KEY_PREFIX}`);
  const spki = createPublicKey(ed25519PrivateKey(privateKey)).export({ format: 'der', type: 'spki' });
  return ED25519_PUBLIC_KEY_PREFIX + spki.subarray(SPKI_ED25519.length).toString('base64');
}

/** A `whpk_…` public key (or raw 32 bytes) as an RFC 8037 JWK, for a JWKS. */
export function ed25519Jwk(publicKey: string | Uint8Array, kid?: string): Ed25519Jwk {
  const raw =
    publicKey instanceof Uint8Array
      ? Buffer.from(publicKey)
      : ed25519PublicKeyBytes(publicKey.startsWith(ED25519_PUBLIC_KEY_PREFIX) ? publicKey : ED25519_PUBLIC_KEY_PREFIX + publicKey);
  if (raw.length !== ED25519_KEY_BYTES) throw invalidSecret('an Ed25519 public key has 32 bytes');
  return { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url'), ...(kid === undefined ? {} : { kid }), use: 'sig', alg: 'EdDSA' };
}

/** The `whpk_…` form of an Ed25519 JWK (e.g. one entry of a JWKS). */
export function ed25519PublicKeyFromJwk(jwk: Ed25519Jwk): string {
  return ED25519_PUBLIC_KEY_PREFIX + ed25519PublicKeyBytes(jwk).toString('base64');
}

function signingKey(secret: unknown): SigningKey {
  if (typeof secret === 'string' && secret.startsWith(ED25519_PRIVATE_KEY_PREFIX))
    return { version: 'v1a', key: ed25519PrivateKey(secret) };
  if (typeof secret === 'string' && secret.startsWith(WEBHOOK_SECRET_PREFIX)) return { version: 'v1', key: webhookSecretKey(secret) };
  throw invalidSecret(`each secret must start with ${WEBHOOK_SECRET_PREFIX} (HMAC) or ${ED25519_PRIVATE_KEY_PREFIX} (Ed25519)`);
}

function payloadBuffer(payload: Payload): Buffer {
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/** `"<id>.<timestamp>.<payload>"` as bytes: what every signature covers. */
function signedContent(webhookId: string, timestamp: string, payload: Payload): Buffer {
  return Buffer.concat([Buffer.from(`${webhookId}.${timestamp}.`, 'utf8'), payloadBuffer(payload)]);
}

function assertWebhookId(webhookId: unknown): asserts webhookId is string {
  if (
    typeof webhookId !== 'string' ||
    webhookId.length === 0 ||
    webhookId.length > MAX_WEBHOOK_ID_LENGTH ||
    !WEBHOOK_ID_PATTERN.test(webhookId)
  ) {
    throw new SignatureError(
      'INVALID_WEBHOOK_ID',
      `webhookId must be 1-${MAX_WEBHOOK_ID_LENGTH} printable ASCII characters without ".", "," or spaces`,
    );
  }
}

/** One entry of `webhook-signature` for one secret: `v1,<base64 HMAC>` or `v1a,<base64 Ed25519>`. */
export function computeStandardWebhookSignature(secret: string, webhookId: string, timestamp: number, payload: Payload): string {
  assertWebhookId(webhookId);
  assertTimestamp(timestamp);
  assertPayload(payload);
  return entry(signingKey(secret), signedContent(webhookId, String(timestamp), payload));
}

function entry(key: SigningKey, content: Buffer): string {
  if (key.version === 'v1') return `v1,${createHmac('sha256', key.key).update(content).digest('base64')}`;
  return `v1a,${edSign(null, content, key.key).toString('base64')}`;
}

/**
 * The three headers for a payload, with one signature per distinct secret (space-separated, in the
 * given order): during a rotation the sender passes every valid secret, so receivers holding either
 * one accept it. Throws `SignatureError` for no secret, more than `MAX_SIGNATURES`, a secret that is
 * neither `whsec_` nor `whsk_`, a bad id or a timestamp that is not unix seconds.
 */
export function signStandardWebhook({ payload, webhookId, timestamp, secrets }: SignStandardWebhookInput): StandardWebhookHeaders {
  assertPayload(payload);
  assertWebhookId(webhookId);
  assertTimestamp(timestamp);
  if (!isList(secrets) || secrets.length === 0) throw new SignatureError('NO_SECRETS', 'at least one signing secret is required');
  const distinct = [...new Set(secrets)];
  const keys = distinct.map(signingKey);
  if (keys.length > MAX_SIGNATURES) {
    throw new SignatureError('TOO_MANY_SECRETS', `at most ${MAX_SIGNATURES} signing secrets can be valid at once`);
  }
  const content = signedContent(webhookId, String(timestamp), payload);
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': keys.map((key) => entry(key, content)).join(' '),
  };
}

export interface ParsedWebhookSignatures {
  ok: true;
  /** Every `v1` and `v1a` entry, decoded, in header order; other versions are left out. */
  signatures: { version: StandardWebhookSignatureVersion; signature: Buffer }[];
}

export type WebhookSignatureParseResult =
  ParsedWebhookSignatures | { ok: false; code: 'MALFORMED_HEADER'; reason: StandardWebhookMalformedReason };

const malformed = (reason: StandardWebhookMalformedReason) => ({ ok: false as const, code: 'MALFORMED_HEADER' as const, reason });

/**
 * Parses `webhook-signature`. Never throws. Entries are separated by spaces; each is `<version>,<base64>`.
 * `v1` must decode to 32 bytes and `v1a` to 64 (base64 or base64url, padding optional); other
 * versions are ignored (forward compatibility). At least one and at most 16 `v1`/`v1a` entries.
 */
export function parseWebhookSignatureHeader(header: unknown): WebhookSignatureParseResult {
  if (typeof header !== 'string') return malformed(header == null ? 'EMPTY' : 'NOT_A_STRING');
  if (header.length > MAX_HEADER_LENGTH) return malformed('TOO_LONG');
  if (header.trim() === '') return malformed('EMPTY');
  const signatures: ParsedWebhookSignatures['signatures'] = [];
  for (const item of header.trim().split(/ +/)) {
    const comma = item.indexOf(',');
    if (comma === -1) return malformed('MISSING_COMMA');
    const version = item.slice(0, comma);
    if (version !== 'v1' && version !== 'v1a') continue;
    const bytes = decodeBase64(item.slice(comma + 1), exactly(version === 'v1' ? HMAC_BYTES : ED25519_SIGNATURE_BYTES));
    if (!bytes) return malformed('INVALID_SIGNATURE');
    if (signatures.length === MAX_SIGNATURES) return malformed('TOO_MANY_SIGNATURES');
    signatures.push({ version, signature: bytes });
  }
  if (signatures.length === 0) return malformed('NO_SIGNATURE');
  return { ok: true, signatures };
}

/** A header's single value, looked up whatever the case of its name; an array (repeated header) is kept as is. */
function headerValue(headers: VerifyStandardWebhookInput['headers'], name: string): unknown {
  if (headers[name] !== undefined) return headers[name];
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

const rejected = (reason: StandardWebhookMalformedReason): StandardWebhookVerifyResult => ({
  valid: false,
  code: 'MALFORMED_HEADER',
  reason,
});

function asList<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return isList(value) ? value : [value];
}

/**
 * Verifies a Standard Webhooks request against the receiver's `whsec_` secrets (for `v1`) and
 * `whpk_` public keys or JWKs (for `v1a`).
 *
 * Order, as `verifySignatureHeader`: configuration is checked first (throws `SignatureError`); no
 * secret and no public key gives NO_SIGNING_KEY; then the headers are parsed (MALFORMED_HEADER:
 * missing or bad `webhook-id`, `webhook-timestamp` or `webhook-signature`); then signatures are
 * checked (NO_MATCHING_SIGNATURE); only then the timestamp (TIMESTAMP_OUTSIDE_TOLERANCE), so that
 * code always means "authentic but stale".
 *
 * HMACs are compared with `crypto.timingSafeEqual` on 32-byte buffers, every secret with every `v1`,
 * without stopping at a match; every public key is tried on every `v1a` (`crypto.verify`).
 * A VALID answer carries `webhookId`: record it to refuse replays (see the README).
 */
export function verifyStandardWebhook(input: VerifyStandardWebhookInput): StandardWebhookVerifyResult {
  const { payload, headers, now, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = input;
  if (typeof toleranceSeconds !== 'number' || !Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw new SignatureError('INVALID_TOLERANCE', 'toleranceSeconds must be a non-negative finite number');
  }
  if (typeof now !== 'number' || !Number.isFinite(now) || now < 0) {
    throw new SignatureError('INVALID_NOW', 'now must be a non-negative finite number of unix seconds');
  }
  if (now > MAX_TIMESTAMP_SECONDS + 1) throw new SignatureError('INVALID_NOW', 'now is too large: pass unix seconds, not milliseconds');
  assertPayload(payload);
  if (typeof headers !== 'object' || headers === null)
    throw new SignatureError('INVALID_HEADERS', 'headers must be an object of header values');
  const hmacKeys = asList(input.secrets).map(webhookSecretKey);
  const publicKeys = asList(input.publicKeys).map((key) => publicKeyObject(ed25519PublicKeyBytes(key)));
  if (hmacKeys.length === 0 && publicKeys.length === 0) return { valid: false, code: 'NO_SIGNING_KEY' };

  const webhookId = headerValue(headers, 'webhook-id');
  if (webhookId === undefined || webhookId === '') return rejected('MISSING_ID');
  if (typeof webhookId !== 'string' || webhookId.length > MAX_WEBHOOK_ID_LENGTH || !WEBHOOK_ID_PATTERN.test(webhookId))
    return rejected('INVALID_ID');
  const timestamp = headerValue(headers, 'webhook-timestamp');
  if (timestamp === undefined || timestamp === '') return rejected('MISSING_TIMESTAMP');
  if (typeof timestamp !== 'string' || !TIMESTAMP_PATTERN.test(timestamp.trim())) return rejected('INVALID_TIMESTAMP');
  const parsed = parseWebhookSignatureHeader(headerValue(headers, 'webhook-signature'));
  if (!parsed.ok) return rejected(parsed.reason);

  const content = signedContent(webhookId, timestamp.trim(), payload);
  let matched = false;
  const v1 = parsed.signatures.filter((s) => s.version === 'v1');
  for (const key of hmacKeys) {
    const expected = createHmac('sha256', key).update(content).digest();
    // Non-short-circuit OR: the work done does not depend on which pair matched.
    for (const { signature } of v1) matched = timingSafeEqual(expected, signature) || matched;
  }
  const v1a = parsed.signatures.filter((s) => s.version === 'v1a');
  for (const key of publicKeys) {
    for (const { signature } of v1a) matched = edVerify(null, content, key, signature) || matched;
  }
  if (!matched) return { valid: false, code: 'NO_MATCHING_SIGNATURE' };
  const signedAt = Number(timestamp.trim());
  if (Math.abs(now - signedAt) > toleranceSeconds) return { valid: false, code: 'TIMESTAMP_OUTSIDE_TOLERANCE' };
  return { valid: true, code: 'VALID', webhookId, timestamp: signedAt };
}
