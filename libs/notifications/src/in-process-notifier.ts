import type { KafkaLikeMessage, Notifier } from './notifier.port';

export type NotificationListener = (message: KafkaLikeMessage) => void | Promise<void>;

export interface InProcessNotifierOptions {
  /** One line per notification; defaults to console.log. */
  log?: (line: string) => void;
}

/**
 * Embedded mode (no broker): every notification is logged and handed to local listeners, e.g. a
 * server-sent-events endpoint. Listeners are best effort: one that throws is logged and does not fail
 * the batch, because a retry would repeat the batch to every other listener.
 */
export class InProcessNotifier implements Notifier {
  private readonly listeners = new Set<NotificationListener>();
  private readonly log: (line: string) => void;

  constructor(options: InProcessNotifierOptions = {}) {
    this.log = options.log ?? ((line) => console.log(line));
  }

  /** Returns the function that unsubscribes this listener. */
  subscribe(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async publish(messages: KafkaLikeMessage[]): Promise<void> {
    for (const message of messages) {
      const h = message.headers;
      // Headers only: the value is safe by construction, but a log line has no need for it.
      this.log(`notification ${h.ce_type} key=${h.ce_subject} account=${message.key} id=${h.ce_id} position=${h.ce_position}`);
      for (const listener of [...this.listeners]) {
        try {
          await listener(message);
        } catch (err) {
          this.log(`notification listener failed for ${h.ce_id}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
