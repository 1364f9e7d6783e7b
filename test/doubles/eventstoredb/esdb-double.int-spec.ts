/**
 * The double, driven by the unmodified @eventstore/db-client: if these pass, the adapter's tests
 * against the double exercise the same client code paths a real server would.
 */
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Position,
} from '@eventstore/db-client';
import { startEsdbDouble, type EsdbDouble } from './esdb-double';

let double: EsdbDouble;
let client: EventStoreDBClient;
let n = 0;
/** Fresh stream names per test: the double is shared by the file. */
const unique = (name: string) => `${name}${++n}`;
const events = (count: number, type = 'KeyIssued') =>
  Array.from({ length: count }, (_, i) => jsonEvent({ type, data: { i }, metadata: { m: i } }));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

beforeAll(async () => {
  double = await startEsdbDouble();
  client = EventStoreDBClient.connectionString(double.url);
});
afterAll(async () => {
  await client.dispose();
  await double.stop();
});

describe.each([
  ['BatchAppend (advertised, as by every 21.10+ node)', {}, 'batchAppend'],
  ['Append (BatchAppend not advertised)', { batchAppend: false }, 'append'],
] as const)('appends over %s', (_, options, path) => {
  let double: EsdbDouble;
  let client: EventStoreDBClient;
  beforeAll(async () => {
    double = await startEsdbDouble(options);
    client = EventStoreDBClient.connectionString(double.url);
  });
  afterAll(async () => {
    await client.dispose();
    await double.stop();
  });
  afterEach(() => {
    expect(double.calls[path === 'append' ? 'batchAppend' : 'append']).toBe(0);
    expect(double.calls[path]).toBeGreaterThan(0);
  });
  it('honours every kind of expected revision and reports revision and position', async () => {
    const s = unique('key-');
    const first = await client.appendToStream(s, events(2), { expectedRevision: NO_STREAM });
    expect(first).toMatchObject({ success: true, nextExpectedRevision: 1n });
    expect(first.position!.commit).toBe(first.position!.prepare);
    expect((await client.appendToStream(s, events(1), { expectedRevision: 1n })).nextExpectedRevision).toBe(2n);
    expect((await client.appendToStream(s, events(1), { expectedRevision: STREAM_EXISTS })).nextExpectedRevision).toBe(3n);
    const last = await client.appendToStream(s, events(1), { expectedRevision: ANY });
    expect(last.nextExpectedRevision).toBe(4n);
    expect(last.position!.commit > first.position!.commit).toBe(true);
  });

  it('answers wrong_expected_version with the current revision, or no_stream, and writes nothing', async () => {
    const s = unique('key-');
    await client.appendToStream(s, events(2), { expectedRevision: NO_STREAM });
    const wrong = await client.appendToStream(s, events(3), { expectedRevision: 0n }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(WrongExpectedVersionError);
    expect(wrong).toMatchObject({ streamName: s, expectedVersion: 0n, actualVersion: 1n });
    const missing = await client.appendToStream(unique('key-'), events(1), { expectedRevision: STREAM_EXISTS }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ expectedVersion: 'stream_exists', actualVersion: 'no_stream' });
    expect(await collect(client.readStream(s))).toHaveLength(2);
  });

  it('is idempotent by event id, like the server', async () => {
    const s = unique('key-');
    const batch = events(2);
    const first = await client.appendToStream(s, batch, { expectedRevision: NO_STREAM });
    const again = await client.appendToStream(s, batch, { expectedRevision: NO_STREAM });
    expect(again).toEqual(first);
    expect(await collect(client.readStream(s))).toHaveLength(2);
  });
});

describe('Streams/Read on a stream', () => {
  it('reads forwards and backwards from start, end or a revision, with a count', async () => {
    const s = unique('key-');
    await client.appendToStream(s, events(5), { expectedRevision: NO_STREAM });
    const revisions = async (options: Parameters<EventStoreDBClient['readStream']>[1]) =>
      (await collect(client.readStream(s, options))).map((e) => e.event!.revision);
    expect(await revisions({})).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(await revisions({ fromRevision: 2n, maxCount: 2 })).toEqual([2n, 3n]);
    expect(await revisions({ fromRevision: END })).toEqual([]);
    expect(await revisions({ direction: BACKWARDS, fromRevision: END, maxCount: 2 })).toEqual([4n, 3n]);
    expect(await revisions({ direction: BACKWARDS, fromRevision: 1n })).toEqual([1n, 0n]);
  });

  it('returns what was written, with type, JSON data, metadata, created and positions', async () => {
    const s = unique('key-');
    const [written] = events(1, 'KeyRotated');
    await client.appendToStream(s, written, { expectedRevision: NO_STREAM });
    const [{ event }] = await collect(client.readStream(s));
    expect(event).toMatchObject({
      streamId: s,
      id: written.id,
      type: 'KeyRotated',
      isJson: true,
      data: { i: 0 },
      metadata: { m: 0 },
      revision: 0n,
    });
    expect(Math.abs(event!.created.getTime() - Date.now())).toBeLessThan(10_000);
    expect(event!.position!.commit).toBe(event!.position!.prepare);
  });

  it('fails with StreamNotFoundError for a missing stream', async () => {
    await expect(collect(client.readStream(unique('never-')))).rejects.toBeInstanceOf(StreamNotFoundError);
  });
});

