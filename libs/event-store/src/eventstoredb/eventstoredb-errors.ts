import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  StreamNotFoundError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  RequiredMetadataPropertyMissingError,
  StreamDeletedError as ClientStreamDeletedError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  EventStoreUnavailableError,
  InvalidCheckpointError,
  StreamDeletedError,
  WrongExpectedRevisionError,
  type EventMetadata,
  type ExpectedRevision,
  type RecordedEvent,
} from '../event-store.port';

/** Requests that can never succeed as sent: caller bugs, surfaced as they are (like SQLite's constraint errors). */
const CALLER_BUGS = [MaxAppendSizeExceededError, RequiredMetadataPropertyMissingError];

/** A call the adapter gave up on at its bound (EVENTSTORE_TIMEOUT_MS): the node, or the way to it, is stuck. */
export class CallTimedOutError extends EventStoreUnavailableError {
  constructor(what: string, ms: number) {
    super(`EventStoreDB: ${what} got no answer within ${ms} ms (EVENTSTORE_TIMEOUT_MS); cancelled`, true);
  }
}

/** The client a call ran on was replaced (see ClientHolder) while the call was in flight. */
export class ClientReplacedError extends EventStoreUnavailableError {
  constructor(what: string) {
    super(`EventStoreDB: ${what} was cut off: its client was replaced after repeated failures`, true);
  }
}

/**
 * What a failed call means for the next attempt:
 * - 'final': the answer itself (a revision conflict, a deleted stream, access denied, a caller bug);
 * - 'commit-timeout': the server timed out committing; the events may be written (retry the same ids);
 * - 'transient': the client reconnects by itself (unavailable, cancelled, not leader: it follows the
 *   leader's address), or the call was cut off by a client replacement;
 * - 'hung': no answer within the bound (our timer or the call's own deadline);
 * - 'unexplained': anything else (INTERNAL, UNKNOWN, a proxy answering garbage): a new client may cure it.
 */
export type FailureKind = 'final' | 'commit-timeout' | 'transient' | 'hung' | 'unexplained';

export function failureKind(err: unknown): FailureKind {
  if (err instanceof CallTimedOutError || err instanceof DeadlineExceededError || grpcCode(err) === 4 /* DEADLINE_EXCEEDED */)
    return 'hung';
  if (err instanceof ClientReplacedError) return 'transient';
  if (err instanceof TimeoutError) return 'commit-timeout';
  if (err instanceof UnavailableError || err instanceof CancelledError || err instanceof NotLeaderError || grpcCode(err) === 14) {
    return 'transient';
  }
  if (
    err instanceof WrongExpectedVersionError ||
    err instanceof WrongExpectedRevisionError ||
    err instanceof ClientStreamDeletedError ||
    err instanceof StreamNotFoundError ||
    err instanceof StreamDeletedError ||
    err instanceof InvalidCheckpointError ||
    err instanceof AccessDeniedError ||
    err instanceof EventStoreUnavailableError ||
    err instanceof TypeError ||
    err instanceof RangeError ||
    CALLER_BUGS.some((type) => err instanceof type) ||
    isInvalidPosition(err)
  ) {
    return 'final';
  }
  return 'unexplained';
}

/**
 * Translates what @eventstore/db-client throws into the port's errors. `recovering`: the client was
 * just replaced, so an unexplained failure is worth retrying after all.
 */
export function toStoreError(err: unknown, append?: { streamId: string; expected: ExpectedRevision }, recovering = false): unknown {
  if (
    err instanceof WrongExpectedRevisionError ||
    err instanceof EventStoreUnavailableError ||
    err instanceof StreamDeletedError ||
    err instanceof InvalidCheckpointError
  ) {
    return err;
  }
  if (err instanceof WrongExpectedVersionError && append) {
    const actual = err.actualVersion === 'no_stream' ? 'no_stream' : Number(err.actualVersion);
    return new WrongExpectedRevisionError(append.streamId, append.expected, actual);
  }
  if (err instanceof ClientStreamDeletedError) return new StreamDeletedError(err.streamName || append?.streamId || '(unknown stream)');
  if (CALLER_BUGS.some((type) => err instanceof type)) return err;
  const kind = failureKind(err);
  if (kind === 'transient' || kind === 'hung' || kind === 'commit-timeout') {
    return new EventStoreUnavailableError(`EventStoreDB: ${(err as Error).message}`, true, { cause: err });
  }
  if (err instanceof AccessDeniedError) {
    return new EventStoreUnavailableError(`EventStoreDB: access denied (${err.message})`, false, { cause: err });
  }
  if (err instanceof TypeError || err instanceof RangeError) return err;
  return new EventStoreUnavailableError(`EventStoreDB: ${err instanceof Error ? err.message : String(err)}`, recovering, { cause: err });
}

/** The gRPC status of a failure the client did not wrap (e.g. the channel cannot connect at all). */
function grpcCode(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

/**
 * The server's answers to a $all position inside a record: a plain read fails UNKNOWN "Unexpected
 * ReadAllResult: InvalidPosition", a subscription INVALID_ARGUMENT "Trying to read from an invalid
 * position." (see the double's read.ts / subscribe.ts for the server code they come from).
 */
export function isInvalidPosition(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return /ReadAllResult: InvalidPosition|invalid position/i.test(message);
}

export function closedError(): EventStoreUnavailableError {
  return new EventStoreUnavailableError('EventStoreDB event store is closed', false);
}

/** Streams and event types starting with `$` belong to the server (users, settings, stats, projections). */
export function isSystemEvent(event: { streamId: string; type: string }): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

export function matchesPrefixes(streamId: string, prefixes: string[] | undefined): boolean {
  return prefixes === undefined || prefixes.some((p) => streamId.startsWith(p));
}

export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent {
  const event = resolved.event;
  if (!event) throw new TypeError('EventStoreDB returned a read result without an event (unresolved link?)');
  if (!event.isJson) throw new TypeError(`event ${event.id} in ${event.streamId} is not JSON (type ${event.type})`);
  if (!event.position) throw new TypeError(`event ${event.id} in ${event.streamId} has no position: server older than 22.6?`);
  return {
    id: event.id,
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: (event.metadata ?? {}) as EventMetadata,
    streamId: event.streamId,
    revision: Number(event.revision),
    // Commit position alone orders $all: single-node writes have prepare === commit.
    position: event.position.commit,
    recordedAt: event.created,
  };
}
