import type { AllStreamSubscription, CheckpointStore, EventStore, RecordedEvent, SubscribeOptions } from '@cs/event-store';
import type { KafkaLikeMessage, Notifier } from '../notifier.port';
import { NotificationRelay, type RelayLogger } from './notification-relay';

/** Just enough of an EventStore: a live, in-memory log with catch-up subscriptions. */
class FakeStore {
  readonly events: RecordedEvent[] = [];
  readonly subscribedAfter: (bigint | undefined)[] = [];
  failNextRead?: Error;
  private waiters: (() => void)[] = [];

  append(n: number) {
    for (let i = 0; i < n; i++) {
      const position = BigInt(this.events.length + 1);
      const keyId = `k${position % 3n}`;
      this.events.push({
        id: `id-${position}`,
        type: 'KeyRevoked',
        data: { keyId, accountId: `acct-${keyId}`, kind: 'api', reason: null },
        metadata: {
          actor: { type: 'system', name: 't' },
          correlationId: 'c',
          causationId: null,
          occurredAt: '2026-01-01T00:00:00.000Z',
          schemaVersion: 1,
        },
        streamId: `key-${keyId}`,
        revision: 0,
        position,
        recordedAt: new Date(),
      });
    }
    this.waiters.splice(0).forEach((w) => w());
  }

  subscribeToAll(options: SubscribeOptions = {}): AllStreamSubscription {
    this.subscribedAfter.push(options.after);
    let next = options.after ?? 0n;
    let closed = false;
    const iterator: AsyncIterator<RecordedEvent> = {
      next: async () => {
        for (;;) {
          if (closed) return { done: true, value: undefined };
          if (this.failNextRead) {
            const err = this.failNextRead;
            this.failNextRead = undefined;
            throw err;
          }
          const event = this.events.find((e) => e.position > next);
          if (event) {
            next = event.position;
            return { done: false, value: event };
          }
          await new Promise<void>((r) => this.waiters.push(r));
        }
      },
    };
    return {
      caughtUp: Promise.resolve(),
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        closed = true;
        this.waiters.splice(0).forEach((w) => w());
      },
    };
  }
}

class FakeNotifier implements Notifier {
  readonly published: KafkaLikeMessage[] = [];
  attempts = 0;
  failing?: Error;
  async publish(messages: KafkaLikeMessage[]) {
    this.attempts++;
    if (this.failing) throw this.failing;
    this.published.push(...messages);
  }
  async close() {}
}

class Checkpoints implements CheckpointStore {
  readonly saves: bigint[] = [];
  async load() {
    return this.saves[this.saves.length - 1];
  }
  async save(_: string, position: bigint) {
    this.saves.push(position);
  }
}

const lines: string[] = [];
const logger: RelayLogger = { log: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error(`condition not met; log:\n${lines.join('\n')}`);
};

describe('NotificationRelay', () => {
  let store: FakeStore;
  let notifier: FakeNotifier;
  let checkpoints: Checkpoints;
  let relay: NotificationRelay;

  beforeEach(() => {
    store = new FakeStore();
    notifier = new FakeNotifier();
    checkpoints = new Checkpoints();
    lines.length = 0;
    relay = new NotificationRelay({
      store: store as unknown as EventStore,
      checkpoints,
      notifier,
      batchSize: 4,
      backoff: { initialMs: 5, maxMs: 20 },
      logger,
    });
  });
  afterEach(() => relay.stop());

  it('publishes in batches and checkpoints the last position of each acknowledged batch', async () => {
    store.append(10);
    relay.start();
    await until(() => relay.stats().lastPosition === '10');
    expect(notifier.published.map((m) => m.headers.ce_id)).toEqual(store.events.map((e) => e.id));
    expect(checkpoints.saves).toEqual([4n, 8n, 10n]);
    expect(relay.stats()).toMatchObject({ published: 10, checkpoint: '10', lag: 'caught-up' });
  });

  it('retries the same batch while publishing fails, without moving the checkpoint', async () => {
    store.append(2);
    relay.start();
    await until(() => relay.stats().lastPosition === '2');
    notifier.failing = Object.assign(new Error('broker down'), { retriable: true });
    store.append(3);
    await until(() => notifier.attempts >= 5);
    expect(checkpoints.saves).toEqual([2n]);
    expect(relay.stats()).toMatchObject({ lag: 'stalled', lastPosition: '2', lastSeenPosition: '5' });
    expect(lines.some((l) => /positions 3\.\.5, failed .*broker down.*a retry can help.*retrying the same batch/.test(l))).toBe(true);
    notifier.failing = undefined;
    await until(() => relay.stats().lastPosition === '5');
    expect(notifier.published.map((m) => m.headers.ce_position)).toEqual(['1', '2', '3', '4', '5']);
    expect(checkpoints.saves).toEqual([2n, 5n]);
    expect(relay.stats().lag).toBe('caught-up');
    // Every failed attempt stays counted (cs_relay_publish_failures_total); the run of failures is over.
    expect(relay.stats().publishFailures).toBe(notifier.attempts - 2);
    expect(relay.stats().consecutiveFailures).toBe(0);
  });

  it('re-subscribes from the saved checkpoint when the subscription fails', async () => {
    store.append(3);
    relay.start();
    await until(() => relay.stats().lastPosition === '3');
    store.failNextRead = new Error('disk I/O error');
    store.append(1);
    await until(() => relay.stats().lastPosition === '4');
    expect(store.subscribedAfter).toEqual([undefined, 3n]);
    expect(lines.some((l) => /subscription failed \(Error: disk I\/O error\)/.test(l))).toBe(true);
  });

  it('stops while publishing keeps failing, leaving the checkpoint behind the unacknowledged batch', async () => {
    notifier.failing = new Error('nope');
    store.append(3);
    relay.start();
    await until(() => notifier.attempts >= 2);
    await relay.stop();
    expect(checkpoints.saves).toEqual([]);
    expect(relay.stats()).toMatchObject({ running: false, published: 0, checkpoint: null });
  });
});
