export * from './metrics';
export * from './tracing';
export * from './traced-event-store';
export * from './logging';
