import { startEsdbDouble, type EsdbDouble, type EsdbDoubleOptions } from '../../../../test/doubles/eventstoredb/esdb-double';
import { EventStoreUnavailableError } from '../event-store.port';
import { describeEventStoreConformance } from '../testing';
import { redactConnectionString } from './eventstoredb-connection';
import { EventStoreDBEventStore } from './eventstoredb-event-store';

const realServerUrl = process.env.EVENTSTORE_URL;
console.log(
  `EventStoreDB adapter targets: protocol double${realServerUrl ? ` and real server at ${redactConnectionString(realServerUrl)}` : ' only (set EVENTSTORE_URL to add a real server)'}`,
);

/** The double lives for the whole file: restarting it is what `reopen` exercises. The adapter writes
 *  over unary Append whatever the node advertises (eventstoredb-client.ts says why); every 21.10+ node,
 *  and so the default double, advertises BatchAppend, which client 6.2.1 would otherwise use. */
function describeAgainstDouble(name: string, options: EsdbDoubleOptions) {
  let double: EsdbDouble;
  beforeAll(async () => {
    double = await startEsdbDouble(options);
  });
  afterAll(async () => {
    await double.stop();
    expect({ append: double.calls.append > 0, batchAppend: double.calls.batchAppend }).toEqual({ append: true, batchAppend: 0 });
  });

  describeEventStoreConformance(name, {
    create: async () => EventStoreDBEventStore.connect(double.url),
    reopen: async () => {
      await double.restart();
      return EventStoreDBEventStore.connect(double.url);
    },
  });
}

describe('EventStoreDB adapter on the protocol double', () => {
  describeAgainstDouble('EventStoreDB double (24.10, advertises BatchAppend, sends caught_up)', { serverVersion: '24.10.0' });
});

// Before 23.10 the server never says "caught up": the adapter must work it out itself.
describe('EventStoreDB adapter on the protocol double without caught_up', () => {
  describeAgainstDouble('EventStoreDB double (22.10, no caught_up)', { serverVersion: '22.10.0', sendCaughtUp: false });
});

if (realServerUrl) {
  describe('EventStoreDB adapter on a real server', () => {
    // A real server cannot be restarted from here; reopening is a new client on the same data.
    describeEventStoreConformance(`EventStoreDB at ${redactConnectionString(realServerUrl)}`, {
      create: async () => EventStoreDBEventStore.connect(realServerUrl),
      reopen: async () => EventStoreDBEventStore.connect(realServerUrl),
    });
  });
}

describe('EventStoreDB adapter when the server is down', () => {
  let double: EsdbDouble;
  let store: EventStoreDBEventStore;
  beforeEach(async () => {
    double = await startEsdbDouble();
    store = EventStoreDBEventStore.connect(double.url);
  });
  afterEach(async () => {
    await store.close();
    await double.stop();
  });

  const event = () => ({
    id: globalThis.crypto.randomUUID(),
    type: 'KeyIssued',
    data: {},
    metadata: {
      actor: { type: 'system' as const, name: 'test' },
      correlationId: 'c',
      causationId: null,
      occurredAt: '2024-01-01T00:00:00Z',
      schemaVersion: 1,
    },
  });

  it('reports calls as retryable EventStoreUnavailableError, and works again after a restart', async () => {
    await store.appendToStream('key-1', [event()], { expectedRevision: 'no_stream' });
    await double.stop();
    const err = await store.appendToStream('key-1', [event()], { expectedRevision: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventStoreUnavailableError);
    expect(err).toMatchObject({ retryable: true });
    await expect(store.readStream('key-1')).rejects.toMatchObject({ name: 'EventStoreUnavailableError', retryable: true });

    await double.restart();
    expect((await store.appendToStream('key-1', [event()], { expectedRevision: 0 })).nextExpectedRevision).toBe(1);
  });

  it('fails a live subscription with a retryable EventStoreUnavailableError when the server goes away', async () => {
    const sub = store.subscribeToAll({ streamPrefixes: ['key-'] });
    await sub.caughtUp;
    const iteration = (async () => {
      for await (const _ of sub) void _;
    })();
    await double.stop();
    await expect(iteration).rejects.toMatchObject({ name: 'EventStoreUnavailableError', retryable: true });
  });

  it('refuses calls after close() with a non-retryable error', async () => {
    await store.close();
    await expect(store.readStream('key-1')).rejects.toMatchObject({ name: 'EventStoreUnavailableError', retryable: false });
  });
});
