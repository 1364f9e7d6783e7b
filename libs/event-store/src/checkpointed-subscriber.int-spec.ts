/**
 * The CheckpointedSubscriber on a real adapter (SQLite, its subscription and its checkpoint store):
 * a read model that is only an apply() and a registration, across a restart, a failing apply, a
 * checkpoint that went back, and a stop while the checkpoint loads.
 */
import { randomUUID } from 'node:crypto';
import { CheckpointedSubscriber, checkpointIn } from './checkpointed-subscriber';
import type { CheckpointStore } from './checkpoint-store';
import type { NewEvent, RecordedEvent } from './event-store.port';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const eventually = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const event = (accountId: string): NewEvent => ({
  id: randomUUID(),
  type: 'Noted',
  data: { accountId },
  metadata: {
    actor: { type: 'system', name: 'int-spec' },
    correlationId: randomUUID(),
    causationId: null,
    occurredAt: new Date().toISOString(),
    schemaVersion: 1,
  },
});

/** An example read model: events per account, from the `key-` streams only. */
class AccountHistory {
  readonly byAccount = new Map<string, string[]>();
  apply(recorded: RecordedEvent): void {
    const accountId = String(recorded.data.accountId);
    const ids = this.byAccount.get(accountId) ?? [];
    if (!ids.includes(recorded.id)) ids.push(recorded.id); // idempotent: delivery is at least once
    this.byAccount.set(accountId, ids);
  }
  get total(): number {
    return [...this.byAccount.values()].reduce((n, ids) => n + ids.length, 0);
  }
}

describe('CheckpointedSubscriber on SQLite', () => {
  let store: SqliteEventStore;
  let checkpoints: CheckpointStore;
  const subscribers: CheckpointedSubscriber[] = [];
  let revisions: Map<string, number>;

  const append = async (streamId: string, accountId: string) => {
    const result = await store.appendToStream(streamId, [event(accountId)], { expectedRevision: revisions.get(streamId) ?? 'no_stream' });
    revisions.set(streamId, result.nextExpectedRevision);
    return result.position;
  };
  const register = (history: AccountHistory, apply = (e: RecordedEvent) => history.apply(e), retryDelayMs = 10) => {
    const subscriber = new CheckpointedSubscriber({
      name: 'account-history projection',
      store,
      streamPrefixes: ['key-'],
      checkpoint: checkpointIn(checkpoints, 'account-history'),
      apply: async (e) => apply(e),
      retryDelayMs,
      logger: quiet,
    });
    subscribers.push(subscriber);
    return subscriber;
  };

  beforeEach(() => {
    store = new SqliteEventStore({ path: ':memory:', pageSize: 3 });
    checkpoints = store.checkpoints();
    revisions = new Map();
  });
  afterEach(async () => {
    await Promise.all(subscribers.splice(0).map((s) => s.stop()));
    await store.close();
  });

  it('projects stored and live events of the streams it follows, and resumes after a restart from its checkpoint', async () => {
    for (let i = 0; i < 7; i++) await append(`key-${i % 3}`, `acct-${i % 2}`);
    await append('account-x', 'acct-0'); // not followed
    const history = new AccountHistory();
    const first = register(history);
    await first.start();
    expect(history.total).toBe(7);
    const last = await append('key-0', 'acct-1');
    await eventually(() => history.total === 8);
    await first.stop();
    expect(await checkpoints.load('account-history')).toBe(last);

    await append('key-1', 'acct-0'); // while nobody follows
    const seen: RecordedEvent[] = [];
    const second = register(history, (e) => {
      seen.push(e);
      history.apply(e);
    });
    await second.start();
    expect(seen.map((e) => e.streamId)).toEqual(['key-1']);
    expect(history.total).toBe(9);
  });

  it('retries a failing apply from the stored checkpoint until it succeeds', async () => {
    await append('key-a', 'acct-0');
    await append('key-a', 'acct-0');
    const history = new AccountHistory();
    let failures = 3;
    const subscriber = register(history, (e) => {
      if (e.revision === 1 && failures-- > 0) throw new Error('read model down');
      history.apply(e);
    });
    await subscriber.start();
    await eventually(() => history.total === 2);
    expect(failures).toBe(-1);
  });

  it('resync() applies again what a checkpoint that went back says is missing', async () => {
    const positions = [await append('key-a', 'acct-0'), await append('key-a', 'acct-0'), await append('key-a', 'acct-0')];
    const history = new AccountHistory();
    const applied: bigint[] = [];
    const subscriber = register(
      history,
      (e) => {
        applied.push(e.position);
        history.apply(e);
      },
      60_000,
    );
    await subscriber.start();
    await eventually(() => applied.length === 3);
    await checkpoints.save('account-history', positions[0]);
    await subscriber.resync();
    await eventually(() => applied.length === 5);
    expect(applied).toEqual([...positions, positions[1], positions[2]]);
  });

  it('opens no subscription when stopped while loading its checkpoint', async () => {
    const subscribe = jest.spyOn(store, 'subscribeToAll');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const subscriber = new CheckpointedSubscriber({
      name: 'gated',
      store,
      checkpoint: { load: () => gate.then(() => undefined) },
      apply: async () => undefined,
      logger: quiet,
    });
    const started = subscriber.start();
    const stopped = subscriber.stop();
    release();
    await Promise.all([started, stopped]);
    expect(subscribe).not.toHaveBeenCalled();
    subscribe.mockRestore();
  });
});
