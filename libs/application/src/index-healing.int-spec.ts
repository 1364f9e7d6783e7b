/**
 * Healing a shared validity index that went back in time, against real Redis: the namespace is
 * snapshotted (DUMP) before a revoke and restored (RESTORE) after it, as a Redis restarted from an
 * older snapshot would be. From then on the process must not answer from it (its position is behind
 * one already seen), and the projection must apply the lost revoke again — when the next event
 * arrives (its checkpoint write names a base the index is behind) or at once on resync() — after
 * which answers are correct without any restart. Also: a command whose inline index write fails still
 * succeeds, and the index is untrusted until that event's position is applied.
 */
import { createHash, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { KEY_STREAM_PREFIX, type KeyCommand } from '@cs/domain';
import { SqliteEventStore } from '@cs/event-store';
import { IndexUnavailableError, RedisValidityIndex, type ValidityIndex } from '@cs/validity';
import { KeyCommandExecutor, type CommandContext } from './key-command-executor';
import { VALIDITY_CHECKPOINT, ValidityProjector } from './validity-projector';

const url = process.env.REDIS_URL_TEST;
if (!url)
  throw new Error(
    'REDIS_URL_TEST is not set: start Redis (`bash scripts/services.sh start`, then `eval "$(bash scripts/services.sh env)"`)',
  );

const context: CommandContext = { actor: { type: 'user', sub: 'tester', acct: 'acct_1', roles: [] } };
const sealed = { kid: 'test', alg: 'A256GCM' as const, iv: 'iv', ciphertext: 'ct', tag: 'tag' };
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

let redis: Redis;
beforeAll(async () => {
  redis = new Redis(url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await redis?.quit();
});

async function keysOf(namespace: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
    keys.push(...page);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** What an RDB snapshot would hold of the namespace: every key's serialized value. */
async function snapshot(namespace: string): Promise<Map<string, Buffer>> {
  const dump = new Map<string, Buffer>();
  for (const key of await keysOf(namespace)) {
    const value = await redis.dumpBuffer(key);
    if (value) dump.set(key, value);
  }
  return dump;
}

async function restore(namespace: string, dump: Map<string, Buffer>): Promise<void> {
  const now = await keysOf(namespace);
  if (now.length > 0) await redis.del(...now);
  for (const [key, value] of dump) await redis.restore(key, 0, value, 'REPLACE');
}

const eventually = async (check: () => Promise<boolean>, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('healing a Redis validity index that went back in time', () => {
  let store: SqliteEventStore;
  let index: RedisValidityIndex;
  let executor: KeyCommandExecutor;
  let projector: ValidityProjector;
  let namespace: string;

  beforeEach(async () => {
    namespace = `cstest-heal-${randomUUID().slice(0, 8)}`;
    store = new SqliteEventStore({ path: ':memory:' });
    index = new RedisValidityIndex(redis, { namespace });
    executor = new KeyCommandExecutor(store, index);
    projector = new ValidityProjector(store, index, quiet, 50);
    await projector.rebuild();
    await projector.start();
    await index.trust.probe();
    index.trust.revalidate(0n);
  });

  afterEach(async () => {
    await projector.stop();
    await index.close();
    await store.close();
    const keys = await keysOf(namespace);
    if (keys.length > 0) await redis.del(...keys);
  });

  const run = async (command: KeyCommand, keyId: string) => {
    const outcome = await executor.execute(keyId, 'acct_1', () => ({ command, result: null }), context);
    if (!outcome.ok) throw new Error(`${command.type} refused: ${outcome.rejection.message}`);
    return outcome.events[outcome.events.length - 1].position;
  };
  const generate = async () => {
    const keyId = `key_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const hash = createHash('sha256').update(randomUUID()).digest('hex');
    const position = await run(
      {
        type: 'GenerateKey',
        keyId,
        accountId: 'acct_1',
        kind: 'api',
        name: 'k',
        allowedIps: [],
        webhookFormat: 'single',
        secret: { hash, start: 'ak_test_abc123', sealed },
      },
      keyId,
    );
    return { keyId, hash, position };
  };
  const applied = (position: bigint) => eventually(async () => ((await index.loadCheckpoint(VALIDITY_CHECKPOINT)) ?? -1n) >= position);
  const status = async (hash: string) => {
    try {
      return (await index.lookup(hash))?.status ?? 'NOT_FOUND';
    } catch (error) {
      if (error instanceof IndexUnavailableError) return 'UNAVAILABLE';
      throw error;
    }
  };

  it.each(['the next event', 'resync()'])(
    'answers nothing from the older index, and applies the lost revoke again on %s',
    async (trigger) => {
      const key = await generate();
      await applied(key.position);
      expect(await status(key.hash)).toBe('active');
      const before = await snapshot(namespace);
      const revokedAt = await run({ type: 'RevokeKey', reason: 'compromised' }, key.keyId);
      await applied(revokedAt);
      expect(await status(key.hash)).toBe('revoked');

      await restore(namespace, before); // back to before the revoke, without any reconnection
      expect(await index.unguarded().lookup(key.hash)).toMatchObject({ status: 'active' }); // what it holds...
      expect(await status(key.hash)).toBe('UNAVAILABLE'); // ...is never answered

      if (trigger === 'resync()') await projector.resync();
      else await generate();
      await eventually(async () => (await status(key.hash)) === 'revoked');
      expect(await index.unguarded().lookup(key.hash)).toMatchObject({ status: 'revoked' });
    },
  );

  it('lets a command succeed when its inline index write fails, and answers nothing until that event is applied', async () => {
    const key = await generate();
    await applied(key.position);
    await projector.stop(); // nothing applies the revoke but the inline write, which fails
    const failing: ValidityIndex = Object.assign(Object.create(index) as ValidityIndex, {
      write: async () => {
        throw new Error('Command timed out');
      },
    });
    const revokedAt = await new KeyCommandExecutor(store, failing).execute(
      key.keyId,
      'acct_1',
      () => ({ command: { type: 'RevokeKey', reason: 'x' }, result: null }),
      context,
    );
    expect(revokedAt.ok).toBe(true);
    expect((await store.readStream(`${KEY_STREAM_PREFIX}${key.keyId}`)).map((e) => e.type)).toEqual(['KeyGenerated', 'KeyRevoked']);
    expect(await index.unguarded().lookup(key.hash)).toMatchObject({ status: 'active' });
    expect(await status(key.hash)).toBe('UNAVAILABLE');
    await projector.start();
    await eventually(async () => (await status(key.hash)) === 'revoked');
  });
});
