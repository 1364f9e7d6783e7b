/**
 * The double at the gRPC level, for what client 6.x cannot ask for (filtered $all reads,
 * structured UUIDs), ServerFeatures, and the calls it must refuse quickly.
 */
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { EventStoreDBClient, NO_STREAM, jsonEvent } from '@eventstore/db-client';
import { ServerFeaturesClient } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { GossipClient } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { BatchAppendReq, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { PersistentSubscriptionsClient } from '@eventstore/db-client/generated/persistent_grpc_pb';
import { DeleteReq as PersistentDeleteReq } from '@eventstore/db-client/generated/persistent_pb';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { startEsdbDouble, type EsdbDouble } from './esdb-double';

let double: EsdbDouble;
let streams: StreamsClient;
const address = () => `127.0.0.1:${double.port}`;

beforeAll(async () => {
  double = await startEsdbDouble();
  streams = new StreamsClient(address(), credentials.createInsecure());
  const client = EventStoreDBClient.connectionString(double.url);
  await client.appendToStream('acct-1', [jsonEvent({ type: 'AccountOpened', data: {} })], { expectedRevision: NO_STREAM });
  await client.appendToStream('key-1', [jsonEvent({ type: 'KeyIssued', data: {} }), jsonEvent({ type: 'KeyRotated', data: {} })], {
    expectedRevision: NO_STREAM,
  });
  await client.appendToStream('key-2', [jsonEvent({ type: 'KeyIssued', data: {} })], { expectedRevision: NO_STREAM });
  await client.dispose();
});
afterAll(async () => {
  streams.close();
  await double.stop();
});

function read(configure: (options: ReadReq.Options) => void): Promise<ReadResp[]> {
  const options = new ReadReq.Options()
    .setAll(new ReadReq.Options.AllOptions().setStart(new Empty()))
    .setCount('100')
    .setUuidOption(new ReadReq.Options.UUIDOption().setString(new Empty()))
    .setNoFilter(new Empty());
  configure(options);
  return new Promise((resolve, reject) => {
    const out: ReadResp[] = [];
    streams
      .read(new ReadReq().setOptions(options))
      .on('data', (r: ReadResp) => out.push(r))
      .on('error', reject)
      .on('end', () => resolve(out));
  });
}

const streamsOf = (resps: ReadResp[]) =>
  resps.map((r) => Buffer.from(r.getEvent()!.getEvent()!.getStreamIdentifier()!.getStreamName_asU8()).toString());

function filter(on: 'stream' | 'type', expression: { prefixes?: string[]; regex?: string }) {
  const expr = new ReadReq.Options.FilterOptions.Expression().setPrefixList(expression.prefixes ?? []).setRegex(expression.regex ?? '');
  const f = new ReadReq.Options.FilterOptions().setCount(new Empty()).setCheckpointintervalmultiplier(1);
  return on === 'stream' ? f.setStreamIdentifier(expr) : f.setEventType(expr);
}

describe('filtered $all reads', () => {
  it('filters by stream prefix', async () => {
    expect(streamsOf(await read((o) => o.setFilter(filter('stream', { prefixes: ['key-'] }))))).toEqual(['key-1', 'key-1', 'key-2']);
  });

  it('filters by stream regex (unanchored, like .NET Regex.IsMatch)', async () => {
    expect(streamsOf(await read((o) => o.setFilter(filter('stream', { regex: 'y-2' }))))).toEqual(['key-2']);
  });

  it('filters by event type prefix, and counts only matching events', async () => {
    expect(streamsOf(await read((o) => o.setCount('2').setFilter(filter('type', { prefixes: ['KeyIss'] }))))).toEqual(['key-1', 'key-2']);
  });

  it('excludes system events with the regex the client uses for excludeSystemEvents()', async () => {
    const all = streamsOf(await read((o) => o.setFilter(filter('type', { regex: '^[^$].*' }))));
    expect(all).toEqual(['acct-1', 'key-1', 'key-1', 'key-2']);
  });
});

it('answers in the UUID form the reader asks for', async () => {
  const [resp] = await read((o) =>
    o.setUuidOption(new ReadReq.Options.UUIDOption().setStructured(new Empty())).setFilter(filter('stream', { prefixes: ['key-2'] })),
  );
  expect(resp.getEvent()!.getEvent()!.getId()!.hasStructured()).toBe(true);
});

const code = (call: (done: (err: ServiceError | null) => void) => void) =>
  new Promise<number | undefined>((resolve) => call((err) => resolve(err?.code)));

describe('ServerFeatures/GetSupportedMethods', () => {
  const features = (port: number) =>
    new Promise<SupportedMethods>((resolve, reject) => {
      const client = new ServerFeaturesClient(`127.0.0.1:${port}`, credentials.createInsecure());
      client.getSupportedMethods(new Empty(), (err, resp) => (client.close(), err ? reject(err) : resolve(resp)));
    });
  const methods = (resp: SupportedMethods) =>
    new Map(resp.getMethodsList().map((m) => [`${m.getServiceName()}/${m.getMethodName()}`, m.getFeaturesList()]));

  it('lists what a 24.10 node lists: lower-cased names, read and batchappend features, the version as major.minor.patch', async () => {
    const resp = await features(double.port);
    expect(resp.getEventStoreServerVersion()).toBe('24.10.0');
    const listed = methods(resp);
    for (const m of ['read', 'append', 'delete', 'tombstone', 'batchappend'])
      expect(listed.has(`event_store.client.streams.streams/${m}`)).toBe(true);
    expect(listed.get('event_store.client.streams.streams/read')).toEqual(['position', 'events']);
    expect(listed.get('event_store.client.streams.streams/batchappend')).toEqual(['deadline_duration']);
    expect(listed.get('event_store.client.persistent_subscriptions.persistentsubscriptions/read')).toEqual(['stream', 'all']);
    for (const service of [
      'operations.operations',
      'users.users',
      'gossip.gossip',
      'monitoring.monitoring',
      'redaction.redaction',
      'server_features.serverfeatures',
    ]) {
      expect([...listed.keys()].some((k) => k.startsWith(`event_store.client.${service}/`))).toBe(true);
    }
    expect([...listed.keys()].some((k) => k.includes('projections'))).toBe(false);
  });

  it('reports the first three parts of the version it is given, and can leave BatchAppend out (then BatchAppend itself is UNIMPLEMENTED)', async () => {
    const other = await startEsdbDouble({ serverVersion: '25.1.0.1875', batchAppend: false });
    try {
      const resp = await features(other.port);
      expect(resp.getEventStoreServerVersion()).toBe('25.1.0');
      expect(methods(resp).has('event_store.client.streams.streams/batchappend')).toBe(false);
      expect(methods(resp).has('event_store.client.streams.streams/append')).toBe(true);
      const raw = new StreamsClient(`127.0.0.1:${other.port}`, credentials.createInsecure());
      const batch = raw.batchAppend();
      expect(await code((done) => batch.on('error', done).write(new BatchAppendReq()))).toBe(status.UNIMPLEMENTED);
      raw.close();
    } finally {
      await other.stop();
    }
  });

  it('answers UNIMPLEMENTED with serverVersion: null, like servers before 21.10 (the client then uses Append)', async () => {
    const old = await startEsdbDouble({ serverVersion: null });
    try {
      const client = new ServerFeaturesClient(`127.0.0.1:${old.port}`, credentials.createInsecure());
      expect(await code((done) => client.getSupportedMethods(new Empty(), done))).toBe(status.UNIMPLEMENTED);
      client.close();
    } finally {
      await old.stop();
    }
  });
});

describe('calls the double does not implement answer UNIMPLEMENTED instead of hanging', () => {
  it('persistent subscriptions, gossip', async () => {
    const persistent = new PersistentSubscriptionsClient(address(), credentials.createInsecure());
    expect(await code((done) => persistent.delete(new PersistentDeleteReq(), done))).toBe(status.UNIMPLEMENTED);
    persistent.close();
    const gossip = new GossipClient(address(), credentials.createInsecure());
    expect(await code((done) => gossip.read(new Empty(), done))).toBe(status.UNIMPLEMENTED);
    gossip.close();
  });
});
