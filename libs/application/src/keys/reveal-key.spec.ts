/**
 * A reveal is recorded before the secret is opened: no plaintext leaves the sealer unless its
 * KeyRevealed event is in the store. RevealKeyHandler with the real KeyCommandExecutor and
 * SecretSealer over an in-memory event store that logs each append (and can be made to fail), and a
 * sealer whose open() logs too, so the order of the two is asserted, not assumed.
 */
import { randomUUID } from 'node:crypto';
import { keyStreamId } from '@cs/domain';
import {
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '@cs/event-store';
import { MemoryValidityIndex } from '@cs/validity';
import { KeyCommandExecutor, type CommandContext } from '../key-command-executor';
import { SecretIssuer } from '../secret-issuer';
import { SecretSealer } from '../secret-sealer';
import { RevealKey, RevealKeyHandler } from './reveal-key';

const context: CommandContext = { actor: { type: 'user', sub: 'user_1', acct: 'acct_1', roles: ['owner'] } };
const ACCOUNT = 'acct_1';

/** Just enough of an event store for the command pipeline: per-stream lists, expected-revision checks. */
class LoggingStore {
  readonly streams = new Map<string, RecordedEvent[]>();
  /** What the next append does instead of storing: throw this error. */
  failNextAppend: Error | null = null;
  private position = 0n;

  constructor(private readonly log: string[]) {}

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    return [...(this.streams.get(streamId) ?? [])];
  }

  async appendToStream(streamId: string, events: NewEvent[], { expectedRevision }: { expectedRevision: number | 'no_stream' | 'any' }) {
    const failure = this.failNextAppend;
    this.failNextAppend = null;
    if (failure) {
      this.log.push(`append failed: ${events.map((e) => e.type).join(',')}`);
      throw failure;
    }
    const stream = this.streams.get(streamId) ?? [];
    const actual = stream.length === 0 ? 'no_stream' : stream.length - 1;
    if (expectedRevision !== 'any' && expectedRevision !== actual) throw new WrongExpectedRevisionError(streamId, expectedRevision, actual);
    for (const event of events) {
      this.position += 1n;
      stream.push({ ...event, streamId, revision: stream.length, position: this.position, recordedAt: new Date() });
    }
    this.streams.set(streamId, stream);
    this.log.push(`append: ${events.map((e) => e.type).join(',')}`);
    return { nextExpectedRevision: stream.length - 1, position: this.position };
  }

  types(keyId: string): string[] {
    return (this.streams.get(keyStreamId(keyId)) ?? []).map((e) => e.type);
  }
}

