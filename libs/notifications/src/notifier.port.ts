import type { KafkaLikeMessage } from './cloudevents';

export type { KafkaLikeMessage } from './cloudevents';

/** Nest injection token for the configured Notifier (Kafka or in-process). */
export const NOTIFIER = Symbol('NOTIFIER');

/**
 * Where notifications go. The relay calls `publish` with one batch at a time and moves its checkpoint
 * only after it resolved, so an implementation must resolve only once every message of the batch is
 * durably accepted (for Kafka: acknowledged by all in-sync replicas), and reject otherwise. It may
 * have delivered part of a rejected batch: the relay sends the whole batch again (consumers
 * de-duplicate on `ce_id`).
 */
export interface Notifier {
  publish(messages: KafkaLikeMessage[]): Promise<void>;
  close(): Promise<void>;
}
