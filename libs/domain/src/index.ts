export * from './events';
export * from './key-format';
export * from './ip-allow-list';
export * from './duration';
export * from './rejections';
export * from './key-state';
export * from './key.decider';
