/**
 * The double's fault switches, driven through client 6.2.1 (and the generated gRPC clients where the
 * wire itself is the point): each test shows the node misbehaving the way a real one does, and what
 * the unmodified client makes of it. The adapter's own behaviour under these faults is not asserted
 * here.
 */
import { randomUUID } from 'node:crypto';
import { credentials, status } from '@grpc/grpc-js';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  NotLeaderError,
  START,
  StreamDeletedError,
  UnknownError,
  DeadlineExceededError,
  TimeoutError,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { ServerFeaturesClient } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { BatchAppendReq, BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import { UUID } from '@eventstore/db-client/generated/shared_pb';
import { Empty as ProtoEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { startEsdbDouble, type EsdbDouble, type EsdbDoubleOptions } from './esdb-double';
import { streamIdentifier } from './wire';

const opened: { double: EsdbDouble; clients: EventStoreDBClient[] }[] = [];
let n = 0;
const unique = (name: string) => `${name}${++n}-${randomUUID().slice(0, 8)}`;
const events = (count: number, type = 'KeyIssued') => Array.from({ length: count }, (_, i) => jsonEvent({ type, data: { i } }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function node(options: EsdbDoubleOptions = {}) {
  const double = await startEsdbDouble(options);
  const entry = { double, clients: [] as EventStoreDBClient[] };
  opened.push(entry);
  const client = () => {
    const c = EventStoreDBClient.connectionString(double.url);
    entry.clients.push(c);
    return c;
  };
  return { double, client };
}
afterEach(async () => {
  for (const { double, clients } of opened.splice(0)) {
    double.faults.clear();
    await double.stop();
    // Calls cut off by the stop settle (or are abandoned) now; dispose must not wait on them forever.
    await Promise.race([Promise.all(clients.map((c) => c.dispose())), sleep(1000)]);
  }
});

/** 'pending' when the promise has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | { error: unknown } | 'pending'> {
  return Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    sleep(ms).then(() => 'pending' as const),
  ]);
}
async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
/** What a subscription surfaced, in order: event types, '<caughtUp>', '<confirmation>', errors. */
function record(sub: AllStreamSubscription | NodeJS.EventEmitter) {
  const seen: string[] = [];
  sub.on('confirmation', () => seen.push('<confirmation>'));
  sub.on('data', (e: AllStreamResolvedEvent | ResolvedEvent) => seen.push(e.event!.type));
  sub.on('caughtUp', () => seen.push('<caughtUp>'));
  sub.on('error', (e: Error) => seen.push(`<error ${e.constructor.name}: ${e.message}>`));
  const until = async (predicate: (seen: string[]) => boolean, ms = 2000) => {
    for (const end = Date.now() + ms; !predicate(seen) && Date.now() < end;) await sleep(5);
    return seen;
  };
  return { seen, until };
}
/** Until `what` was seen at least once. */
const saw = (what: string) => (seen: string[]) => seen.includes(what);

describe('stall: calls accepted and never answered until released', () => {
  it('holds appends over BatchAppend (the client waits without a deadline); release writes and answers them', async () => {
    const { double, client } = await node();
    const c = client();
    await c.appendToStream(unique('warm-'), events(1)); // features fetched, BatchAppend call open
    const s = unique('key-');
    double.faults.stall(['batchAppend']);
    const append = c.appendToStream(s, events(2), { expectedRevision: NO_STREAM });
    expect(await within(append, 500)).toBe('pending');
    expect(double.log.stream(s)).toBeUndefined();
    double.faults.release();
    expect((await append).nextExpectedRevision).toBe(1n);
  });

  it('holds unary appends until the client gives up at its deadline (DeadlineExceededError); the held write is skipped', async () => {
    const { double, client } = await node({ batchAppend: false });
    const c = client();
    await c.appendToStream(unique('warm-'), events(1));
    const s = unique('key-');
    double.faults.stall(['append']);
    const err = await c.appendToStream(s, events(1), { deadline: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineExceededError);
    // The server's copy of the deadline starts when the call reaches it, after the client's own: on a
    // loaded machine by more than the instant between the client's error and release(). Past it, the
    // server has given up too (as it would have on the client's cancellation).
    await new Promise((resolve) => setTimeout(resolve, 500));
    double.faults.release();
    expect(double.log.stream(s)).toBeUndefined();
  });

  it('holds reads (the client sets no deadline on them) and subscriptions (no confirmation), then answers both on release', async () => {
    const { double, client } = await node();
    const c = client();
    const s = unique('key-');
    await c.appendToStream(s, events(2, 'Stored'), { expectedRevision: NO_STREAM });
    double.faults.stall(['read', 'subscribe']);
    const read = collect(c.readStream(s));
    const sub = c.subscribeToAll({ fromPosition: START, filter: streamNameFilter({ prefixes: [s] }) });
    const { until } = record(sub);
    expect(await within(read, 300)).toBe('pending');
    expect(await until(() => false, 200)).toEqual([]);
    double.faults.release();
    expect((await read).map((e) => e.event!.type)).toEqual(['Stored', 'Stored']);
    expect(await until(saw('<caughtUp>'))).toEqual(['<confirmation>', 'Stored', 'Stored', '<caughtUp>']);
    await sub.unsubscribe();
  });

  it('holds the live events of an open subscription, delivering them in order on release', async () => {
    const { double, client } = await node();
    const c = client();
    const s = unique('key-');
    const sub = c.subscribeToAll({ fromPosition: END, filter: streamNameFilter({ prefixes: [s] }) });
    const { until } = record(sub);
    await until(saw('<caughtUp>'));
    double.faults.stall(['subscribe']);
    await c.appendToStream(s, [...events(1, 'A'), ...events(1, 'B')], { expectedRevision: NO_STREAM });
    expect(await until(() => false, 200)).toEqual(['<confirmation>', '<caughtUp>']);
    double.faults.release();
    expect(await until((seen) => seen.length >= 4)).toEqual(['<confirmation>', '<caughtUp>', 'A', 'B']);
    await sub.unsubscribe();
  });
});

describe('endBatchAppendOk: the BatchAppend call ends with status OK while an append waits (24.6–24.10.2)', () => {
  it('on the wire: status OK, no answer for the pending batch; by default the batch was written', async () => {
    const { double } = await node();
    double.faults.endBatchAppendOk();
    const raw = new StreamsClient(`127.0.0.1:${double.port}`, credentials.createInsecure());
    const call = raw.batchAppend();
    const answers: BatchAppendResp[] = [];
    const ended = new Promise<number>((resolve) => call.on('status', (s: { code: number }) => resolve(s.code)));
    call.on('data', (r: BatchAppendResp) => answers.push(r));
    call.on('error', () => undefined);
    const s = unique('key-');
    const message = new BatchAppendReq.ProposedMessage().setId(new UUID().setString(randomUUID())).setData(Buffer.from('{}'));
    message.getMetadataMap().set('type', 'KeyIssued').set('content-type', 'application/json');
    const options = new BatchAppendReq.Options().setStreamIdentifier(streamIdentifier(s)).setAny(new ProtoEmpty());
    call.write(
      new BatchAppendReq()
        .setCorrelationId(new UUID().setString(randomUUID()))
        .setOptions(options)
        .setProposedMessagesList([message])
        .setIsFinal(true),
    );
    expect(await ended).toBe(status.OK);
    expect(answers).toEqual([]);
    expect(double.log.stream(s)).toHaveLength(1);
    raw.close();
  });

  it('through the client: the append neither resolves nor rejects (its promise is only settled by an answer or a call error)', async () => {
    const { double, client } = await node();
    const c = client();
    await c.appendToStream(unique('warm-'), events(1));
    const s = unique('key-');
    double.faults.endBatchAppendOk({ commit: false });
    const append = c.appendToStream(s, events(1), { expectedRevision: NO_STREAM });
    expect(await within(append, 1000)).toBe('pending');
    expect(double.log.stream(s)).toBeUndefined();
  });
});

describe('commitThenTimeout: written, then answered with the server timeout', () => {
  it.each([
    ['BatchAppend', {}, DeadlineExceededError],
    ['Append', { batchAppend: false }, TimeoutError],
  ] as const)(
    'over %s: the client gets %p but the events are stored; re-sending the same events is idempotent',
    async (_, options, errorType) => {
      const { double, client } = await node(options);
      const c = client();
      const s = unique('key-');
      const batch = events(2);
      double.faults.commitThenTimeout();
      const err = await c.appendToStream(s, batch, { expectedRevision: NO_STREAM }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(errorType);
      expect(double.log.stream(s)!.map((e) => e.id)).toEqual(batch.map((e) => e.id));
      const retry = await c.appendToStream(s, batch, { expectedRevision: NO_STREAM });
      expect(retry.nextExpectedRevision).toBe(1n);
      expect(retry.position!.commit).toBe(double.log.stream(s)![1].position);
      expect(double.log.stream(s)).toHaveLength(2);
    },
  );
});

describe('serverFeaturesInternal: ServerFeatures fails once with INTERNAL, as a proxy can answer', () => {
  it('on the wire: INTERNAL once, then the method list again', async () => {
    const { double } = await node();
    double.faults.serverFeaturesInternal();
    const features = new ServerFeaturesClient(`127.0.0.1:${double.port}`, credentials.createInsecure());
    const ask = () =>
      new Promise<{ code?: number; resp?: SupportedMethods }>((r) =>
        features.getSupportedMethods(new Empty(), (err, resp) => r({ code: err?.code, resp })),
      );
    expect((await ask()).code).toBe(status.INTERNAL);
    expect((await ask()).resp!.getMethodsList().length).toBeGreaterThan(0);
    features.close();
  });

  it('through the client: the failed answer is kept, so every later append of that client fails the same way; reads still work', async () => {
    const { double, client } = await node();
    double.faults.serverFeaturesInternal();
    const c = client();
    const s = unique('key-');
    const first = await c.appendToStream(s, events(1)).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: status.INTERNAL });
    const second = await c.appendToStream(s, events(1)).catch((e: unknown) => e);
    expect(second).toMatchObject({ code: status.INTERNAL });
    expect(double.calls.serverFeatures).toBe(1);
    expect(double.log.stream(s)).toBeUndefined();
    await expect(collect(c.readAll({ maxCount: 1 }))).resolves.toHaveLength(1);
  });
});

describe('positions the server refuses or ignores', () => {
  async function seeded() {
    const { double, client } = await node();
    const c = client();
    const s = unique('key-');
    await c.appendToStream(s, events(3), { expectedRevision: NO_STREAM });
    const stored = double.log.stream(s)!;
    return { double, c, s, stored };
  }

  it('$all reads from inside a record fail as UNKNOWN "Unexpected ReadAllResult: InvalidPosition", forwards and backwards', async () => {
    const { c, stored } = await seeded();
    const inside = { commit: stored[1].position + 1n, prepare: stored[1].position + 1n };
    for (const direction of [FORWARDS, BACKWARDS] as const) {
      const err = await collect(c.readAll({ fromPosition: inside, direction, maxCount: 10 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnknownError);
      expect(err).toMatchObject({ code: status.UNKNOWN, message: expect.stringContaining('Unexpected ReadAllResult: InvalidPosition') });
    }
  });

  it('$all reads beyond the head: forwards nothing, backwards UNKNOWN (past the writer checkpoint)', async () => {
    const { double, c } = await seeded();
    const beyond = { commit: double.log.head + 1000n, prepare: double.log.head + 1000n };
    expect(await collect(c.readAll({ fromPosition: beyond, maxCount: 10 }))).toEqual([]);
    const err = await collect(c.readAll({ fromPosition: beyond, direction: BACKWARDS, maxCount: 10 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: status.UNKNOWN, message: expect.stringContaining('Unexpected ReadAllResult: Error') });
    // The writer checkpoint itself is a boundary: backwards from it is the last record.
    const [last] = await collect(
      c.readAll({ fromPosition: { commit: double.log.head, prepare: double.log.head }, direction: BACKWARDS, maxCount: 1 }),
    );
    expect(last.event!.position.commit).toBe(double.log.lastPosition);
  });

  it('a subscription from inside a record before the last one is confirmed, then fails InvalidArgument "Trying to read from an invalid position."', async () => {
    const { c, stored } = await seeded();
    const inside = { commit: stored[0].position + 1n, prepare: stored[0].position + 1n };
    const sub = c.subscribeToAll({ fromPosition: inside });
    const { until } = record(sub);
    const seen = await until((s) => s.some((x) => x.startsWith('<error')));
    expect(seen[0]).toBe('<confirmation>');
    expect(seen[1]).toMatch(/^<error UnknownError: 3 INVALID_ARGUMENT: Trying to read from an invalid position\.>$/);
  });

  it('a subscription from beyond the head is caught up at once and silently skips every event up to that position', async () => {
    const { double, c, s } = await seeded();
    const ahead = double.log.head + 500n;
    const sub = c.subscribeToAll({ fromPosition: { commit: ahead, prepare: ahead }, filter: streamNameFilter({ prefixes: [s] }) });
    const { until } = record(sub);
    await until(saw('<caughtUp>'));
    for (let i = 0; double.log.head <= ahead; i++) await c.appendToStream(s, events(1, `Skipped${i}`));
    await c.appendToStream(s, events(1, 'Delivered'));
    const seen = await until((x) => x.includes('Delivered'));
    expect(seen.filter((x) => !x.startsWith('<'))).toEqual(['Delivered']);
    await sub.unsubscribe();
  });
});

describe('fallBehind: the live buffer overflowed', () => {
  it('re-reads from the last event sent and sends caught_up a second time; no event lost or repeated', async () => {
    const { double, client } = await node();
    const c = client();
    const s = unique('key-');
    await c.appendToStream(s, events(1, 'Stored'), { expectedRevision: NO_STREAM });
    const checkpoints: bigint[] = [];
    const sub = c.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({ prefixes: [s], checkpointReached: (_, p) => void checkpoints.push(p.commit) }),
    });
    const { until } = record(sub);
    await until(saw('<caughtUp>'));
    const beforeBehind = checkpoints.length;
    double.faults.fallBehind();
    await c.appendToStream(s, [...events(1, 'Live1'), ...events(1, 'Live2')]);
    await c.appendToStream(s, events(1, 'Live3'));
    const seen = await until((x) => x.includes('Live3'));
    expect(seen).toEqual(['<confirmation>', 'Stored', '<caughtUp>', 'Live1', 'Live2', '<caughtUp>', 'Live3']);
    // Filtered: a checkpoint on falling behind and one on going live again.
    expect(checkpoints.length - beforeBehind).toBeGreaterThanOrEqual(2);
    await sub.unsubscribe();
  });
});

describe('system events where a real node has them', () => {
  it('interleaveSystemEvents: $stats events between user events in $all; the client filters see or drop them as the server does', async () => {
    const { double, client } = await node();
    const c = client();
    const s = unique('key-');
    double.faults.interleaveSystemEvents();
    await c.appendToStream(`${s}-a`, events(1, 'A'));
    await c.appendToStream(`${s}-b`, events(1, 'B'));
    const all = (await collect(c.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 4 }))).reverse();
    expect(all.map((e) => `${e.event!.streamId}:${e.event!.type}`)).toEqual([
      '$stats-127.0.0.1:2113:$statsCollected',
      `${s}-a:A`,
      '$stats-127.0.0.1:2113:$statsCollected',
      `${s}-b:B`,
    ]);
    const sub = c.subscribeToAll({ fromPosition: START, filter: excludeSystemEvents() });
    const { until } = record(sub);
    const seen = await until(saw('<caughtUp>'));
    expect(seen.filter((x) => x.startsWith('$'))).toEqual([]);
    await sub.unsubscribe();
  });

  it('a $-typed event inside a key stream (a projection link, a tombstone) passes a stream-prefix filter and shows in stream reads', async () => {
    const { double, client } = await node();
    const c = client();
    const s = unique('key-');
    await c.appendToStream(s, events(1, 'KeyIssued'), { expectedRevision: NO_STREAM });
    double.appendSystemEvent(s, '$>', '0@other');
    expect((await collect(c.readStream(s))).map((e) => e.event!.type)).toEqual(['KeyIssued', '$>']);
    const sub = c.subscribeToAll({ fromPosition: START, filter: streamNameFilter({ prefixes: [s] }) });
    const { until } = record(sub);
    expect(await until(saw('<caughtUp>'))).toEqual(['<confirmation>', 'KeyIssued', '$>', '<caughtUp>']);
    await sub.unsubscribe();
  });
});

describe('notLeader: the node is a follower or a read-only replica', () => {
  it('a follower refuses requires-leader calls with the leader address (NOT_FOUND, exception not-leader) and serves the rest', async () => {
    const { double, client } = await node();
    const s = unique('key-');
    await client().appendToStream(s, events(1), { expectedRevision: NO_STREAM });
    double.faults.notLeader({ host: '127.0.0.2', port: 2113 });
    // A client's first append opens its BatchAppend call, with that append's requires-leader header.
    const write = await client()
      .appendToStream(s, events(1), { requiresLeader: true })
      .catch((e: unknown) => e);
    expect(write).toBeInstanceOf(NotLeaderError);
    expect(write).toMatchObject({ code: status.NOT_FOUND, leader: { address: '127.0.0.2', port: 2113 } });
    const read = await collect(client().readStream(s, { requiresLeader: true })).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(NotLeaderError);
    const c = client();
    expect((await collect(c.readStream(s))).length).toBe(1);
    expect((await c.appendToStream(s, events(1), { expectedRevision: 0n })).nextExpectedRevision).toBe(1n);
    // Later appends share that call and its headers: requiresLeader on them is not sent, so the
    // follower forwards them like any other write.
    expect((await c.appendToStream(s, events(1), { expectedRevision: 1n, requiresLeader: true })).nextExpectedRevision).toBe(2n);
  });

  it('a read-only replica refuses every append with NotLeader; over BatchAppend that fails the whole call', async () => {
    const { double, client } = await node();
    const c = client();
    const [a, b] = [unique('key-'), unique('key-')];
    await c.appendToStream(unique('warm-'), events(1));
    double.faults.notLeader({ host: '127.0.0.3', port: 2113 }, 'read-only-replica');
    double.faults.stall(['batchAppend']);
    const pending = [c.appendToStream(a, events(1)), c.appendToStream(b, events(1))].map((p) => p.catch((e: unknown) => e));
    await sleep(50);
    double.faults.release();
    const [first, second] = await Promise.all(pending);
    expect(first).toBeInstanceOf(NotLeaderError);
    expect(second).toBeInstanceOf(NotLeaderError);
    expect(double.log.stream(a)).toBeUndefined();
    const d = client();
    expect((await collect(d.readAll({ maxCount: 1 }))).length).toBe(1);
  });

  it('the client follows the leader address: its next call goes to the leader', async () => {
    const leader = await node();
    const follower = await node();
    const c = follower.client();
    follower.double.faults.notLeader({ host: '127.0.0.1', port: leader.double.port }, 'read-only-replica');
    const s = unique('key-');
    await expect(c.appendToStream(s, events(1), { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(NotLeaderError);
    await sleep(50);
    await c.appendToStream(s, events(1), { expectedRevision: NO_STREAM });
    expect(leader.double.log.stream(s)).toHaveLength(1);
    expect(follower.double.log.stream(s)).toBeUndefined();
  });
});

describe('tombstone: a hard-deleted stream', () => {
  it.each([
    ['BatchAppend', {}],
    ['Append', { batchAppend: false }],
  ] as const)(
    'refuses reads, stream subscriptions and appends (over %s) with StreamDeleted; $all keeps the $streamDeleted record',
    async (_, options) => {
      const { client } = await node(options);
      const c = client();
      const s = unique('key-');
      await c.appendToStream(s, events(2), { expectedRevision: NO_STREAM });
      await c.tombstoneStream(s);
      await expect(collect(c.readStream(s))).rejects.toBeInstanceOf(StreamDeletedError);
      const append = await c.appendToStream(s, events(1), { expectedRevision: ANY }).catch((e: unknown) => e);
      expect(append).toBeInstanceOf(StreamDeletedError);
      expect(append).toMatchObject({ streamName: s });
      const sub = c.subscribeToStream(s, { fromRevision: START });
      const { until } = record(sub);
      const seen = await until((x) => x.some((y) => y.startsWith('<error')));
      expect(seen.at(-1)).toMatch(/^<error StreamDeletedError/);
      const [tombstone] = await collect(c.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
      expect(tombstone.event).toMatchObject({ streamId: s, type: '$streamDeleted', revision: 9_223_372_036_854_775_807n });
    },
  );
});
