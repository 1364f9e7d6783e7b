import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EventStoreUnavailableError, streamPartition, type NewEvent, type RecordedEvent } from '../event-store.port';
import { describeEventStoreConformance } from '../testing';
import { PARTITION_SQL } from './sqlite-event-reader';
import { SqliteEventStore } from './sqlite-event-store';

// Polling is slower than the suite's timeouts here, so a missed in-process wake-up fails the suite
// instead of being papered over by the safety net.
const pollIntervalMs = 60_000;

describeEventStoreConformance('sqlite :memory:', {
  create: async () => new SqliteEventStore({ path: ':memory:', pollIntervalMs }),
});

// A tiny page size so that paging in readAll and subscription catch-up is exercised, and a file so that
// restarts can be.
let dir: string | undefined;
describeEventStoreConformance('sqlite file (page size 2, with restart)', {
  create: async () => {
    dir = mkdtempSync(join(tmpdir(), 'es-conf-'));
    return SqliteEventStore.open(join(dir, 'nested', 'events.db'), { pageSize: 2, pollIntervalMs });
  },
  reopen: async () => SqliteEventStore.open(join(dir!, 'nested', 'events.db'), { pageSize: 2, pollIntervalMs }),
  cleanup: async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  },
});

const event = (n: number): NewEvent => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'KeyIssued',
  data: { n },
  metadata: {
    actor: { type: 'system', name: 'test' },
    correlationId: 'c',
    causationId: null,
    occurredAt: '2024-01-01T00:00:00Z',
    schemaVersion: 1,
  },
});

describe('SqliteEventStore specifics', () => {
  let tmp: string;
  let file: string;
  const toClose: { close(): unknown }[] = [];

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'es-sqlite-'));
    file = join(tmp, 'events.db');
  });
  afterEach(async () => {
    for (const c of toClose.splice(0)) await c.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const open = (options: { pollIntervalMs?: number; busyTimeoutMs?: number } = {}) => {
    const store = SqliteEventStore.open(file, options);
    toClose.push(store);
    return store;
  };
  const raw = () => {
    const db = new Database(file);
    toClose.push(db);
    return db;
  };

  it('is durable: WAL journal and synchronous=FULL', () => {
    // synchronous is a per-connection setting, so it can only be read on the store's own connection.
    const db = open()['db'];
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
  });

  it('delivers rows written by another process (no in-process notification) by polling', async () => {
    const store = open({ pollIntervalMs: 20 });
    const sub = store.subscribeToAll();
    const it = sub[Symbol.asyncIterator]();
    const next = it.next();
    raw()
      .prepare('INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, 0, ?, ?, ?, ?, ?)')
      .run('key-1', event(1).id, 'KeyIssued', '{"n":1}', JSON.stringify(event(1).metadata), new Date().toISOString());
    const { value } = (await next) as IteratorYieldResult<RecordedEvent>;
    expect(value).toMatchObject({ streamId: 'key-1', revision: 0, position: 1n, data: { n: 1 } });
  });

  it('wakes subscriptions of another store instance on the same file at once', async () => {
    const [writer, reader] = [open(), open({ pollIntervalMs: 60_000 })];
    const next = reader.subscribeToAll()[Symbol.asyncIterator]().next();
    await writer.appendToStream('key-1', [event(1)], { expectedRevision: 'no_stream' });
    expect(((await next) as IteratorYieldResult<RecordedEvent>).value.id).toBe(event(1).id);
  });

  it('reports a held write lock as a retryable EventStoreUnavailableError', async () => {
    const store = open({ busyTimeoutMs: 20 });
    const other = raw();
    other.exec('BEGIN IMMEDIATE');
    const err = await store.appendToStream('key-1', [event(1)], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
    other.exec('ROLLBACK');
    expect(err).toBeInstanceOf(EventStoreUnavailableError);
    expect(err).toMatchObject({ retryable: true });
  });

  it('fails calls after close() with a non-retryable EventStoreUnavailableError, and ends subscriptions', async () => {
    const store = open();
    const sub = store.subscribeToAll();
    const next = sub[Symbol.asyncIterator]().next();
    await store.close();
    expect(await next).toEqual({ done: true, value: undefined });
    for (const call of [
      () => store.appendToStream('key-1', [event(1)], { expectedRevision: 'any' }),
      () => store.readStream('key-1'),
      async () => store.readAll()[Symbol.asyncIterator]().next(),
      async () => store.subscribeToAll(),
    ]) {
      await expect(call()).rejects.toMatchObject({ name: 'EventStoreUnavailableError', retryable: false });
    }
  });

  it('rejects a duplicate event id without writing the batch', async () => {
    const store = open();
    await store.appendToStream('key-1', [event(1)], { expectedRevision: 'no_stream' });
    await expect(store.appendToStream('key-2', [event(2), event(1)], { expectedRevision: 'no_stream' })).rejects.toThrow(/UNIQUE/);
    expect(await store.readStream('key-2')).toEqual([]);
  });

  it('rejects an empty append', async () => {
    await expect(open().appendToStream('key-1', [], { expectedRevision: 'any' })).rejects.toThrow(RangeError);
  });
});

describe('partitions in SQL', () => {
  it('puts every stream id in the share streamPartition computes (the SQL filter and the JS function agree)', () => {
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE ids (stream_id TEXT)');
      const insert = db.prepare<[string]>('INSERT INTO ids VALUES (?)');
      const remove = db.prepare('DELETE FROM ids');
      const select = db.prepare<[number], { share: number }>(`SELECT ${PARTITION_SQL} % ? AS share FROM ids`);
      const share = (id: string, count: number): number | undefined => {
        remove.run();
        insert.run(id);
        return select.get(count)?.share;
      };
      const ids = ['', 'k', 'key-key_0003tyAhT82LbGqWy9cYKx6i', 'acct-acct_1', 'key-é€', 'key-a😀b', 'key-😀😀'];
      for (let n = 0; n < 2000; n++) ids.push(`key-key_${Math.random().toString(36).slice(2)}`);
      for (const id of ids) {
        for (const count of [1, 2, 3, 7]) expect([id, count, share(id, count)]).toEqual([id, count, streamPartition(id, count)]);
      }
    } finally {
      db.close();
    }
  });
});
