export * from './history.port';
export * from './redis-history-store';
export * from './sqlite-history-store';
