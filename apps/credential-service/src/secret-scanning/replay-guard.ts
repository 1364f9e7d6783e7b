/**
 * Remembers the reports already taken (README, "Secret scanning"), so a report sent again is
 * refused (409 REPORT_REPLAYED) instead of being recorded twice. A report is named by the SHA-256 of
 * its body alone, not of body and signature: ECDSA signatures are malleable (s and n−s both verify)
 * and randomised, so a captured report could otherwise come back under another valid signature.
 *
 * `claim` is atomic (two copies of one report racing: one wins); a report that could not be
 * processed (the event store or index down) is `release`d, so the partner's retry goes through.
 * Redis (SET NX PX) wherever the service has Redis, as the Idempotency-Key store does; a Map in the
 * embedded mode (one process; forgotten at a restart).
 */
import type { RedisClient } from '@cs/validity';

export const REPLAY_GUARD = Symbol('REPLAY_GUARD');

export interface ReplayGuard {
  /** True when `id` was not claimed (now it is, for `ttlMs`); false for a replay. */
  claim(id: string, ttlMs: number): Promise<boolean>;
  release(id: string): Promise<void>;
  close(): Promise<void>;
}

export class ReplayGuardUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the replay store is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ReplayGuardUnavailableError';
  }
}

export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();
  private sweptAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  claim(id: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    if (now - this.sweptAt >= 60_000) {
      this.sweptAt = now;
      for (const [key, expiresAt] of this.seen) if (expiresAt <= now) this.seen.delete(key);
    }
    const expiresAt = this.seen.get(id);
    if (expiresAt !== undefined && expiresAt > now) return Promise.resolve(false);
    this.seen.set(id, now + ttlMs);
    return Promise.resolve(true);
  }

  release(id: string): Promise<void> {
    this.seen.delete(id);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.seen.clear();
    return Promise.resolve();
  }
}

/** `<ns>:leak-report:<id>`; each command touches one key, so any cluster slot serves it. */
export class RedisReplayGuard implements ReplayGuard {
  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: string,
  ) {}

  async claim(id: string, ttlMs: number): Promise<boolean> {
    const set = await this.call(() => this.redis.set(this.keyOf(id), '1', 'PX', ttlMs, 'NX'));
    return set === 'OK';
  }

  async release(id: string): Promise<void> {
    await this.call(() => this.redis.del(this.keyOf(id)));
  }

  close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }

  private keyOf(id: string): string {
    return `${this.namespace}:leak-report:${id}`;
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new ReplayGuardUnavailableError(error);
    }
  }
}
