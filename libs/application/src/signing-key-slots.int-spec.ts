import { createHash, randomUUID } from 'node:crypto';
import { SLOT_APPEND_DEADLINE_MS, SLOT_IN_FLIGHT_MS, accountStreamId, keyStreamId, type KeyCommand } from '@cs/domain';
import { SqliteEventStore, type EventStore } from '@cs/event-store';
import { MemoryValidityIndex } from '@cs/validity';
import { KeyCommandExecutor, type CommandContext, type CommandOutcome } from './key-command-executor';
import { SigningKeySlots, type SigningKeySlotsOptions } from './signing-key-slots';

// The signing-key cap's pipeline on a real (SQLite) store, with a controllable clock: what the HTTP
// suites cannot reach in their time, a crash between the reservation and the key's append, a lost
// race on the account stream, the append deadline, and accounts whose keys predate their slots.

const context: CommandContext = { actor: { type: 'user', sub: 'tester', acct: 'acct_1', roles: [] } };
const sealed = { kid: 'test', alg: 'A256GCM' as const, iv: 'iv', ciphertext: 'ct', tag: 'tag' };
const newId = () => `key_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
const material = () => ({ hash: createHash('sha256').update(randomUUID()).digest('hex'), start: 'sig_test_abc123', sealed });

const generate = (keyId: string, accountId: string, kind: 'api' | 'signing' = 'signing'): KeyCommand => ({
  type: 'GenerateKey',
  keyId,
  accountId,
  kind,
  name: 'webhooks',
  allowedIps: [],
  webhookFormat: 'single',
  secret: material(),
});

describe('SigningKeySlots (the signing-key cap on the write side)', () => {
  let store: SqliteEventStore;
  let index: MemoryValidityIndex;
  let executor: KeyCommandExecutor;
  let now: number;
  const clock = () => new Date(now);
  const accountId = () => `acct_${randomUUID().slice(0, 8)}`;

  beforeEach(() => {
    store = new SqliteEventStore({ path: ':memory:' });
    index = new MemoryValidityIndex();
    now = Date.parse('2025-03-10T12:00:00.000Z');
    executor = new KeyCommandExecutor(store, index, clock);
  });
  afterEach(async () => {
    await index.close();
    await store.close();
  });

  const slotsOn = (on: EventStore, options: SigningKeySlotsOptions = {}) => new SigningKeySlots(on, executor, { clock, ...options });
  const run = (slots: SigningKeySlots, command: KeyCommand, keyId: string, acct: string): Promise<CommandOutcome<null>> =>
    slots.execute(keyId, acct, () => ({ command, result: null }), context);
  const codeOf = (outcome: CommandOutcome<unknown>) => (outcome.ok ? 'OK' : outcome.rejection.code);
  const types = async (streamId: string) => (await store.readStream(streamId)).map((e) => e.type);
  async function fill(slots: SigningKeySlots, acct: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = newId();
      expect(codeOf(await run(slots, generate(id, acct), id, acct))).toBe('OK');
      ids.push(id);
    }
    return ids;
  }

  it('a crash between the reservation and the key append holds the slot for the in-flight time only', async () => {
    const slots = slotsOn(store);
    const acct = accountId();
    await fill(slots, acct, 7);
    // The reservation lands, the process dies before KeyGenerated.
    const crashed = newId();
    expect(await slots.reserve(acct, crashed, null, context)).toEqual({ ok: true, reservedAt: clock() });
    const blocked = newId();
    expect(codeOf(await run(slots, generate(blocked, acct), blocked, acct))).toBe('TOO_MANY_KEYS');
    now += SLOT_IN_FLIGHT_MS - 1;
    expect(codeOf(await run(slots, generate(blocked, acct), blocked, acct))).toBe('TOO_MANY_KEYS');
    now += 1;
    expect(codeOf(await run(slots, generate(blocked, acct), blocked, acct))).toBe('OK');
    const account = await store.readStream(accountStreamId(acct));
    expect(account.map((e) => e.type).slice(-2)).toEqual(['SigningKeySlotReleased', 'SigningKeySlotReserved']);
    expect(account[account.length - 2].data).toEqual({ accountId: acct, keyId: crashed, reason: 'lapsed' });
    // Refused decisions appended nothing: 7 + the crashed one + the released-and-reserved pair.
    expect(account).toHaveLength(10);
  });

  it('a lost race on the account stream is decided again on the new state', async () => {
    const acct = accountId();
    const other = newId();
    let raced = false;
    // Just before our first account append, another instance's reservation lands.
    const racing = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'appendToStream') return Reflect.get(target, property, receiver);
        return async (streamId: string, events: never[], options: never) => {
          if (!raced && streamId === accountStreamId(acct)) {
            raced = true;
            expect((await slotsOn(store).reserve(acct, other, null, context)).ok).toBe(true);
          }
          return target.appendToStream(streamId, events, options);
        };
      },
    });
    const id = newId();
    expect(codeOf(await run(slotsOn(racing), generate(id, acct), id, acct))).toBe('OK');
    const reservations = (await store.readStream(accountStreamId(acct))).map((e) => e.data.keyId);
    expect(reservations).toEqual([other, id]);

    // With a single attempt, the same race is a CONCURRENT_CHANGE, and the key is not generated.
    const acct2 = accountId();
    raced = false;
    const racing2 = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'appendToStream') return Reflect.get(target, property, receiver);
        return async (streamId: string, events: never[], options: never) => {
          if (!raced && streamId === accountStreamId(acct2)) {
            raced = true;
            await slotsOn(store).reserve(acct2, newId(), null, context);
          }
          return target.appendToStream(streamId, events, options);
        };
      },
    });
    const id2 = newId();
    expect(codeOf(await run(slotsOn(racing2, { attempts: 1 }), generate(id2, acct2), id2, acct2))).toBe('CONCURRENT_CHANGE');
    expect(await store.readStream(keyStreamId(id2))).toEqual([]);
  });

  it('a command whose reservation is older than the append deadline does not append to its key', async () => {
    const acct = accountId();
    // The clock jumps between the reservation and the key append (a long pause).
    let reads = 0;
    const pausing = slotsOn(store, {
      clock: () => new Date(now + (reads++ >= 2 ? SLOT_APPEND_DEADLINE_MS : 0)),
    });
    const id = newId();
    expect(codeOf(await run(pausing, generate(id, acct), id, acct))).toBe('CONCURRENT_CHANGE');
    expect(await store.readStream(keyStreamId(id))).toEqual([]);
    expect(await types(accountStreamId(acct))).toEqual(['SigningKeySlotReserved']);
  });

  it("adopts an account's signing keys generated before its slot stream existed", async () => {
    const acct = accountId();
    const before: string[] = [];
    for (let i = 0; i < 8; i++) {
      const id = newId();
      expect((await executor.execute(id, acct, () => ({ command: generate(id, acct), result: null }), context)).ok).toBe(true);
      before.push(id);
    }
    const slots = slotsOn(store, {
      existingSigningKeyIds: async (a) =>
        (await index.listKeys(a)).filter((k) => k.kind === 'signing' && k.status !== 'revoked').map((k) => k.keyId),
    });
    const id = newId();
    expect(codeOf(await run(slots, generate(id, acct), id, acct))).toBe('TOO_MANY_KEYS');
    // Refused: nothing recorded yet. Revoke one: the 7 left are adopted beside the new reservation.
    expect(await types(accountStreamId(acct))).toEqual([]);
    expect(
      (await executor.execute(before[0], acct, () => ({ command: { type: 'RevokeKey', reason: null }, result: null }), context)).ok,
    ).toBe(true);
    expect(codeOf(await run(slots, generate(id, acct), id, acct))).toBe('OK');
    const account = await store.readStream(accountStreamId(acct));
    expect(account.map((e) => e.type)).toEqual(['SigningKeySlotsAdopted', 'SigningKeySlotReserved']);
    expect(account[0].data.keyIds).toEqual(before.slice(1).sort());
    // Adopted keys count like any other: the account is full again.
    const ninth = newId();
    expect(codeOf(await run(slots, generate(ninth, acct), ninth, acct))).toBe('TOO_MANY_KEYS');
  });

  it('reserves nothing for a refused command, an API key, an active key or another account', async () => {
    const slots = slotsOn(store);
    const acct = accountId();
    const [signing] = await fill(slots, acct, 1);
    const reservations = async () => (await types(accountStreamId(acct))).length;
    expect(await reservations()).toBe(1);
    // Regenerating an active signing key keeps its slot.
    const regenerate: KeyCommand = { type: 'RegenerateKey', oldSecretExpiresAt: clock(), secret: material() };
    expect(codeOf(await run(slots, regenerate, signing, acct))).toBe('OK');
    // Another account's key: not found, as with any command.
    expect(codeOf(await run(slots, regenerate, signing, accountId()))).toBe('KEY_NOT_FOUND');
    // An API key.
    const api = newId();
    expect(codeOf(await run(slots, generate(api, acct, 'api'), api, acct))).toBe('OK');
    // A regenerate of a revoked signing key is refused by the key decider before any reservation.
    expect(
      (await executor.execute(signing, acct, () => ({ command: { type: 'RevokeKey', reason: null }, result: null }), context)).ok,
    ).toBe(true);
    expect(codeOf(await run(slots, regenerate, signing, acct))).toBe('KEY_REVOKED');
    // An invalid generate too.
    const bad = newId();
    expect(codeOf(await run(slots, { ...generate(bad, acct), allowedIps: ['not-an-ip'] } as KeyCommand, bad, acct))).toBe(
      'INVALID_ALLOWED_IPS',
    );
    expect(await reservations()).toBe(1);
  });

  it('regenerating an expired signing key takes a slot, pinned to the revision it read', async () => {
    const slots = slotsOn(store);
    const acct = accountId();
    const [expiring, ...others] = await fill(slots, acct, 8);
    const setExpiry: KeyCommand = { type: 'SetExpiry', slot: 'current', expiresAt: new Date(now - 1000) };
    expect((await executor.execute(expiring, acct, () => ({ command: setExpiry, result: null }), context)).ok).toBe(true);
    const regenerate: KeyCommand = { type: 'RegenerateKey', oldSecretExpiresAt: clock(), secret: material() };
    // A slot is free now, so a new key takes it first; the expired key cannot come back beside 8.
    const newcomer = newId();
    expect(codeOf(await run(slots, generate(newcomer, acct), newcomer, acct))).toBe('OK');
    expect(codeOf(await run(slots, regenerate, expiring, acct))).toBe('TOO_MANY_KEYS');
    expect(
      (await executor.execute(others[0], acct, () => ({ command: { type: 'RevokeKey', reason: null }, result: null }), context)).ok,
    ).toBe(true);
    expect(codeOf(await run(slots, regenerate, expiring, acct))).toBe('OK');
    const reservation = (await store.readStream(accountStreamId(acct))).at(-1)!;
    expect(reservation).toMatchObject({ type: 'SigningKeySlotReserved', data: { keyId: expiring, keyRevision: 2 } });
    expect(await types(keyStreamId(expiring))).toEqual(['KeyGenerated', 'KeyExpirySet', 'KeyExpired', 'KeyRotated']);
  });
});
