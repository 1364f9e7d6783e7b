/**
 * Key usage (README, "Key usage"): per key, when it was last verified and how many verifies it got per
 * UTC day, valid and refused (by code). Verify only bumps an in-process aggregate (usage-aggregator.ts);
 * a background flusher (usage-flusher.ts) writes it here every USAGE_FLUSH_MS. Adapters: memory (tests),
 * SQLite (embedded mode, DATA_DIR/usage.sqlite), Redis (production); the behaviour every adapter must show
 * is testing/usage-store.conformance.ts.
 */

/** The refusals counted per key: the verdicts that name a key (NOT_FOUND and MALFORMED do not). */
export const USAGE_REFUSED_CODES = [
  'REVOKED',
  'EXPIRED',
  'SUSPENDED',
  'IP_NOT_ALLOWED',
  'ORIGIN_NOT_ALLOWED',
  'INSUFFICIENT_PERMISSIONS',
] as const;
export type UsageRefusedCode = (typeof USAGE_REFUSED_CODES)[number];

export const DAY_MS = 86_400_000;
/** How long daily counts and lastUsedAt are kept after their day (or last use): 400 days. */
export const USAGE_RETENTION_DAYS = 400;

/** The counts of one key on one UTC day, as the flusher hands them to a store (added to what it holds). */
export interface UsageDelta {
  keyId: string;
  /** Days since the Unix epoch (UTC). */
  day: number;
  valid: number;
  refused: Record<UsageRefusedCode, number>;
  /** Epoch milliseconds of the latest verify counted here. */
  lastUsedAt: number;
}

/** One day of a key's usage, as the API shows it. */
export interface DailyUsage {
  /** YYYY-MM-DD (UTC). */
  day: string;
  valid: number;
  refused: number;
  refusedByCode: Record<UsageRefusedCode, number>;
}

export interface UsageStore {
  /**
   * Adds the deltas (counts add up, lastUsedAt keeps the latest). Deltas for days older than the
   * retention are ignored. With a `batchId`, a batch already applied under that id (within
   * USAGE_BATCH_MEMORY_MS) is not applied again: the id is recorded atomically with the counts, so the
   * flusher's retry of a write that landed but answered an error does not count twice. Rejects when the
   * store cannot be written.
   */
  apply(deltas: readonly UsageDelta[], batchId?: string): Promise<void>;
  /** lastUsedAt (epoch ms) of each of these keys that was ever used (within the retention). */
  lastUsed(keyIds: readonly string[]): Promise<Map<string, number>>;
  /** The days with counts of the key in [fromDay, toDay] (epoch days, inclusive), oldest first. */
  daily(keyId: string, fromDay: number, toDay: number): Promise<DailyUsage[]>;
  close(): Promise<void>;
}

/** How long a store remembers the id of a batch it applied (so a retry within it is not counted twice). */
export const USAGE_BATCH_MEMORY_MS = DAY_MS;

/** Nest token of the UsageStore port. */
export const USAGE_STORE = Symbol('USAGE_STORE');

/** YYYY-MM-DD of an epoch day. */
export const dayString = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
/** The epoch day of a YYYY-MM-DD string, or null when it is not one. */
export function dayNumber(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(ms) || dayString(ms / DAY_MS) !== text) return null;
  return ms / DAY_MS;
}
export const epochDay = (ms: number): number => Math.floor(ms / DAY_MS);

export const emptyRefused = (): Record<UsageRefusedCode, number> => ({
  REVOKED: 0,
  EXPIRED: 0,
  SUSPENDED: 0,
  IP_NOT_ALLOWED: 0,
  ORIGIN_NOT_ALLOWED: 0,
  INSUFFICIENT_PERMISSIONS: 0,
});

/** Every refusal of a day, whatever its code. */
export const totalRefused = (refused: Record<UsageRefusedCode, number>): number =>
  USAGE_REFUSED_CODES.reduce((sum, code) => sum + refused[code], 0);

export function dailyUsage(day: number, valid: number, refused: Record<UsageRefusedCode, number>): DailyUsage {
  return { day: dayString(day), valid, refused: totalRefused(refused), refusedByCode: refused };
}
