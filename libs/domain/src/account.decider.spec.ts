import {
  MAX_ACTIVE_SIGNING_KEYS,
  SLOT_APPEND_DEADLINE_MS,
  SLOT_IN_FLIGHT_MS,
  decideAccount,
  foldAccount,
  keysToConsult,
  mayStillAppend,
  takesSigningKeySlot,
} from './account.decider';
import type { AccountEvent } from './account-events';
import { evolve, initialState } from './key-state';
import { ACCOUNT_ID, T0, generateKey, keyExpired, keyExpirySet, keyGenerated, regenerateKey } from './testing/decider-specification';
import {
  accountSpec,
  adopted,
  released,
  reserve,
  reserved,
  reservedKey,
  signingKeyId,
  signingKeyStream,
  type KeyStream,
} from './testing/account-decider-specification';

const seconds = (s: number): Date => new Date(T0.getTime() + s * 1000);
const NEW_KEY = signingKeyId(99);

/** `n` signing keys reserved at T0 and generated (active), as the account stream and key streams. */
function activeKeys(n: number, from = 0): { events: AccountEvent[]; streams: Record<string, KeyStream> } {
  const ids = Array.from({ length: n }, (_, i) => signingKeyId(from + i));
  return {
    events: ids.map((id) => reserved(id, T0)),
    streams: Object.fromEntries(ids.map((id) => [id, signingKeyStream(id)])),
  };
}

