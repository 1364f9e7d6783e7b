/**
 * The `Idempotency-Key` header (gRPC: `idempotency-key` metadata) and what identifies a request
 * under it: pure functions, unit-tested.
 */
import { createHash } from 'node:crypto';
import { badRequest } from '../http/problem';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * The key as sent, or undefined when none was: 1 to 255 printable ASCII characters (space included,
 * not first or last). Anything else is 400 VALIDATION_FAILED naming the field, not the value.
 */
export function parseIdempotencyKey(value: unknown, field = 'Idempotency-Key'): string | undefined {
  if (value === undefined) return undefined;
  const valid =
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= IDEMPOTENCY_KEY_MAX_LENGTH &&
    /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value);
  if (!valid) {
    const message = `must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters (a UUID, say)`;
    throw badRequest(`${field} ${message}`, [{ field, message }]);
  }
  return value;
}

/** JSON with object keys sorted and undefined left out: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const sha256 = (...parts: string[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex');
};

/** Whose key it is: one account and one caller (the token's `sub`), so callers never share keys or answers. */
export interface IdempotencyScope {
  accountId: string;
  principal: string;
}

/** What makes two requests the same: the operation, the account, the key (for a regenerate), the version acted on and the body. */
export interface IdempotentRequest {
  operation: 'generate' | 'regenerate';
  keyId?: string;
  expectedVersion?: number;
  body: object;
}

/** Where the scope's key is stored: a hash, so neither the caller nor the key appears in the store. */
export const storageKey = (scope: IdempotencyScope, key: string): string =>
  sha256('idempotency-key/v1', scope.accountId, scope.principal, key);

/** The stored hash of the request (never the body itself). */
export const requestFingerprint = (scope: IdempotencyScope, request: IdempotentRequest): string =>
  sha256('idempotent-request/v1', scope.accountId, canonicalJson(request));
