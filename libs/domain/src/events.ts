/**
 * The events of a key's stream: plain objects with a stable literal `type` and a schema version,
 * never class names, so a renamed class cannot break stored streams. Data never holds a secret:
 * only its SHA-256 hash, its first characters (`start`) and, for the step-up reveal and for signing,
 * an AES-256-GCM sealed copy that is useless without the master key.
 */

/**
 * `publishable` (`pk_live_…`): a key meant to sit in a browser page, restricted to allowed origins
 * and to a read-only set of permissions (key-scopes.ts); not a secret, so shown in full.
 */
export type KeyKind = 'api' | 'signing' | 'publishable';
export const KEY_KINDS: readonly KeyKind[] = ['api', 'signing', 'publishable'];
export type WebhookFormat = 'single' | 'multiple';
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['single', 'multiple'];
/**
 * How a signing key's signatures are sent (signing keys only; absent on an event: 'stripe'):
 * `stripe`, one `t=<unix>,v1=<hex>` header; `standard-webhooks`, the three `webhook-*` headers of
 * standardwebhooks.com.
 */
export type SigningScheme = 'stripe' | 'standard-webhooks';
export const SIGNING_SCHEMES: readonly SigningScheme[] = ['stripe', 'standard-webhooks'];
/** What a signing key signs with (absent on an event: 'hmac-sha256'); ed25519 with standard-webhooks only. */
export type SigningAlgorithm = 'hmac-sha256' | 'ed25519';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['hmac-sha256', 'ed25519'];
/** Which of a key's (at most two) valid secrets a command or event is about. */
export type SecretSlot = 'current' | 'previous';

/** AES-256-GCM ciphertext of a secret; `kid` names the master key so master keys can rotate. */
export interface SealedSecret {
  kid: string;
  alg: 'A256GCM';
  iv: string;
  ciphertext: string;
  tag: string;
}

export interface IssuedSecret {
  /** 1 for the first secret of a key, +1 for each regenerate. */
  version: number;
  /** Hex SHA-256 of the full key: what the hot path looks up. */
  hash: string;
  /** Prefix and first characters, safe to display. */
  start: string;
  sealed: SealedSecret;
  /** Publishable keys only: the whole key, which is public by design (never set for a secret). */
  value?: string;
  /** Ed25519 signing keys only: base64 of the raw 32-byte public key (public by design; the private key is only sealed). */
  publicKey?: string;
}

interface KeyEventBase {
  keyId: string;
  accountId: string;
  kind: KeyKind;
}

export interface KeyGenerated {
  type: 'KeyGenerated';
  data: KeyEventBase & {
    name: string;
    allowedIps: string[];
    webhookFormat: WebhookFormat;
    secret: IssuedSecret;
    /** API keys only; absent (events before issue #13, or none given): unrestricted. */
    permissions?: string[];
    /** Absent: none. */
    metadata?: Record<string, unknown>;
    /** The owner's label in the caller's system; absent: none. */
    externalId?: string;
    /** Signing keys only; absent: 'stripe'. Kept by every regenerate. */
    scheme?: SigningScheme;
    /** Signing keys only; absent: 'hmac-sha256'. Kept by every regenerate. */
    algorithm?: SigningAlgorithm;
  };
}

export interface KeyRotated {
  type: 'KeyRotated';
  data: KeyEventBase & {
    secret: IssuedSecret;
    previousVersion: number;
    /** When the secret that was current until now stops being valid (both valid until then). */
    previousExpiresAt: string;
  };
}

export interface KeyExpirySet {
  type: 'KeyExpirySet';
  data: KeyEventBase & { slot: SecretSlot; secretVersion: number; expiresAt: string | null };
}

export interface KeyRevealed {
  type: 'KeyRevealed';
  data: KeyEventBase & { slot: SecretSlot; secretVersion: number };
}

export interface KeyUpdated {
  type: 'KeyUpdated';
  data: KeyEventBase & {
    changes: {
      name?: string;
      allowedIps?: string[];
      webhookFormat?: WebhookFormat;
      /** The whole new list; [] makes the key unrestricted. */
      permissions?: string[];
      /** The whole new object (not merged); {} removes it. */
      metadata?: Record<string, unknown>;
      /** '' removes it. */
      externalId?: string;
    };
  };
}

/** What made the service revoke a key by itself; absent: a person (or client) asked for it. */
export interface RevocationCause {
  /** A secret scanning leak report (KeyLeakReported with the same `reportId`, recorded just before). */
  type: 'leak-report';
  reportId: string;
}

