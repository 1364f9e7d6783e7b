export * from './app';
export * from './http';
export * from './logger';
export * from './tokens';
export * from './typed-client';
export * from './partner';
export * from './scripts';
