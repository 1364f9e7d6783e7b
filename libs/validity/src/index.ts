export * from './key-record';
export * from './key-projection';
export * from './verdict';
export * from './validity-index.port';
export * from './index-trust';
export * from './memory/memory-validity-index';
export * from './redis/redis-validity-index';
export * from './redis/redis-client';
