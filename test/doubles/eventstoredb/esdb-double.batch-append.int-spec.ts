/**
 * Streams/BatchAppend at the gRPC level, message by message, as Streams.BatchAppend.cs handles it;
 * then through client 6.2.1, which sends every append this way to a node that advertises it.
 */
import { randomUUID } from 'node:crypto';
import { credentials, status, type ClientDuplexStream } from '@grpc/grpc-js';
import type { Message } from 'google-protobuf';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import { Empty as ProtoEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import {
  EventStoreDBClient,
  NO_STREAM,
  StreamDeletedError,
  WrongExpectedVersionError,
  jsonEvent,
  type AppendResult,
} from '@eventstore/db-client';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { BatchAppendReq, BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import {
  AccessDenied,
  BadRequest,
  MaximumAppendSizeExceeded,
  StreamDeleted,
  Timeout,
  UUID,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { startEsdbDouble, type EsdbDouble } from './esdb-double';
import { parseUuid, streamIdentifier, streamName } from './wire';

let double: EsdbDouble;
let streams: StreamsClient;
let n = 0;
const unique = (name: string) => `${name}${++n}`;

beforeAll(async () => {
  double = await startEsdbDouble({ writeTimeoutMs: 300 });
  streams = new StreamsClient(`127.0.0.1:${double.port}`, credentials.createInsecure());
});
afterAll(async () => {
  streams.close();
  await double.stop();
});
afterEach(() => double.faults.clear());

/** One BatchAppend call and the answers it got so far. */
function open() {
  const call: ClientDuplexStream<BatchAppendReq, BatchAppendResp> = streams.batchAppend();
  const answers: BatchAppendResp[] = [];
  let ended: { code: number } | null = null;
  call.on('data', (r: BatchAppendResp) => answers.push(r));
  call.on('error', (e: { code: number }) => (ended = e));
  call.on('status', (s: { code: number }) => (ended ??= s));
  const waitFor = async (count: number, ms = 2000) => {
    for (const until = Date.now() + ms; answers.length < count && Date.now() < until;) await new Promise((r) => setTimeout(r, 5));
    return answers;
  };
  return { call, answers, waitFor, ended: () => ended };
}

type Expected = bigint | 'any' | 'no_stream' | 'stream_exists' | 'unset';
function options(stream: string, expected: Expected, deadlineMs = 10_000) {
  const o = new BatchAppendReq.Options()
    .setStreamIdentifier(streamIdentifier(stream))
    .setDeadline(Timestamp.fromDate(new Date(Date.now() + deadlineMs)));
  if (expected === 'any') o.setAny(new ProtoEmpty());
  else if (expected === 'no_stream') o.setNoStream(new ProtoEmpty());
  else if (expected === 'stream_exists') o.setStreamExists(new ProtoEmpty());
  else if (expected !== 'unset') o.setStreamPosition(expected.toString());
  return o;
}
function message(type = 'KeyIssued', data: unknown = {}) {
  const m = new BatchAppendReq.ProposedMessage().setId(new UUID().setString(randomUUID())).setData(Buffer.from(JSON.stringify(data)));
  m.getMetadataMap().set('type', type).set('content-type', 'application/json');
  return m;
}
function req(
  correlation: string,
  parts: { options?: BatchAppendReq.Options; events?: number | BatchAppendReq.ProposedMessage[]; final?: boolean },
) {
  const r = new BatchAppendReq().setCorrelationId(new UUID().setString(correlation)).setIsFinal(parts.final ?? false);
  if (parts.options) r.setOptions(parts.options);
  const events = typeof parts.events === 'number' ? Array.from({ length: parts.events }, () => message()) : (parts.events ?? []);
  return r.setProposedMessagesList(events);
}
/** The typed detail of an error answer, unpacked the way the client does. */
function detail<T extends Message>(resp: BatchAppendResp, type: { deserializeBinary: (b: Uint8Array) => T }, name: string): T | null {
  return resp
    .getError()!
    .getDetails()!
    .unpack<T>((b) => type.deserializeBinary(b), name);
}
const correlationOf = (r: BatchAppendResp) => parseUuid(r.getCorrelationId());

describe('the protocol', () => {
  it('a batch spread over several messages is one atomic append: options first, events in proposed_messages, is_final ends it', async () => {
    const s = unique('key-');
    const id = randomUUID();
    const { call, answers, waitFor } = open();
    call.write(req(id, { options: options(s, 'no_stream'), events: 2 }));
    call.write(req(id, { events: 1 }));
    await new Promise((r) => setTimeout(r, 50));
    expect(answers).toEqual([]);
    expect(double.log.stream(s)).toBeUndefined();
    call.write(req(id, { events: 1, final: true }));
    const [answer] = await waitFor(1);
    expect(correlationOf(answer)).toBe(id);
    expect(streamName(answer.getStreamIdentifier())).toBe(s);
    expect(answer.getSuccess()!.getCurrentRevision()).toBe('3');
    const stored = double.log.stream(s)!;
    expect(stored).toHaveLength(4);
    expect(answer.getSuccess()!.getPosition()!.getCommitPosition()).toBe(stored[3].position.toString());
    expect(answer.getSuccess()!.getPosition()!.getPreparePosition()).toBe(stored[3].position.toString());
    call.cancel();
  });

  it('multiplexes concurrent batches on one call, each answered with its own correlation id', async () => {
    const [a, b] = [unique('key-'), unique('key-')];
    const [idA, idB] = [randomUUID(), randomUUID()];
    const { call, waitFor } = open();
    call.write(req(idA, { options: options(a, 'no_stream'), events: 1 }));
    call.write(req(idB, { options: options(b, 'no_stream'), events: 1 }));
    call.write(req(idB, { events: 1, final: true }));
    call.write(req(idA, { events: 2, final: true }));
    const answers = await waitFor(2);
    expect(answers.map((r) => [correlationOf(r), streamName(r.getStreamIdentifier()), r.getSuccess()!.getCurrentRevision()])).toEqual([
      [idB, b, '1'],
      [idA, a, '2'],
    ]);
    call.cancel();
  });

  it('answers a wrong expected revision with google.rpc.Status ALREADY_EXISTS and a WrongExpectedVersion detail, writing nothing', async () => {
    const s = unique('key-');
    const { call, waitFor } = open();
    call.write(req(randomUUID(), { options: options(s, 'no_stream'), events: 2, final: true }));
    call.write(req(randomUUID(), { options: options(s, 0n), events: 1, final: true }));
    call.write(req(randomUUID(), { options: options(unique('none-'), 'stream_exists'), events: 1, final: true }));
    const [, wrong, missing] = await waitFor(3);
    expect(wrong.getError()!.getCode()).toBe(status.ALREADY_EXISTS);
    expect(wrong.getError()!.getMessage()).toBe('WrongExpectedVersion');
    const w = detail(wrong, WrongExpectedVersion, 'event_store.client.WrongExpectedVersion')!;
    expect([w.getCurrentStreamRevision(), w.getExpectedStreamPosition()]).toEqual(['1', '0']);
    const m = detail(missing, WrongExpectedVersion, 'event_store.client.WrongExpectedVersion')!;
    expect([m.hasCurrentNoStream(), m.hasExpectedStreamExists()]).toEqual([true, true]);
    expect(double.log.stream(s)).toHaveLength(2);
    call.cancel();
  });

  it('answers an append to a tombstoned stream with StreamDeleted (NOT_FOUND), whatever the expected revision', async () => {
    const s = unique('key-');
    double.log.append(s, { kind: 'no_stream' }, []);
    double.log.tombstone(s, { kind: 'any' });
    const { call, waitFor } = open();
    call.write(req(randomUUID(), { options: options(s, 'any'), events: 1, final: true }));
    const [answer] = await waitFor(1);
    expect(answer.getError()!.getCode()).toBe(status.NOT_FOUND);
    expect(streamName(detail(answer, StreamDeleted, 'event_store.client.StreamDeleted')!.getStreamIdentifier())).toBe(s);
    call.cancel();
  });

  it('answers a denied stream with AccessDenied (PERMISSION_DENIED) as soon as the options arrive', async () => {
    double.faults.denyAccess(['locked-']);
    const { call, waitFor } = open();
    call.write(req(randomUUID(), { options: options(unique('locked-'), 'any'), events: 1 }));
    const [answer] = await waitFor(1);
    expect(answer.getError()!.getCode()).toBe(status.PERMISSION_DENIED);
    expect(detail(answer, AccessDenied, 'event_store.client.AccessDenied')).not.toBeNull();
    call.cancel();
  });

  it('answers Timeout (DEADLINE_EXCEEDED) at once for a past deadline, and for a batch left open past min(deadline, WriteTimeoutMs); later messages of it are dropped', async () => {
    const { call, answers, waitFor } = open();
    const past = randomUUID();
    call.write(req(past, { options: options(unique('key-'), 'any', -1), events: 1, final: true }));
    const [late] = await waitFor(1);
    expect(correlationOf(late)).toBe(past);
    expect(late.getError()!.getCode()).toBe(status.DEADLINE_EXCEEDED);
    expect(detail(late, Timeout, 'event_store.client.Timeout')).not.toBeNull();

    const s = unique('key-');
    const slow = randomUUID();
    const started = Date.now();
    call.write(req(slow, { options: options(s, 'no_stream'), events: 1 }));
    const [, timedOut] = await waitFor(2);
    expect(correlationOf(timedOut)).toBe(slow);
    expect(timedOut.getError()!.getCode()).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // the double's WriteTimeoutMs is 300
    call.write(req(slow, { events: 1, final: true }));
    await new Promise((r) => setTimeout(r, 100));
    expect(answers).toHaveLength(2);
    expect(double.log.stream(s)).toBeUndefined();
    call.cancel();
  });

  it('drops messages of a correlation id that has no open batch, without an answer', async () => {
    const { call, answers } = open();
    call.write(req(randomUUID(), { events: 1, final: true }));
    await new Promise((r) => setTimeout(r, 100));
    expect(answers).toEqual([]);
    call.cancel();
  });

  it('answers MaximumAppendSizeExceeded for a batch over 1 MiB across its messages, and BadRequest for options without an expected revision', async () => {
    const big = (kb: number) => [message('Big', { pad: 'x'.repeat(kb * 1024) })];
    const { call, waitFor } = open();
    const id = randomUUID();
    call.write(req(id, { options: options(unique('key-'), 'any'), events: big(600) }));
    call.write(req(id, { events: big(600), final: true }));
    call.write(req(randomUUID(), { options: options(unique('key-'), 'unset'), events: 1, final: true }));
    const [tooBig, bad] = await waitFor(2);
    expect(tooBig.getError()!.getCode()).toBe(status.INVALID_ARGUMENT);
    expect(detail(tooBig, MaximumAppendSizeExceeded, 'event_store.client.MaximumAppendSizeExceeded')!.getMaxappendsize()).toBe(1_048_576);
    expect(bad.getError()!.getCode()).toBe(status.INVALID_ARGUMENT);
    expect(detail(bad, BadRequest, 'event_store.client.BadRequest')).not.toBeNull();
    call.cancel();
  });
});

describe('through client 6.2.1', () => {
  let client: EventStoreDBClient;
  beforeAll(() => {
    client = EventStoreDBClient.connectionString(double.url);
  });
  afterAll(() => client.dispose());

  it('sends every append over one BatchAppend call, concurrent ones included', async () => {
    const before = { ...double.calls };
    const s = unique('key-');
    const results: AppendResult[] = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        client.appendToStream(`${s}-${i}`, jsonEvent({ type: 'KeyIssued', data: { i } }), { expectedRevision: NO_STREAM }),
      ),
    );
    expect(results.map((r) => r.nextExpectedRevision)).toEqual([0n, 0n, 0n, 0n, 0n]);
    expect(double.calls.append - before.append).toBe(0);
    expect(double.calls.batchAppend - before.batchAppend).toBe(1);
  });

  it('turns the Status details into the client errors: WrongExpectedVersionError with the actual revision, StreamDeletedError', async () => {
    const s = unique('key-');
    await client.appendToStream(s, [jsonEvent({ type: 'A', data: {} }), jsonEvent({ type: 'B', data: {} })], {
      expectedRevision: NO_STREAM,
    });
    const wrong = await client.appendToStream(s, jsonEvent({ type: 'C', data: {} }), { expectedRevision: 0n }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(WrongExpectedVersionError);
    expect(wrong).toMatchObject({ streamName: s, expectedVersion: 0n, actualVersion: 1n });
    await client.tombstoneStream(s);
    const deleted = await client.appendToStream(s, jsonEvent({ type: 'D', data: {} })).catch((e: unknown) => e);
    expect(deleted).toBeInstanceOf(StreamDeletedError);
    expect(deleted).toMatchObject({ streamName: s });
  });
});
