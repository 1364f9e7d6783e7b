import {
  CheckpointedSubscriber,
  checkpointIn,
  type CheckpointedSubscriberOptions,
  type RunSignal,
  type SubscriberLogger,
} from './checkpointed-subscriber';
import { InvalidCheckpointError, type AllStreamSubscription, type RecordedEvent, type SubscribeOptions } from './event-store.port';
import type { CheckpointStore } from './checkpoint-store';

/** A live in-memory log with catch-up subscriptions, as the port describes them. */
class FakeStore {
  readonly events: RecordedEvent[] = [];
  readonly subscribedAfter: (bigint | undefined)[] = [];
  /** Positions handed out by every subscription, in order. */
  readonly delivered: number[] = [];
  failNextRead?: Error;
  /** Checkpoints this store refuses as not its own (as EventStoreDB's adapter does past its head). */
  refuseAbove?: bigint;
  /** Ends the open subscriptions as a store may not: without anyone closing them. */
  endAll?: () => void;
  private waiters: (() => void)[] = [];

  append(n: number) {
    for (let i = 0; i < n; i++) {
      const position = BigInt(this.events.length + 1);
      this.events.push({
        id: `id-${position}`,
        type: 'Something',
        data: {},
        metadata: {
          actor: { type: 'system', name: 't' },
          correlationId: 'c',
          causationId: null,
          occurredAt: '2026-01-01T00:00:00.000Z',
          schemaVersion: 1,
        },
        streamId: `s-${position % 3n}`,
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
    let ended = false;
    const stored = this.events.length === 0 ? 0n : this.events[this.events.length - 1].position;
    let caughtUp!: () => void;
    const caughtUpPromise = new Promise<void>((resolve) => (caughtUp = resolve));
    this.endAll = () => {
      ended = true;
      this.waiters.splice(0).forEach((w) => w());
    };
    const refused =
      this.refuseAbove !== undefined && options.after !== undefined && options.after > this.refuseAbove
        ? new InvalidCheckpointError(options.after, 'beyond-head', `past the store's last event, at ${this.refuseAbove}`)
        : undefined;
    const iterator: AsyncIterator<RecordedEvent> = {
      next: async () => {
        for (;;) {
          if (closed || ended) return { done: true, value: undefined };
          if (refused) throw refused;
          // As the adapters do: caught up once the consumer comes back after the last stored event.
          if (next >= stored) caughtUp();
          if (this.failNextRead) {
            const err = this.failNextRead;
            this.failNextRead = undefined;
            throw err;
          }
          const event = this.events.find((e) => e.position > next);
          if (event) {
            next = event.position;
            this.delivered.push(Number(next));
            return { done: false, value: event };
          }
          await new Promise<void>((r) => this.waiters.push(r));
        }
      },
    };
    return {
      caughtUp: caughtUpPromise,
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        closed = true;
        this.waiters.splice(0).forEach((w) => w());
      },
    };
  }
}

class Checkpoints implements CheckpointStore {
  readonly saves: bigint[] = [];
  stored = new Map<string, bigint>();
  loads = 0;
  async load(name: string) {
    this.loads++;
    return this.stored.get(name);
  }
  async save(name: string, position: bigint) {
    this.saves.push(position);
    this.stored.set(name, position);
  }
}

const lines: string[] = [];
const logger: SubscriberLogger = {
  log: (m) => lines.push(`log ${m}`),
  warn: (m) => lines.push(`warn ${m}`),
  error: (m) => lines.push(`error ${m}`),
};
const until = async (check: () => boolean, what = 'condition') => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error(`${what} not met; log:\n${lines.join('\n')}`);
};
const positions = (events: readonly RecordedEvent[]) => events.map((e) => Number(e.position));

describe('CheckpointedSubscriber', () => {
  let store: FakeStore;
  let checkpoints: Checkpoints;
  let subscriber: CheckpointedSubscriber;
  let applied: number[];

  const create = (extra: Partial<CheckpointedSubscriberOptions> = {}) => {
    subscriber = new CheckpointedSubscriber({
      name: 'test projection',
      store,
      checkpoint: checkpointIn(checkpoints, 'test'),
      apply: async (event) => void applied.push(Number(event.position)),
      retryDelayMs: 10,
      logger,
      ...extra,
    } as CheckpointedSubscriberOptions);
    return subscriber;
  };

  beforeEach(() => {
    store = new FakeStore();
    checkpoints = new Checkpoints();
    applied = [];
    lines.length = 0;
  });
  afterEach(() => subscriber?.stop());

  it('applies stored then live events, saving the checkpoint after each; start() resolves once caught up', async () => {
    store.append(3);
    create();
    await subscriber.start();
    expect(applied).toEqual([1, 2, 3]);
    expect(checkpoints.saves).toEqual([1n, 2n, 3n]);
    store.append(2);
    await until(() => applied.length === 5);
    expect(checkpoints.stored.get('test')).toBe(5n);
    expect(subscriber.running).toBe(true);
  });

  it('starts after the stored checkpoint', async () => {
    store.append(5);
    checkpoints.stored.set('test', 3n);
    create();
    await subscriber.start();
    expect(applied).toEqual([4, 5]);
    expect(store.subscribedAfter).toEqual([3n]);
  });

  it('retries after a failure from the stored checkpoint, logging the failure once, not at every retry', async () => {
    store.append(2);
    let failuresLeft = 3;
    create({
      apply: async (event: RecordedEvent) => {
        if (event.position === 2n && failuresLeft-- > 0) throw new Error('index down');
        applied.push(Number(event.position));
      },
    });
    await subscriber.start();
    expect(applied).toEqual([1, 2]);
    expect(store.subscribedAfter).toEqual([undefined, 1n, 1n, 1n]);
    expect(lines.filter((l) => l.startsWith('error'))).toEqual([
      'error test projection interrupted (index down); resuming from its checkpoint',
    ]);

    // A new streak (after a batch was handled) is logged again.
    failuresLeft = 1;
    store.append(1);
    store.failNextRead = new Error('disk I/O error');
    await until(() => applied.length === 3);
    expect(lines.filter((l) => l.startsWith('error'))).toHaveLength(2);
    expect(lines[lines.length - 1]).toMatch(/interrupted \(disk I\/O error\)/);
  });

  it('resumes from what is stored, not from where this process got to', async () => {
    store.append(4);
    const stored = { position: undefined as bigint | undefined };
    let rewound = false;
    // The handler keeps its own checkpoint, which then goes back in time (a store restored from a snapshot).
    create({
      checkpoint: { load: async () => stored.position },
      apply: async (event: RecordedEvent) => {
        if (event.position === 5n && !rewound) {
          rewound = true;
          stored.position = 2n;
          throw Object.assign(new Error('checkpoint behind its base'), { name: 'RewoundError' });
        }
        applied.push(Number(event.position));
        stored.position = event.position;
      },
      onFailure: ({ error }) =>
        (error as Error).name === 'RewoundError' ? (logger.warn('rewound'), { retryInMs: 1, logged: true, counts: false }) : undefined,
    });
    await subscriber.start();
    store.append(1);
    await until(() => applied.includes(5));
    expect(applied).toEqual([1, 2, 3, 4, 3, 4, 5]);
    expect(store.subscribedAfter).toEqual([undefined, 2n]);
    expect(lines).toContain('warn rewound');
    expect(lines.filter((l) => l.startsWith('error'))).toEqual([]);
  });

  it('when stopped while loading its checkpoint: opens no subscription, and start() resolves', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let loading!: () => void;
    const loadStarted = new Promise<void>((resolve) => (loading = resolve));
    create({
      checkpoint: {
        load: async () => {
          loading();
          await gate;
          return undefined;
        },
      },
    });
    const started = subscriber.start();
    await loadStarted;
    const stopped = subscriber.stop();
    release();
    await Promise.all([started, stopped]);
    expect(store.subscribedAfter).toEqual([]);
    expect(subscriber.running).toBe(false);
  });

  it('when stopped before catching up (failing): start() resolves and the retry wait is cut short', async () => {
    store.append(1);
    store.failNextRead = new Error('unreachable');
    create({ retryDelayMs: 60_000 });
    const started = subscriber.start();
    await until(() => lines.some((l) => l.includes('unreachable')));
    const t0 = Date.now();
    await subscriber.stop();
    await started;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(store.subscribedAfter).toHaveLength(1);
  });

  it('resync() resumes from the stored checkpoint at once, without the retry delay', async () => {
    store.append(3);
    create({ retryDelayMs: 60_000 });
    await subscriber.start();
    checkpoints.stored.set('test', 1n); // lost writes
    const t0 = Date.now();
    await subscriber.resync();
    await until(() => applied.length === 5, 'the re-application');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(applied).toEqual([1, 2, 3, 2, 3]);
    expect(store.subscribedAfter).toEqual([undefined, 1n]);
    expect(lines.filter((l) => l.startsWith('error'))).toEqual([]);
  });

  it('resync() and stop() before start() are no-ops', async () => {
    create();
    await subscriber.resync();
    await subscriber.stop();
    expect(store.subscribedAfter).toEqual([]);
  });

  it('a subscription that ends without being closed is a failure: logged, resumed from the checkpoint', async () => {
    store.append(2);
    create();
    await subscriber.start();
    store.endAll!();
    await until(() => store.subscribedAfter.length === 2);
    expect(store.subscribedAfter).toEqual([undefined, 2n]);
    expect(lines).toContain(
      'error test projection interrupted (the subscription ended without being closed); resuming from its checkpoint',
    );
  });

  it('hands over batches (stored events at once, live ones within the window) and checkpoints each', async () => {
    store.append(7);
    const batches: number[][] = [];
    create({
      apply: undefined,
      handle: async (events: readonly RecordedEvent[]) => void batches.push(positions(events)),
      batchSize: 3,
      batchWindowMs: 20,
    });
    await subscriber.start();
    await until(() => batches.flat().length === 7);
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(checkpoints.saves).toEqual([3n, 6n, 7n]);
  });

  it('hands over the events read before a failure, then resumes after them', async () => {
    store.append(2);
    const batches: number[][] = [];
    create({
      apply: undefined,
      handle: async (events: readonly RecordedEvent[]) => void batches.push(positions(events)),
      batchSize: 10,
      batchWindowMs: 300,
    });
    await subscriber.start();
    await until(() => batches.length === 1);
    store.append(1);
    await until(() => store.delivered.includes(3)); // 3 read; its batch waits for more within the window
    store.failNextRead = new Error('boom');
    store.append(1); // the pull for the batch's next event fails
    await until(() => batches.flat().includes(4));
    expect(batches).toEqual([[1, 2], [3], [4]]);
    expect(store.subscribedAfter).toEqual([undefined, 3n]);
    expect(checkpoints.stored.get('test')).toBe(4n);
    expect(lines.filter((l) => l.startsWith('error'))).toEqual(['error test projection interrupted (boom); resuming from its checkpoint']);
  });

  it('stop({ timeoutMs }) abandons a handler that does not finish: its batch is not checkpointed', async () => {
    store.append(1);
    let finish!: () => void;
    let signal!: RunSignal;
    create({
      apply: (_event: RecordedEvent, run: RunSignal) => {
        signal = run;
        return new Promise<void>((resolve) => (finish = resolve));
      },
    });
    void subscriber.start();
    await until(() => signal !== undefined);
    expect(await subscriber.stop({ timeoutMs: 10 })).toBe(false);
    expect(signal).toMatchObject({ stopping: true, abandoned: true });
    finish();
    await subscriber.stop();
    expect(checkpoints.saves).toEqual([]);
    // A new run starts from the stored checkpoint, untouched by the abandoned one.
    create();
    await subscriber.start();
    expect(applied).toEqual([1]);
  });

  describe('a stored checkpoint the store says is not its own (InvalidCheckpointError)', () => {
    beforeEach(() => {
      store.append(3);
      store.refuseAbove = 3n;
      checkpoints.stored.set('test', 42n); // another store's
    });

    it('without onInvalidCheckpoint: warns once and resumes from the beginning at once, until a batch is saved', async () => {
      let failOnce = true;
      create({
        apply: async (event: RecordedEvent) => {
          if (failOnce) {
            failOnce = false;
            throw new Error('index down');
          }
          applied.push(Number(event.position));
        },
      });
      await subscriber.start();
      // 42 refused → the beginning; the failure at 1 → the beginning again (the stored checkpoint is
      // still the invalid 42: nothing was saved), without asking or warning again.
      expect(store.subscribedAfter).toEqual([42n, undefined, undefined]);
      expect(applied).toEqual([1, 2, 3]);
      expect(checkpoints.stored.get('test')).toBe(3n);
      expect(lines.filter((l) => l.startsWith('warn'))).toEqual([
        "warn test projection: checkpoint 42 is not a position of this event store (past the store's last event, at 3); " +
          'resuming from the beginning of the log (events already handled come again)',
      ]);
    });

    it('with onInvalidCheckpoint: resumes where the hook says (after its repair), and logs it', async () => {
      const asked: bigint[] = [];
      create({
        onInvalidCheckpoint: async ({ checkpoint, error }) => {
          asked.push(checkpoint);
          expect(error).toBeInstanceOf(InvalidCheckpointError);
          return 2n;
        },
      });
      await subscriber.start();
      expect(asked).toEqual([42n]);
      expect(store.subscribedAfter).toEqual([42n, 2n]);
      expect(applied).toEqual([3]);
      expect(lines.some((l) => l.startsWith('warn') && l.endsWith('resuming after 2 instead'))).toBe(true);
    });

    it('a hook that fails counts as a failed attempt: logged, retried after the delay, asked again', async () => {
      let calls = 0;
      create({
        onInvalidCheckpoint: async () => {
          if (++calls === 1) throw new Error('rebuild failed');
          return undefined;
        },
      });
      await subscriber.start();
      expect(calls).toBe(2);
      expect(applied).toEqual([1, 2, 3]);
      expect(lines.filter((l) => l.startsWith('error'))).toEqual([
        "error test projection interrupted (checkpoint 42 is not a position of this event store (past the store's last event, at 3), " +
          'and repairing it failed: rebuild failed); resuming from its checkpoint',
      ]);
    });

    it('a replacement the store refuses too is an ordinary failure, never a tight loop', async () => {
      let calls = 0;
      create({
        onInvalidCheckpoint: async () => {
          calls++;
          return 99n; // refused as well
        },
        retryDelayMs: 30,
      });
      void subscriber.start();
      await new Promise((r) => setTimeout(r, 100));
      await subscriber.stop();
      // Each round: 42 refused → hook → 99 refused → the retry delay; never back-to-back subscriptions.
      expect(calls).toBeGreaterThanOrEqual(1);
      expect(calls).toBeLessThanOrEqual(4);
      expect(store.subscribedAfter.length).toBeLessThanOrEqual(2 * calls);
    });
  });

  it('start() while running returns the same run', async () => {
    store.append(1);
    create();
    const first = subscriber.start();
    const second = subscriber.start();
    await Promise.all([first, second]);
    expect(store.subscribedAfter).toHaveLength(1);
  });
});
