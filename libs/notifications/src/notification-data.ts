/**
 * The notification topic's vocabulary: each CloudEvents `type` and the shape of its `data`, exactly as
 * the encoder (cloudevents.ts) writes them and docs/asyncapi.yaml describes them. Dependency-free, so
 * the consumer helper (consumer/) can be read or copied on its own.
 *
 * The encoder is typed against these interfaces, and a test (testing/notification-contract.spec.ts)
 * checks every type and field against the AsyncAPI document: change one, change both.
 */

export type NotificationKeyKind = 'api' | 'signing' | 'publishable';
export type NotificationSecretSlot = 'current' | 'previous';
export type NotificationWebhookFormat = 'single' | 'multiple';
export type NotificationSigningScheme = 'stripe' | 'standard-webhooks';
export type NotificationSigningAlgorithm = 'hmac-sha256' | 'ed25519';

/** Who made the change: a user (the token's `sub`) or a part of the service (`expiry-scheduler`, …). No roles. */
export type NotificationActor = { type: 'user'; sub: string } | { type: 'system'; name: string };

interface NotificationBase {
  accountId: string;
  keyId: string;
  kind: NotificationKeyKind;
  actor: NotificationActor;
  /** RFC 3339 (ISO-8601, UTC) time the change was decided; also the `ce_time` header. */
  occurredAt: string;
}

export interface KeyGeneratedData extends NotificationBase {
  name: string;
  /** Prefix and first characters of the new secret, safe to display; never the secret. */
  start: string;
  secretVersion: number;
  allowedIps: string[];
  webhookFormat: NotificationWebhookFormat;
  /** Set when given (API keys only): `resource:action`, `resource:*` or `*`; absent: unrestricted. */
  permissions?: string[];
  /** Set when given: the key's metadata, a JSON object of at most 4096 bytes. */
  metadata?: Record<string, unknown>;
  /** Set when given: the owner's id in the merchant's system. */
  externalId?: string;
  /** Publishable keys only: the web origins whose pages may use the key. */
  allowedOrigins?: string[];
  /** Signing keys only: `stripe` (the `t=…,v1=…` header) or `standard-webhooks`. */
  scheme?: NotificationSigningScheme;
  /** Signing keys only: `hmac-sha256` or `ed25519`. */
  algorithm?: NotificationSigningAlgorithm;
  /** Ed25519 signing keys only: the new public key, `whpk_<base64>` (public by design). */
  publicKey?: string;
}

export interface KeyRotatedData extends NotificationBase {
  start: string;
  secretVersion: number;
  /** Ed25519 signing keys only: the new public key, `whpk_<base64>`; the old one stays valid until previousExpiresAt. */
  publicKey?: string;
  previousVersion: number;
  /** When the secret that was current until now stops verifying (both verify until then). */
  previousExpiresAt: string;
}

export interface KeyExpirySetData extends NotificationBase {
  slot: NotificationSecretSlot;
  secretVersion: number;
  /** null: the secret no longer expires. */
  expiresAt: string | null;
}

export interface KeyExpiredData extends NotificationBase {
  slot: NotificationSecretSlot;
  secretVersion: number;
  /** `expired`: its expiry passed; `superseded`: a newer regenerate ended its grace early. */
  reason: 'expired' | 'superseded';
  expiredAt: string;
}

export interface KeyExpiringData extends NotificationBase {
  slot: NotificationSecretSlot;
  secretVersion: number;
  /** The expiry warned of: the secret stops being valid then. */
  expiresAt: string;
  /** The configured lead time this warning is for (EXPIRY_WARNING_LEADS), in seconds. */
  leadSeconds: number;
}

export interface KeyRevokedData extends NotificationBase {
  reason: string | null;
}

export type KeyUpdatedField = 'name' | 'allowedIps' | 'webhookFormat' | 'permissions' | 'metadata' | 'externalId' | 'allowedOrigins';

export interface KeyUpdatedData extends NotificationBase {
  /** The keys of `changes`, in that order. */
  changedFields: KeyUpdatedField[];
  /** The new values of what changed only. */
  changes: {
    name?: string;
    allowedIps?: string[];
    webhookFormat?: NotificationWebhookFormat;
    /** The whole new list; [] made the key unrestricted. */
    permissions?: string[];
    /** The whole new object; {} removed it. */
    metadata?: Record<string, unknown>;
    /** '' removed it. */
    externalId?: string;
    /** Publishable keys only: the whole new list. */
    allowedOrigins?: string[];
  };
}

export interface KeyRevealedData extends NotificationBase {
  slot: NotificationSecretSlot;
  secretVersion: number;
  /** The actor's `sub` (or a system actor's name): who saw the secret. */
  revealedBy: string;
}

export interface KeySuspendedData extends NotificationBase {
  /** As given by whoever suspended it; null when none was given. */
  reason: string | null;
}

export type KeyResumedData = NotificationBase;

export interface KeyLeakedData extends NotificationBase {
  /** `lr_` and 32 hex digits: one per report, the same for every token of that report. */
  reportId: string;
  receivedAt: string;
  /** The partner's name for the token format. */
  tokenType: string;
  /** Where the secret was found (e.g. a commit URL), as the partner sent it. */
  url: string;
  /** The partner's source (`content`, `commit`, …); null when none was sent. */
  source: string | null;
  /** Which of the key's secrets leaked; never the secret. */
  secretVersion: number;
  /**
   * `revoked`: the key was revoked (a credentials.key.revoked follows); `alerted`: nothing else done;
   * `none`: the secret no longer worked, or the key is publishable.
   */
  action: 'revoked' | 'alerted' | 'none';
}

/** The `data` of each notification type (the `ce_type` header). */
export interface NotificationDataByType {
  'credentials.key.generated': KeyGeneratedData;
  'credentials.key.rotated': KeyRotatedData;
  'credentials.key.expiry-set': KeyExpirySetData;
  'credentials.key.revoked': KeyRevokedData;
  'credentials.key.expired': KeyExpiredData;
  'credentials.key.updated': KeyUpdatedData;
  'credentials.key.revealed': KeyRevealedData;
  'credentials.key.expiring': KeyExpiringData;
  'credentials.key.suspended': KeySuspendedData;
  'credentials.key.resumed': KeyResumedData;
  'credentials.key.leaked': KeyLeakedData;
}

export type CredentialNotificationType = keyof NotificationDataByType;

export type CredentialNotificationData = NotificationDataByType[CredentialNotificationType];

export const CREDENTIAL_NOTIFICATION_TYPES: readonly CredentialNotificationType[] = [
  'credentials.key.generated',
  'credentials.key.rotated',
  'credentials.key.expiry-set',
  'credentials.key.revoked',
  'credentials.key.expired',
  'credentials.key.updated',
  'credentials.key.revealed',
  'credentials.key.expiring',
  'credentials.key.suspended',
  'credentials.key.resumed',
  'credentials.key.leaked',
];
