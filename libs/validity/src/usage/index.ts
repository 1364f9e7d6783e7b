export * from './usage.port';
export * from './usage-aggregator';
export * from './usage-flusher';
export * from './memory-usage-store';
export * from './redis-usage-store';
export * from './sqlite-usage-store';
