/**
 * Remembers the `ce_id`s of the notifications a consumer has handled, so that a copy delivered again
 * can be skipped. The topic is at least once (docs/asyncapi.yaml): the relay sends a batch again after
 * a failed publish or a crash, and the whole log again after an invalid checkpoint.
 *
 * The contract:
 * - `isDuplicate(id)` is true if `markHandled(id)` was called for that id and it is still remembered;
 *   it records nothing. Call `markHandled(id)` only once the notification was handled: marking before
 *   handling would turn a failed attempt (that Kafka delivers again) into a skipped notification.
 * - Memory is bounded: the last `maxEntries` ids marked are remembered (marking one again makes it the
 *   newest) and, with `ttlMs`, only for that long after they were marked. An older id is forgotten,
 *   and a copy of it arriving later is handled again.
 * - It is in-process: copies delivered to another consumer instance (after a rebalance) or after a
 *   restart are not caught. Copies of one notification go to one partition (same account), so one
 *   instance sees them in turn, never at once. A bounded window catches the usual repeats (a batch sent
 *   again, seconds apart), not a re-publication of the whole log: where a repeat must never have an
 *   effect, make the handling idempotent too (a unique constraint on ce_id in the consumer's store).
 */
export interface NotificationDeduplicatorOptions {
  /** How many ids to remember at most (≥ 1). About 100 bytes each. */
  maxEntries: number;
  /** Forget an id this long after it was marked; default: only `maxEntries` bounds it. */
  ttlMs?: number;
  /** Clock in ms, for tests; default Date.now. */
  now?: () => number;
}

export class NotificationDeduplicator {
  /** id → when it was marked; Map keeps insertion order, so the oldest mark comes first. */
  private readonly marked = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly ttlMs: number | undefined;
  private readonly now: () => number;

  constructor(options: NotificationDeduplicatorOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1)
      throw new RangeError('NotificationDeduplicator: maxEntries must be an integer ≥ 1');
    if (options.ttlMs !== undefined && !(options.ttlMs > 0)) throw new RangeError('NotificationDeduplicator: ttlMs must be > 0');
    this.maxEntries = options.maxEntries;
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
  }

  /** True when this id was marked handled and is still remembered. Records nothing. */
  isDuplicate(id: string): boolean {
    this.forgetExpired();
    return this.marked.has(id);
  }

  /** Remembers the id as handled (the newest entry); forgets the oldest beyond `maxEntries`. */
  markHandled(id: string): void {
    this.marked.delete(id);
    this.marked.set(id, this.now());
    this.forgetExpired();
    while (this.marked.size > this.maxEntries) this.marked.delete(this.marked.keys().next().value as string);
  }

  /** How many ids are remembered now. */
  get size(): number {
    this.forgetExpired();
    return this.marked.size;
  }

  private forgetExpired(): void {
    if (this.ttlMs === undefined) return;
    const cutoff = this.now() - this.ttlMs;
    for (const [id, at] of this.marked) {
      if (at > cutoff) break;
      this.marked.delete(id);
    }
  }
}
