/**
 * Given/when/then for the account decider, in the style of decider-specification.ts:
 *
 *   accountSpec
 *     .given([reserved(KEY_A, T0)], { [KEY_A]: generatedKey(KEY_A) })
 *     .when(reserve(KEY_B), at(1))
 *     .then([reserved(KEY_B, at(1))]);
 *
 * `given` takes the account stream's events (folded with `evolveAccount`) and what each reserved
 * key's own stream holds (its events, folded with the key `evolve`, and its last revision);
 * `when` calls `decideAccount(command, state, keys, now)`.
 */
import { expect } from '@jest/globals';
import type { AccountEvent, SigningKeySlotReleased } from '../account-events';
import {
  decideAccount,
  foldAccount,
  evolveAccount,
  type AccountCommand,
  type AccountDecision,
  type AccountState,
  type ReservedKey,
} from '../account.decider';
import type { KeyEvent } from '../events';
import { evolve, initialState, type KeyState } from '../key-state';
import type { RejectionCode } from '../rejections';
import { ACCOUNT_ID, aSecret, issued } from './decider-specification';

export interface AccountDeciderOutcome {
  readonly decision: AccountDecision;
  readonly state: AccountState;
  /** Asserts the command was accepted with exactly these events; returns the state after them. */
  then(expected: AccountEvent[]): AccountState;
  thenRejects(code: RejectionCode): void;
}

/** A key stream as the decider is given it: its events (the revision is the last index). */
export type KeyStream = KeyEvent[];

export const accountSpec = {
  given(events: AccountEvent[], keyStreams: Record<string, KeyStream> = {}) {
    const state = foldAccount(events);
    const keys: Record<string, ReservedKey> = Object.fromEntries(
      Object.entries(keyStreams).map(([id, stream]) => [id, reservedKey(stream)]),
    );
    return {
      when(command: AccountCommand, now: Date): AccountDeciderOutcome {
        const decision = decideAccount(command, state, keys, now);
        const describe = decision.ok
          ? `accepted with ${JSON.stringify(decision.events)}`
          : `rejected ${decision.rejection.code}: ${decision.rejection.message}`;
        return {
          decision,
          state,
          then(expected) {
            if (!decision.ok) throw new Error(`expected ${JSON.stringify(expected.map((e) => e.type))}, but the command was ${describe}`);
            expect(decision.events).toEqual(expected);
            return decision.events.reduce(evolveAccount, state);
          },
          thenRejects(code) {
            if (decision.ok) throw new Error(`expected rejection ${code}, but the command was ${describe}`);
            expect(decision.rejection.code).toBe(code);
            expect(decision.rejection.message.length).toBeGreaterThan(0);
          },
        };
      },
    };
  },
};

export function reservedKey(stream: KeyStream): ReservedKey {
  const state = stream.reduce<KeyState>((s, event) => evolve(s, event), initialState());
  return { revision: stream.length === 0 ? null : stream.length - 1, state };
}

// ---------------------------------------------------------------------------------------------
// Factory: signing keys of ACCOUNT_ID, their streams and the account stream's events
// ---------------------------------------------------------------------------------------------

/** A signing key id per index: signingKeyId(0) … signingKeyId(n). */
export const signingKeyId = (n: number): string => `key_SIGNING${String(n).padStart(17, '0')}`;

const base = (keyId: string) => ({ keyId, accountId: ACCOUNT_ID, kind: 'signing' as const });

export type SigningKeyHistory =
  | 'active'
  /** Its current secret's expiry has passed, but KeyExpired is not recorded yet. */
  | 'expiry-passed'
  | 'expired'
  | 'revoked'
  | 'rotated'
  /** Expired, then regenerated back to life. */
  | 'expired-then-rotated'
  | 'expired-then-revoked';

/** A signing key's stream (revision = length - 1). Expiries are an hour before T0. */
export function signingKeyStream(keyId: string, history: SigningKeyHistory = 'active'): KeyStream {
  const b = base(keyId);
  const passed = '2025-03-10T11:00:00.000Z';
  const generated: KeyEvent = {
    type: 'KeyGenerated',
    data: { ...b, name: 'webhooks', allowedIps: [], webhookFormat: 'single', secret: { ...aSecret(1, 'signing').secret, version: 1 } },
  };
  const expirySet: KeyEvent = { type: 'KeyExpirySet', data: { ...b, slot: 'current', secretVersion: 1, expiresAt: passed } };
  const expired: KeyEvent = { type: 'KeyExpired', data: { ...b, slot: 'current', secretVersion: 1, reason: 'expired', expiredAt: passed } };
  const rotated: KeyEvent = { type: 'KeyRotated', data: { ...b, secret: issued(2, 2), previousVersion: 1, previousExpiresAt: passed } };
  const revoked: KeyEvent = { type: 'KeyRevoked', data: { ...b, reason: null } };
  const histories: Record<SigningKeyHistory, KeyEvent[]> = {
    active: [generated],
    'expiry-passed': [generated, expirySet],
    expired: [generated, expirySet, expired],
    revoked: [generated, revoked],
    rotated: [generated, { ...rotated, data: { ...rotated.data, previousExpiresAt: '2025-03-10T13:00:00.000Z' } }],
    'expired-then-rotated': [generated, expirySet, expired, rotated],
    'expired-then-revoked': [generated, expirySet, expired, revoked],
  };
  return histories[history];
}

export const reserve = (keyId: string, keyRevision: number | null = null, existingKeyIds?: string[]): AccountCommand => ({
  type: 'ReserveSigningKeySlot',
  accountId: ACCOUNT_ID,
  keyId,
  keyRevision,
  ...(existingKeyIds ? { existingKeyIds } : {}),
});

export const reserved = (keyId: string, reservedAt: Date, keyRevision: number | null = null): AccountEvent => ({
  type: 'SigningKeySlotReserved',
  data: { accountId: ACCOUNT_ID, keyId, keyRevision, reservedAt: reservedAt.toISOString() },
});

export const released = (keyId: string, reason: SigningKeySlotReleased['data']['reason']): AccountEvent => ({
  type: 'SigningKeySlotReleased',
  data: { accountId: ACCOUNT_ID, keyId, reason },
});

export const adopted = (keyIds: string[]): AccountEvent => ({ type: 'SigningKeySlotsAdopted', data: { accountId: ACCOUNT_ID, keyIds } });
