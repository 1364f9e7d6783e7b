/**
 * Fault switches for the double, flipped at runtime by tests (`double.faults.stall()`, …). Each one
 * reproduces something a real EventStoreDB/KurrentDB node (or a proxy in front of it) does; the
 * header of esdb-double.ts says which parts were checked against the server's source.
 */

/** The calls a stall can hold. */
export type StallTarget = 'serverFeatures' | 'append' | 'batchAppend' | 'read' | 'subscribe';
export const ALL_STALL_TARGETS: readonly StallTarget[] = ['serverFeatures', 'append', 'batchAppend', 'read', 'subscribe'];

export interface LeaderInfo {
  host: string;
  port: number;
}

/**
 * follower: answers NotLeader to calls sent with `requires-leader: true`; serves reads and forwards
 * writes otherwise (the double has no leader to forward to, so it writes itself).
 * read-only-replica: answers every write (Append, BatchAppend, Delete, Tombstone) with NotLeader and
 * the leader's address, as a read-only replica does for any user but `system`.
 */
export type NodeRole = 'follower' | 'read-only-replica';

type Counter = 'endBatchAppendOk' | 'commitThenTimeout' | 'serverFeaturesInternal';

export class EsdbFaults {
  private readonly stalled = new Set<StallTarget>();
  private held: (() => void)[] = [];
  private readonly counters: Record<Counter, number> = { endBatchAppendOk: 0, commitThenTimeout: 0, serverFeaturesInternal: 0 };
  private endOkCommits = true;
  private role: { role: NodeRole; leader: LeaderInfo } | null = null;
  private denied: { prefixes: string[]; reads: boolean } = { prefixes: [], reads: false };
  private interleave = false;
  private readonly fallBehindListeners = new Set<() => void>();

  /**
   * Accept calls and never answer them, like a node whose storage or request queue is stuck while
   * its HTTP/2 layer still answers pings. Held work (appends not yet written, reads not yet started,
   * subscriptions not yet confirmed, live events of open subscriptions) runs in arrival order on
   * `release()`; calls the client gave up on in the meantime are skipped.
   */
  stall(targets: readonly StallTarget[] = ALL_STALL_TARGETS): this {
    for (const target of targets) this.stalled.add(target);
    return this;
  }

  /** Ends every stall and runs what it held. */
  release(): this {
    this.stalled.clear();
    const held = this.held;
    this.held = [];
    for (const run of held) run();
    return this;
  }

  /**
   * The next `times` BatchAppend batches that complete end their whole call with status OK instead of
   * an answer: what KurrentDB 24.6–24.10.2 did when its BatchAppend worker hit an IOException,
   * InvalidOperationException or cancellation (swallowed, so the call completed successfully; fixed
   * in 24.10.3, #4857). Other batches waiting on that call are never answered either. `commit`
   * (default true): whether the batch was written before the call ended.
   */
  endBatchAppendOk(options: { times?: number; commit?: boolean } = {}): this {
    this.counters.endBatchAppendOk += options.times ?? 1;
    this.endOkCommits = options.commit ?? true;
    return this;
  }

  /** The next `times` successful writes are committed, then answered with the server's timeout
   *  (CommitTimeout: replication did not finish in time, but the events are in the log). */
  commitThenTimeout(times = 1): this {
    this.counters.commitThenTimeout += times;
    return this;
  }

  /** The next `times` ServerFeatures/GetSupportedMethods calls fail with INTERNAL, as a proxy or load
   *  balancer in front of the node can answer. */
  serverFeaturesInternal(times = 1): this {
    this.counters.serverFeaturesInternal += times;
    return this;
  }

  /**
   * Every open subscription falls behind on its next live event, as when more than 32 live events
   * pile up (the server's live buffer drops the oldest): it catches up from its last checkpoint by
   * reading the log, then sends caught_up again (filtered ones also send a checkpoint on falling
   * behind and on going live).
   */
  fallBehind(): this {
    for (const arm of [...this.fallBehindListeners]) arm();
    return this;
  }

  /** Makes the node a follower or a read-only replica whose leader is `leader`; null: a leader again. */
  notLeader(leader: LeaderInfo | null, role: NodeRole = 'follower'): this {
    this.role = leader ? { role, leader } : null;
    return this;
  }

  /** Stream ACLs that deny the caller: writes (and with `reads`, reads; `$all` for $all reads and
   *  subscriptions) to streams starting with one of `prefixes`. [] allows everything again. */
  denyAccess(prefixes: string[], options: { reads?: boolean } = {}): this {
    this.denied = { prefixes, reads: options.reads ?? false };
    return this;
  }

  /** While on, a `$statsCollected` event in `$stats-127.0.0.1:2113` is written before every append,
   *  so system events sit between user events in $all (a real node writes stats every 30 s). */
  interleaveSystemEvents(on = true): this {
    this.interleave = on;
    return this;
  }

  /** Every switch off; stalled work released. */
  clear(): this {
    for (const key of Object.keys(this.counters) as Counter[]) this.counters[key] = 0;
    this.endOkCommits = true;
    this.role = null;
    this.denied = { prefixes: [], reads: false };
    this.interleave = false;
    return this.release();
  }

  // ---- used by the handlers -------------------------------------------------------------------

  /** Runs `work` now, or when the stall on `target` is released. */
  hold(target: StallTarget, work: () => void): void {
    if (this.stalled.has(target)) this.held.push(work);
    else work();
  }

  /** Forgets held work (the server went away). */
  dropHeld(): void {
    this.held = [];
  }

  /** Consumes one armed occurrence of a counted fault. */
  take(counter: Counter): boolean {
    if (this.counters[counter] <= 0) return false;
    this.counters[counter] -= 1;
    return true;
  }

  get endOkCommitsFirst(): boolean {
    return this.endOkCommits;
  }

  /** The leader to redirect to, when this node must refuse the call. */
  notLeaderFor(operation: 'write' | 'read', requiresLeader: boolean): LeaderInfo | null {
    if (!this.role) return null;
    if (requiresLeader) return this.role.leader;
    return operation === 'write' && this.role.role === 'read-only-replica' ? this.role.leader : null;
  }

  accessDenied(operation: 'write' | 'read', stream: string): boolean {
    if (operation === 'read' && !this.denied.reads) return false;
    return this.denied.prefixes.some((p) => stream.startsWith(p));
  }

  get interleavingSystemEvents(): boolean {
    return this.interleave;
  }

  onFallBehind(arm: () => void): () => void {
    this.fallBehindListeners.add(arm);
    return () => this.fallBehindListeners.delete(arm);
  }
}
