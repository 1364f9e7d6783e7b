export * from './cloudevents';
export * from './notification-data';
export * from './consumer';
export * from './notifier.port';
export * from './in-process-notifier';
export * from './failure';
export * from './kafka/kafka-notifier';
export * from './kafka/notification-relay';
