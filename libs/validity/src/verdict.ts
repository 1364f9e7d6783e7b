/**
 * The hot path's answer from one lookup: data, never an exception. The order of checks matters to
 * users: a revoked key says REVOKED even from a disallowed IP, so an operator sees the real cause.
 */
import { hasExpired, holdsPermissions, isIpAllowed, isOriginAllowed, type KeyKind, type WebhookFormat } from '@cs/domain';
import type { ValidityEntry } from './key-record';

/** Every verify answer: the one list the OpenAPI answer and the metrics' labels are made from. */
export const VERIFY_CODES = [
  'VALID',
  'MALFORMED',
  'NOT_FOUND',
  'REVOKED',
  'EXPIRED',
  'IP_NOT_ALLOWED',
  'SUSPENDED',
  'ORIGIN_NOT_ALLOWED',
  'INSUFFICIENT_PERMISSIONS',
] as const;
export type VerifyCode = (typeof VERIFY_CODES)[number];

export interface VerifyResult {
  valid: boolean;
  code: VerifyCode;
  keyId?: string;
  accountId?: string;
  kind?: KeyKind;
  expiresAt?: string | null;
  /** VALID and INSUFFICIENT_PERMISSIONS only: what the key grants and says about its owner (key-scopes.ts). */
  permissions?: string[];
  metadata?: Record<string, unknown>;
  externalId?: string | null;
  webhookFormat?: WebhookFormat;
}

const NO_PERMISSIONS: readonly string[] = [];

/** `required`: the permissions the caller needs, all of them (absent or empty: none). */
export function verdict(
  entry: ValidityEntry | null,
  ip: string | undefined,
  now: number,
  required: readonly string[] = NO_PERMISSIONS,
  /** The request's web origin (publishable keys only must come with an allowed one). */
  origin?: string,
): VerifyResult {
  if (!entry) return { valid: false, code: 'NOT_FOUND' };
  const who = { keyId: entry.keyId, accountId: entry.accountId, kind: entry.kind };
  if (entry.status === 'revoked') return { valid: false, code: 'REVOKED', ...who };
  const expiresAt = entry.expiresAt === null ? null : new Date(entry.expiresAt).toISOString();
  if (entry.status === 'expired' || hasExpired(entry.expiresAt, now)) {
    return { valid: false, code: 'EXPIRED', ...who, expiresAt };
  }
  if (entry.status === 'suspended') return { valid: false, code: 'SUSPENDED', ...who, expiresAt };
  if (!isIpAllowed(entry.allowedIps, ip)) return { valid: false, code: 'IP_NOT_ALLOWED', ...who };
  if (entry.kind === 'publishable' && !isOriginAllowed(entry.allowedOrigins ?? [], origin))
    return { valid: false, code: 'ORIGIN_NOT_ALLOWED', ...who };
  const scopes = verdictScopes(entry);
  if (!holdsPermissions(scopes.permissions, required))
    return { valid: false, code: 'INSUFFICIENT_PERMISSIONS', ...who, expiresAt, ...scopes };
  return { valid: true, code: 'VALID', ...who, expiresAt, ...scopes };
}

/** The entry's scope fields as answered; an entry written before they existed has none (unrestricted). */
function verdictScopes(
  entry: ValidityEntry,
): Pick<VerifyResult, 'permissions' | 'metadata' | 'externalId' | 'webhookFormat'> & { permissions: string[] } {
  return {
    permissions: entry.permissions ?? [],
    metadata: entry.metadata ?? {},
    externalId: entry.externalId ?? null,
    ...(entry.webhookFormat === undefined ? {} : { webhookFormat: entry.webhookFormat }),
  };
}
