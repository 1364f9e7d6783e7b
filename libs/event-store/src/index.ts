export * from './event-store.port';
export * from './event-ids';
export * from './checkpoint-store';
export * from './checkpointed-subscriber';
export * from './chain';
export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite/sqlite-event-store';
export { SqliteCheckpointStore } from './sqlite/sqlite-checkpoint-store';
export * from './eventstoredb';
