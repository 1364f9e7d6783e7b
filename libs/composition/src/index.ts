export * from './config/configuration';
export * from './config/dev-secrets';
export * from './config/identity-keys';
export * from './infrastructure';
export * from './redis-leader-lease';
export * from './lease-gated-worker';
export * from './listen';
export * from './observability';
