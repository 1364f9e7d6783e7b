/**
 * What the adapter does under each fault of the EventStoreDB double (test/doubles/eventstoredb,
 * esdb-double.faults.int-spec.ts shows what the bare client 6.2.1 does under the same faults). The
 * projection and the relay under the same faults: libs/composition/src/eventstoredb-faults.int-spec.ts.
 * Calls are bounded at 300 ms here, so every test stays short.
 */
import { randomUUID } from 'node:crypto';
import { startEsdbDouble, type EsdbDouble, type EsdbDoubleOptions } from '../../../../test/doubles/eventstoredb/esdb-double';
import { withCommandEventId } from '../event-ids';
import {
  EventStoreUnavailableError,
  InvalidCheckpointError,
  StreamDeletedError,
  WrongExpectedRevisionError,
  type AllStreamSubscription,
  type NewEvent,
  type RecordedEvent,
} from '../event-store.port';
import { EventStoreUrlError } from './eventstoredb-connection';
import { EventStoreDBEventStore, type EventStoreDBEventStoreOptions } from './eventstoredb-event-store';

const TIMEOUT_MS = 300;
const opened: { double: EsdbDouble; stores: EventStoreDBEventStore[] }[] = [];
const lines: string[] = [];
const logger = {
  log: (m: string) => lines.push(`log ${m}`),
  warn: (m: string) => lines.push(`warn ${m}`),
  error: (m: string) => lines.push(`error ${m}`),
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const unique = (prefix = 'key-') => `${prefix}${randomUUID().slice(0, 8)}`;

function events(count: number, type = 'KeyIssued'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type,
    data: { i },
    metadata: {
      actor: { type: 'system', name: 'test' },
      correlationId: 'c',
      causationId: null,
      occurredAt: '2024-01-01T00:00:00Z',
      schemaVersion: 1,
    },
  }));
}

async function node(options: EsdbDoubleOptions = {}, storeOptions: Omit<EventStoreDBEventStoreOptions, 'url' | 'client'> = {}) {
  const double = await startEsdbDouble(options);
  const entry = { double, stores: [] as EventStoreDBEventStore[] };
  opened.push(entry);
  const store = (more: Omit<EventStoreDBEventStoreOptions, 'url' | 'client'> = {}) => {
    const s = EventStoreDBEventStore.connect(double.url, { timeoutMs: TIMEOUT_MS, logger, ...storeOptions, ...more });
    entry.stores.push(s);
    return s;
  };
  return { double, store };
}

