/**
 * What the validity projection and the notification relay do when EventStoreDB misbehaves, each fault
 * of the protocol double in turn (the adapter alone: libs/event-store/src/eventstoredb/
 * eventstoredb-faults.int-spec.ts). Commands go through the real KeyCommandExecutor; the projection
 * writes into an index of its own (the executor's inline writes go elsewhere), so what it holds is
 * what the projection applied; the relay publishes into memory. Calls are bounded at 300 ms.
 */
import { randomUUID } from 'node:crypto';
import { KeyCommandExecutor, VALIDITY_CHECKPOINT, ValidityProjector, type CommandContext } from '@cs/application';
import { keyStreamId } from '@cs/domain';
import { EventStoreDBEventStore, StreamDeletedError } from '@cs/event-store';
import { NotificationRelay, type KafkaLikeMessage, type Notifier } from '@cs/notifications';
import { MemoryValidityIndex } from '@cs/validity';
import { MapCheckpoints, capturingLogger, generateKey, sleep, untilLogged } from './testing/worker-fixture';
import { startEsdbDouble, type EsdbDouble, type EsdbDoubleOptions } from '../../../test/doubles/eventstoredb/esdb-double';

const TIMEOUT_MS = 300;
const context: CommandContext = { actor: { type: 'user', sub: 'tester', acct: 'acct_faults', roles: [] } };
const { lines, logger } = capturingLogger();
const until = untilLogged(lines);
const cleanups: (() => Promise<void>)[] = [];

async function setup(options: EsdbDoubleOptions = {}, prepare?: (double: EsdbDouble) => void) {
  const double = await startEsdbDouble(options);
  prepare?.(double);
  const store = EventStoreDBEventStore.connect(double.url, { timeoutMs: TIMEOUT_MS, logger });
  const index = new MemoryValidityIndex();
  const executor = new KeyCommandExecutor(store, new MemoryValidityIndex());
  const projector = new ValidityProjector(store, index, logger, 50);
  const published: KafkaLikeMessage[] = [];
  const notifier: Notifier = { publish: async (messages) => void published.push(...messages), close: async () => undefined };
  const checkpoints = new MapCheckpoints();
  const relay = new NotificationRelay({
    store,
    checkpoints,
    notifier,
    name: 'relay',
    batchWindowMs: 0,
    backoff: { initialMs: 20, maxMs: 100 },
    logger,
  });
  cleanups.push(async () => {
    double.faults.clear();
    await relay.stop();
    await projector.stop();
    await store.close();
    await double.stop();
  });

  const accountId = `acct_${randomUUID().slice(0, 8)}`;
  const generate = () => generateKey(executor, accountId, context);
  /** Distinct CloudEvents ids published, and how many messages in all (duplicates show as the difference). */
  const publishedIds = () => new Set(published.map((m) => m.headers.ce_id));
  return { double, store, index, executor, accountId, projector, relay, checkpoints, published, publishedIds, generate };
}

