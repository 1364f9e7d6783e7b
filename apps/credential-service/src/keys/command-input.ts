/**
 * What both transports (HTTP and gRPC) turn a request into before a command: the acting user's
 * command context (with the version the caller acts on, from If-Match or expected_version), the
 * old secret's expiry of a regenerate as a validated instant, and the parameters of the audit
 * queries (validity-at's `at` and `ip`; the account history's: history-input.ts).
 */
import { randomUUID } from 'node:crypto';
import { oldSecretExpiry, type CommandContext, type OldSecretExpiryInput } from '@cs/application';
import { activeTraceId } from '@cs/composition';
import { isIpAddress, parseIsoInstant } from '@cs/domain';
import type { Actor } from '../auth/actor';
import { badRequest } from '../http/problem';
import { ISO_INSTANT_MESSAGE } from './key.dto';

/** `If-Match: "3"` (or `W/"3"`, or `3`): the version the caller acts on; `*` or absent: any. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match)
    throw badRequest('If-Match must be a key version as returned in ETag, e.g. "3"', [{ field: 'If-Match', message: 'not a version' }]);
  return Number(match[1]);
}

export function actorContext(actor: Actor, expectedVersion?: number): CommandContext {
  return {
    actor: { type: 'user', sub: actor.sub, acct: actor.acct, roles: actor.roles },
    // With tracing on, the request's trace id: the events' correlation id leads to the trace (README, "Observability").
    correlationId: activeTraceId() ?? randomUUID(),
    expectedVersion,
  };
}

/** The regenerate's old-secret expiry as an instant, or a 400 naming the field. */
export function requireOldSecretExpiry(input: OldSecretExpiryInput, now: number): Date {
  const resolved = oldSecretExpiry(input, now);
  if (!resolved.ok) throw badRequest(resolved.detail, [{ field: resolved.field, message: resolved.message }]);
  return resolved.expiresAt;
}

/** Validity-at's question: `at` (required instant) and `ip` (optional address), or a 400 naming the field. */
export function validityQuery(at: string | undefined, ip: string | undefined): { at: Date; ip: string | undefined } {
  const instant = parseIsoInstant(at);
  if (instant === null) throw badRequest(`at ${ISO_INSTANT_MESSAGE}`, [{ field: 'at', message: `is required and ${ISO_INSTANT_MESSAGE}` }]);
  if (ip !== undefined && !isIpAddress(ip))
    throw badRequest('ip must be an IPv4 or IPv6 address', [{ field: 'ip', message: 'must be an IPv4 or IPv6 address' }]);
  return { at: instant, ip };
}

export const DEFAULT_HISTORY_LIMIT = 1000;
export const MAX_HISTORY_LIMIT = 10000;
