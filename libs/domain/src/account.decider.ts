/**
 * The account decider: the "at most MAX_ACTIVE_SIGNING_KEYS active signing keys per account" rule,
 * decided on the write side under optimistic concurrency, not checked against the read model.
 *
 * Every signature header carries one signature per valid signing secret, and a header holds at most
 * 16 (two per key during a rotation's grace period), so the cap must hold even when generates race.
 * A key's own stream cannot enforce a rule across keys, so each account has a stream of slots:
 *
 * - A command that brings a signing key to life (GenerateKey of a signing key, RegenerateKey of an
 *   expired one: see `takesSigningKeySlot`) first appends `SigningKeySlotReserved` to
 *   `account-<accountId>`, with the expected revision of the account stream it read; only then does
 *   it append to the key's stream. Two reservations can therefore never be decided on the same view
 *   of the account: the loser re-reads and decides again.
 * - The decision counts, among the account's reservations (other than the key being reserved), the
 *   keys that hold a slot, from each reserved key's own stream (`slotHolding`):
 *     · a key whose recorded status is `active` holds it (recorded, not "live at now": every command
 *       that could keep a key alive read that status, and a KeyExpired appended since makes it fail);
 *     · a revoked key, or an expired one (KeyExpired recorded), frees it. Only a RegenerateKey can
 *       bring an expired key back, and that takes a new reservation, so freeing it is safe;
 *     · a reservation whose key stream is still at the revision the command read (for a new key:
 *       still absent) is in flight and holds the slot for SLOT_IN_FLIGHT_MS from `reservedAt`, so an
 *       in-flight generate is counted but a crash between the two appends leaks a slot only that
 *       long. The command gives up (CONCURRENT_CHANGE) instead of appending to its key stream once
 *       SLOT_APPEND_DEADLINE_MS have passed since `reservedAt` (`mayStillAppend`); the difference
 *       between the two durations absorbs clock skew between instances and the last steps of the append.
 * - Slots found free are released in the same append (`SigningKeySlotReleased`), so the stream's
 *   open reservations, and the key streams read per decision, stay about MAX_ACTIVE_SIGNING_KEYS.
 * - Accounts whose signing keys were generated before this stream existed: when the stream is
 *   created, the caller passes the account's known signing keys (`existingKeyIds`, from the read
 *   model) and they are adopted as slots (`SigningKeySlotsAdopted`), so they keep counting.
 *
 * Pure: the time and every reserved key's stream revision and state come in as arguments.
 */
import { DEFAULT_LEAK_POLICY, type AccountEvent, type LeakPolicy, type LeakPolicySet, type SigningKeySlotReleased } from './account-events';
import type { KeyCommand } from './key.decider';
import type { KeyState } from './key-state';
import { reject, type Rejection } from './rejections';

/** Each key has at most two valid secrets, and a signature header holds at most 16 signatures. */
export const MAX_ACTIVE_SIGNING_KEYS = 8;
/** How long a reservation whose key command has not landed yet holds its slot. */
export const SLOT_IN_FLIGHT_MS = 60_000;
/** After this long from its reservation, a command no longer appends to its key stream. */
export const SLOT_APPEND_DEADLINE_MS = 30_000;

export interface SlotReservation {
  keyId: string;
  /** The key stream revision the reserving command read (null: a new key; or an adopted key). */
  keyRevision: number | null;
  /** Null for an adopted key: it was never in flight. */
  reservedAt: string | null;
}

export interface AccountState {
  /**
   * False until the account stream has its first slot event (then pre-existing keys get adopted).
   * A LeakPolicySet alone does not set it: the keys generated before any slot was decided must
   * still be adopted by the first reservation.
   */
  exists: boolean;
  /** Open reservations by key id. */
  reservations: Readonly<Record<string, SlotReservation>>;
  /** The last LeakPolicySet's policy; absent: never set (DEFAULT_LEAK_POLICY applies). */
  leakPolicy?: LeakPolicy;
}

/** What the decider needs to know of a reserved key, from its own stream. */
export interface ReservedKey {
  /** Revision of the stream's last event; null when the stream does not exist. */
  revision: number | null;
  state: KeyState;
}

export type AccountCommand = {
  type: 'ReserveSigningKeySlot';
  accountId: string;
  keyId: string;
  /** The key stream revision the command read and will append after (null: a new key). */
  keyRevision: number | null;
  /** Read only while the account stream does not exist: the account's signing keys known so far. */
  existingKeyIds?: string[];
};

export type AccountDecision = { ok: true; events: AccountEvent[] } | { ok: false; rejection: Rejection };

