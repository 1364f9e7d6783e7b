export * from './canonical';
export * from './chained-event-store';
export * from './chain-verifier';
