export {
  DEFAULT_RECREATE_AFTER,
  DEFAULT_TIMEOUT_MS,
  EventStoreDBEventStore,
  type EventStoreDBEventStoreOptions,
} from './eventstoredb-event-store';
export { EventStoreUrlError, parseEventStoreUrl, redactConnectionString, type EventStoreConnection } from './eventstoredb-connection';
export type { StoreLogger } from './eventstoredb-client';
