/**
 * The hot path's answer from one lookup: data, never an exception. The order of checks matters to
 * users: a revoked key says REVOKED even from a disallowed IP, so an operator sees the real cause.
 */
import { hasExpired, isIpAllowed, type KeyKind } from '@cs/domain';
import type { ValidityEntry } from './key-record';

export type VerifyCode = 'VALID' | 'MALFORMED' | 'NOT_FOUND' | 'REVOKED' | 'EXPIRED' | 'IP_NOT_ALLOWED' | 'SUSPENDED';

export interface VerifyResult {
  valid: boolean;
  code: VerifyCode;
  keyId?: string;
  accountId?: string;
  kind?: KeyKind;
  expiresAt?: string | null;
}

export function verdict(entry: ValidityEntry | null, ip: string | undefined, now: number): VerifyResult {
  if (!entry) return { valid: false, code: 'NOT_FOUND' };
  const who = { keyId: entry.keyId, accountId: entry.accountId, kind: entry.kind };
  if (entry.status === 'revoked') return { valid: false, code: 'REVOKED', ...who };
  const expiresAt = entry.expiresAt === null ? null : new Date(entry.expiresAt).toISOString();
  if (entry.status === 'expired' || hasExpired(entry.expiresAt, now)) {
    return { valid: false, code: 'EXPIRED', ...who, expiresAt };
  }
  if (entry.status === 'suspended') return { valid: false, code: 'SUSPENDED', ...who, expiresAt };
  if (!isIpAllowed(entry.allowedIps, ip)) return { valid: false, code: 'IP_NOT_ALLOWED', ...who };
  return { valid: true, code: 'VALID', ...who, expiresAt };
}
