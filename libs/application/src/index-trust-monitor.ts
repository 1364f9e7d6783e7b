/**
 * Keeps this process's view of the validity index honest (libs/validity/src/index-trust.ts) and heals
 * the index without a restart:
 *
 * - probes the index (one bounded round trip) every `untrustedIntervalMs` while it is not trusted and
 *   every `trustedIntervalMs` otherwise, and reads the event store's head of the key streams;
 * - after an incident (a lost connection, a failed read, an empty index), once the index answers again,
 *   requires it to have applied the store head read *then* before it is trusted (`revalidate`);
 * - where this process runs the workers: rebuilds an index found empty, and makes the projection
 *   resume from what the index really holds whenever the index is not trusted (it may have lost
 *   writes that no new event would bring back);
 * - logs one line per change of state, not one per request.
 *
 * It also keeps the figures health and readiness report: store reachability, store head, index lag.
 */
import { KEY_STREAM_PREFIX } from '@cs/domain';
import type { EventStore } from '@cs/event-store';
import type { IndexHealth, ValidityIndex } from '@cs/validity';
import type { ProjectorLogger, ValidityProjector } from './validity-projector';

export interface IndexTrustMonitorOptions {
  /** The projection this process runs, if it runs the workers; readers (WORKERS=none) only watch. */
  projector?: ValidityProjector | null;
  untrustedIntervalMs?: number;
  trustedIntervalMs?: number;
  /** How long the index may stay untrusted before the projection is made to resume again. */
  resyncEveryMs?: number;
}

export interface TrustReport {
  storeReachable: boolean;
  storeHead: bigint | null;
  index: IndexHealth;
  /** storeHead − index position, when both are known. */
  lag: bigint | null;
  rebuilding: boolean;
  rebuilds: number;
}

export class IndexTrustMonitor {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = true;
  private storeReachable = false;
  private storeHead: bigint | null = null;
  private rebuilding: Promise<void> | null = null;
  private rebuilds = 0;
  private lastResync = 0;
  private lastLogged: string | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly index: ValidityIndex,
    private readonly logger: ProjectorLogger,
    private readonly options: IndexTrustMonitorOptions = {},
  ) {}

  /** Runs one check at once (so the first answer can come without waiting for a timer), then keeps checking. */
  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.index.trust.onChange((health) => this.logChange(health));
    await this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    await this.ticking;
    await this.rebuilding;
  }

  report(): TrustReport {
    const index = this.index.trust.health();
    const lag = this.storeHead !== null && index.position !== null ? this.storeHead - index.position : null;
    return {
      storeReachable: this.storeReachable,
      storeHead: this.storeHead,
      index,
      lag: lag !== null && lag < 0n ? 0n : lag,
      rebuilding: this.rebuilding !== null,
      rebuilds: this.rebuilds,
    };
  }

  /** One round: probe, revalidate after an incident, heal. Never throws. */
  tick(): Promise<void> {
    this.ticking ??= this.check().finally(() => {
      this.ticking = null;
      if (this.stopped) return;
      const trusted = this.index.trust.health().trusted;
      const wait = trusted ? (this.options.trustedIntervalMs ?? 1000) : (this.options.untrustedIntervalMs ?? 100);
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.tick(), wait);
      this.timer.unref();
    });
    return this.ticking;
  }

  private async check(): Promise<void> {
    const health = await this.index.trust.probe();
    let head: bigint | undefined;
    try {
      head = await this.store.headPosition({ streamPrefixes: [KEY_STREAM_PREFIX] });
      this.storeHead = head ?? 0n;
      if (!this.storeReachable) this.logger.log('event store reachable');
      this.storeReachable = true;
    } catch (error) {
      if (this.storeReachable || this.lastLogged !== 'store-down') {
        this.logger.warn(`event store unreachable (${(error as Error).message}); commands fail until it answers again`);
        this.lastLogged = 'store-down';
      }
      this.storeReachable = false;
      return;
    }
    if (health.state === 'unreachable') return;
    // The head is read after the index answered again, so it covers every event recorded while it was out.
    if (health.incident && !health.empty) this.index.trust.revalidate(head ?? 0n);
    const projector = this.options.projector;
    if (!projector || this.stopped) return;
    if (health.empty) {
      this.rebuild(projector);
      return;
    }
    const now = Date.now();
    if (!this.index.trust.health().trusted && !this.rebuilding && now - this.lastResync >= (this.options.resyncEveryMs ?? 1000)) {
      this.lastResync = now;
      await projector.resync();
    }
  }

  private rebuild(projector: ValidityProjector): void {
    if (this.rebuilding) return;
    const started = Date.now();
    this.logger.warn('validity index is empty (never built, flushed, or restarted without its data): rebuilding it from the event store');
    this.rebuilding = (async () => {
      try {
        const keys = await projector.rebuild();
        const head = await this.store.headPosition({ streamPrefixes: [KEY_STREAM_PREFIX] });
        this.rebuilds++;
        this.logger.log(`validity index rebuilt: ${keys} keys in ${Date.now() - started} ms`);
        // The rebuilt index holds the whole store up to its checkpoint: revalidate against the head now.
        await this.index.trust.probe();
        this.index.trust.revalidate(head ?? 0n);
        await projector.resync();
      } catch (error) {
        this.logger.warn(`validity index rebuild failed (${(error as Error).message}); trying again`);
      } finally {
        this.rebuilding = null;
      }
    })();
  }

  private logChange(health: IndexHealth): void {
    const key = `${health.state}`;
    if (key === this.lastLogged) return;
    const previous = this.lastLogged;
    this.lastLogged = key;
    if (health.trusted) {
      if (previous !== null) this.logger.log('validity index trusted again: caught up with the event store');
    } else if (health.state === 'unreachable') {
      this.logger.warn(
        `validity index unreachable (${health.reason ?? 'no connection'}): verify and key reads answer 503 INDEX_UNAVAILABLE`,
      );
    } else if (previous !== null || health.state !== 'untrusted') {
      this.logger.warn(
        `validity index not trusted (${health.reason ?? health.state}): ` +
          'verify and key reads answer 503 INDEX_UNAVAILABLE until it has caught up',
      );
    }
  }
}
