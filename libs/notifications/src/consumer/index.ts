export * from './credential-notification';
export * from './notification-deduplicator';
