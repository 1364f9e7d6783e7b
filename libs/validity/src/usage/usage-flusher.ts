/**
 * Writes the usage aggregate to its store every `intervalMs`, off the hot path. Each batch has an id;
 * a failed write is retried at the next tick with the same batch and id (verifies counted meanwhile
 * wait in the aggregate for the next batch), and the store applies an id once (usage.port.ts): a
 * write that landed but answered an error (a timeout) is not counted twice. So a count is written at
 * least once, and a retry never adds it again; what has not been written when the process dies is
 * lost (README, "Key usage"). One warning per failure streak, one line when writes work again.
 */
import { randomUUID } from 'node:crypto';
import type { UsageAggregator } from './usage-aggregator';
import type { UsageDelta, UsageStore } from './usage.port';

export interface UsageFlusherLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface UsageFlusherStats {
  /** Batches written. */
  flushes: number;
  /** Writes that failed (each retried later). */
  failures: number;
  /** Whether the last write failed. */
  failing: boolean;
  /** Verifies not counted because the aggregate was full. */
  dropped: number;
  /** Key-days waiting for the next write. */
  pending: number;
}

export class UsageFlusher {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<boolean> | null = null;
  private flushes = 0;
  private failures = 0;
  private failing = false;
  /** The batch whose write failed, retried as it is (same id) before anything newer. */
  private unwritten: { id: string; deltas: UsageDelta[] } | null = null;

  constructor(
    private readonly aggregator: UsageAggregator,
    private readonly store: UsageStore,
    private readonly logger: UsageFlusherLogger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /**
   * Writes what was counted; true when it was written (or there was nothing). A flush already under
   * way is joined, never doubled: a slow store holds back one batch, not one per tick.
   */
  flush(): Promise<boolean> {
    this.inFlight ??= this.write().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** Stops the timer and makes one last attempt (bounded by the store's own timeouts). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  stats(): UsageFlusherStats {
    return {
      flushes: this.flushes,
      failures: this.failures,
      failing: this.failing,
      dropped: this.aggregator.dropped,
      pending: this.aggregator.size + (this.unwritten?.deltas.length ?? 0),
    };
  }

  private async write(): Promise<boolean> {
    // The batch that failed first, then (if it went through) what was counted since.
    if (this.unwritten && !(await this.attempt(this.unwritten))) return false;
    const deltas = this.aggregator.drain();
    if (deltas.length === 0) return true;
    return this.attempt({ id: randomUUID(), deltas });
  }

  private async attempt(batch: { id: string; deltas: UsageDelta[] }): Promise<boolean> {
    try {
      await this.store.apply(batch.deltas, batch.id);
    } catch (error) {
      this.unwritten = batch;
      this.failures++;
      if (!this.failing) {
        this.failing = true;
        this.logger.warn(
          `key usage write failed (${(error as Error).message}); verify is unaffected, counts are kept in memory ` +
            'and written when the usage store answers again',
        );
      }
      return false;
    }
    this.unwritten = null;
    this.flushes++;
    if (this.failing) {
      this.failing = false;
      this.logger.log('key usage writes work again; the counts kept meanwhile are written');
    }
    return true;
  }
}
