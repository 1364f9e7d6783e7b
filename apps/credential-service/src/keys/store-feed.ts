/**
 * The live feed of key notifications when they leave the process (Kafka): one subscription of this
 * instance to the event store's key streams, from their head when the first stream opens, each event
 * mapped exactly as the relay maps it (toKafkaMessage) and handed to the open streams. A failed
 * subscription is taken up again after the last event seen, a second later. Best effort by design: a
 * page that misses an event reloads on the next one, and reloads in full when it reconnects.
 */
import { Logger } from '@nestjs/common';
import { KEY_STREAM_PREFIX } from '@cs/domain';
import type { AllStreamSubscription, EventStore } from '@cs/event-store';
import { DEFAULT_CE_SOURCE, toKafkaMessage, type KafkaLikeMessage } from '@cs/notifications';

export type FeedListener = (message: KafkaLikeMessage) => void;

export class StoreFeed {
  private readonly listeners = new Set<FeedListener>();
  private readonly logger = new Logger('live-events');
  private running = false;
  private stopped = false;
  private subscription: AllStreamSubscription | null = null;

  constructor(private readonly store: EventStore) {}

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    if (!this.running && !this.stopped) {
      this.running = true;
      void this.follow();
    }
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.listeners.clear();
    await this.subscription?.close().catch(() => undefined);
  }

  private async follow(): Promise<void> {
    let after: bigint | undefined;
    let known = false;
    while (!this.stopped) {
      try {
        if (!known) {
          after = await this.store.headPosition({ streamPrefixes: [KEY_STREAM_PREFIX] });
          known = true;
        }
        this.subscription = this.store.subscribeToAll({ after, streamPrefixes: [KEY_STREAM_PREFIX] });
        for await (const event of this.subscription) {
          after = event.position;
          const message = toKafkaMessage(event, { source: DEFAULT_CE_SOURCE });
          if (message) for (const listener of [...this.listeners]) listener(message);
        }
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn(`live events: subscription failed (${error instanceof Error ? error.message : String(error)}); again in 1 s`);
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, 1000).unref());
    }
  }
}