beforeEach(() => {
  lines.length = 0;
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('stall: the node accepts reads and subscriptions and never answers them', () => {
  it('the projection is not ready and the relay reports itself stalled, each retrying at its pace; both catch up on release', async () => {
    const { double, index, projector, relay, published, generate } = await setup();
    const { keyId } = await generate();
    double.faults.stall(['read', 'subscribe']);
    let ready = false;
    const starting = projector.start().then(() => (ready = true));
    relay.start();
    await until('the relay to report the stall', () => relay.stats().lag === 'stalled');
    expect(relay.stats().lastError).toMatch(/subscription: .*EventStoreUnavailableError/);
    await sleep(2 * TIMEOUT_MS);
    expect(ready).toBe(false);
    expect(lines.some((l) => l.startsWith('error validity projection interrupted'))).toBe(true);

    double.faults.release();
    await starting;
    expect(await index.getKey(keyId)).toMatchObject({ status: 'active' });
    await until('the relay to publish', () => published.length === 1);
    await until('the relay to be caught up', () => relay.stats().lag === 'caught-up');
  });
});

describe('commit timeouts and the BatchAppend faults (endBatchAppendOk, serverFeaturesInternal)', () => {
  it('commands succeed, each event is written once, applied by the projection and published once', async () => {
    const { double, store, index, projector, relay, published, publishedIds, generate } = await setup();
    await projector.start();
    relay.start();
    double.faults.commitThenTimeout(2).endBatchAppendOk({ times: 2 }).serverFeaturesInternal();
    const keys = [await generate(), await generate(), await generate()];
    for (const { keyId } of keys) expect(await store.readStream(keyStreamId(keyId))).toHaveLength(1);
    await until('the projection to apply all three', async () =>
      (await Promise.all(keys.map((k) => index.getKey(k.keyId)))).every(Boolean),
    );
    await until('the relay to publish all three', () => published.length >= 3);
    await sleep(50);
    expect(published).toHaveLength(3);
    expect(publishedIds()).toEqual(new Set(keys.map((k) => k.events[0].id)));
    expect(double.calls.batchAppend).toBe(0);
  });
});

describe('checkpoints that are not positions of this store', () => {
  it('beyond the head: the projection rebuilds its index from this store (the foreign key gone, the checkpoint rewound); the relay restarts from the beginning', async () => {
    const { double, index, projector, relay, checkpoints, published, generate } = await setup();
    const mine = [await generate(), await generate()];
    // What another store left behind: a key this store never had, and a checkpoint past this store's head.
    const foreign = await setup();
    const stale = await foreign.generate();
    await new ValidityProjector(foreign.store, index, logger, 50).rebuild();
    const beyond = double.log.head + 100_000n;
    await index.saveCheckpoint({ name: VALIDITY_CHECKPOINT, position: beyond });
    checkpoints.stored.set('relay', beyond);

    await projector.start();
    expect(await index.getKey(stale.keyId)).toBeNull();
    for (const { keyId } of mine) expect(await index.getKey(keyId)).toMatchObject({ status: 'active' });
    expect(await index.loadCheckpoint(VALIDITY_CHECKPOINT)).toBe(mine[1].events[0].position);
    expect(lines).toContainEqual(
      expect.stringMatching(/^warn validity projection: checkpoint \d+ is not a position of this event store \(past/),
    );

    relay.start();
    await until('the relay to publish both from the beginning', () => published.length === 2);
    expect(checkpoints.stored.get('relay')).toBe(mine[1].events[0].position);
    expect(lines).toContainEqual(
      expect.stringMatching(/^error \[notification-relay relay\] checkpoint \d+ is not a position .*from the beginning/),
    );
    // A later key goes on from there, once.
    await generate();
    await until('the relay to publish the third', () => published.length === 3);
  });

  it('inside a record (not where an event starts): the same, instead of an endless INVALID_ARGUMENT', async () => {
    const { index, projector, relay, checkpoints, published, generate } = await setup();
    const [first, second] = [await generate(), await generate()];
    const inside = first.events[0].position + 3n;
    await index.saveCheckpoint({ name: VALIDITY_CHECKPOINT, position: inside });
    checkpoints.stored.set('relay', inside);
    await projector.start();
    expect(await index.getKey(first.keyId)).toMatchObject({ status: 'active' });
    expect(await index.loadCheckpoint(VALIDITY_CHECKPOINT)).toBe(second.events[0].position);
    relay.start();
    await until('the relay to publish both', () => published.length === 2);
    expect(lines.filter((l) => /interrupted|failed/.test(l))).toEqual([]);
  });
});

describe('fallBehind: the live buffer overflowed', () => {
  it('the projection applies and the relay publishes every event once', async () => {
    const { double, index, projector, relay, published, publishedIds, generate } = await setup();
    await projector.start();
    relay.start();
    await until('the relay to be caught up', () => relay.stats().lag === 'caught-up');
    double.faults.fallBehind();
    const keys = [await generate(), await generate(), await generate()];
    await until('the relay to publish three', () => published.length >= 3);
    await until('the projection to apply three', async () => (await Promise.all(keys.map((k) => index.getKey(k.keyId)))).every(Boolean));
    await sleep(50);
    expect(published).toHaveLength(3);
    expect(publishedIds().size).toBe(3);
  });
});

describe('system events and tombstones where a real node has them', () => {
  it('$stats between key events, a $-typed link and a tombstone in key streams: skipped by both, no failure', async () => {
    const { double, index, projector, relay, published, generate } = await setup();
    double.faults.interleaveSystemEvents();
    const [linked, deleted, plain] = [await generate(), await generate(), await generate()];
    double.appendSystemEvent(keyStreamId(linked.keyId), '$>', '0@elsewhere');
    double.log.tombstone(keyStreamId(deleted.keyId), { kind: 'any' });
    await projector.start();
    relay.start();
    for (const { keyId } of [linked, deleted, plain]) expect(await index.getKey(keyId)).toMatchObject({ status: 'active' });
    await until('the relay to publish the three key events', () => published.length >= 3);
    await sleep(50);
    expect(published.map((m) => m.headers.ce_type)).toEqual(Array(3).fill(published[0].headers.ce_type));
    expect(lines.filter((l) => /interrupted|failed|no notification type/.test(l))).toEqual([]);
  });

  it('a command on a tombstoned key stream fails with StreamDeletedError, not a generic error', async () => {
    const { double, executor, accountId, generate } = await setup();
    const { keyId } = await generate();
    double.log.tombstone(keyStreamId(keyId), { kind: 'any' });
    const revoke = executor.execute(keyId, accountId, () => ({ command: { type: 'RevokeKey', reason: null }, result: null }), context);
    await expect(revoke).rejects.toBeInstanceOf(StreamDeletedError);
  });
});

describe('notLeader: the configured node is a follower', () => {
  it('commands reach the leader (requires-leader on reads and appends); the projection and the relay go on reading the follower', async () => {
    const leader = await startEsdbDouble();
    const follow = (double: EsdbDouble) => void double.faults.notLeader({ host: '127.0.0.1', port: leader.port }, 'follower');
    const { double, index, projector, relay, published, generate } = await setup({}, follow);
    cleanups.push(() => leader.stop());
    await projector.start();
    relay.start();
    const { keyId } = await generate();
    const stream = keyStreamId(keyId);
    expect(leader.log.stream(stream)).toHaveLength(1);
    expect(double.log.stream(stream)).toBeUndefined();
    // Subscriptions do not require the leader: they stay on the follower, which a real cluster
    // replicates to (the double does not, so the write is copied over by hand).
    const [written] = leader.log.stream(stream)!;
    double.log.append(stream, { kind: 'no_stream' }, [written]);
    await until('the projection to apply it', async () => (await index.getKey(keyId)) !== null);
    await until('the relay to publish it', () => published.some((m) => m.headers.ce_subject === keyId));
  });
});
