/**
 * Index trust: when a process may answer from a shared validity index.
 *
 * An index that lives outside the process (Redis) can stall, die, be flushed, or come back older than
 * it was (a restart from an earlier snapshot, a failover to a lagging replica). The event store is the
 * truth; the index is trusted only while it is *proven current*:
 *
 * - it is reachable, and no incident (a dropped connection, a failed or timed-out read, an empty index)
 *   has happened since the last time trust was established. After an incident the trust monitor
 *   (libs/application) reads the store's head once the index answers again and calls `revalidate`;
 * - its position — the store position its projection has applied contiguously, read in the same round
 *   trip as every answer — is at or past `required`: the highest of every position this process has
 *   seen the index at (so an index that goes back in time is caught on the next read, even without a
 *   reconnection), the store head read at the last revalidation, and the position of every appended
 *   event whose inline write to the index failed (`requirePosition`).
 *
 * An index that is not trusted answers with IndexUnavailableError, never a verdict. The in-process index
 * (memory) cannot diverge from its process and is always trusted.
 */

export type IndexTrustState = 'trusted' | 'behind' | 'untrusted' | 'unreachable';

export interface IndexHealth {
  state: IndexTrustState;
  trusted: boolean;
  /** Why it is not trusted; null when trusted. */
  reason: string | null;
  /** The index's applied position as last read; null before the first read or when it holds none. */
  position: bigint | null;
  /** The position the index must have applied before this process trusts it. */
  required: bigint;
  /** True when the last read found no index at all (never built, flushed, restarted empty): a rebuild is due. */
  empty: boolean;
  /** An incident is waiting for a revalidation against the store head. */
  incident: boolean;
  /** What the index is: e.g. Redis's run_id and the index generation. */
  identity: string | null;
  /** When `state` last changed (epoch ms). */
  since: number;
}

/** The index may not be used for an answer now: 503 INDEX_UNAVAILABLE at the HTTP edge, UNAVAILABLE over gRPC. */
export class IndexUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`the validity index is not available: ${reason}`);
    this.name = 'IndexUnavailableError';
  }
}

/** Across module realms (a test runner may load this file twice), recognised by name. */
export const isIndexUnavailable = (error: unknown): error is IndexUnavailableError =>
  error instanceof Error && error.name === 'IndexUnavailableError';

/**
 * A checkpoint write with a `base` found the stored checkpoint behind that base: the index lost writes
 * (it went back in time or was emptied). Nothing was written; the writer must resume from the stored
 * checkpoint so everything after it is applied again.
 */
export class IndexRewoundError extends Error {
  constructor(readonly checkpoint: string) {
    super(`validity index checkpoint ${checkpoint} is behind what this writer stored: the index went back in time or was emptied`);
    this.name = 'IndexRewoundError';
  }
}

export interface IndexTrust {
  health(): IndexHealth;
  /** The index must have applied `position` (an appended event whose inline write failed) before it is trusted again. */
  requirePosition(position: bigint): void;
  /** After an incident: the store head read since the index became reachable again. Clears the incident. */
  revalidate(storeHead: bigint): void;
  /** One bounded round trip to the index that refreshes reachability, emptiness and position. Never throws. */
  probe(): Promise<IndexHealth>;
  /** Called on every change of state; returns an unsubscribe function. */
  onChange(listener: (health: IndexHealth) => void): () => void;
}

/** The in-process index: nothing outside the process can change it, so it is always current. */
export const ALWAYS_TRUSTED: IndexTrust = {
  health: () => ({
    state: 'trusted',
    trusted: true,
    reason: null,
    position: null,
    required: 0n,
    empty: false,
    incident: false,
    identity: 'memory',
    since: 0,
  }),
  requirePosition: () => undefined,
  revalidate: () => undefined,
  probe: async () => ALWAYS_TRUSTED.health(),
  onChange: () => () => undefined,
};

/**
 * The state machine behind a shared index's IndexTrust. The adapter calls `check()` before a read
 * (fails fast: a breaker that stays open until revalidated), `observe()` with the generation and
 * position read in the same round trip as the answer, `fail()` when a read fails, and `connected()`
 * / `disconnected()` from its client's events. Positions are compared as bigints; the last parsed
 * string is cached so the hot path parses nothing when the position has not moved.
 */