describe('Streams/Read on $all', () => {
  it('reads forwards inclusively from a position and backwards exclusively, system events included', async () => {
    const s = unique('all-');
    await client.appendToStream(s, events(3), { expectedRevision: NO_STREAM });
    const all = await collect(client.readAll());
    expect(all.some((e) => e.event!.streamId.startsWith('$'))).toBe(true);
    const positions = all.map((e) => e.event!.position.commit);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    const mine = all.filter((e) => e.event!.streamId === s);
    const from: Position = mine[1].event!.position;
    expect((await collect(client.readAll({ fromPosition: from, maxCount: 1 })))[0].event!.id).toBe(mine[1].event!.id);
    expect((await collect(client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: 1 })))[0].event!.id).toBe(mine[0].event!.id);
    expect((await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 })))[0].event!.id).toBe(mine[2].event!.id);
  });
});

describe('subscriptions', () => {
  /** Events, caughtUp markers and checkpoints in the order the client surfaced them. */
  function record(sub: NodeJS.EventEmitter & AsyncIterable<AllStreamResolvedEvent>) {
    const seen: string[] = [];
    sub.on('data', (e: AllStreamResolvedEvent) => seen.push(e.event!.type));
    sub.on('caughtUp', () => seen.push('<caughtUp>'));
    const until = (count: number) =>
      new Promise<string[]>((resolve, reject) => {
        const check = () => (seen.filter((x) => x !== '<caughtUp>').length >= count ? resolve(seen) : setTimeout(check, 5));
        sub.on('error', reject);
        check();
      });
    return { seen, until };
  }

  it('subscribeToAll: from a position, filtered, catch-up then caughtUp then live', async () => {
    const prefix = unique('sub-');
    await client.appendToStream(`${prefix}-a`, events(1, 'Old0'), { expectedRevision: NO_STREAM });
    const [checkpoint] = await collect(client.readStream(`${prefix}-a`));
    await client.appendToStream(`${prefix}-a`, events(1, 'Old1'), { expectedRevision: 0n });
    await client.appendToStream(unique('other-'), events(1, 'Foreign'), { expectedRevision: NO_STREAM });
    const sub = client.subscribeToAll({ fromPosition: checkpoint.event!.position!, filter: streamNameFilter({ prefixes: [prefix] }) });
    const { until } = record(sub);
    await new Promise((resolve) => sub.once('caughtUp', resolve));
    await client.appendToStream(`${prefix}-b`, events(1, 'Live'), { expectedRevision: NO_STREAM });
    expect(await until(2)).toEqual(['Old1', '<caughtUp>', 'Live']);
    await sub.unsubscribe();
  });

  it('subscribeToAll: sends checkpoints while filtering, every interval × 32 considered events', async () => {
    const checkpoints: bigint[] = [];
    const sub = client.subscribeToAll({
      fromPosition: START,
      filter: eventTypeFilter({
        prefixes: ['NeverWritten'],
        checkpointInterval: 1,
        checkpointReached: (_, p) => void checkpoints.push(p.commit),
      }),
    });
    await new Promise((resolve) => sub.once('caughtUp', resolve));
    await client.appendToStream(unique('noise-'), events(40), { expectedRevision: NO_STREAM });
    for (let i = 0; i < 100 && checkpoints.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(checkpoints.length).toBeGreaterThan(0);
    await sub.unsubscribe();
  });

  it('subscribeToStream: starts after the given revision and goes live', async () => {
    const s = unique('key-');
    await client.appendToStream(s, [...events(1, 'E0'), ...events(1, 'E1')], { expectedRevision: NO_STREAM });
    const sub = client.subscribeToStream(s, { fromRevision: 0n });
    const { until } = record(sub as never);
    await new Promise((resolve) => sub.once('caughtUp', resolve));
    await client.appendToStream(s, events(1, 'E2'), { expectedRevision: 1n });
    expect(await until(2)).toEqual(['E1', '<caughtUp>', 'E2']);
    await sub.unsubscribe();
  });

  it('ends cleanly when the client cancels, detaching from the log', async () => {
    const subscribers = async (count: number) => {
      for (let i = 0; i < 100 && double.log.subscriberCount !== count; i++) await new Promise((r) => setTimeout(r, 10));
      return double.log.subscriberCount;
    };
    // The earlier tests' unsubscribes reach the server asynchronously.
    expect(await subscribers(0)).toBe(0);
    const sub = client.subscribeToAll({ fromPosition: END });
    const errors: unknown[] = [];
    sub.on('error', (e) => errors.push(e));
    await new Promise((resolve) => sub.once('caughtUp', resolve));
    expect(double.log.subscriberCount).toBe(1);
    await sub.unsubscribe();
    expect(await subscribers(0)).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe('restart', () => {
  it('keeps the data and the port', async () => {
    const s = unique('key-');
    await client.appendToStream(s, events(2), { expectedRevision: NO_STREAM });
    const url = double.url;
    await double.restart();
    expect(double.url).toBe(url);
    // The client notices the dropped channel on its first call and reconnects on the next.
    const read = async () => collect(client.readStream(s));
    const stored = await read().catch(read);
    expect(stored.map((e) => e.event!.revision)).toEqual([0n, 1n]);
  });
});
