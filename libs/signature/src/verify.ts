import { timingSafeEqual } from 'node:crypto';
import { SignatureError } from './errors';
import { DEFAULT_TOLERANCE_SECONDS, MAX_TIMESTAMP_SECONDS, parseSignatureHeader } from './header';
import type { MalformedHeaderReason } from './header';
import { assertPayload, assertSecret, hmacBytes, isList } from './sign';
import type { Payload } from './sign';

export interface VerifySignatureInput {
  /** The RAW request body exactly as received: never re-serialized JSON. */
  payload: Payload;
  /** The signature header value (missing header: pass `undefined`, it yields MALFORMED_HEADER). */
  header: string | null | undefined;
  /** The receiver's secret, or every secret it currently holds (during a rotation). */
  secrets: string | readonly string[];
  /** The receiver's clock, unix seconds (may be fractional). */
  now: number;
  /** Max |now - t| in seconds; non-negative and finite. Default 300. */
  toleranceSeconds?: number;
}

export type VerifyResult =
  | { valid: true; code: 'VALID'; timestamp: number }
  | { valid: false; code: 'MALFORMED_HEADER'; reason: MalformedHeaderReason }
  | { valid: false; code: 'TIMESTAMP_OUTSIDE_TOLERANCE' | 'NO_MATCHING_SIGNATURE' | 'NO_SIGNING_KEY' };

export type VerifyFailureCode = Exclude<VerifyResult['code'], 'VALID'>;

/**
 * Verifies a signature header against the raw payload.
 *
 * Order: configuration is checked first (throws `SignatureError`: bad tolerance, `now`, payload type,
 * or an empty-string secret); then an empty secrets list gives NO_SIGNING_KEY; then the header is
 * parsed (MALFORMED_HEADER); then signatures are compared (NO_MATCHING_SIGNATURE); only then is the
 * timestamp checked (TIMESTAMP_OUTSIDE_TOLERANCE), so that code always means "authentic but stale or
 * from a skewed clock" and forged headers cannot produce it.
 *
 * Every secret is compared with every `v1` value using `crypto.timingSafeEqual` on 32-byte buffers,
 * without stopping at the first match or mismatch.
 */
export function verifySignatureHeader(input: VerifySignatureInput): VerifyResult {
  const { payload, header, now, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = input;
  if (typeof toleranceSeconds !== 'number' || !Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw new SignatureError('INVALID_TOLERANCE', 'toleranceSeconds must be a non-negative finite number');
  }
  if (typeof now !== 'number' || !Number.isFinite(now) || now < 0) {
    throw new SignatureError('INVALID_NOW', 'now must be a non-negative finite number of unix seconds');
  }
  if (now > MAX_TIMESTAMP_SECONDS + 1) {
    throw new SignatureError('INVALID_NOW', 'now is too large: pass unix seconds, not milliseconds');
  }
  assertPayload(payload);
  const secrets: readonly string[] = typeof input.secrets === 'string' ? [input.secrets] : input.secrets;
  if (!isList(secrets)) {
    throw new SignatureError('INVALID_SECRET', 'secrets must be a string or an array of strings');
  }
  secrets.forEach(assertSecret);
  if (secrets.length === 0) return { valid: false, code: 'NO_SIGNING_KEY' };

  const parsed = parseSignatureHeader(header);
  if (!parsed.ok) return { valid: false, code: 'MALFORMED_HEADER', reason: parsed.reason };

  // The parser guarantees 64 hex digits, so every candidate decodes to exactly 32 bytes, the length
  // of an HMAC-SHA256 digest: timingSafeEqual never sees unequal lengths.
  const candidates = parsed.signatures.map((hex) => Buffer.from(hex, 'hex'));
  let matched = false;
  for (const secret of secrets) {
    const expected = hmacBytes(secret, parsed.timestamp, payload);
    for (const candidate of candidates) {
      // Non-short-circuit OR: keep comparing after a match so the work done does not depend on
      // which (secret, signature) pair matched.
      matched = timingSafeEqual(expected, candidate) || matched;
    }
  }
  if (!matched) return { valid: false, code: 'NO_MATCHING_SIGNATURE' };
  if (Math.abs(now - parsed.timestamp) > toleranceSeconds) {
    return { valid: false, code: 'TIMESTAMP_OUTSIDE_TOLERANCE' };
  }
  return { valid: true, code: 'VALID', timestamp: parsed.timestamp };
}
