/**
 * The key events' codec (event-codec.ts): how a stored event of a key stream becomes a typed
 * KeyEvent, and the documented place for upcasters.
 *
 * Changing the shape of an event type's data:
 * 1. change its interface in events.ts and bump its KEY_EVENT_SCHEMA_VERSION (say 1 → 2);
 * 2. change its schema below to the new shape;
 * 3. add to KEY_EVENT_UPCASTERS, under the type, the function that reads version 1 data and returns
 *    version 2 data (`KeyRevoked: { 1: (data) => ({ ...data, reason: data.reason ?? null }) }`);
 *    keep every older one: a stream written years ago is read through all of them in turn;
 * 4. add a case to key-event-codec.spec.ts that decodes a stored version-1 event.
 * Events are never rewritten in the store: old versions are lifted each time they are read.
 */
import {
  EventCodec,
  arrayOf,
  isInteger,
  isString,
  nullable,
  object,
  oneOf,
  optional,
  type Check,
  type StoredEvent,
  type Upcasters,
} from './event-codec';
import {
  KEY_EVENT_SCHEMA_VERSION,
  KEY_KINDS,
  LEAK_ACTIONS,
  SIGNING_ALGORITHMS,
  SIGNING_SCHEMES,
  WEBHOOK_FORMATS,
  type KeyEvent,
  type KeyEventType,
} from './events';

const sealedSecret = object({ kid: isString, alg: oneOf('A256GCM'), iv: isString, ciphertext: isString, tag: isString });
const issuedSecret = object({
  version: isInteger,
  hash: isString,
  start: isString,
  sealed: sealedSecret,
  value: optional(isString),
  publicKey: optional(isString),
});
const base = { keyId: isString, accountId: isString, kind: oneOf(...KEY_KINDS) };
const slot = oneOf('current', 'previous');
const webhookFormat = oneOf(...WEBHOOK_FORMATS);
const jsonObject: Check = (value, path, problems) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) problems.push(`${path}: expected an object`);
};

/** The data of each key event type at its current schema version (events.ts). */
export const KEY_EVENT_SCHEMAS: Readonly<Record<KeyEventType, Check>> = {
  KeyGenerated: object({
    ...base,
    name: isString,
    allowedIps: arrayOf(isString),
    webhookFormat,
    secret: issuedSecret,
    // Optional (no schema bump): events recorded before they existed decode unchanged (key-scopes.ts).
    permissions: optional(arrayOf(isString)),
    metadata: optional(jsonObject),
    externalId: optional(isString),
    allowedOrigins: optional(arrayOf(isString)),
    // Optional: signing keys from before issue #14 are 'stripe' + 'hmac-sha256'.
    scheme: optional(oneOf(...SIGNING_SCHEMES)),
    algorithm: optional(oneOf(...SIGNING_ALGORITHMS)),
  }),
  KeyRotated: object({ ...base, secret: issuedSecret, previousVersion: isInteger, previousExpiresAt: isString }),
  KeyExpirySet: object({ ...base, slot, secretVersion: isInteger, expiresAt: nullable(isString) }),
  KeyRevealed: object({ ...base, slot, secretVersion: isInteger }),
  KeyUpdated: object({
    ...base,
    // null was recorded for these before the API refused it; it reads as no change (key-state.ts withoutNulls).
    changes: object({
      name: optional(nullable(isString)),
      allowedIps: optional(nullable(arrayOf(isString))),
      webhookFormat: optional(nullable(webhookFormat)),
      permissions: optional(arrayOf(isString)),
      metadata: optional(jsonObject),
      externalId: optional(isString),
      allowedOrigins: optional(arrayOf(isString)),
    }),
  }),
  // `cause` is optional (no schema bump): revocations recorded before leak reports decode unchanged.
  KeyRevoked: object({ ...base, reason: nullable(isString), cause: optional(object({ type: oneOf('leak-report'), reportId: isString })) }),
  KeyExpired: object({ ...base, slot, secretVersion: isInteger, reason: oneOf('expired', 'superseded'), expiredAt: isString }),
  KeyExpiryWarned: object({ ...base, slot, secretVersion: isInteger, expiresAt: isString, leadSeconds: isInteger }),
  KeySuspended: object({ ...base, reason: nullable(isString) }),
  KeyResumed: object({ ...base }),
  KeyLeakReported: object({
    ...base,
    reportId: isString,
    receivedAt: isString,
    tokenType: isString,
    url: isString,
    source: nullable(isString),
    secretVersion: isInteger,
    action: oneOf(...LEAK_ACTIONS),
  }),
};

/**
 * Per key event type, the upcaster from each older schema version to the next. None yet: every type
 * is still at schema version 1 (KEY_EVENT_SCHEMA_VERSION).
 */
export const KEY_EVENT_UPCASTERS: Upcasters<KeyEventType> = {};

export const keyEventCodec = new EventCodec<KeyEvent>({
  versions: KEY_EVENT_SCHEMA_VERSION,
  schemas: KEY_EVENT_SCHEMAS,
  upcasters: KEY_EVENT_UPCASTERS,
});

/**
 * A stored event as a KeyEvent at its current schema version; null when it is not a key event type;
 * throws EventDecodeError when it is one but cannot be read as such.
 */
export function decodeKeyEvent(stored: StoredEvent): KeyEvent | null {
  return keyEventCodec.decode(stored);
}

/** A decided KeyEvent as appended: data as a plain record, with its type's current schema version. */
export function encodeKeyEvent(event: KeyEvent): { type: KeyEventType; data: Record<string, unknown>; schemaVersion: number } {
  return keyEventCodec.encode(event);
}
