/**
 * The account events' codec (event-codec.ts): how a stored event of an account's slot stream becomes
 * a typed AccountEvent. Upcasters go in ACCOUNT_EVENT_UPCASTERS, as for the key events
 * (key-event-codec.ts says how).
 */
import { ACCOUNT_EVENT_SCHEMA_VERSION, LEAK_POLICIES, type AccountEvent, type AccountEventType } from './account-events';
import {
  EventCodec,
  arrayOf,
  isInteger,
  isString,
  nullable,
  object,
  oneOf,
  type Check,
  type StoredEvent,
  type Upcasters,
} from './event-codec';

/** The data of each account event type at its current schema version (account-events.ts). */
export const ACCOUNT_EVENT_SCHEMAS: Readonly<Record<AccountEventType, Check>> = {
  SigningKeySlotReserved: object({ accountId: isString, keyId: isString, keyRevision: nullable(isInteger), reservedAt: isString }),
  SigningKeySlotsAdopted: object({ accountId: isString, keyIds: arrayOf(isString) }),
  SigningKeySlotReleased: object({ accountId: isString, keyId: isString, reason: oneOf('revoked', 'expired', 'lapsed') }),
  LeakPolicySet: object({ accountId: isString, policy: oneOf(...LEAK_POLICIES) }),
};

/** Per account event type, the upcaster from each older schema version to the next. None yet. */
export const ACCOUNT_EVENT_UPCASTERS: Upcasters<AccountEventType> = {};

export const accountEventCodec = new EventCodec<AccountEvent>({
  versions: ACCOUNT_EVENT_SCHEMA_VERSION,
  schemas: ACCOUNT_EVENT_SCHEMAS,
  upcasters: ACCOUNT_EVENT_UPCASTERS,
});

/** As decodeKeyEvent, for the account streams: null for another type, EventDecodeError when unreadable. */
export function decodeAccountEvent(stored: StoredEvent): AccountEvent | null {
  return accountEventCodec.decode(stored);
}

export function encodeAccountEvent(event: AccountEvent): { type: AccountEventType; data: Record<string, unknown>; schemaVersion: number } {
  return accountEventCodec.encode(event);
}
