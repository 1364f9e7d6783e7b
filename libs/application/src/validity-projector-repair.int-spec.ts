/**
 * The projector's repair path decides the outcome: events appended to the store behind the
 * executor's back (no inline index write, as after a crash between the append and the inline write,
 * or from another writer) reach the index only through the running catch-up projection.
 *
 * In validity-projector.int-spec.ts the executor's inline write always lands first, so a projector
 * that wrote nothing would pass it; here nothing but the projector writes these events. Reads go
 * through unguarded(): the question is what the index holds, not when the service may answer from it.
 * Integration tier: a real Redis is required (REDIS_URL_TEST); never skipped.
 */
import { createHash, randomUUID } from 'node:crypto';
import { decide, KEY_EVENT_SCHEMA_VERSION, keyStreamId, type KeyCommand } from '@cs/domain';
import { SqliteEventStore } from '@cs/event-store';
import { useTestRedis } from '../../validity/src/testing/test-redis';
import { MemoryValidityIndex, RedisValidityIndex, type ValidityIndex } from '@cs/validity';
import { foldRecorded, KeyCommandExecutor, projectRecorded, type CommandContext } from './key-command-executor';
import { VALIDITY_CHECKPOINT, ValidityProjector } from './validity-projector';

const testRedis = useTestRedis('repair');

const context: CommandContext = { actor: { type: 'user', sub: 'tester', acct: 'acct_1', roles: [] } };
const sealed = { kid: 'test', alg: 'A256GCM' as const, iv: 'iv', ciphertext: 'ct', tag: 'tag' };
const quietLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const newHash = (): string => createHash('sha256').update(randomUUID()).digest('hex');
const newKeyId = (): string => `key_${randomUUID().replace(/-/g, '').slice(0, 24)}`;

