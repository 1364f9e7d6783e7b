/**
 * The events of an account's stream (`account-<accountId>`): the signing-key slots of the account,
 * and its settings (the leak policy).
 * Like the key events, plain objects with a stable literal `type` and a schema version. They hold
 * ids and times only, never a secret. They are internal bookkeeping for the "at most 8 active
 * signing keys" rule (see account.decider.ts): the validity projection, the notification relay and
 * the history queries read key streams (`key-` prefix) only, so none of them sees these events.
 */

/**
 * A slot taken for a key that a command is about to bring to life: a new signing key (GenerateKey)
 * or an expired one (RegenerateKey). Appended to the account stream with the revision read just
 * before, so two reservations can never be decided on the same view of the account.
 */
export interface SigningKeySlotReserved {
  type: 'SigningKeySlotReserved';
  data: {
    accountId: string;
    keyId: string;
    /**
     * The key stream's revision the command read and will append after (null: the key does not
     * exist yet). While the key stream is still there, the command is in flight.
     */
    keyRevision: number | null;
    /** The decider's `now`: an in-flight reservation holds its slot for a bounded time from here. */
    reservedAt: string;
  };
}

/**
 * The account's signing keys recorded before slots existed, taken over when its stream is created,
 * so keys generated before the rule was enforced here still count.
 */
export interface SigningKeySlotsAdopted {
  type: 'SigningKeySlotsAdopted';
  data: { accountId: string; keyIds: string[] };
}

/**
 * A slot given back, found while deciding a later reservation: its key is revoked, expired, or was
 * never generated (the command that reserved it failed or crashed and its in-flight time passed).
 */
export interface SigningKeySlotReleased {
  type: 'SigningKeySlotReleased';
  data: { accountId: string; keyId: string; reason: 'revoked' | 'expired' | 'lapsed' };
}

/**
 * What a leak report (secret scanning) of one of the account's secrets that still works does:
 * `revoke` the key at once (the default, also for accounts that never set one), or only `alert`
 * (record KeyLeakReported and notify credentials.key.leaked).
 */
export type LeakPolicy = 'revoke' | 'alert';
export const LEAK_POLICIES: readonly LeakPolicy[] = ['revoke', 'alert'];
export const DEFAULT_LEAK_POLICY: LeakPolicy = 'revoke';

/** The account's leak policy changed (an owner or admin, with step-up): the audit trail of the setting. */
export interface LeakPolicySet {
  type: 'LeakPolicySet';
  data: { accountId: string; policy: LeakPolicy };
}

export type AccountEvent = SigningKeySlotReserved | SigningKeySlotsAdopted | SigningKeySlotReleased | LeakPolicySet;
export type AccountEventType = AccountEvent['type'];

export const ACCOUNT_EVENT_TYPES: readonly AccountEventType[] = [
  'SigningKeySlotReserved',
  'SigningKeySlotsAdopted',
  'SigningKeySlotReleased',
  'LeakPolicySet',
];

/** Schema version of each event type's `data`; bump with an upcaster when a shape changes. */
export const ACCOUNT_EVENT_SCHEMA_VERSION: Record<AccountEventType, number> = {
  SigningKeySlotReserved: 1,
  SigningKeySlotsAdopted: 1,
  SigningKeySlotReleased: 1,
  LeakPolicySet: 1,
};

export function isAccountEventType(type: string): type is AccountEventType {
  return (ACCOUNT_EVENT_TYPES as readonly string[]).includes(type);
}

/** Not a prefix of KEY_STREAM_PREFIX nor the other way round: key-stream readers never see it. */
export const ACCOUNT_STREAM_PREFIX = 'account-';
export const accountStreamId = (accountId: string): string => `${ACCOUNT_STREAM_PREFIX}${accountId}`;
