// Not re-exported from the package index: it pulls in jest globals, which production code must not.
export { describeEventStoreConformance, type EventStoreConformanceFactory } from './event-store.conformance';
