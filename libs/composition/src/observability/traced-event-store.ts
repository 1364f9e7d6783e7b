/**
 * Spans for the SQLite event store's calls within a traced request or command (EventStoreDB's go
 * over its gRPC client and get spans from the gRPC instrumentation). Only the calls a command makes
 * (readStream, appendToStream, headPosition) get one, and only under an active span; the stream id
 * (`key-<id>`, `account-<id>`) is an attribute, as a key id is no secret, the events' data is not.
 */
import type { EventStore } from '@cs/event-store';
import { inChildSpan, tracingEnabled } from './tracing';

export function tracedEventStore(store: EventStore, system: string): EventStore {
  if (!tracingEnabled()) return store;
  const attributes = (operation: string, streamId?: string): Record<string, string> => ({
    'db.system.name': system,
    'db.operation.name': operation,
    ...(streamId ? { 'cs.stream_id': streamId } : {}),
  });
  return {
    appendToStream: (streamId, events, options) =>
      inChildSpan('event-store appendToStream', attributes('appendToStream', streamId), () =>
        store.appendToStream(streamId, events, options),
      ),
    readStream: (streamId) => inChildSpan('event-store readStream', attributes('readStream', streamId), () => store.readStream(streamId)),
    headPosition: (options) => inChildSpan('event-store headPosition', attributes('headPosition'), () => store.headPosition(options)),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    close: () => store.close(),
  };
}
