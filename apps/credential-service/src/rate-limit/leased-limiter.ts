/**
 * A fixed-window limit whose counter lives in a rate-limiter-flexible limiter (RateLimiterRedis,
 * shared by every instance, or RateLimiterMemory), spent locally in blocks so that the hot path does
 * not pay a round trip per request.
 *
 * An instance takes `block` points at a time from the shared counter (one `consume(key, block)`)
 * and admits that many requests from memory, synchronously. Once the shared counter is past the
 * limit the key is refused locally until the window ends, without asking the store again (as the
 * library's inMemoryBlockOnConsumed does). Points an instance took but did not use count as used,
 * so the shared limit is never exceeded; it may refuse up to `block` points per instance early.
 * With `block` 1 every request is one consume: exact.
 *
 * Concurrent requests for a key whose block is spent wait for one consume, not one each.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

interface Lease {
  /** Points taken from the shared counter and not yet spent here. */
  tokens: number;
  /** When the window of those points ends (ms since the epoch). */
  until: number;
  /** The shared counter is past the limit: refuse until `until` once `tokens` are spent. */
  exhausted: boolean;
  /** A consume in flight for this key. */
  pending: Promise<void> | null;
}

/** A limiter that takes points from the store, or from its stand-in while the store is failing. */
export interface PointSource {
  take(limiter: RateLimiterAbstract, key: string, points: number): Promise<RateLimiterRes>;
}

const direct: PointSource = { take: (limiter, key, points) => limiter.consume(key, points) };

export class LeasedLimiter {
  private readonly leases = new Map<string, Lease>();
  private insertions = 0;

  constructor(
    private readonly limiter: RateLimiterAbstract,
    /** Points per window (the limiter's `points`). */
    readonly points: number,
    /** Points taken from the shared counter at a time. */
    readonly block: number,
    private readonly source: PointSource = direct,
  ) {
    if (!(block >= 1 && block <= points)) throw new Error(`block must be from 1 to ${points}, got ${block}`);
  }

  /** The block an instance takes for a limit: 1% of it (at least 1), so at most 1% per instance is refused early. */
  static blockFor(points: number): number {
    return Math.max(1, Math.floor(points / 100));
  }

  /**
   * 0 when the request is admitted, else the milliseconds until the key's window ends. Synchronous
   * while this instance holds points for the key.
   */
  take(key: string): number | Promise<number> {
    return this.attempt(key, 0);
  }

  private attempt(key: string, tries: number): number | Promise<number> {
    const now = Date.now();
    let lease = this.leases.get(key);
    if (lease === undefined) {
      if (++this.insertions % 1024 === 0) this.sweep(now);
      lease = { tokens: 0, until: 0, exhausted: false, pending: null };
      this.leases.set(key, lease);
    }
    if (lease.pending) return this.after(lease.pending, key, tries);
    if (lease.until > now) {
      if (lease.tokens > 0) {
        lease.tokens--;
        return 0;
      }
      if (lease.exhausted) return lease.until - now;
    } else {
      lease.tokens = 0;
      lease.exhausted = false;
    }
    // The store answered but the window was already over (or the clock jumped): do not loop, admit.
    if (tries >= 2) return 0;
    lease.pending = this.reserve(key, lease);
    return this.after(lease.pending, key, tries + 1);
  }

  private async after(pending: Promise<void>, key: string, tries: number): Promise<number> {
    await pending;
    return this.attempt(key, tries);
  }

  private async reserve(key: string, lease: Lease): Promise<void> {
    const started = Date.now();
    try {
      const res = await this.source.take(this.limiter, key, this.block);
      lease.tokens += this.block;
      lease.until = started + windowMs(res, this.limiter);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        // Past the limit: of this block, the points still under it are ours; then refuse.
        const fitting = Math.min(this.block, Math.max(0, this.points - (error.consumedPoints - this.block)));
        lease.tokens += fitting;
        lease.until = started + windowMs(error, this.limiter);
        lease.exhausted = true;
      } else {
        // Neither the store nor its stand-in answered: a limiter fault must not refuse service.
        lease.tokens += this.block;
        lease.until = started + this.limiter.duration * 1000;
      }
    } finally {
      lease.pending = null;
    }
  }

  /** Forgets keys whose window is over, so the map holds only keys seen in the current window. */
  private sweep(now: number): void {
    for (const [key, lease] of this.leases) if (lease.until <= now && !lease.pending) this.leases.delete(key);
  }
}

function windowMs(res: RateLimiterRes, limiter: RateLimiterAbstract): number {
  return res.msBeforeNext > 0 ? res.msBeforeNext : limiter.duration * 1000;
}