export class TrustTracker implements Omit<IndexTrust, 'probe'> {
  private reachable = false;
  private lostBecause: string | null = null;
  private incidentReason: string | null = 'not yet validated against the event store';
  private floor = 0n;
  private observed: bigint | null = null;
  private observedText: string | null = null;
  private empty = false;
  private identity: string | null = null;
  private lastState: IndexTrustState = 'unreachable';
  private since = Date.now();
  private readonly listeners = new Set<(health: IndexHealth) => void>();

  health(): IndexHealth {
    const state = this.state();
    return {
      state,
      trusted: state === 'trusted',
      reason: this.reason(state),
      position: this.observed,
      required: this.floor,
      empty: this.empty,
      incident: this.incidentReason !== null,
      identity: this.identity,
      since: this.since,
    };
  }

  /** Before a read: throws at once (no round trip) when the answer could not be trusted anyway. */
  check(): void {
    if (!this.reachable) throw new IndexUnavailableError('unreachable');
    if (this.incidentReason !== null) throw new IndexUnavailableError('not yet revalidated');
  }

  /**
   * With the index's generation pointer and position read in the same round trip as an answer.
   * Throws when that answer may not be used.
   */
  observe(generation: string | null, position: string | null): void {
    if (generation === null || position === null) {
      this.empty = true;
      this.incident('the index is empty (never built, flushed, or restarted without its data)');
      throw new IndexUnavailableError('empty');
    }
    if (this.empty) {
      this.empty = false;
      this.changed();
    }
    if (position !== this.observedText) {
      const value = BigInt(position);
      this.observedText = position;
      this.observed = value;
      if (value > this.floor) this.floor = value;
      this.changed();
    }
    if (this.observed !== null && this.observed < this.floor) throw new IndexUnavailableError('behind');
  }

  setIdentity(identity: string | null): void {
    if (identity === this.identity) return;
    if (this.identity !== null && identity !== null) this.incident(`the index's identity changed (${this.identity} → ${identity})`);
    this.identity = identity;
  }

  /** A read or probe failed (timeout, refused, corrupted data): untrusted until revalidated. */
  fail(error: unknown): void {
    this.incident(`a read failed: ${(error as Error)?.message ?? String(error)}`);
  }

  connected(): void {
    if (this.reachable) return;
    this.reachable = true;
    this.changed();
  }

  disconnected(reason: string): void {
    this.reachable = false;
    this.lostBecause = `connection lost (${reason})`;
    if (this.incidentReason === null) this.incidentReason = this.lostBecause;
    this.changed();
  }

  requirePosition(position: bigint): void {
    if (position <= this.floor) return;
    this.floor = position;
    this.changed();
  }

  revalidate(storeHead: bigint): void {
    if (storeHead > this.floor) this.floor = storeHead;
    this.incidentReason = null;
    this.changed();
  }

  onChange(listener: (health: IndexHealth) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private incident(reason: string): void {
    if (this.incidentReason !== null) return;
    this.incidentReason = reason;
    this.changed();
  }

  private state(): IndexTrustState {
    if (!this.reachable) return 'unreachable';
    if (this.incidentReason !== null || this.empty) return 'untrusted';
    if (this.observed === null || this.observed < this.floor) return 'behind';
    return 'trusted';
  }

  private reason(state: IndexTrustState): string | null {
    if (state === 'trusted') return null;
    if (state === 'unreachable') return this.lostBecause ?? 'not connected yet';
    if (state === 'untrusted') return this.empty ? 'the index is empty; waiting for a rebuild' : this.incidentReason;
    return this.observed === null
      ? 'the index position is not known yet'
      : `the index has applied up to position ${this.observed}, this process needs ${this.floor}`;
  }

  private changed(): void {
    const state = this.state();
    if (state === this.lastState) return;
    this.lastState = state;
    this.since = Date.now();
    const health = this.health();
    for (const listener of this.listeners) listener(health);
  }
}
