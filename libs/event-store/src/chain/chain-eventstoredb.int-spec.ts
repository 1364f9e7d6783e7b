/**
 * The hash chain on EventStoreDB, against the protocol double (the unmodified client over gRPC): the
 * same verification reads the same breaks when the double's log is edited in place, and when events
 * are appended past the chain (a writer that is not the service).
 */
import { startEsdbDouble, type EsdbDouble } from '../../../../test/doubles/eventstoredb/esdb-double';
import type { StoredEvent } from '../../../../test/doubles/eventstoredb/log';
import type { NewEvent } from '../event-store.port';
import { EventStoreDBEventStore } from '../eventstoredb/eventstoredb-event-store';
import { ChainedEventStore } from './chained-event-store';
import { verifyChains } from './chain-verifier';

let n = 0;
const event = (): NewEvent => ({
  id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  type: 'KeyUpdated',
  data: { keyId: 'k', note: 'abcdef' },
  metadata: {
    actor: { type: 'system', name: 'test' },
    correlationId: 'c',
    causationId: null,
    occurredAt: '2026-01-01T00:00:00.000Z',
    schemaVersion: 1,
  },
});

describe('hash chain on EventStoreDB (protocol double)', () => {
  let double: EsdbDouble;
  let raw: EventStoreDBEventStore;
  let store: ChainedEventStore;
  const stored = (streamId: string, revision: number): StoredEvent => {
    const found = double.log.events.find((e) => e.streamId === streamId && e.revision === BigInt(revision));
    if (!found) throw new Error(`no ${streamId}@${revision}`);
    return found;
  };

  beforeEach(async () => {
    double = await startEsdbDouble();
    raw = EventStoreDBEventStore.connect(double.url);
    store = new ChainedEventStore(raw);
    for (const s of ['key-a', 'key-b']) {
      await store.appendToStream(s, [event()], { expectedRevision: 'no_stream' });
      for (let r = 0; r < 3; r++) await store.appendToStream(s, [event()], { expectedRevision: r });
    }
  });
  afterEach(async () => {
    await store.close();
    await double.stop();
  });

  it('written through the chain: intact (the server system events are no part of it)', async () => {
    expect(await verifyChains(raw)).toMatchObject({ intact: true, events: 8, streams: 2, chainedEvents: 8 });
  });

  it("a byte of an event's data changed in the node's log: named by stream and position", async () => {
    const target = stored('key-b', 1);
    const bytes = Buffer.from(target.data);
    bytes[bytes.indexOf('abcdef') + 5] = 'X'.charCodeAt(0);
    target.data = new Uint8Array(bytes);
    const report = await verifyChains(raw);
    expect(report.firstBreak).toMatchObject({
      kind: 'hash-mismatch',
      streamId: 'key-b',
      revision: 2,
      position: String(stored('key-b', 2).position),
      previous: { revision: 1, position: String(target.position) },
    });
  });

  it('an event dropped from the log: a revision gap', async () => {
    const all = (double.log as unknown as { all: StoredEvent[] }).all;
    all.splice(all.indexOf(stored('key-a', 2)), 1);
    expect((await verifyChains(raw)).firstBreak).toMatchObject({ kind: 'revision-gap', streamId: 'key-a', revision: 3 });
  });

  it('a forged event appended past the chain (with its own id, at the right revision) is caught', async () => {
    await raw.appendToStream('key-a', [event()], { expectedRevision: 3 });
    const forged = { ...event(), metadata: { ...event().metadata, chain: { v: 1, prev: '0'.repeat(64) } } };
    await raw.appendToStream('key-b', [forged], { expectedRevision: 3 });
    const breaks: string[] = [];
    const report = await verifyChains(raw, { onBreak: (b) => breaks.push(`${b.kind} ${b.streamId}@${b.revision}`) });
    expect(report.intact).toBe(false);
    expect(breaks).toEqual(['chain-missing key-a@4', 'hash-mismatch key-b@4']);
  });

  it('appends after events the server hides (a projection link) stay chained to the last event reads return', async () => {
    double.appendSystemEvent('key-a', '$>', { link: 'x' });
    await store.appendToStream('key-a', [event()], { expectedRevision: 3 });
    const report = await verifyChains(raw);
    expect(report).toMatchObject({ intact: true, events: 9 });
  });
});
