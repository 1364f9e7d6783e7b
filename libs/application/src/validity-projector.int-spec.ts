import { createHash, randomUUID } from 'node:crypto';
import type { KeyCommand } from '@cs/domain';
import { SqliteEventStore, type EventStore, type ReadAllOptions, type RecordedEvent } from '@cs/event-store';
import {
  MemoryValidityIndex,
  RedisValidityIndex,
  type Checkpoint,
  type KeyRecord,
  type ReplaceAllOptions,
  type ValidityEntry,
  type ValidityIndex,
} from '@cs/validity';
import { useTestRedis } from '../../validity/src/testing/test-redis';
import { KeyCommandExecutor, type CommandContext } from './key-command-executor';
import { VALIDITY_CHECKPOINT, ValidityProjector } from './validity-projector';

// The revocation fence across a rebuild: once a revoke returns, no verify anywhere accepts the key,
// also while (and right after) ValidityProjector.rebuild() swaps in a freshly built index.
// Integration tier: a real Redis is required. Never skip silently, a skipped adapter suite reads as green.
const testRedis = useTestRedis('proj');

const context: CommandContext = { actor: { type: 'user', sub: 'tester', acct: 'acct_1', roles: [] } };
const sealed = { kid: 'test', alg: 'A256GCM' as const, iv: 'iv', ciphertext: 'ct', tag: 'tag' };
const quietLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** The store as the projector sees it: runs `afterFold` once the full read (no `after`) is exhausted. */
function storeWithFoldHook(store: EventStore, afterFold: () => Promise<void>): EventStore {
  async function* thenHook(source: AsyncIterable<RecordedEvent>): AsyncIterable<RecordedEvent> {
    yield* source;
    await afterFold();
  }
  return {
    appendToStream: (...args) => store.appendToStream(...args),
    readStream: (...args) => store.readStream(...args),
    readAll: (options?: ReadAllOptions) => (options?.after === undefined ? thenHook(store.readAll(options)) : store.readAll(options)),
    subscribeToAll: (...args) => store.subscribeToAll(...args),
    headPosition: (...args) => store.headPosition(...args),
    close: () => store.close(),
  };
}

/**
 * The index as the projector sees it: runs `inBuild` after the projector's own beforeSwap, while the
 * new index is still being built, and records what `hash` looks up as the instant the swap is done,
 * before the projector's post-swap catch-up can repair anything.
 */
function indexWithBuildHook(index: ValidityIndex, inBuild: () => Promise<void>, hash: () => string) {
  const seen: { atSwap?: ValidityEntry | null } = {};
  const wrapped: ValidityIndex = {
    trust: index.trust,
    unguarded: () => wrapped,
    lookup: (h) => index.unguarded().lookup(h),
    getKey: (keyId) => index.unguarded().getKey(keyId),
    listKeys: (accountId) => index.unguarded().listKeys(accountId),
    write: (record, checkpoint) => index.write(record, checkpoint),
    saveCheckpoint: (checkpoint) => index.saveCheckpoint(checkpoint),
    loadCheckpoint: (name) => index.loadCheckpoint(name),
    dueExpiries: (now, limit) => index.unguarded().dueExpiries(now, limit),
    close: () => index.close(),
    async replaceAll(records: Iterable<KeyRecord>, checkpoint: Checkpoint, options: ReplaceAllOptions = {}) {
      await index.replaceAll(records, checkpoint, {
        beforeSwap: async (writeToNew) => {
          const later = await options.beforeSwap?.(writeToNew);
          await inBuild();
          return later;
        },
      });
      seen.atSwap = await index.unguarded().lookup(hash());
    },
  };
  return { wrapped, seen };
}

const indexes: { name: string; create: () => ValidityIndex }[] = [
  { name: 'memory', create: () => new MemoryValidityIndex() },
  { name: 'redis', create: () => new RedisValidityIndex(testRedis.client, { namespace: testRedis.namespace(), batchSize: 2 }) },
];

