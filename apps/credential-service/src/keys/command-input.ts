/**
 * What both transports (HTTP and gRPC) turn a request into before a command: the acting user's
 * command context (with the version the caller acts on, from If-Match or expected_version), and the
 * old secret's expiry of a regenerate as a validated instant.
 */
import { randomUUID } from 'node:crypto';
import { oldSecretExpiry, type CommandContext, type OldSecretExpiryInput } from '@cs/application';
import type { Actor } from '../auth/actor';
import { badRequest } from '../http/problem';

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
    correlationId: randomUUID(),
    expectedVersion,
  };
}

/** The regenerate's old-secret expiry as an instant, or a 400 naming the field. */
export function requireOldSecretExpiry(input: OldSecretExpiryInput, now: number): Date {
  const resolved = oldSecretExpiry(input, now);
  if (!resolved.ok) throw badRequest(resolved.detail, [{ field: resolved.field, message: resolved.message }]);
  return resolved.expiresAt;
}
