/**
 * The revocation fence is the command's own doing: when KeyCommandExecutor.execute returns from a
 * revoke (or a regenerate with "now"), the index already holds it, with no projector running. The
 * HTTP suites cannot show this alone, since every instance there also runs the catch-up projection.
 * Memory and real Redis (REDIS_URL_TEST); never skipped.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { KeyCommand } from '@cs/domain';
import { SqliteEventStore } from '@cs/event-store';
import { useTestRedis } from '../../validity/src/testing/test-redis';
import { MemoryValidityIndex, RedisValidityIndex, type ValidityIndex } from '@cs/validity';
import { KeyCommandExecutor, type CommandContext } from './key-command-executor';

const testRedis = useTestRedis('fence');

const context: CommandContext = { actor: { type: 'user', sub: 'tester', acct: 'acct_1', roles: [] } };
const sealed = { kid: 'test', alg: 'A256GCM' as const, iv: 'iv', ciphertext: 'ct', tag: 'tag' };
const newHash = (): string => createHash('sha256').update(randomUUID()).digest('hex');

const indexes: { name: string; create: () => ValidityIndex }[] = [
  { name: 'memory', create: () => new MemoryValidityIndex() },
  { name: 'redis', create: () => new RedisValidityIndex(testRedis.client, { namespace: testRedis.namespace() }) },
];

describe.each(indexes)('the revocation fence with the $name index and no projector', ({ create }) => {
  let store: SqliteEventStore;
  let index: ValidityIndex;
  let executor: KeyCommandExecutor;
  const accountId = 'acct_fence';

  beforeEach(() => {
    store = new SqliteEventStore({ path: ':memory:' });
    index = create();
    executor = new KeyCommandExecutor(store, index);
  });

  afterEach(async () => {
    await index.close();
    await store.close();
  });

  const run = async (keyId: string, command: KeyCommand): Promise<void> => {
    const outcome = await executor.execute(keyId, accountId, () => ({ command, result: null }), context);
    if (!outcome.ok) throw new Error(`${command.type} refused: ${outcome.rejection.message}`);
  };

  async function keyInGrace(): Promise<{ keyId: string; original: string; rotated: string }> {
    const keyId = `key_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const original = newHash();
    const rotated = newHash();
    await run(keyId, {
      type: 'GenerateKey',
      keyId,
      accountId,
      kind: 'api',
      name: 'k',
      allowedIps: [],
      webhookFormat: 'single',
      secret: { hash: original, start: 'ak_test_abc123', sealed },
    });
    await run(keyId, {
      type: 'RegenerateKey',
      oldSecretExpiresAt: new Date(Date.now() + 3_600_000),
      secret: { hash: rotated, start: 'ak_test_def456', sealed },
    });
    expect(await index.unguarded().lookup(original)).toMatchObject({ status: 'active', secretVersion: 1 });
    expect(await index.unguarded().lookup(rotated)).toMatchObject({ status: 'active', secretVersion: 2 });
    return { keyId, original, rotated };
  }

  it('a revoke is in the index when execute returns: both secrets of a key in grace read revoked', async () => {
    const { keyId, original, rotated } = await keyInGrace();
    await run(keyId, { type: 'RevokeKey', reason: 'leaked' });
    expect(await index.unguarded().lookup(rotated)).toMatchObject({ keyId, status: 'revoked' });
    expect(await index.unguarded().lookup(original)).toMatchObject({ keyId, status: 'revoked' });
    expect(await index.unguarded().getKey(keyId)).toMatchObject({ status: 'revoked', version: 2 });
  });

  it('a regenerate with "now" ends the old secret in the index when execute returns', async () => {
    const { keyId, rotated } = await keyInGrace();
    const third = newHash();
    await run(keyId, { type: 'RegenerateKey', oldSecretExpiresAt: new Date(), secret: { hash: third, start: 'ak_test_ghi789', sealed } });
    expect(await index.unguarded().lookup(rotated)).toMatchObject({ keyId, status: 'expired' });
    expect(await index.unguarded().lookup(third)).toMatchObject({ keyId, status: 'active', secretVersion: 3 });
  });
});
