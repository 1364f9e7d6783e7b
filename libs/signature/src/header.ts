/** The `t=<unix seconds>,v1=<hex>[,v1=<hex>]` header: constants, parsing and formatting. */

/** The only signature scheme this library produces and checks (HMAC-SHA256, lowercase hex). */
export const SIGNATURE_SCHEME = 'v1';
/** Receivers accept a timestamp at most this many seconds away from their clock, either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** A header longer than this (in UTF-16 code units, i.e. characters) is rejected unparsed. */
export const MAX_HEADER_LENGTH = 8 * 1024;
/** At most this many `v1` entries: one per signing secret valid at once (rotation overlap). */
export const MAX_SIGNATURES = 16;
/** Largest timestamp accepted, in seconds (year ~5138). Anything larger is almost surely
 *  milliseconds (`Date.now()`) passed where seconds were expected. */
export const MAX_TIMESTAMP_SECONDS = 99_999_999_999;

/** Hex length of one HMAC-SHA256 signature. */
export const SIGNATURE_HEX_LENGTH = 64;

const TIMESTAMP_PATTERN = /^(0|[1-9][0-9]{0,10})$/;
const SIGNATURE_PATTERN = /^[0-9a-fA-F]{64}$/;

export type MalformedHeaderReason =
  | 'NOT_A_STRING'
  | 'EMPTY'
  | 'TOO_LONG'
  | 'EMPTY_ELEMENT'
  | 'MISSING_EQUALS'
  | 'MISSING_TIMESTAMP'
  | 'DUPLICATE_TIMESTAMP'
  | 'INVALID_TIMESTAMP'
  | 'NO_SIGNATURE'
  | 'INVALID_SIGNATURE'
  | 'TOO_MANY_SIGNATURES';

export interface ParsedSignatureHeader {
  ok: true;
  /** Unix seconds, as signed. */
  timestamp: number;
  /** Every `v1` value, lowercased hex, 64 characters each, in header order. */
  signatures: string[];
}

export interface MalformedSignatureHeader {
  ok: false;
  code: 'MALFORMED_HEADER';
  /** For logs and metrics only; do not echo it to the sender. */
  reason: MalformedHeaderReason;
}

export type ParseResult = ParsedSignatureHeader | MalformedSignatureHeader;

const malformed = (reason: MalformedHeaderReason): MalformedSignatureHeader => ({
  ok: false,
  code: 'MALFORMED_HEADER',
  reason,
});

/**
 * Parses a signature header. Never throws: anything that is not a well-formed header comes back as
 * `{ ok: false, code: 'MALFORMED_HEADER', reason }`.
 *
 * Rules: the header is split on `,`; whitespace around each element, and around the key and the
 * value of `key=value`, is ignored. Keys are case-sensitive. Exactly one `t`, a non-negative integer
 * without sign, decimals or leading zeros. At least one and at most {@link MAX_SIGNATURES} `v1`
 * values, each 64 hex digits (either case). Elements with other keys (`v0=...`, future schemes) are
 * ignored. Empty elements (`t=1,,v1=...`, a trailing comma) and elements without `=` are malformed.
 */
export function parseSignatureHeader(header: string | null | undefined): ParseResult {
  if (typeof header !== 'string') return malformed(header == null ? 'EMPTY' : 'NOT_A_STRING');
  if (header.length > MAX_HEADER_LENGTH) return malformed('TOO_LONG');
  if (header.trim() === '') return malformed('EMPTY');

  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const rawElement of header.split(',')) {
    const element = rawElement.trim();
    if (element === '') return malformed('EMPTY_ELEMENT');
    const eq = element.indexOf('=');
    if (eq === -1) return malformed('MISSING_EQUALS');
    const key = element.slice(0, eq).trim();
    const value = element.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined) return malformed('DUPLICATE_TIMESTAMP');
      if (!TIMESTAMP_PATTERN.test(value)) return malformed('INVALID_TIMESTAMP');
      timestamp = Number(value);
    } else if (key === SIGNATURE_SCHEME) {
      if (!SIGNATURE_PATTERN.test(value)) return malformed('INVALID_SIGNATURE');
      if (signatures.length === MAX_SIGNATURES) return malformed('TOO_MANY_SIGNATURES');
      signatures.push(value.toLowerCase());
    }
    // Any other key is another scheme (Stripe's `v0`, a future `v2`): ignored.
  }
  if (timestamp === undefined) return malformed('MISSING_TIMESTAMP');
  if (signatures.length === 0) return malformed('NO_SIGNATURE');
  return { ok: true, timestamp, signatures };
}

/** `t=<timestamp>,v1=<sig>[,v1=<sig>...]`. Inputs are trusted (produced by `signPayload`). */
export function formatSignatureHeader(timestamp: number, signatures: readonly string[]): string {
  return [`t=${timestamp}`, ...signatures.map((s) => `${SIGNATURE_SCHEME}=${s}`)].join(',');
}
