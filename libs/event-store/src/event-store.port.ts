/**
 * The EventStore port: what the application needs from an event store, and nothing more.
 * Adapters (sqlite/, eventstoredb/) sit beside it and all pass testing/event-store.conformance.ts.
 *
 * Revisions are per stream and start at 0 (the first event of a stream has revision 0), as in
 * EventStoreDB. Positions are global, strictly increasing in commit order, and opaque: compare them
 * only with each other. They are bigints because EventStoreDB commit positions are 64-bit.
 *
 * Events whose type starts with `$` belong to the server (a projection's `$>` link, a tombstone), and
 * streams whose id does: no read or subscription returns them, so a stream's revisions can have gaps,
 * and an expected revision may be the revision of the last event a read returned.
 */

export const EVENT_STORE = Symbol('EVENT_STORE');

/** Actor, correlation, causation and time travel with every event (README, "What it does"). */
export interface EventMetadata {
  /** Who caused it: a user (sub + acct) or a system actor such as the expiry scheduler. */
  actor: { type: 'user'; sub: string; acct: string; roles: string[] } | { type: 'system'; name: string };
  correlationId: string;
  causationId: string | null;
  /** ISO-8601 time the command was decided at (the decider's `now`). */
  occurredAt: string;
  /** Schema version of `data` for this event type. */
  schemaVersion: number;
  [extra: string]: unknown;
}

export interface NewEvent {
  /** UUID; becomes the CloudEvents `ce_id`, so consumers can de-duplicate. */
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface RecordedEvent extends NewEvent {
  streamId: string;
  revision: number;
  position: bigint;
  /** When the store committed it. */
  recordedAt: Date;
}

/**
 * - a number: the stream's current revision must be exactly this (its last event's revision);
 * - 'no_stream': the stream must not exist;
 * - 'any': no check (only for system streams; commands always pass a revision).
 */
export type ExpectedRevision = number | 'no_stream' | 'any';

export interface AppendResult {
  /** Revision of the last event written: pass it as the next expectedRevision. */
  nextExpectedRevision: number;
  /** Position of the last event written. */
  position: bigint;
}

export interface ReadAllOptions {
  /**
   * Exclusive: return events strictly after this position. Omit to start at the beginning. It must be
   * a position this store gave out (or 0): one it can tell is not (past its last event, or not where
   * an event starts) fails the read with InvalidCheckpointError.
   */
  after?: bigint;
  /** Only streams whose id starts with one of these prefixes. Omit for all streams. */
  streamPrefixes?: string[];
  maxCount?: number;
  /**
   * Only streams of this share of all streams (streamPartition): `count` reads with `index` 0 to
   * count - 1 return every event exactly once between them, each in position order, and each
   * stream's events all in one of them. For reading a store in parallel (a rebuild's workers).
   */
  partition?: StreamPartition;
}

export interface StreamPartition {
  index: number;
  count: number;
}

/**
 * The share (0 to count - 1) a stream belongs to: from the code points of its id's last two
 * characters, which are random in the service's ids (`key-key_<random>`). The SQLite adapter
 * computes the same in SQL (sqlite-event-reader.ts), so that a share is filtered without reading
 * the other shares' rows; a test checks the two agree.
 */
export function streamPartition(streamId: string, count: number): number {
  const chars = Array.from(streamId.slice(-4));
  const last = chars.at(-1)?.codePointAt(0) ?? 0;
  const before = chars.at(-2)?.codePointAt(0) ?? 0;
  return (last * 31 + before) % count;
}

/** Refuses a partition that is not an index below a positive whole count (a caller bug). */
export function checkPartition(partition: StreamPartition | undefined): void {
  if (partition === undefined) return;
  const { index, count } = partition;
  if (!(Number.isSafeInteger(count) && count >= 1 && Number.isSafeInteger(index) && index >= 0 && index < count)) {
    throw new RangeError(`partition must be an index from 0 to count - 1 of a whole count >= 1, got ${index} of ${count}`);
  }
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: deliver events strictly after it. Omit to start at the beginning. As in
   *  ReadAllOptions.after: one the store can tell is not its own fails the subscription with
   *  InvalidCheckpointError (iteration throws it, `caughtUp` rejects with it). */
  after?: bigint;
  streamPrefixes?: string[];
}

/**
 * A catch-up subscription to all streams: first the stored events after the checkpoint, then live
 * ones as they are appended, in position order, without gaps or repeats within one subscription.
 * Iterate with `for await`; `close()` ends the iteration. If the store fails, iteration throws.
 */
export interface AllStreamSubscription extends AsyncIterable<RecordedEvent> {
  /** Resolves once every event stored when the subscription started has been delivered. */
  readonly caughtUp: Promise<void>;
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Atomic: all events or none. Throws WrongExpectedRevisionError when the check fails, and
   * StreamDeletedError for a hard-deleted stream. Re-sending the same events (same ids) with the same
   * expected revision after an answer was lost is idempotent on EventStoreDB: it answers the first
   * write's result (see event-ids.ts for ids that make a retried command's events the same).
   */
  appendToStream(streamId: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /** All events of one stream in revision order; [] when the stream does not exist; StreamDeletedError
   *  when it was hard-deleted. */
  readStream(streamId: string): Promise<RecordedEvent[]>;
  /** Stored events in position order (a finite read: it ends at the last event stored). */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribeToAll(options?: SubscribeOptions): AllStreamSubscription;
  /**
   * Position of the last stored event whose stream starts with one of `streamPrefixes` (of any
   * stream when omitted); undefined when there is none. What a projection of those streams must have
   * applied to be current.
   */
  headPosition(options?: { streamPrefixes?: string[] }): Promise<bigint | undefined>;
  close(): Promise<void>;
}

/** The expected-revision check failed: another writer changed the stream first. Retrying the same
 *  command after re-reading the stream may succeed; retrying the same append will not. */
export class WrongExpectedRevisionError extends Error {
  readonly retryable = false;
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The store could not be reached or failed; `retryable` says whether trying again can help. */
export class EventStoreUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/**
 * The stream was hard-deleted (tombstoned, e.g. by an operator): it can never be read or written
 * again under this id. Not retryable.
 */
export class StreamDeletedError extends Error {
  readonly retryable = false;
  constructor(readonly streamId: string) {
    super(`stream ${streamId} was deleted (tombstoned): it cannot be read or written again`);
    this.name = 'StreamDeletedError';
  }
}

/**
 * A checkpoint (`after`) that is not a position of this store: past its last event ('beyond-head'),
 * or not where an event starts ('not-an-event'). It was written against another store (another
 * cluster, the embedded SQLite store, a store restored from an older backup) or is corrupt. Resuming
 * from it could never work (the server refuses it, or silently skips every event up to it), so it is
 * not retryable: the follower must rebuild its read model, or restart from a position known to be
 * safe (CheckpointedSubscriber's onInvalidCheckpoint).
 */
export class InvalidCheckpointError extends Error {
  readonly retryable = false;
  constructor(
    readonly position: bigint,
    readonly reason: 'beyond-head' | 'not-an-event',
    detail: string,
  ) {
    super(`checkpoint ${position} is not a position of this event store (${detail})`);
    this.name = 'InvalidCheckpointError';
  }
}
