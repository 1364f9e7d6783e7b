/**
 * The hash chain on SQLite: events written through ChainedEventStore, then the database file edited
 * behind the service's back with better-sqlite3 (a byte of a payload, a row deleted, two events'
 * payloads or revisions swapped); verifyChains must name the stream and position of each edit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WrongExpectedRevisionError, type EventStore, type NewEvent } from '../event-store.port';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { eventHash } from './canonical';
import { ChainedEventStore } from './chained-event-store';
import { verifyChains, type ChainBreak } from './chain-verifier';

let n = 0;
const event = (data: Record<string, unknown> = {}): NewEvent => ({
  id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  type: 'KeyUpdated',
  data: { keyId: 'k', note: 'abcdef', ...data },
  metadata: {
    actor: { type: 'system', name: 'test' },
    correlationId: 'c',
    causationId: null,
    occurredAt: '2026-01-01T00:00:00.000Z',
    schemaVersion: 1,
  },
});

describe('hash chain on SQLite', () => {
  let dir: string;
  let file: string;
  const open: { close(): unknown }[] = [];
  const sqlite = (): SqliteEventStore => {
    const store = SqliteEventStore.open(file, { pageSize: 3 });
    open.push(store);
    return store;
  };
  const chained = (inner: EventStore = sqlite()): ChainedEventStore => new ChainedEventStore(inner);
  /** Edits the file as an operator with a SQLite shell would. */
  const tamper = (sql: string, ...params: unknown[]): void => {
    const db = new Database(file);
    try {
      db.prepare(sql).run(...params);
    } finally {
      db.close();
    }
  };
  const positionOf = (streamId: string, revision: number): string => {
    const db = new Database(file, { readonly: true });
    try {
      return String(
        (db.prepare('SELECT position FROM events WHERE stream_id = ? AND revision = ?').get(streamId, revision) as { position: number })
          .position,
      );
    } finally {
      db.close();
    }
  };
  const verify = async (): Promise<{ report: Awaited<ReturnType<typeof verifyChains>>; breaks: ChainBreak[] }> => {
    const breaks: ChainBreak[] = [];
    const store = sqlite();
    const report = await verifyChains(store, { onBreak: (b) => breaks.push(b) });
    return { report, breaks };
  };

  /** Three key streams of 4 events each, interleaved, through the chain; one append of two events. */
  const seed = async (store: EventStore): Promise<void> => {
    for (const s of ['key-a', 'key-b', 'key-c']) await store.appendToStream(s, [event()], { expectedRevision: 'no_stream' });
    for (let r = 0; r < 2; r++)
      for (const s of ['key-a', 'key-b', 'key-c']) await store.appendToStream(s, [event({ r })], { expectedRevision: r });
    for (const s of ['key-a', 'key-b', 'key-c']) await store.appendToStream(s, [event({ last: true })], { expectedRevision: 'any' });
    await store.appendToStream('account-x', [event(), event()], { expectedRevision: 'no_stream' });
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cs-chain-'));
    file = join(dir, 'events.sqlite');
    await seed(chained());
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an untouched store is intact: every event linked to the one before it in its stream', async () => {
    const { report } = await verify();
    expect(report).toMatchObject({ intact: true, events: 14, streams: 4, chainedEvents: 14, legacyEvents: 0, breaks: 0, firstBreak: null });
    const stored = await sqlite().readStream('key-a');
    expect(stored.map((e) => e.metadata.chain)).toEqual([
      { v: 1, prev: null },
      { v: 1, prev: eventHash(stored[0]) },
      { v: 1, prev: eventHash(stored[1]) },
      { v: 1, prev: eventHash(stored[2]) },
    ]);
  });

  it('a byte of a payload changed: the next event of that stream breaks, naming the changed one as previous', async () => {
    tamper(`UPDATE events SET data = replace(data, 'abcdef', 'abcdeg') WHERE stream_id = 'key-b' AND revision = 1`);
    const { report, breaks } = await verify();
    expect(report.intact).toBe(false);
    expect(breaks).toHaveLength(1);
    expect(report.firstBreak).toMatchObject({
      kind: 'hash-mismatch',
      streamId: 'key-b',
      revision: 2,
      position: positionOf('key-b', 2),
      previous: { revision: 1, position: positionOf('key-b', 1) },
    });
  });

  it('a change of metadata (who did it, when) is caught the same way', async () => {
    tamper(`UPDATE events SET metadata = replace(metadata, '"name":"test"', '"name":"tesT"') WHERE stream_id = 'key-c' AND revision = 0`);
    const { report } = await verify();
    expect(report.firstBreak).toMatchObject({
      kind: 'hash-mismatch',
      streamId: 'key-c',
      revision: 1,
      previous: { position: positionOf('key-c', 0) },
    });
  });

  it('a row deleted from inside a stream: a revision gap at the next event', async () => {
    const deleted = positionOf('key-a', 1);
    tamper(`DELETE FROM events WHERE stream_id = 'key-a' AND revision = 1`);
    const { report } = await verify();
    expect(report.firstBreak).toMatchObject({
      kind: 'revision-gap',
      streamId: 'key-a',
      revision: 2,
      position: positionOf('key-a', 2),
      previous: { revision: 0 },
    });
    expect(report.firstBreak?.detail).toContain('revisions 1 to 1 are missing');
    expect(Number(report.firstBreak?.position)).toBeGreaterThan(Number(deleted));
  });

  it('the first event of a stream deleted: the stream starts with a link to an event that is not there', async () => {
    tamper(`DELETE FROM events WHERE stream_id = 'key-c' AND revision = 0`);
    const { report } = await verify();
    expect(report.firstBreak).toMatchObject({ kind: 'revision-gap', streamId: 'key-c', revision: 1, previous: null });
  });

  it('a payload edited into something that is not JSON: reported as unreadable after the last event read, not thrown', async () => {
    const before = String(Number(positionOf('key-b', 1)) - 1);
    tamper(`UPDATE events SET data = substr(data, 2) WHERE stream_id = 'key-b' AND revision = 1`);
    const { report } = await verify();
    expect(report.intact).toBe(false);
    expect(report.firstBreak).toMatchObject({ kind: 'unreadable', position: null, previous: { position: before } });
    expect(report.firstBreak?.detail).not.toContain('keyId');
  });

  it("two events' payloads swapped: the first of them breaks", async () => {
    const db = new Database(file);
    const rows = db
      .prepare(`SELECT position, data, metadata FROM events WHERE stream_id = 'key-b' AND revision IN (1, 2) ORDER BY revision`)
      .all() as {
      position: number;
      data: string;
      metadata: string;
    }[];
    const swap = db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?');
    swap.run(rows[1].data, rows[1].metadata, rows[0].position);
    swap.run(rows[0].data, rows[0].metadata, rows[1].position);
    db.close();
    const { report } = await verify();
    expect(report.firstBreak).toMatchObject({ kind: 'hash-mismatch', streamId: 'key-b', revision: 1, position: String(rows[0].position) });
  });

  it("two events' revisions swapped (reordered): revision 1 read after revision 2 is a reorder", async () => {
    const first = positionOf('key-a', 1);
    const second = positionOf('key-a', 2);
    tamper(`UPDATE events SET revision = -1 WHERE position = ?`, first);
    tamper(`UPDATE events SET revision = 1 WHERE position = ?`, second);
    tamper(`UPDATE events SET revision = 2 WHERE position = ?`, first);
    const { report } = await verify();
    expect(report.firstBreak).toMatchObject({
      kind: 'reorder',
      streamId: 'key-a',
      revision: 1,
      position: second,
      previous: { revision: 2, position: first },
    });
  });

  it('an event appended without the chain into a chained stream (bypassing the service) is caught', async () => {
    await sqlite().appendToStream('key-a', [event()], { expectedRevision: 3 });
    const { report } = await verify();
    expect(report.firstBreak).toMatchObject({ kind: 'chain-missing', streamId: 'key-a', revision: 4 });
  });

  it('legacy events written before the chain: the chain starts later, linked to the last of them, and is intact', async () => {
    const raw = sqlite();
    await raw.appendToStream('key-old', [event(), event()], { expectedRevision: 'no_stream' });
    await raw.appendToStream('key-legacy-only', [event()], { expectedRevision: 'no_stream' });
    const store = chained();
    const history = await store.readStream('key-old');
    await store.appendToStream('key-old', [event()], { expectedRevision: 1 });
    const { report } = await verify();
    expect(report).toMatchObject({ intact: true, legacyEvents: 3, legacyStreams: 1, lateStartStreams: 1, chainedEvents: 15 });
    expect((await sqlite().readStream('key-old'))[2].metadata.chain).toEqual({ v: 1, prev: eventHash(history[1]) });

    // ...and the last legacy event is covered from then on.
    tamper(`UPDATE events SET data = replace(data, 'abcdef', 'abcdeX') WHERE stream_id = 'key-old' AND revision = 1`);
    expect((await verify()).report.firstBreak).toMatchObject({ streamId: 'key-old', revision: 2 });
  });

  it('keeps the expected-revision check exact: a writer that lost the race is refused, and the chain stays whole', async () => {
    const one = chained();
    const two = chained();
    await one.readStream('key-a');
    await two.readStream('key-a');
    await two.appendToStream('key-a', [event()], { expectedRevision: 3 });
    // `one` last saw revision 3: its link would be wrong, and the store refuses the append.
    await expect(one.appendToStream('key-a', [event()], { expectedRevision: 3 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(one.appendToStream('key-a', [event()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    await one.appendToStream('key-a', [event(), event()], { expectedRevision: 4 });
    await Promise.all([
      one.appendToStream('key-a', [event()], { expectedRevision: 'any' }),
      two.appendToStream('key-a', [event()], { expectedRevision: 'any' }),
    ]);
    const { report } = await verify();
    expect(report.intact).toBe(true);
    expect((await sqlite().readStream('key-a')).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a command (read, then append at the revision read) costs no extra read of its stream', async () => {
    const inner = sqlite();
    let reads = 0;
    const counting: EventStore = Object.assign(Object.create(inner) as EventStore, {
      readStream: (s: string) => {
        reads++;
        return inner.readStream(s);
      },
    });
    const store = chained(counting);
    for (let i = 0; i < 5; i++) {
      const history = await store.readStream('key-b');
      await store.appendToStream('key-b', [event()], { expectedRevision: history[history.length - 1].revision });
    }
    expect(reads).toBe(5);
    // Appends in a row without reads: the head is remembered from the previous append.
    for (let r = 8; r < 12; r++) await store.appendToStream('key-b', [event()], { expectedRevision: r });
    expect(reads).toBe(5);
    expect((await verify()).report.intact).toBe(true);
  });
});