export const initialAccountState = (): AccountState => ({ exists: false, reservations: {} });

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'LeakPolicySet') return { ...state, leakPolicy: event.data.policy };
  const reservations = { ...state.reservations };
  switch (event.type) {
    case 'SigningKeySlotReserved': {
      const { keyId, keyRevision, reservedAt } = event.data;
      reservations[keyId] = { keyId, keyRevision, reservedAt };
      break;
    }
    case 'SigningKeySlotsAdopted':
      for (const keyId of event.data.keyIds) reservations[keyId] ??= { keyId, keyRevision: null, reservedAt: null };
      break;
    case 'SigningKeySlotReleased':
      delete reservations[event.data.keyId];
      break;
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled account event ${JSON.stringify(unreachable)}`);
    }
  }
  return { ...state, exists: true, reservations };
}

/** The leak policy in force for an account. */
export const leakPolicyOf = (state: AccountState): LeakPolicy => state.leakPolicy ?? DEFAULT_LEAK_POLICY;

/** Setting the policy in force already records nothing (so the history holds changes only). */
export function decideLeakPolicy(accountId: string, policy: LeakPolicy, state: AccountState): LeakPolicySet[] {
  if (state.leakPolicy === policy || (state.leakPolicy === undefined && policy === DEFAULT_LEAK_POLICY)) return [];
  return [{ type: 'LeakPolicySet', data: { accountId, policy } }];
}

export const foldAccount = (events: Iterable<AccountEvent>): AccountState => {
  let state = initialAccountState();
  for (const event of events) state = evolveAccount(state, event);
  return state;
};

/** Does this key command, accepted on this state, need a signing-key slot first? */
export function takesSigningKeySlot(command: KeyCommand, state: KeyState): boolean {
  if (command.type === 'GenerateKey') return command.kind === 'signing';
  // An active key keeps its slot through a regenerate; an expired one comes back to life.
  if (command.type === 'RegenerateKey') return state.status === 'expired' && state.props.kind === 'signing';
  return false;
}

/** Whether a command that reserved at `reservedAt` may still append to its key stream at `now`. */
export function mayStillAppend(reservedAt: Date, now: Date): boolean {
  return now.getTime() - reservedAt.getTime() < SLOT_APPEND_DEADLINE_MS;
}

/** The key streams the caller must read (and pass as `keys`) before deciding this command. */
export function keysToConsult(command: AccountCommand, state: AccountState): string[] {
  const ids = new Set(Object.keys(state.reservations));
  if (!state.exists) for (const id of command.existingKeyIds ?? []) ids.add(id);
  ids.delete(command.keyId);
  return [...ids].sort();
}

export type SlotHolding = { holds: true; inFlight: boolean } | { holds: false; reason: SigningKeySlotReleased['data']['reason'] };

/** Whether a reservation still holds its slot at `now`, given its key's stream. */
export function slotHolding(reservation: SlotReservation, key: ReservedKey, now: Date): SlotHolding {
  if (key.state.status === 'revoked') return { holds: false, reason: 'revoked' };
  const inFlight =
    reservation.reservedAt !== null &&
    key.revision === reservation.keyRevision &&
    now.getTime() < Date.parse(reservation.reservedAt) + SLOT_IN_FLIGHT_MS;
  if (inFlight) return { holds: true, inFlight: true };
  if (key.state.status === 'active') return { holds: true, inFlight: false };
  return { holds: false, reason: key.state.status === 'absent' ? 'lapsed' : 'expired' };
}

export function decideAccount(
  command: AccountCommand,
  state: AccountState,
  keys: Readonly<Record<string, ReservedKey>>,
  now: Date,
): AccountDecision {
  const { accountId } = command;
  const events: AccountEvent[] = [];
  const reservations: Record<string, SlotReservation> = { ...state.reservations };
  if (!state.exists) {
    const adopted = [...new Set(command.existingKeyIds ?? [])].filter((id) => id !== command.keyId).sort();
    if (adopted.length > 0) {
      events.push({ type: 'SigningKeySlotsAdopted', data: { accountId, keyIds: adopted } });
      for (const keyId of adopted) reservations[keyId] = { keyId, keyRevision: null, reservedAt: null };
    }
  }
  let held = 0;
  const released: AccountEvent[] = [];
  for (const keyId of Object.keys(reservations).sort()) {
    if (keyId === command.keyId) continue; // re-reserving a key replaces its reservation
    const key = keys[keyId];
    // A contract violation, not a business outcome: never guess that an unread key is gone.
    if (!key) throw new Error(`decideAccount: the state of reserved key ${keyId} was not given (see keysToConsult)`);
    const holding = slotHolding(reservations[keyId], key, now);
    if (holding.holds) held++;
    else released.push({ type: 'SigningKeySlotReleased', data: { accountId, keyId, reason: holding.reason } });
  }
  if (held >= MAX_ACTIVE_SIGNING_KEYS) {
    return {
      ok: false,
      rejection: reject('TOO_MANY_KEYS', `an account may hold at most ${MAX_ACTIVE_SIGNING_KEYS} active signing keys; revoke one first`),
    };
  }
  events.push(...released, {
    type: 'SigningKeySlotReserved',
    data: { accountId, keyId: command.keyId, keyRevision: command.keyRevision, reservedAt: now.toISOString() },
  });
  return { ok: true, events };
}