function setup() {
  const log: string[] = [];
  const store = new LoggingStore(log);
  const index = new MemoryValidityIndex();
  const executor = new KeyCommandExecutor(store as unknown as EventStore, index);
  const sealer = new SecretSealer(Buffer.alloc(32, 5));
  const open = jest.spyOn(sealer, 'open').mockImplementation(function (this: SecretSealer, ...args) {
    log.push(`open: v${args[1].secretVersion}`);
    return SecretSealer.prototype.open.apply(this, args);
  });
  const issuer = new SecretIssuer(sealer, 'test');
  const handler = new RevealKeyHandler(executor, sealer);

  /** A key through the real pipeline, with a real sealed copy; returns its id and plaintext. */
  async function generate(): Promise<{ keyId: string; secret: string }> {
    const keyId = `key_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const issued = issuer.issue('api', keyId, 1);
    const outcome = await executor.execute(
      keyId,
      ACCOUNT,
      () => ({
        command: {
          type: 'GenerateKey',
          keyId,
          accountId: ACCOUNT,
          kind: 'api',
          name: 'k',
          allowedIps: [],
          webhookFormat: 'single',
          secret: issued.material,
        },
        result: null,
      }),
      context,
    );
    if (!outcome.ok) throw new Error(outcome.rejection.message);
    log.length = 0;
    return { keyId, secret: issued.secret };
  }

  async function regenerate(keyId: string, oldSecretExpiresAt: Date): Promise<string> {
    const issued = issuer.issue('api', keyId, 2);
    const outcome = await executor.execute(
      keyId,
      ACCOUNT,
      () => ({ command: { type: 'RegenerateKey', oldSecretExpiresAt, secret: issued.material }, result: null }),
      context,
    );
    if (!outcome.ok) throw new Error(outcome.rejection.message);
    log.length = 0;
    return issued.secret;
  }

  return { log, store, open, handler, generate, regenerate, executor };
}

describe('RevealKeyHandler (libs/application/src/keys/reveal-key.ts): KeyRevealed is recorded before the secret is opened', () => {
  it('appends KeyRevealed, then opens the sealed copy, and answers the secret', async () => {
    const { log, store, open, handler, generate } = setup();
    const { keyId, secret } = await generate();

    const outcome = await handler.execute(new RevealKey(ACCOUNT, keyId, 'current', context));

    expect(outcome).toMatchObject({ ok: true, result: secret });
    expect(log).toEqual(['append: KeyRevealed', 'open: v1']);
    expect(open).toHaveBeenCalledTimes(1);
    expect(store.types(keyId)).toEqual(['KeyGenerated', 'KeyRevealed']);
    if (outcome.ok) expect(outcome.events.map((e) => e.type)).toEqual(['KeyRevealed']);
  });

  it('when the store cannot append KeyRevealed, the reveal fails and the sealed copy is never opened', async () => {
    const { log, store, open, handler, generate } = setup();
    const { keyId } = await generate();
    store.failNextAppend = new EventStoreUnavailableError('the event store is down', true);

    await expect(handler.execute(new RevealKey(ACCOUNT, keyId, 'current', context))).rejects.toThrow(EventStoreUnavailableError);

    expect(open).not.toHaveBeenCalled();
    expect(log).toEqual(['append failed: KeyRevealed']);
    expect(store.types(keyId)).toEqual(['KeyGenerated']);
  });

  it('when KeyRevealed loses an append race, the answer is CONCURRENT_CHANGE and the sealed copy is never opened', async () => {
    const { store, open, handler, generate } = setup();
    const { keyId } = await generate();
    store.failNextAppend = new WrongExpectedRevisionError(keyStreamId(keyId), 0, 1);

    const outcome = await handler.execute(new RevealKey(ACCOUNT, keyId, 'current', context));

    expect(outcome).toEqual({ ok: false, rejection: { code: 'CONCURRENT_CHANGE', message: expect.any(String) } });
    expect(open).not.toHaveBeenCalled();
    expect(store.types(keyId)).toEqual(['KeyGenerated']);
  });

  it('a refused reveal (revoked key, another account, no grace) appends nothing and opens nothing', async () => {
    const { store, open, handler, generate, executor } = setup();
    const { keyId } = await generate();
    expect(await handler.execute(new RevealKey(ACCOUNT, keyId, 'previous', context))).toMatchObject({
      ok: false,
      rejection: { code: 'NO_PREVIOUS_SECRET' },
    });
    expect(await handler.execute(new RevealKey('acct_2', keyId, 'current', context))).toMatchObject({
      ok: false,
      rejection: { code: 'KEY_NOT_FOUND' },
    });
    await executor.execute(keyId, ACCOUNT, () => ({ command: { type: 'RevokeKey', reason: null }, result: null }), context);
    expect(await handler.execute(new RevealKey(ACCOUNT, keyId, 'current', context))).toMatchObject({
      ok: false,
      rejection: { code: 'KEY_REVOKED' },
    });
    expect(open).not.toHaveBeenCalled();
    expect(store.types(keyId)).toEqual(['KeyGenerated', 'KeyRevoked']);
  });

  it('reveals the previous secret in its grace under its own version, also recorded first', async () => {
    const { log, store, open, handler, generate, regenerate } = setup();
    const { keyId, secret: original } = await generate();
    const rotated = await regenerate(keyId, new Date(Date.now() + 3_600_000));

    expect(await handler.execute(new RevealKey(ACCOUNT, keyId, 'previous', context))).toMatchObject({ ok: true, result: original });
    expect(await handler.execute(new RevealKey(ACCOUNT, keyId, 'current', context))).toMatchObject({ ok: true, result: rotated });
    expect(log).toEqual(['append: KeyRevealed', 'open: v1', 'append: KeyRevealed', 'open: v2']);
    expect(open.mock.calls.map(([, binding]) => binding)).toEqual([
      { keyId, secretVersion: 1 },
      { keyId, secretVersion: 2 },
    ]);
    expect(store.types(keyId)).toEqual(['KeyGenerated', 'KeyRotated', 'KeyRevealed', 'KeyRevealed']);
    const revealed = (store.streams.get(keyStreamId(keyId)) ?? []).filter((e) => e.type === 'KeyRevealed').map((e) => e.data);
    expect(revealed).toEqual([
      expect.objectContaining({ slot: 'previous', secretVersion: 1 }),
      expect.objectContaining({ slot: 'current', secretVersion: 2 }),
    ]);
  });
});
