/**
 * Writes the usage aggregate to its store every `intervalMs`, off the hot path. A failed write puts
 * the batch back into the aggregate (merged with what was counted meanwhile) and is retried at the
 * next tick: delivery is at-least-once (a write that landed but answered an error, e.g. a timeout, is
 * counted again). One warning per failure streak, one line when writes work again. What is in the
 * aggregate when the process dies is lost (README, "Key usage").
 */
import type { UsageAggregator } from './usage-aggregator';
import type { UsageStore } from './usage.port';

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
      pending: this.aggregator.size,
    };
  }

  private async write(): Promise<boolean> {
    const batch = this.aggregator.drain();
    if (batch.length === 0) return true;
    try {
      await this.store.apply(batch);
    } catch (error) {
      this.aggregator.restore(batch);
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
    this.flushes++;
    if (this.failing) {
      this.failing = false;
      this.logger.log('key usage writes work again; the counts kept meanwhile are written');
    }
    return true;
  }
}
