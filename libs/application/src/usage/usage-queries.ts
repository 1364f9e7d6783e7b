/**
 * Reads of key usage (README, "Key usage"): lastUsedAt in key views, a key's per-day counts, and the
 * account's unused keys. Usage is never a reason for a key view to fail or wait: past its bound, or
 * with the usage store down, a view's lastUsedAt is null. The usage calls themselves answer
 * `'unavailable'` then (503 USAGE_UNAVAILABLE at the edge), and with USAGE=off.
 */
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  DAY_MS,
  dailyUsage,
  dayString,
  emptyRefused,
  epochDay,
  VALIDITY_INDEX,
  type DailyUsage,
  type KeyRecord,
  type UsageStore,
  type ValidityIndex,
} from '@cs/validity';
import { toKeyView, type KeyView } from '../views';

/** The usage store as the reads use it: null with USAGE=off; each read bounded by `timeoutMs`. */
export class UsageReads {
  constructor(
    readonly store: UsageStore | null,
    readonly timeoutMs: number,
  ) {}

  /** lastUsedAt of each key, or null when usage cannot be read now (off, store down, too slow). */
  async lastUsed(keyIds: readonly string[]): Promise<Map<string, number> | null> {
    if (!this.store) return null;
    return this.bounded(this.store.lastUsed(keyIds)).catch(() => null);
  }

  async daily(keyId: string, fromDay: number, toDay: number): Promise<DailyUsage[] | null> {
    if (!this.store) return null;
    return this.bounded(this.store.daily(keyId, fromDay, toDay)).catch(() => null);
  }

  private bounded<T>(read: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('usage read timed out')), this.timeoutMs);
    });
    return Promise.race([read, timeout]).finally(() => clearTimeout(timer));
  }
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** The views with `lastUsedAt` (null: never used within the retention, or usage unavailable now). */
export async function withLastUsed(views: KeyView[], usage: UsageReads | undefined): Promise<KeyView[]> {
  const last = usage && views.length > 0 ? await usage.lastUsed(views.map((v) => v.id)) : null;
  return views.map((view) => ({ ...view, lastUsedAt: iso(last?.get(view.id)) }));
}

export type UsageUnavailable = 'unavailable';

/** The longest range of days one usage call answers. */
export const MAX_USAGE_RANGE_DAYS = 366;
/** Days answered when `from` is not given: the last 30, today included. */
export const DEFAULT_USAGE_RANGE_DAYS = 30;

export interface KeyUsageReport {
  keyId: string;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
  lastUsedAt: string | null;
  total: { valid: number; refused: number };
  /** Every day of the range, oldest first (zeros on days without a verify). */
  days: DailyUsage[];
}

/** A key's per-day counts in [fromDay, toDay] (epoch days); null: no such key in the account. */
export class GetKeyUsage extends Query<KeyUsageReport | null | UsageUnavailable> {
  constructor(
    readonly accountId: string,
    readonly keyId: string,
    readonly fromDay: number,
    readonly toDay: number,
  ) {
    super();
  }
}

export interface UnusedKey {
  keyId: string;
  name: string;
  kind: KeyRecord['kind'];
  status: KeyView['status'];
  createdAt: string;
  lastUsedAt: string | null;
}

export interface UnusedKeysReport {
  unusedForDays: number;
  /** Keys used last before this instant (or never, and created before it) are listed. */
  cutoff: string;
  keys: UnusedKey[];
}

/** The account's keys (revoked ones aside) not verified for `unusedForDays` days, oldest first. */
export class ListUnusedKeys extends Query<UnusedKeysReport | UsageUnavailable> {
  constructor(
    readonly accountId: string,
    readonly unusedForDays: number,
  ) {
    super();
  }
}

@QueryHandler(GetKeyUsage)
export class GetKeyUsageHandler implements IQueryHandler<GetKeyUsage> {
  constructor(
    @Inject(VALIDITY_INDEX) private readonly index: ValidityIndex,
    @Inject(UsageReads) private readonly usage: UsageReads,
  ) {}

  async execute({ accountId, keyId, fromDay, toDay }: GetKeyUsage): Promise<KeyUsageReport | null | UsageUnavailable> {
    const record = await this.index.getKey(keyId);
    if (!record || record.accountId !== accountId) return null;
    const [days, last] = await Promise.all([this.usage.daily(keyId, fromDay, toDay), this.usage.lastUsed([keyId])]);
    if (days === null || last === null) return 'unavailable';
    const byDay = new Map(days.map((d) => [d.day, d]));
    const all: DailyUsage[] = [];
    for (let day = fromDay; day <= toDay; day++) all.push(byDay.get(dayString(day)) ?? dailyUsage(day, 0, emptyRefused()));
    return {
      keyId,
      from: dayString(fromDay),
      to: dayString(toDay),
      lastUsedAt: iso(last.get(keyId)),
      total: { valid: all.reduce((n, d) => n + d.valid, 0), refused: all.reduce((n, d) => n + d.refused, 0) },
      days: all,
    };
  }
}

@QueryHandler(ListUnusedKeys)
export class ListUnusedKeysHandler implements IQueryHandler<ListUnusedKeys> {
  constructor(
    @Inject(VALIDITY_INDEX) private readonly index: ValidityIndex,
    @Inject(UsageReads) private readonly usage: UsageReads,
  ) {}

  async execute({ accountId, unusedForDays }: ListUnusedKeys): Promise<UnusedKeysReport | UsageUnavailable> {
    const records = (await this.index.listKeys(accountId)).filter((r) => r.status !== 'revoked');
    const last = await this.usage.lastUsed(records.map((r) => r.keyId));
    if (last === null) return 'unavailable';
    const now = Date.now();
    const cutoff = now - unusedForDays * DAY_MS;
    const keys = records
      .filter((r) => {
        const at = last.get(r.keyId);
        return at === undefined ? Date.parse(r.createdAt) < cutoff : at < cutoff;
      })
      .map((r) => ({
        keyId: r.keyId,
        name: r.name,
        kind: r.kind,
        status: toKeyView(r, now).status,
        createdAt: r.createdAt,
        lastUsedAt: iso(last.get(r.keyId)),
      }))
      .sort(
        (a, b) =>
          (a.lastUsedAt ?? '').localeCompare(b.lastUsedAt ?? '') ||
          a.createdAt.localeCompare(b.createdAt) ||
          a.keyId.localeCompare(b.keyId),
      );
    return { unusedForDays, cutoff: new Date(cutoff).toISOString(), keys };
  }
}

/** Today's epoch day (UTC). */
export const usageToday = (): number => epochDay(Date.now());

export const USAGE_QUERY_HANDLERS = [GetKeyUsageHandler, ListUnusedKeysHandler];
