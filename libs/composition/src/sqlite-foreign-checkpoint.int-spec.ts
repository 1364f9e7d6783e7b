/**
 * The embedded store meets a checkpoint it never gave out: a Redis index or relay checkpoint kept from
 * an EventStoreDB run (positions in the millions), or from a SQLite file that was deleted and created
 * again. The projection must rebuild from this store and the relay publish from its beginning, rather
 * than silently skip every event up to the foreign position. (The EventStoreDB side of this:
 * eventstoredb-faults.int-spec.ts.)
 */
import { KeyCommandExecutor, VALIDITY_CHECKPOINT, ValidityProjector, type CommandContext } from '@cs/application';
import { SqliteEventStore } from '@cs/event-store';
import { NotificationRelay, type KafkaLikeMessage, type Notifier } from '@cs/notifications';
import { MemoryValidityIndex } from '@cs/validity';
import { MapCheckpoints, capturingLogger, generateKey, sleep, untilLogged } from './testing/worker-fixture';

const context: CommandContext = { actor: { type: 'user', sub: 'tester', acct: 'acct_foreign', roles: [] } };
const { lines, logger } = capturingLogger();
const until = untilLogged(lines);

it('a checkpoint past every position the SQLite store gave out: the projection rebuilds (the foreign key gone), the relay publishes from the beginning, each once', async () => {
  const store = SqliteEventStore.open(':memory:', { pollIntervalMs: 20 });
  const index = new MemoryValidityIndex();
  const executor = new KeyCommandExecutor(store, new MemoryValidityIndex());
  const projector = new ValidityProjector(store, index, logger, 50);
  const published: KafkaLikeMessage[] = [];
  const notifier: Notifier = { publish: async (messages) => void published.push(...messages), close: async () => undefined };
  const checkpoints = new MapCheckpoints();
  const stored = checkpoints.stored;
  const relay = new NotificationRelay({
    store,
    checkpoints,
    notifier,
    name: 'relay',
    batchWindowMs: 0,
    backoff: { initialMs: 20, maxMs: 100 },
    logger,
  });
  try {
    const generate = async (by = executor) => {
      const { keyId, events } = await generateKey(by, 'acct_foreign', context);
      return { keyId, position: events[0].position };
    };
    const mine = [await generate(), await generate()];
    // What another store left in the index: a key this store never had, and a checkpoint in the millions
    // (an EventStoreDB run's, or a deleted SQLite file's).
    const foreignStore = SqliteEventStore.open(':memory:');
    const { keyId: stale } = await generate(new KeyCommandExecutor(foreignStore, index));
    await foreignStore.close();
    expect(await index.getKey(stale)).not.toBeNull();
    await index.saveCheckpoint({ name: VALIDITY_CHECKPOINT, position: 4_200_000n, rewind: true });
    stored.set('relay', 4_200_000n);

    await projector.start();
    expect(await index.getKey(stale)).toBeNull();
    for (const { keyId } of mine) expect(await index.getKey(keyId)).toMatchObject({ status: 'active' });
    expect(await index.loadCheckpoint(VALIDITY_CHECKPOINT)).toBe(mine[1].position);
    expect(lines).toContainEqual(
      expect.stringMatching(/^warn validity projection: checkpoint 4200000 is not a position of this event store/),
    );

    relay.start();
    await until('the relay to publish both from the beginning', () => published.length === 2);
    expect(stored.get('relay')).toBe(mine[1].position);
    await generate();
    await until('the relay to publish the third', () => published.length === 3);
    await sleep(50);
    expect(new Set(published.map((m) => m.headers.ce_id)).size).toBe(3);
    expect(published).toHaveLength(3);
  } finally {
    await relay.stop();
    await projector.stop();
    await store.close();
  }
});
