/**
 * Runs a worker only while this process holds a lease, so that with several instances exactly one
 * runs it (the Kafka relay: two relays on one checkpoint would publish everything twice and could
 * move the checkpoint backwards). The lease is renewed at a third of its lifetime; if it is lost
 * (a pause, a partition), the worker stops and another instance takes over. A short overlap only
 * repeats notifications, which consumers de-duplicate by ce_id; it never loses one.
 */
import type { LeaderLease, ProjectorLogger, Worker } from '@cs/application';

export class LeaseGatedWorker implements Worker {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private running = false;
  private stopped = true;

  constructor(
    readonly name: string,
    private readonly inner: Worker,
    private readonly lease: LeaderLease,
    private readonly renewEveryMs: number,
    private readonly logger: ProjectorLogger,
  ) {}

  get leading(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    if (this.running) await this.inner.stop();
    this.running = false;
    await this.lease.release().catch(() => undefined);
  }

  private tick(): Promise<void> {
    this.ticking = this.ticking.then(async () => {
      if (this.stopped) return;
      const leading = await this.lease.tryLead().catch((error: Error) => {
        this.logger.warn(`${this.name}: lease check failed (${error.message}); treating as not leading`);
        return false;
      });
      if (leading && !this.running) {
        await this.inner.start();
        this.running = true;
        this.logger.log(`${this.name}: this instance holds the lease and runs it`);
      } else if (!leading && this.running) {
        await this.inner.stop();
        this.running = false;
        this.logger.warn(`${this.name}: lease lost; stopped here (another instance takes over)`);
      }
      if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.renewEveryMs);
    });
    return this.ticking;
  }
}