// Reads go through unguarded(): these tests are about what the index holds at each instant; when the
// service may answer from it is index trust's business (libs/validity/src/redis/*.int-spec.ts, test/faults).
describe.each(indexes)('ValidityProjector.rebuild with the $name index: a revoke during the rebuild', ({ create }) => {
  let store: SqliteEventStore;
  let index: ValidityIndex;
  let executor: KeyCommandExecutor;

  beforeEach(() => {
    store = new SqliteEventStore({ path: ':memory:', pageSize: 3 });
    index = create();
    executor = new KeyCommandExecutor(store, index);
  });

  afterEach(async () => {
    await index.close();
    await store.close();
  });

  const run = async (command: KeyCommand, keyId: string, accountId: string) => {
    const outcome = await executor.execute(keyId, accountId, () => ({ command, result: null }), context);
    if (!outcome.ok) throw new Error(`${command.type} refused: ${outcome.rejection.message}`);
    return outcome;
  };

  /** A few keys through the real command pipeline; returns the one the test revokes and its hash. */
  async function seed(): Promise<{ keyId: string; accountId: string; hash: string }> {
    const accountId = `acct_${randomUUID()}`;
    let target!: { keyId: string; accountId: string; hash: string };
    for (let i = 0; i < 6; i++) {
      const keyId = `key_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
      const hash = createHash('sha256').update(randomUUID()).digest('hex');
      const secret = { hash, start: 'ak_test_abc123', sealed };
      await run(
        { type: 'GenerateKey', keyId, accountId, kind: 'api', name: `key ${i}`, allowedIps: [], webhookFormat: 'single', secret },
        keyId,
        accountId,
      );
      if (i === 2) target = { keyId, accountId, hash };
      else await run({ type: 'UpdateKey', changes: { name: `renamed ${i}` } }, keyId, accountId);
    }
    expect(await index.unguarded().lookup(target.hash)).toMatchObject({ status: 'active' });
    return target;
  }

  const revoke = async (target: { keyId: string; accountId: string }) => {
    const outcome = await run({ type: 'RevokeKey', reason: 'compromised' }, target.keyId, target.accountId);
    return outcome.events[outcome.events.length - 1].position;
  };

  it('between the fold and the start of the build: in force at the swap and after rebuild() resolves', async () => {
    const target = await seed();
    let revokedAt: bigint | undefined;
    const hooked = storeWithFoldHook(store, async () => {
      revokedAt = await revoke(target); // its inline write reaches the old index only
    });
    const { wrapped, seen } = indexWithBuildHook(
      index,
      async () => undefined,
      () => target.hash,
    );
    const projector = new ValidityProjector(hooked, wrapped, quietLogger);

    expect(await projector.rebuild()).toBe(6);

    expect(revokedAt).toBeDefined();
    expect(seen.atSwap).toMatchObject({ status: 'revoked', keyId: target.keyId });
    expect(await index.unguarded().lookup(target.hash)).toMatchObject({ status: 'revoked', keyId: target.keyId });
    expect(await index.unguarded().getKey(target.keyId)).toMatchObject({ status: 'revoked' });
    // beforeSwap applied it, so the swap stored the revoke's position as the checkpoint.
    expect(await index.loadCheckpoint(VALIDITY_CHECKPOINT)).toBe(revokedAt);
    expect(projector.checkpoint).toBe(revokedAt);
  });

  it('while the new index is being built: in force at the swap and after rebuild() resolves', async () => {
    const target = await seed();
    let revoked = false;
    const { wrapped, seen } = indexWithBuildHook(
      index,
      async () => {
        await revoke(target); // after the projector's beforeSwap read: only the double write carries it
        revoked = true;
      },
      () => target.hash,
    );
    const projector = new ValidityProjector(store, wrapped, quietLogger);

    expect(await projector.rebuild()).toBe(6);

    expect(revoked).toBe(true);
    expect(seen.atSwap).toMatchObject({ status: 'revoked', keyId: target.keyId });
    expect(await index.unguarded().lookup(target.hash)).toMatchObject({ status: 'revoked', keyId: target.keyId });
    expect(await index.unguarded().getKey(target.keyId)).toMatchObject({ status: 'revoked' });
    const rest = (await index.unguarded().listKeys(target.accountId)).filter((r) => r.keyId !== target.keyId);
    expect(rest).toHaveLength(5);
    for (const record of rest) expect(record).toMatchObject({ status: 'active', version: 1 });
  });
});

describe('ValidityProjector.stop', () => {
  it('opens no subscription when stopped while loading its checkpoint, and lets start() return', async () => {
    const store = new SqliteEventStore({ path: ':memory:' });
    const index = new MemoryValidityIndex();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let loading!: () => void;
    const loadStarted = new Promise<void>((resolve) => (loading = resolve));
    const slowIndex = Object.assign(Object.create(index) as MemoryValidityIndex, {
      loadCheckpoint: async (name: string) => {
        loading();
        await gate;
        return index.loadCheckpoint(name);
      },
    });
    const subscribe = jest.spyOn(store, 'subscribeToAll');
    try {
      const projector = new ValidityProjector(store, slowIndex, quietLogger, 10);
      const started = projector.start();
      await loadStarted;
      const stopped = projector.stop();
      release();
      await Promise.all([started, stopped]);
      expect(subscribe).not.toHaveBeenCalled();
    } finally {
      subscribe.mockRestore();
      await store.close();
    }
  });
});
