/**
 * Records KeyExpiryWarned a configured lead time before a secret's expiry (EXPIRY_WARNING_LEADS,
 * default 7 days and 1 day), so the history shows the warning and downstream gets
 * `credentials.key.expiring`. Run by the expiry scheduler (same leader lease, same ticks, at its own
 * interval).
 *
 * Once per secret, expiry and lead: the decider's WarnExpiry is a no-op when a warning with this
 * lead or a shorter one was already recorded for the secret's current expiry, so a restart, a second
 * leader after a failover or a replayed sweep records nothing twice. Only the tightest lead that
 * applies is recorded: a secret given an expiry 12 hours away gets the 1-day warning, not a
 * 7-day one as well. A new expiry (SetExpiry, a regenerate's grace) is warned of again.
 *
 * The schedule is the validity index's pending expiries (rebuilt from the events): each pass pages
 * through the secrets expiring between now and now + the longest lead. What this process has already
 * warned of is remembered until the expiry passes, so a pass costs an index page read, not a command,
 * per secret already warned.
 */
import type { ValidityIndex } from '@cs/validity';
import { NO_COMMAND_OBSERVER, type CommandObserver } from './command-observer';
import type { KeyCommandExecutor } from './key-command-executor';

export const WARNER_ACTOR = { type: 'system', name: 'expiry-warner' } as const;

export const DEFAULT_WARNING_LEADS_SECONDS: readonly number[] = [7 * 86400, 86400];

export interface ExpiryWarnerOptions {
  /** Lead times in seconds (any order; empty: no warnings). */
  leadsSeconds: readonly number[];
  /** Secrets read from the index per page; default 500. */
  batch?: number;
  clock?: () => number;
  observer?: CommandObserver;
}

export class ExpiryWarner {
  private readonly leads: number[];
  /** `keyId:secretVersion:dueAt:lead` → dueAt, for warnings recorded (or found recorded) by this process. */
  private readonly done = new Map<string, number>();
  warned = 0;

  constructor(
    private readonly index: ValidityIndex,
    private readonly executor: KeyCommandExecutor,
    private readonly options: ExpiryWarnerOptions,
  ) {
    this.leads = [...new Set(options.leadsSeconds)].sort((a, b) => a - b);
  }

  get enabled(): boolean {
    return this.leads.length > 0;
  }

  /** The shortest lead whose window the expiry is in: `dueAt - now <= lead`. */
  leadFor(dueAt: number, now: number): number | null {
    return this.leads.find((lead) => dueAt - now <= lead * 1000) ?? null;
  }

  /** One pass over the coming expiries. Returns how many warnings it recorded. */
  async sweep(): Promise<number> {
    if (!this.enabled) return 0;
    const now = (this.options.clock ?? Date.now)();
    for (const [key, dueAt] of this.done) if (dueAt <= now) this.done.delete(key);
    const horizon = now + this.leads[this.leads.length - 1] * 1000;
    const observer = this.options.observer ?? NO_COMMAND_OBSERVER;
    let limit = this.options.batch ?? 500;
    let from = now + 1; // what is due at or before now is the expiry sweep's
    let recorded = 0;
    for (;;) {
      const page = await this.index.dueExpiries(horizon, limit, from);
      for (const { keyId, secretVersion, dueAt } of page) {
        const lead = this.leadFor(dueAt, now);
        const done = `${keyId}:${secretVersion}:${dueAt}:${lead}`;
        if (lead === null || this.done.has(done)) continue;
        const record = await this.index.getKey(keyId);
        if (!record) continue;
        const outcome = await observer.observe('WarnExpiry', () =>
          this.executor.execute(
            keyId,
            record.accountId,
            () => ({ command: { type: 'WarnExpiry', secretVersion, leadSeconds: lead }, result: null }),
            { actor: WARNER_ACTOR },
          ),
        );
        // A concurrent change is retried at the next pass.
        if (!outcome.ok) continue;
        this.done.set(done, dueAt);
        if (outcome.events.length > 0) recorded++;
      }
      if (page.length < limit) break;
      const last = page[page.length - 1].dueAt;
      // A full page of one instant: read a bigger page from the same instant rather than skip any.
      if (last === from) limit *= 2;
      from = last;
    }
    this.warned += recorded;
    return recorded;
  }
}