beforeEach(() => {
  lines.length = 0;
});
afterEach(async () => {
  for (const { double, stores } of opened.splice(0)) {
    double.faults.clear();
    // close() is bounded (the adapter's own bound): a hung one fails here instead of at jest's timeout.
    const started = Date.now();
    await Promise.all(stores.map((s) => s.close()));
    expect(Date.now() - started).toBeLessThan(4 * TIMEOUT_MS);
    await double.stop();
  }
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
}
async function collect(iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}
/** Drains a subscription in the background. */
function drain(sub: AllStreamSubscription) {
  const received: RecordedEvent[] = [];
  const done = (async () => {
    for await (const e of sub) received.push(e);
  })().then(
    () => ({ ended: true as const }),
    (error: unknown) => ({ error }),
  );
  const until = async (n: number) => {
    for (const end = Date.now() + 2000; received.length < n && Date.now() < end;) await sleep(5);
    return received.map((e) => e.type);
  };
  return { received, done, until };
}
const retryable = { name: 'EventStoreUnavailableError', retryable: true };

describe('stall: the node accepts calls and never answers', () => {
  it('an append fails retryable at the bound, cancelled: the held write is dropped, and the next append works', async () => {
    const { double, store } = await node();
    const s = store();
    const stream = unique();
    await s.appendToStream(unique('warm-'), events(1), { expectedRevision: 'any' });
    double.faults.stall(['append']);
    const started = Date.now();
    expect(await failure(s.appendToStream(stream, events(1), { expectedRevision: 'no_stream' }))).toMatchObject(retryable);
    expect(Date.now() - started).toBeLessThan(3 * TIMEOUT_MS);
    // The server learns of the cancellation (and its copy of the deadline passes) a moment after the
    // client gave up: on a loaded machine later than the instant release() would otherwise run.
    await new Promise((resolve) => setTimeout(resolve, 500));
    double.faults.release();
    expect(double.log.stream(stream)).toBeUndefined();
    expect((await s.appendToStream(stream, events(1), { expectedRevision: 'no_stream' })).nextExpectedRevision).toBe(0);
  });

  it('readStream, readAll and headPosition fail retryable at the bound; each works again after release', async () => {
    const { double, store } = await node();
    const s = store({ recreateAfterFailures: 0 });
    const stream = unique();
    await s.appendToStream(stream, events(2), { expectedRevision: 'no_stream' });
    double.faults.stall(['read']);
    for (const call of [() => s.readStream(stream), () => collect(s.readAll({ streamPrefixes: [stream] })), () => s.headPosition()]) {
      const started = Date.now();
      expect(await failure(call())).toMatchObject(retryable);
      expect(Date.now() - started).toBeLessThan(3 * TIMEOUT_MS);
    }
    double.faults.release();
    expect(await s.readStream(stream)).toHaveLength(2);
    expect(await collect(s.readAll({ streamPrefixes: [stream] }))).toHaveLength(2);
  });

  it('a subscription the node never confirms fails retryable at the bound: caughtUp rejects, iteration throws', async () => {
    const { double, store } = await node();
    const s = store();
    double.faults.stall(['subscribe']);
    const sub = s.subscribeToAll({ streamPrefixes: ['key-'] });
    const { done } = drain(sub);
    await expect(sub.caughtUp).rejects.toMatchObject(retryable);
    expect(await done).toEqual({ error: expect.objectContaining(retryable) });
  });

  it('after 3 calls in a row without an answer the client is replaced (the old one disposed in the background); calls work on the new one', async () => {
    const { double, store } = await node();
    const s = store();
    const stream = unique();
    await s.appendToStream(stream, events(1), { expectedRevision: 'no_stream' });
    const held = s.subscribeToAll({ streamPrefixes: [stream] });
    const { done: heldDone } = drain(held);
    await held.caughtUp;
    double.faults.stall(['read']);
    for (let i = 0; i < 3; i++) await failure(s.readStream(stream));
    expect(s.clientGeneration).toBe(2);
    expect(lines.find((l) => l.startsWith('warn EventStoreDB client #1 replaced by #2'))).toMatch(/3 failures in a row/);
    // The subscription on the old client is cut off (retryable), not left to hang or end quietly.
    expect(await heldDone).toEqual({ error: expect.objectContaining(retryable) });
    double.faults.release();
    expect(await s.readStream(stream)).toHaveLength(1);
  });
});

describe('BatchAppend faults (endBatchAppendOk, a BatchAppend stall) cannot reach the adapter: it writes over unary Append', () => {
  it('appends go through with both armed, and no BatchAppend call is ever opened', async () => {
    const { double, store } = await node();
    const s = store();
    double.faults.endBatchAppendOk({ times: 5 }).stall(['batchAppend']);
    const stream = unique();
    for (let i = 0; i < 3; i++) await s.appendToStream(stream, events(1), { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
    expect(double.log.stream(stream)).toHaveLength(3);
    expect(double.calls.batchAppend).toBe(0);
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
  });
});

describe('commitThenTimeout: written, then answered with the server timeout', () => {
  it('the adapter re-sends the same events, gets the replay answered as the success it was: one write, no error', async () => {
    const { double, store } = await node();
    const s = store();
    const stream = unique();
    const batch = events(2);
    double.faults.commitThenTimeout();
    const result = await s.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
    expect(result).toEqual({ nextExpectedRevision: 1, position: double.log.stream(stream)![1].position });
    expect(double.log.stream(stream)!.map((e) => e.id)).toEqual(batch.map((e) => e.id));
    expect(double.calls.append).toBe(2);
  });

  it('a command re-sent after its answer was lost (ids derived from the command) is a replay too, never a second write', async () => {
    const { double, store } = await node();
    const s = store();
    const stream = unique();
    await s.appendToStream(stream, events(1), { expectedRevision: 'no_stream' });
    const decide = () => events(1, 'KeyRotated').map(({ id: _, ...e }, i) => withCommandEventId(stream, 0, i, e));
    double.faults.commitThenTimeout(3); // every attempt of the first send times out after committing
    expect(await failure(s.appendToStream(stream, decide(), { expectedRevision: 0 }))).toMatchObject(retryable);
    const again = await s.appendToStream(stream, decide(), { expectedRevision: 0 });
    expect(again.nextExpectedRevision).toBe(1);
    expect(double.log.stream(stream)!.map((e) => e.type)).toEqual(['KeyIssued', 'KeyRotated']);
    // A different decision at the same revision has other ids: a real conflict, not a replay.
    const other = events(1, 'KeyRevoked').map(({ id: _, ...e }, i) => withCommandEventId(stream, 0, i, e));
    expect(await failure(s.appendToStream(stream, other, { expectedRevision: 0 }))).toBeInstanceOf(WrongExpectedRevisionError);
  });
});

describe('serverFeaturesInternal: ServerFeatures fails once with INTERNAL (client 6.2.1 keeps the failure)', () => {
  it('appends do not depend on it; subscriptions still catch up', async () => {
    const { double, store } = await node();
    double.faults.serverFeaturesInternal();
    const s = store();
    const stream = unique();
    const sub = s.subscribeToAll({ streamPrefixes: [stream] });
    await sub.caughtUp;
    for (let i = 0; i < 3; i++) await s.appendToStream(stream, events(1), { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
    expect(await drain(sub).until(3)).toHaveLength(3);
    expect(double.log.stream(stream)).toHaveLength(3);
  });
});

describe('checkpoints that are not positions of this store', () => {
  async function seeded() {
    const { double, store } = await node();
    const s = store();
    const stream = unique();
    await s.appendToStream(stream, events(3), { expectedRevision: 'no_stream' });
    return { double, s, stream, stored: double.log.stream(stream)! };
  }

  it('inside a record: readAll and subscribeToAll fail with InvalidCheckpointError (not-an-event), not UNKNOWN / INVALID_ARGUMENT', async () => {
    const { s, stream, stored } = await seeded();
    const inside = stored[0].position + 1n;
    expect(await failure(collect(s.readAll({ after: inside })))).toMatchObject({ name: 'InvalidCheckpointError', reason: 'not-an-event' });
    const sub = s.subscribeToAll({ after: inside, streamPrefixes: [stream] });
    const { done } = drain(sub);
    await expect(sub.caughtUp).rejects.toBeInstanceOf(InvalidCheckpointError);
    expect(await done).toEqual({ error: expect.objectContaining({ position: inside, retryable: false }) });
  });

  it('beyond the head: readAll and subscribeToAll fail with InvalidCheckpointError (beyond-head) instead of [] and silently skipped events', async () => {
    const { double, s, stream } = await seeded();
    const beyond = double.log.head + 500n;
    expect(await failure(collect(s.readAll({ after: beyond })))).toMatchObject({ name: 'InvalidCheckpointError', reason: 'beyond-head' });
    const sub = s.subscribeToAll({ after: beyond, streamPrefixes: [stream] });
    await expect(sub.caughtUp).rejects.toMatchObject({ reason: 'beyond-head' });
  });

  it('a position this store gave out, the last one and 0 are accepted', async () => {
    const { s, stream, stored } = await seeded();
    expect((await collect(s.readAll({ after: stored[0].position, streamPrefixes: [stream] }))).length).toBe(2);
    expect(await collect(s.readAll({ after: stored[2].position, streamPrefixes: [stream] }))).toEqual([]);
    expect((await collect(s.readAll({ after: 0n, streamPrefixes: [stream] }))).length).toBe(3);
    const sub = s.subscribeToAll({ after: stored[1].position, streamPrefixes: [stream] });
    expect(await drain(sub).until(1)).toHaveLength(1);
    await sub.close();
  });
});

describe('no full-log scans where the server can filter', () => {
  it('readAll on a server that sends caught_up is a filtered catch-up subscription: the key events only cross the wire', async () => {
    const { double, store } = await node();
    const s = store({ pageSize: 5 });
    const stream = unique();
    for (let i = 0; i < 100; i++) double.appendSystemEvent(`$stats-${i}`, '$statsCollected');
    await s.appendToStream(stream, events(3), { expectedRevision: 'no_stream' });
    for (let i = 0; i < 100; i++) double.appendSystemEvent(`$stats-x${i}`, '$statsCollected');
    const before = { read: double.calls.read, subscribe: double.calls.subscribe };
    expect(await collect(s.readAll({ streamPrefixes: [stream] }))).toHaveLength(3);
    const [second] = (await collect(s.readAll({ streamPrefixes: [stream], maxCount: 2 }))).slice(1);
    expect(await collect(s.readAll({ after: second.position }))).toHaveLength(1);
    // Plain reads: the head for each, and one event to check the checkpoint; with pages of 5 a scan would take 40+ each.
    expect(double.calls.read - before.read).toBeLessThanOrEqual(5);
    expect(double.calls.subscribe - before.subscribe).toBe(3);
  });

  it('on a server that sends caught_up, (re)subscribing reads no more than two events of $all whatever the log holds', async () => {
    const { double, store } = await node();
    const s = store({ pageSize: 5 });
    for (let i = 0; i < 30; i++) double.appendSystemEvent('$stats-127.0.0.1:2113', '$statsCollected');
    const stream = unique();
    await s.appendToStream(stream, events(1), { expectedRevision: 'no_stream' });
    for (let i = 0; i < 30; i++) double.appendSystemEvent('$stats-127.0.0.1:2113', '$statsCollected');
    const reads = double.calls.read;
    for (let i = 0; i < 3; i++) {
      const sub = s.subscribeToAll({ streamPrefixes: ['nothing-matches-'] });
      await sub.caughtUp;
      await sub.close();
    }
    // No checkpoint: no validation reads either; with pages of 5, a scan would take 12+ reads each time.
    expect(double.calls.read - reads).toBe(0);
  });
});

describe('fallBehind and system events', () => {
  it('a subscription that falls behind delivers every event once, in order', async () => {
    const { double, store } = await node();
    const s = store();
    const stream = unique();
    await s.appendToStream(stream, events(1, 'Stored'), { expectedRevision: 'no_stream' });
    const sub = s.subscribeToAll({ streamPrefixes: [stream] });
    const { until, received } = drain(sub);
    await sub.caughtUp;
    double.faults.fallBehind();
    await s.appendToStream(stream, [...events(1, 'Live1'), ...events(1, 'Live2')], { expectedRevision: 0 });
    await s.appendToStream(stream, events(1, 'Live3'), { expectedRevision: 2 });
    expect(await until(4)).toEqual(['Stored', 'Live1', 'Live2', 'Live3']);
    await sleep(50);
    expect(received.map((e) => e.type)).toEqual(['Stored', 'Live1', 'Live2', 'Live3']);
    await sub.close();
  });

  it('interleaved $stats events: readAll, headPosition and subscriptions skip them', async () => {
    const { double, store } = await node();
    const s = store();
    const stream = unique();
    double.faults.interleaveSystemEvents();
    await s.appendToStream(`${stream}-a`, events(1, 'A'), { expectedRevision: 'no_stream' });
    await s.appendToStream(`${stream}-b`, events(1, 'B'), { expectedRevision: 'no_stream' });
    double.appendSystemEvent('$stats-127.0.0.1:2113', '$statsCollected');
    const all = await collect(s.readAll());
    expect(all.filter((e) => e.streamId.startsWith('$') || e.type.startsWith('$'))).toEqual([]);
    expect(await s.headPosition()).toBe(double.log.stream(`${stream}-b`)![0].position);
    const sub = s.subscribeToAll();
    const { until } = drain(sub);
    await sub.caughtUp;
    expect((await until(all.length)).filter((t) => t.startsWith('$'))).toEqual([]);
    await sub.close();
  });

  it('a $-typed event inside a key stream: readStream skips it as readAll does, and the revision the read implies still appends', async () => {
    const { double, store } = await node();
    const s = store();
    const stream = unique();
    await s.appendToStream(stream, events(1, 'KeyIssued'), { expectedRevision: 'no_stream' });
    double.appendSystemEvent(stream, '$>', '0@other');
    const read = await s.readStream(stream);
    expect(read.map((e) => e.type)).toEqual(['KeyIssued']);
    expect((await collect(s.readAll({ streamPrefixes: [stream] }))).map((e) => e.type)).toEqual(['KeyIssued']);
    const next = await s.appendToStream(stream, events(1, 'KeyRotated'), { expectedRevision: read[read.length - 1].revision });
    expect(next.nextExpectedRevision).toBe(2);
    // A real change since the read is still a conflict.
    expect(await failure(s.appendToStream(stream, events(1, 'KeyRevoked'), { expectedRevision: 0 }))).toBeInstanceOf(
      WrongExpectedRevisionError,
    );
  });
});

describe('tombstoned streams', () => {
  it('readStream and appends fail with StreamDeletedError (not retryable), not a generic error', async () => {
    const { double, store } = await node();
    const s = store();
    const stream = unique();
    await s.appendToStream(stream, events(2), { expectedRevision: 'no_stream' });
    double.log.tombstone(stream, { kind: 'any' });
    expect(await failure(s.readStream(stream))).toMatchObject({ name: 'StreamDeletedError', streamId: stream, retryable: false });
    const append = await failure(s.appendToStream(stream, events(1), { expectedRevision: 1 }));
    expect(append).toBeInstanceOf(StreamDeletedError);
    expect(append).toMatchObject({ streamId: stream, message: expect.stringContaining('deleted') });
    // $all keeps the tombstone record; the adapter never shows it.
    expect(await collect(s.readAll({ streamPrefixes: [stream] }))).toHaveLength(2);
  });
});

describe('notLeader: the node is a follower or a read-only replica', () => {
  it('appends (requires-leader on every one) and stream reads follow the leader address within the same call', async () => {
    const leader = await node();
    const follower = await node();
    const s = follower.store();
    follower.double.faults.notLeader({ host: '127.0.0.1', port: leader.double.port }, 'follower');
    const stream = unique();
    await s.appendToStream(stream, events(1), { expectedRevision: 'no_stream' });
    expect(leader.double.log.stream(stream)).toHaveLength(1);
    expect(follower.double.log.stream(stream)).toBeUndefined();
    expect(await s.readStream(stream)).toHaveLength(1);
  });
});

describe('credentials in EVENTSTORE_URL', () => {
  it('connects with user:password in the string, and no error or log line carries the password', async () => {
    const { double } = await node();
    const url = double.url.replace('esdb://', 'esdb://admin:pw-a1b2c3@');
    const s = EventStoreDBEventStore.connect(url, { timeoutMs: TIMEOUT_MS, logger });
    opened[opened.length - 1].stores.push(s);
    const stream = unique();
    await s.appendToStream(stream, events(1), { expectedRevision: 'no_stream' });
    await double.stop();
    const errors = [await failure(s.readStream(stream)), await failure(s.appendToStream(stream, events(1), { expectedRevision: 0 }))];
    for (const error of errors) expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect(JSON.stringify([errors.map((e) => [(e as Error).message, (e as Error).stack]), lines])).not.toContain('pw-a1b2c3');
    await double.restart();
  });

  it('refuses a string client 6.2.1 would print (an unknown option) with an error that does not quote it', () => {
    const error = (() => {
      try {
        EventStoreDBEventStore.connect('esdb://admin:pw-a1b2c3@localhost:2113?tls=true&nodePrefrence=leader');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(EventStoreUrlError);
    expect(String((error as Error).message)).toContain('nodePrefrence');
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('pw-a1b2c3');
  });
});
