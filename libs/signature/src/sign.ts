import { createHmac } from 'node:crypto';
import { SignatureError } from './errors';
import { MAX_SIGNATURES, MAX_TIMESTAMP_SECONDS, formatSignatureHeader } from './header';

/** The exact bytes that were sent: a string is encoded as UTF-8, bytes (a Buffer) are used as is. */
export type Payload = string | Uint8Array;

export interface SignPayloadInput {
  payload: Payload;
  /** Every signing secret of the account valid now; one `v1` per distinct secret, in this order. */
  secrets: readonly string[];
  /** Unix seconds (not milliseconds), an integer. */
  timestamp: number;
}

/** @internal Array.isArray that keeps a readonly array's element type (it narrows one to any[]). */
export function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

/** @internal */
export function assertPayload(payload: unknown): asserts payload is Payload {
  if (typeof payload === 'string' || payload instanceof Uint8Array) return;
  throw new SignatureError('INVALID_PAYLOAD', 'payload must be the raw body as a string or Buffer (not a parsed object)');
}

/** @internal */
export function assertSecret(secret: unknown): asserts secret is string {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new SignatureError('INVALID_SECRET', 'each secret must be a non-empty string');
  }
}

/** @internal */
export function assertTimestamp(timestamp: unknown): asserts timestamp is number {
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0) {
    throw new SignatureError('INVALID_TIMESTAMP', 'timestamp must be a non-negative integer of unix seconds');
  }
  if (timestamp > MAX_TIMESTAMP_SECONDS) {
    throw new SignatureError('INVALID_TIMESTAMP', 'timestamp is too large: pass unix seconds, not milliseconds');
  }
}

function payloadBytes(payload: Payload): Buffer {
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/** @internal HMAC-SHA256(secret, "<timestamp>.<payload>") as raw bytes; inputs already checked. */
export function hmacBytes(secret: string, timestamp: number, payload: Payload): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(payloadBytes(payload)).digest();
}

/** Lowercase hex HMAC-SHA256 of `"<timestamp>.<payload>"` keyed with the secret's UTF-8 bytes. */
export function computeSignature(secret: string, timestamp: number, payload: Payload): string {
  assertSecret(secret);
  assertTimestamp(timestamp);
  assertPayload(payload);
  return hmacBytes(secret, timestamp, payload).toString('hex');
}

/**
 * Signs a payload with every given secret: `t=<timestamp>,v1=<hex>[,v1=<hex>...]`.
 * Duplicate secrets are signed once. Throws `SignatureError` when there is no secret, a secret is
 * empty, there are more than `MAX_SIGNATURES` distinct secrets, or the timestamp is not unix seconds.
 */
export function signPayload({ payload, secrets, timestamp }: SignPayloadInput): string {
  assertPayload(payload);
  assertTimestamp(timestamp);
  if (!isList(secrets) || secrets.length === 0) {
    throw new SignatureError('NO_SECRETS', 'at least one signing secret is required');
  }
  secrets.forEach(assertSecret);
  const distinct = [...new Set(secrets)];
  if (distinct.length > MAX_SIGNATURES) {
    throw new SignatureError('TOO_MANY_SECRETS', `at most ${MAX_SIGNATURES} signing secrets can be valid at once`);
  }
  return formatSignatureHeader(
    timestamp,
    distinct.map((secret) => hmacBytes(secret, timestamp, payload).toString('hex')),
  );
}
