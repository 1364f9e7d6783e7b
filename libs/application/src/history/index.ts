export * from './history-projector';
export * from './account-history';
export * from './history-export';
