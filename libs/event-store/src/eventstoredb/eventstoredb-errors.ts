import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  RequiredMetadataPropertyMissingError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type EventMetadata,
  type ExpectedRevision,
  type RecordedEvent,
} from '../event-store.port';

/** Outages the client recovers from by reconnecting on the next call (see its handleError). */
const RETRYABLE = [UnavailableError, DeadlineExceededError, TimeoutError, CancelledError, NotLeaderError];
/** Requests that can never succeed as sent: caller bugs, surfaced as they are (like SQLite's constraint errors). */
const CALLER_BUGS = [MaxAppendSizeExceededError, RequiredMetadataPropertyMissingError];

/** Translates what @eventstore/db-client throws into the port's errors. */
export function toStoreError(err: unknown, append?: { streamId: string; expected: ExpectedRevision }): unknown {
  if (err instanceof WrongExpectedRevisionError || err instanceof EventStoreUnavailableError) return err;
  if (err instanceof WrongExpectedVersionError && append) {
    const actual = err.actualVersion === 'no_stream' ? 'no_stream' : Number(err.actualVersion);
    return new WrongExpectedRevisionError(append.streamId, append.expected, actual);
  }
  if (CALLER_BUGS.some((type) => err instanceof type)) return err;
  if (RETRYABLE.some((type) => err instanceof type) || isGrpcUnavailable(err)) {
    return new EventStoreUnavailableError(`EventStoreDB: ${(err as Error).message}`, true, { cause: err });
  }
  if (err instanceof AccessDeniedError) {
    return new EventStoreUnavailableError(`EventStoreDB: access denied (${err.message})`, false, { cause: err });
  }
  if (err instanceof TypeError || err instanceof RangeError) return err;
  return new EventStoreUnavailableError(`EventStoreDB: ${err instanceof Error ? err.message : String(err)}`, false, { cause: err });
}

/** Failures before the client wraps them (e.g. the channel cannot connect at all). */
function isGrpcUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 14 /* UNAVAILABLE */ || code === 4; /* DEADLINE_EXCEEDED */
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
