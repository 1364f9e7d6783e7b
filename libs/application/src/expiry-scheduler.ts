/**
 * Records KeyExpired when a secret's expiry passes, so history shows it. Verify does not wait for
 * this: an expiry is in force at its instant. The schedule is the validity index's pending
 * expiries, which are rebuilt from the events, so the scheduler survives restarts by construction.
 * With several instances, only the holder of the leader lease sweeps.
 */
import type { ValidityIndex } from '@cs/validity';
import { NO_COMMAND_OBSERVER, type CommandObserver } from './command-observer';
import type { ExpiryWarner } from './expiry-warner';
import type { KeyCommandExecutor } from './key-command-executor';
import type { ProjectorLogger } from './validity-projector';

/** Leadership among scheduler instances; the embedded default is a single, always-leading one. */
export interface LeaderLease {
  /** Acquires or renews the lease; true while this instance leads. */
  tryLead(): Promise<boolean>;
  release(): Promise<void>;
}

export const soleLeader: LeaderLease = { tryLead: async () => true, release: async () => undefined };

export const SCHEDULER_ACTOR = { type: 'system', name: 'expiry-scheduler' } as const;

export class ExpiryScheduler {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  expired = 0;
  /** Due expiries the last sweep found (at most its batch) and did not record; 0 before the first. */
  backlog = 0;

  constructor(
    private readonly index: ValidityIndex,
    private readonly executor: KeyCommandExecutor,
    private readonly logger: ProjectorLogger,
    private readonly options: {
      intervalMs: number;
      lease?: LeaderLease;
      batch?: number;
      clock?: () => number;
      observer?: CommandObserver;
      /** Records expiry warnings (KeyExpiryWarned) on the same ticks, at most every `warningIntervalMs`. */
      warner?: ExpiryWarner;
      /** Default 60 s. */
      warningIntervalMs?: number;
    },
  ) {}

  private lastWarning = -Infinity;

  start(): void {
    const tick = (): void => {
      this.sweeping = this.sweep()
        .then(() => this.warnIfDue())
        .catch((error: Error) => {
          // An untrusted index is reported by the trust monitor; the sweep simply waits for it.
          if (error.name !== 'IndexUnavailableError') this.logger.warn(`expiry sweep failed (${error.message}); retrying at the next tick`);
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.options.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.sweeping;
    // Unreachable Redis: the lease then lapses by itself within its lifetime.
    await (this.options.lease ?? soleLeader).release().catch(() => undefined);
  }

  /** A warning pass when the last one is `warningIntervalMs` old (and this instance leads). */
  private async warnIfDue(): Promise<void> {
    const warner = this.options.warner;
    const now = (this.options.clock ?? Date.now)();
    if (!warner?.enabled || now - this.lastWarning < (this.options.warningIntervalMs ?? 60_000)) return;
    if (!(await (this.options.lease ?? soleLeader).tryLead())) return;
    this.lastWarning = now;
    await warner.sweep();
  }

  /** One pass: record KeyExpired for every due secret. Returns how many were recorded. */
  async sweep(): Promise<number> {
    if (!(await (this.options.lease ?? soleLeader).tryLead())) return 0;
    const now = (this.options.clock ?? Date.now)();
    const due = await this.index.dueExpiries(now, this.options.batch ?? 100);
    this.backlog = due.length;
    const observer = this.options.observer ?? NO_COMMAND_OBSERVER;
    let recorded = 0;
    for (const { keyId, secretVersion } of due) {
      const record = await this.index.getKey(keyId);
      if (!record) continue;
      const outcome = await observer.observe('ExpireSecret', () =>
        this.executor.execute(keyId, record.accountId, () => ({ command: { type: 'ExpireSecret', secretVersion }, result: null }), {
          actor: SCHEDULER_ACTOR,
        }),
      );
      // A concurrent change is retried at the next sweep; the due entry stays until recorded.
      if (outcome.ok && outcome.events.length > 0) recorded++;
      if (outcome.ok) this.backlog--;
    }
    this.expired += recorded;
    return recorded;
  }
}