describe('account decider: at most 8 active signing keys', () => {
  it('the cap is 8: a signature header holds 16 signatures, two per key in a grace period', () => {
    expect(MAX_ACTIVE_SIGNING_KEYS).toBe(8);
  });

  describe('ReserveSigningKeySlot', () => {
    it('reserves the first slot of an account, recording the time and that the key does not exist yet', () => {
      const state = accountSpec
        .given([])
        .when(reserve(NEW_KEY), T0)
        .then([reserved(NEW_KEY, T0)]);
      expect(state).toEqual({
        exists: true,
        reservations: { [NEW_KEY]: { keyId: NEW_KEY, keyRevision: null, reservedAt: T0.toISOString() } },
      });
    });

    it('reserves the 8th slot beside 7 active signing keys', () => {
      const { events, streams } = activeKeys(7);
      accountSpec
        .given(events, streams)
        .when(reserve(NEW_KEY), seconds(5))
        .then([reserved(NEW_KEY, seconds(5))]);
    });

    it('refuses a 9th beside 8 active signing keys, recording nothing', () => {
      const { events, streams } = activeKeys(8);
      accountSpec.given(events, streams).when(reserve(NEW_KEY), seconds(5)).thenRejects('TOO_MANY_KEYS');
    });

    it('counts a key by its recorded status: a current secret whose expiry passed but is not recorded yet still holds its slot', () => {
      const { events, streams } = activeKeys(7);
      const lapsing = signingKeyId(7);
      const stream = signingKeyStream(lapsing, 'expiry-passed');
      expect(reservedKey(stream).state.status).toBe('active');
      accountSpec
        .given([...events, reserved(lapsing, T0)], { ...streams, [lapsing]: stream })
        .when(reserve(NEW_KEY), seconds(120))
        .thenRejects('TOO_MANY_KEYS');
    });

    it('a revoked key frees its slot, released in the same append', () => {
      const { events, streams } = activeKeys(8);
      const gone = signingKeyId(3);
      accountSpec
        .given(events, { ...streams, [gone]: signingKeyStream(gone, 'revoked') })
        .when(reserve(NEW_KEY), seconds(5))
        .then([released(gone, 'revoked'), reserved(NEW_KEY, seconds(5))]);
    });

    it('an expired key (KeyExpired recorded) frees its slot', () => {
      const { events, streams } = activeKeys(8);
      const gone = signingKeyId(0);
      const after = accountSpec
        .given(events, { ...streams, [gone]: signingKeyStream(gone, 'expired') })
        .when(reserve(NEW_KEY), seconds(5))
        .then([released(gone, 'expired'), reserved(NEW_KEY, seconds(5))]);
      expect(Object.keys(after.reservations)).not.toContain(gone);
      expect(Object.keys(after.reservations)).toHaveLength(8);
    });

    it('a rotated (regenerated) key still holds exactly one slot', () => {
      const { events, streams } = activeKeys(8);
      const rotated = signingKeyId(2);
      accountSpec
        .given(events, { ...streams, [rotated]: signingKeyStream(rotated, 'rotated') })
        .when(reserve(NEW_KEY), seconds(5))
        .thenRejects('TOO_MANY_KEYS');
    });

    it('a suspended key still holds its slot, so resuming it never needs one', () => {
      const { events, streams } = activeKeys(8);
      const suspended = signingKeyId(3);
      const stream: KeyStream = [
        ...signingKeyStream(suspended),
        { type: 'KeySuspended', data: { keyId: suspended, accountId: ACCOUNT_ID, kind: 'signing', reason: null } },
      ];
      accountSpec
        .given(events, { ...streams, [suspended]: stream })
        .when(reserve(NEW_KEY), seconds(5))
        .thenRejects('TOO_MANY_KEYS');
      expect(takesSigningKeySlot({ type: 'ResumeKey' }, evolve(evolve(initialState(), stream[0]), stream[1]))).toBe(false);
    });
  });

  describe('reservations in flight (the key command has not landed yet)', () => {
    const inFlight = (n: number) => {
      const ids = Array.from({ length: n }, (_, i) => signingKeyId(50 + i));
      return { events: ids.map((id) => reserved(id, T0)), streams: Object.fromEntries(ids.map((id) => [id, [] as KeyStream])) };
    };

    it('a reservation whose key does not exist yet holds its slot: 8 concurrent generates fill the account', () => {
      const { events, streams } = inFlight(8);
      accountSpec.given(events, streams).when(reserve(NEW_KEY), seconds(59)).thenRejects('TOO_MANY_KEYS');
    });

    it('in-flight and generated keys count together', () => {
      const active = activeKeys(5);
      const pending = inFlight(3);
      accountSpec
        .given([...active.events, ...pending.events], { ...active.streams, ...pending.streams })
        .when(reserve(NEW_KEY), seconds(10))
        .thenRejects('TOO_MANY_KEYS');
    });

    it(`a reservation whose key never appeared is released after ${SLOT_IN_FLIGHT_MS / 1000} s: a crash between the two appends does not leak the slot`, () => {
      const active = activeKeys(7);
      const pending = inFlight(1);
      const lapsed = signingKeyId(50);
      const state = { events: [...active.events, ...pending.events], streams: { ...active.streams, ...pending.streams } };
      accountSpec
        .given(state.events, state.streams)
        .when(reserve(NEW_KEY), new Date(T0.getTime() + SLOT_IN_FLIGHT_MS - 1))
        .thenRejects('TOO_MANY_KEYS');
      const at = new Date(T0.getTime() + SLOT_IN_FLIGHT_MS);
      accountSpec
        .given(state.events, state.streams)
        .when(reserve(NEW_KEY), at)
        .then([released(lapsed, 'lapsed'), reserved(NEW_KEY, at)]);
    });

    it('a regenerate of an expired key holds its slot while its key stream is still at the revision it read', () => {
      const { events, streams } = activeKeys(7);
      const reviving = signingKeyId(7);
      const expired = signingKeyStream(reviving, 'expired'); // revision 2
      const account = [...events, reserved(reviving, T0, 2)];
      // In flight: refused.
      accountSpec
        .given(account, { ...streams, [reviving]: expired })
        .when(reserve(NEW_KEY), seconds(10))
        .thenRejects('TOO_MANY_KEYS');
      // Landed (KeyRotated at revision 3): active, holds its slot.
      const rotated = signingKeyStream(reviving, 'expired-then-rotated');
      expect(reservedKey(rotated)).toMatchObject({ revision: 3, state: { status: 'active' } });
      accountSpec
        .given(account, { ...streams, [reviving]: rotated })
        .when(reserve(NEW_KEY), seconds(10))
        .thenRejects('TOO_MANY_KEYS');
      // Never landed, and its time is up: still expired, the slot is free.
      const later = new Date(T0.getTime() + SLOT_IN_FLIGHT_MS);
      accountSpec
        .given(account, { ...streams, [reviving]: expired })
        .when(reserve(NEW_KEY), later)
        .then([released(reviving, 'expired'), reserved(NEW_KEY, later)]);
    });

    it('a reservation overtaken by another change of its key (its command will fail) no longer holds the slot', () => {
      const { events, streams } = activeKeys(7);
      const key = signingKeyId(7);
      const revoked = signingKeyStream(key, 'expired-then-revoked');
      accountSpec
        .given([...events, reserved(key, T0, 2)], { ...streams, [key]: revoked })
        .when(reserve(NEW_KEY), seconds(1))
        .then([released(key, 'revoked'), reserved(NEW_KEY, seconds(1))]);
    });
  });

  describe('reserving again for the same key', () => {
    it('is not counted against itself, and replaces its earlier reservation', () => {
      const { events, streams } = activeKeys(7);
      const key = signingKeyId(7);
      const state = accountSpec
        .given([...events, reserved(key, T0)], { ...streams })
        .when(reserve(key, 2), seconds(90))
        .then([reserved(key, seconds(90), 2)]);
      expect(state.reservations[key]).toEqual({ keyId: key, keyRevision: 2, reservedAt: seconds(90).toISOString() });
    });
  });

  describe('accounts with signing keys from before the account stream', () => {
    it('adopts the existing keys when the stream is created, and counts them', () => {
      const { streams } = activeKeys(8);
      accountSpec
        .given([], streams)
        .when(reserve(NEW_KEY, null, Object.keys(streams)), T0)
        .thenRejects('TOO_MANY_KEYS');
    });

    it('records the adoption, releasing the existing keys that no longer hold a slot', () => {
      const { streams } = activeKeys(8);
      const revoked = signingKeyId(4);
      const ids = Object.keys(streams).reverse();
      const state = accountSpec
        .given([], { ...streams, [revoked]: signingKeyStream(revoked, 'revoked') })
        .when(reserve(NEW_KEY, null, ids), T0)
        .then([adopted([...ids].sort()), released(revoked, 'revoked'), reserved(NEW_KEY, T0)]);
      expect(Object.keys(state.reservations)).toHaveLength(8);
      // Adopted keys were never in flight.
      expect(state.reservations[signingKeyId(0)]).toEqual({ keyId: signingKeyId(0), keyRevision: null, reservedAt: null });
    });

    it('ignores existing keys once the account stream exists', () => {
      const { streams } = activeKeys(8);
      const existing = foldAccount([reserved(signingKeyId(0), T0)]);
      expect(keysToConsult(reserve(NEW_KEY, null, Object.keys(streams)), existing)).toEqual([signingKeyId(0)]);
      accountSpec
        .given([reserved(signingKeyId(0), T0)], streams)
        .when(reserve(NEW_KEY, null, Object.keys(streams)), seconds(1))
        .then([reserved(NEW_KEY, seconds(1))]);
    });
  });

  it('names the key streams to read: every open reservation but the key being reserved', () => {
    const state = foldAccount([
      reserved(signingKeyId(2), T0),
      reserved(signingKeyId(1), T0),
      reserved(NEW_KEY, T0),
      released(signingKeyId(2), 'revoked'),
    ]);
    expect(keysToConsult(reserve(NEW_KEY), state)).toEqual([signingKeyId(1)]);
    expect(keysToConsult(reserve(NEW_KEY, null, [signingKeyId(7)]), foldAccount([]))).toEqual([signingKeyId(7)]);
  });

  it('refuses to guess when a reserved key was not read (a caller bug, thrown)', () => {
    const state = foldAccount([reserved(signingKeyId(1), T0)]);
    expect(() => decideAccount(reserve(NEW_KEY), state, {}, T0)).toThrow(/not given/);
  });

  describe('which key commands take a slot', () => {
    const signingState = reservedKey(signingKeyStream(signingKeyId(1))).state;
    const expiredSigning = reservedKey(signingKeyStream(signingKeyId(1), 'expired')).state;

    it('generating a signing key does, an API key does not', () => {
      expect(takesSigningKeySlot(generateKey({ kind: 'signing' }), { status: 'absent' })).toBe(true);
      expect(takesSigningKeySlot(generateKey({ kind: 'api' }), { status: 'absent' })).toBe(false);
    });

    it('regenerating an expired signing key does (it comes back to life); an active one keeps its slot', () => {
      expect(takesSigningKeySlot(regenerateKey(2, T0), expiredSigning)).toBe(true);
      expect(takesSigningKeySlot(regenerateKey(2, T0), signingState)).toBe(false);
      // Recorded status, not time: an expiry that passed without KeyExpired recorded is still active.
      expect(takesSigningKeySlot(regenerateKey(2, T0), reservedKey(signingKeyStream(signingKeyId(1), 'expiry-passed')).state)).toBe(false);
      // API keys are not capped.
      expect(
        takesSigningKeySlot(
          regenerateKey(2, T0),
          reservedKey([keyGenerated(), keyExpirySet('current', 1, seconds(-1)), keyExpired('current', 1, seconds(-1))]).state,
        ),
      ).toBe(false);
      expect(takesSigningKeySlot({ type: 'RevokeKey', reason: null }, expiredSigning)).toBe(false);
    });

    it(`a command appends to its key stream only within ${SLOT_APPEND_DEADLINE_MS / 1000} s of its reservation, well inside the in-flight time`, () => {
      expect(SLOT_APPEND_DEADLINE_MS).toBeLessThan(SLOT_IN_FLIGHT_MS);
      expect(mayStillAppend(T0, new Date(T0.getTime() + SLOT_APPEND_DEADLINE_MS - 1))).toBe(true);
      expect(mayStillAppend(T0, new Date(T0.getTime() + SLOT_APPEND_DEADLINE_MS))).toBe(false);
    });
  });
});
