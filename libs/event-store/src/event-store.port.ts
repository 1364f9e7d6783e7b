/**
 * The EventStore port: what the application needs from an event store, and nothing more.
 * Adapters (sqlite/, eventstoredb/) sit beside it and all pass testing/event-store.conformance.ts.
 *
 * Revisions are per stream and start at 0 (the first event of a stream has revision 0), as in
 * EventStoreDB. Positions are global, strictly increasing in commit order, and opaque: compare them
 * only with each other. They are bigints because EventStoreDB commit positions are 64-bit.
 */

export const EVENT_STORE = Symbol('EVENT_STORE');

/** Actor, correlation, causation and time travel with every event (CONVENTIONS.md, "Events"). */
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
  /** Exclusive: return events strictly after this position. Omit to start at the beginning. */
  after?: bigint;
  /** Only streams whose id starts with one of these prefixes. Omit for all streams. */
  streamPrefixes?: string[];
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: deliver events strictly after it. Omit to start at the beginning. */
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
  /** Atomic: all events or none. Throws WrongExpectedRevisionError when the check fails. */
  appendToStream(streamId: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /** All events of one stream in revision order; [] when the stream does not exist. */
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