export interface KeyRevoked {
  type: 'KeyRevoked';
  data: KeyEventBase & { reason: string | null; cause?: RevocationCause };
}

export interface KeyExpired {
  type: 'KeyExpired';
  data: KeyEventBase & {
    slot: SecretSlot;
    secretVersion: number;
    /** `expired`: its expiry passed; `superseded`: a newer regenerate ended its grace early. */
    reason: 'expired' | 'superseded';
    expiredAt: string;
  };
}

/**
 * Recorded by the scheduler a configured lead time before a secret's expiry (EXPIRY_WARNING_LEADS),
 * once per secret, expiry and lead: `expiresAt` is the expiry it warns of (a later SetExpiry or
 * regenerate gives the secret a new expiry, which is warned of again).
 */
export interface KeyExpiryWarned {
  type: 'KeyExpiryWarned';
  data: KeyEventBase & { slot: SecretSlot; secretVersion: number; expiresAt: string; leadSeconds: number };
}

/** A reversible stop: verify answers SUSPENDED and signing leaves the key out until KeyResumed. */
export interface KeySuspended {
  type: 'KeySuspended';
  data: KeyEventBase & { reason: string | null };
}

export interface KeyResumed {
  type: 'KeyResumed';
  data: KeyEventBase;
}

/**
 * What a leak report did about the secret: `revoked` (the account's leak policy `revoke`: a
 * KeyRevoked follows in the same append), `alerted` (policy `alert`: recorded and notified only), or
 * `none` (the secret had already stopped working: expired, or replaced and its grace over).
 */
export type LeakAction = 'revoked' | 'alerted' | 'none';
export const LEAK_ACTIONS: readonly LeakAction[] = ['revoked', 'alerted', 'none'];

/**
 * A secret scanning partner (GitHub's secret scanning partner program) reported one of the key's
 * secrets found in public (README, "Secret scanning"). Never holds the token: which secret matched is
 * `secretVersion`; where it was found is `url` and `source` as the partner sent them.
 */
export interface KeyLeakReported {
  type: 'KeyLeakReported';
  data: KeyEventBase & {
    /** `lr_` and the first 32 hex digits of the SHA-256 of the report's body: the same for every token of one report. */
    reportId: string;
    /** When the service received the report (ISO-8601). */
    receivedAt: string;
    /** The partner's name for the token format (its `type`), e.g. `credential_service_api_key`. */
    tokenType: string;
    /** Where the partner found it, e.g. a commit URL. */
    url: string;
    /** The partner's `source` (`content`, `commit`, `npm`, …); null when it sent none. */
    source: string | null;
    secretVersion: number;
    action: LeakAction;
  };
}

export type KeyEvent =
  | KeyGenerated
  | KeyRotated
  | KeyExpirySet
  | KeyRevealed
  | KeyUpdated
  | KeyRevoked
  | KeyExpired
  | KeyExpiryWarned
  | KeySuspended
  | KeyResumed
  | KeyLeakReported;
export type KeyEventType = KeyEvent['type'];

export const KEY_EVENT_TYPES: readonly KeyEventType[] = [
  'KeyGenerated',
  'KeyRotated',
  'KeyExpirySet',
  'KeyRevealed',
  'KeyUpdated',
  'KeyRevoked',
  'KeyExpired',
  'KeyExpiryWarned',
  'KeySuspended',
  'KeyResumed',
  'KeyLeakReported',
];

/** Schema version of each event type's `data`; bump with an upcaster when a shape changes. */
export const KEY_EVENT_SCHEMA_VERSION: Record<KeyEventType, number> = {
  KeyGenerated: 1,
  KeyRotated: 1,
  KeyExpirySet: 1,
  KeyRevealed: 1,
  KeyUpdated: 1,
  KeyRevoked: 1,
  KeyExpired: 1,
  KeyExpiryWarned: 1,
  KeySuspended: 1,
  KeyResumed: 1,
  KeyLeakReported: 1,
};

export function isKeyEventType(type: string): type is KeyEventType {
  return (KEY_EVENT_TYPES as readonly string[]).includes(type);
}

export const KEY_STREAM_PREFIX = 'key-';
export const keyStreamId = (keyId: string): string => `${KEY_STREAM_PREFIX}${keyId}`;

/** Strips the sealed secret copies from event data for anything shown to people or sent out. */
export function publicEventData(event: KeyEvent): Record<string, unknown> {
  if (event.type === 'KeyGenerated' || event.type === 'KeyRotated') {
    const { sealed: _sealed, ...secret } = event.data.secret;
    return { ...event.data, secret };
  }
  return { ...event.data };
}