/** Polls until `check` holds; fails with the last value seen. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms; last seen: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const indexes: { name: string; create: () => ValidityIndex }[] = [
  { name: 'memory', create: () => new MemoryValidityIndex() },
  { name: 'redis', create: () => new RedisValidityIndex(testRedis.client, { namespace: testRedis.namespace(), batchSize: 2 }) },
];

describe.each(indexes)('ValidityProjector repair with the $name index: events appended behind the executor', ({ create }) => {
  let store: SqliteEventStore;
  let index: ValidityIndex;
  let executor: KeyCommandExecutor;
  let projector: ValidityProjector | null;

  beforeEach(() => {
    store = new SqliteEventStore({ path: ':memory:' });
    index = create();
    executor = new KeyCommandExecutor(store, index);
    projector = null;
  });

  afterEach(async () => {
    await projector?.stop();
    await index.close();
    await store.close();
  });

  const startProjector = async (): Promise<ValidityProjector> => {
    projector = new ValidityProjector(store, index, quietLogger, 20);
    await projector.start();
    return projector;
  };

  /** Through the real pipeline, inline index write included. */
  async function generate(accountId: string, hash = newHash()): Promise<{ keyId: string; hash: string }> {
    const keyId = newKeyId();
    const command: KeyCommand = {
      type: 'GenerateKey',
      keyId,
      accountId,
      kind: 'api',
      name: 'k',
      allowedIps: [],
      webhookFormat: 'single',
      secret: { hash, start: 'ak_test_abc123', sealed },
    };
    const outcome = await executor.execute(keyId, accountId, () => ({ command, result: null }), context);
    if (!outcome.ok) throw new Error(`GenerateKey refused: ${outcome.rejection.message}`);
    return { keyId, hash };
  }

  /**
   * Decides `command` on the stream as the executor would, and appends the events straight to the
   * store: no inline index write. Returns the position of the last event.
   */
  async function appendBehind(keyId: string, command: KeyCommand, now = new Date()): Promise<bigint> {
    const history = await store.readStream(keyStreamId(keyId));
    const decision = decide(command, foldRecorded(history), now);
    if (!decision.ok) throw new Error(`${command.type} refused: ${decision.rejection.message}`);
    const metadata = {
      actor: { type: 'system' as const, name: 'behind-the-executor' },
      correlationId: randomUUID(),
      causationId: null,
      occurredAt: now.toISOString(),
    };
    const written = await store.appendToStream(
      keyStreamId(keyId),
      decision.events.map((event) => ({
        id: randomUUID(),
        type: event.type,
        data: event.data as unknown as Record<string, unknown>,
        metadata: { ...metadata, schemaVersion: KEY_EVENT_SCHEMA_VERSION[event.type] },
      })),
      { expectedRevision: history.length === 0 ? 'no_stream' : history[history.length - 1].revision },
    );
    return written.position;
  }

  it('a KeyRevoked appended directly to the store is applied by the running projector: the key and its secret read revoked', async () => {
    const accountId = `acct_${randomUUID()}`;
    const key = await generate(accountId);
    const bystander = await generate(accountId);
    await startProjector();
    const before = await index.unguarded().getKey(key.keyId);
    expect(before).toMatchObject({ status: 'active', version: 0 });

    const position = await appendBehind(key.keyId, { type: 'RevokeKey', reason: 'leaked' });
    // Nothing but the projector can have written this: the executor never saw the revoke.
    const revoked = await eventually(
      () => index.unguarded().getKey(key.keyId),
      (r) => r?.status === 'revoked',
    );
    expect(revoked).toMatchObject({ status: 'revoked', version: 1 });
    expect(await index.unguarded().lookup(key.hash)).toMatchObject({ keyId: key.keyId, status: 'revoked', version: 1 });
    expect(
      await eventually(
        () => index.loadCheckpoint(VALIDITY_CHECKPOINT),
        (c) => c === position,
      ),
    ).toBe(position);
    // Only that key changed.
    expect(await index.unguarded().lookup(bystander.hash)).toMatchObject({ keyId: bystander.keyId, status: 'active', version: 0 });
  });

  it('a regenerate and then a revoke appended directly: both the new and the old secret read revoked, the record matches the stream', async () => {
    const accountId = `acct_${randomUUID()}`;
    const key = await generate(accountId);
    await startProjector();
    const rotatedHash = newHash();
    await appendBehind(key.keyId, {
      type: 'RegenerateKey',
      oldSecretExpiresAt: new Date(Date.now() + 3_600_000),
      secret: { hash: rotatedHash, start: 'ak_test_def456', sealed },
    });
    // The grace: both secrets verify, from the projector's writes alone.
    const inGrace = await eventually(
      () => index.unguarded().lookup(rotatedHash),
      (e) => e !== null,
    );
    expect(inGrace).toMatchObject({ keyId: key.keyId, status: 'active', secretVersion: 2 });
    expect(await index.unguarded().lookup(key.hash)).toMatchObject({ status: 'active', secretVersion: 1, version: 1 });

    await appendBehind(key.keyId, { type: 'RevokeKey', reason: null });
    await eventually(
      () => index.unguarded().lookup(rotatedHash),
      (e) => e?.status === 'revoked',
    );
    expect(await index.unguarded().lookup(key.hash)).toMatchObject({ status: 'revoked' });
    const expected = projectRecorded(await store.readStream(keyStreamId(key.keyId)));
    expect(await index.unguarded().getKey(key.keyId)).toEqual(expected);
  });

  it('a key whose whole stream was appended behind the executor appears in the index, revoked', async () => {
    const accountId = `acct_${randomUUID()}`;
    await startProjector();
    const keyId = newKeyId();
    const hash = newHash();
    await appendBehind(keyId, {
      type: 'GenerateKey',
      keyId,
      accountId,
      kind: 'signing',
      name: 'behind',
      allowedIps: ['10.0.0.0/8'],
      webhookFormat: 'multiple',
      secret: { hash, start: 'sig_test_abc1', sealed },
    });
    await eventually(
      () => index.unguarded().lookup(hash),
      (e) => e?.status === 'active',
    );
    expect(await index.unguarded().listKeys(accountId)).toEqual([
      expect.objectContaining({ keyId, kind: 'signing', allowedIps: ['10.0.0.0/8'], status: 'active' }),
    ]);
    await appendBehind(keyId, { type: 'RevokeKey', reason: null });
    await eventually(
      () => index.unguarded().lookup(hash),
      (e) => e?.status === 'revoked',
    );
  });

  it('events appended while the projector is down are applied when it starts, before start() resolves', async () => {
    const accountId = `acct_${randomUUID()}`;
    const key = await generate(accountId);
    // A crash between the append and the inline write: the store has the revoke, the index does not.
    await appendBehind(key.keyId, { type: 'UpdateKey', changes: { name: 'renamed behind' } });
    await appendBehind(key.keyId, { type: 'RevokeKey', reason: 'leaked' });
    expect(await index.unguarded().lookup(key.hash)).toMatchObject({ status: 'active', version: 0 });

    await startProjector(); // resolves once caught up with what was stored when it subscribed
    expect(await index.unguarded().lookup(key.hash)).toMatchObject({ status: 'revoked', version: 2 });
    expect(await index.unguarded().getKey(key.keyId)).toMatchObject({ status: 'revoked', name: 'renamed behind', version: 2 });
  });

  it('a record more than one event behind (the index lost writes its checkpoint had passed) is refolded from the stream', async () => {
    const accountId = `acct_${randomUUID()}`;
    const key = await generate(accountId); // the index holds version 0
    await appendBehind(key.keyId, { type: 'UpdateKey', changes: { name: 'lost 1' } });
    const lost = await appendBehind(key.keyId, { type: 'UpdateKey', changes: { allowedIps: ['192.0.2.0/24'] } });
    // The checkpoint says revisions 1 and 2 were applied, but the index never got them.
    await index.unguarded().saveCheckpoint({ name: VALIDITY_CHECKPOINT, position: lost });
    await startProjector();
    expect(await index.unguarded().getKey(key.keyId)).toMatchObject({ version: 0, name: 'k' });

    await appendBehind(key.keyId, { type: 'RevokeKey', reason: null });
    const record = await eventually(
      () => index.unguarded().getKey(key.keyId),
      (r) => r?.status === 'revoked',
    );
    // Folded from the whole stream: the lost changes are there too, not just the revoke on top of version 0.
    expect(record).toMatchObject({ status: 'revoked', version: 3, name: 'lost 1', allowedIps: ['192.0.2.0/24'] });
    expect(record).toEqual(projectRecorded(await store.readStream(keyStreamId(key.keyId))));
    expect(await index.unguarded().lookup(key.hash)).toMatchObject({ status: 'revoked', allowedIps: ['192.0.2.0/24'], version: 3 });
  });
});
