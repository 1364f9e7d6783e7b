/**
 * Which secrets are live: the one rule the decider, the read model, verify, the key view and
 * signing all use.
 *
 * - An expiry is an instant. A secret is live strictly before it: at the exact instant of its
 *   expiry it has expired. `null` means it never expires.
 * - An older secret (the previous one, in its grace period after a regenerate) never outlives the
 *   current one: its effective expiry is the earlier of its own and the current secret's. Ending
 *   at the same instant is not outliving.
 * - A secret's life is only ever capped, never lengthened: regenerating caps the replaced secret's
 *   grace at its own expiry, the same way.
 *
 * Expiries come as ISO-8601 strings (events, read model) or epoch milliseconds (validity entries).
 * One that does not parse counts as passed, and as outliving any cap (fail closed).
 */

/** An expiry instant (ISO-8601 or epoch milliseconds), or null for "never". */
export type Expiry = string | number | null;
/** An instant to judge at: a Date or epoch milliseconds. */
export type Instant = Date | number;

const timeOf = (expiresAt: string | number): number => (typeof expiresAt === 'number' ? expiresAt : Date.parse(expiresAt));
const msOf = (now: Instant): number => (typeof now === 'number' ? now : now.getTime());

/** Whether an expiry has passed at `now`: from its exact instant on; never for null. */
export function hasExpired(expiresAt: Expiry, now: Instant): boolean {
  return expiresAt !== null && !(timeOf(expiresAt) > msOf(now));
}

/** A secret is live at `now` while it has no expiry or its expiry is still ahead. */
export function isLive(secret: { expiresAt: Expiry }, now: Instant): boolean {
  return !hasExpired(secret.expiresAt, now);
}

/** Whether `expiresAt` ends later than `cap` (null: never ends). The same instant is not later. */
export function outlives(expiresAt: Expiry, cap: Expiry): boolean {
  if (cap === null) return false;
  return expiresAt === null || !(timeOf(expiresAt) <= timeOf(cap));
}

/** The earlier of an expiry and its cap (null: never): `expiresAt` itself unless it outlives `cap`. */
export function cappedExpiry(expiresAt: string, cap: string | null): string;
export function cappedExpiry(expiresAt: string | null, cap: string | null): string | null;
export function cappedExpiry(expiresAt: string | null, cap: string | null): string | null {
  return outlives(expiresAt, cap) ? cap : expiresAt;
}

/**
 * The previous secret as it is in force: its expiry capped at the current secret's, so that ending
 * the current secret ends the key, grace included, at that instant (before the scheduler records
 * it). The same object when its own expiry already comes first (or at the same instant).
 */
export function effectivePrevious<T extends { expiresAt: string | null }>(previous: T, current: { expiresAt: string | null }): T {
  return outlives(previous.expiresAt, current.expiresAt) ? { ...previous, expiresAt: current.expiresAt } : previous;
}
