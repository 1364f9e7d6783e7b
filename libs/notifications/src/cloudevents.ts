import { CloudEvent, Kafka } from 'cloudevents';
import {
  decodeKeyEvent,
  KEY_EVENT_SCHEMA_VERSION,
  scopeProps,
  signingProfile,
  STANDARD_WEBHOOKS_PREFIX,
  type KeyEvent,
  type KeyEventType,
} from '@cs/domain';
import type { EventMetadata, RecordedEvent } from '@cs/event-store';
import type { CredentialNotificationData, CredentialNotificationType, KeyUpdatedData, NotificationActor } from './notification-data';

/**
 * One notification as handed to a Notifier: a Kafka message in CloudEvents *binary* content mode
 * (attributes in `ce_*` headers, the JSON data as the value), so consumers can route and de-duplicate
 * on headers without parsing the body.
 */
export interface KafkaLikeMessage {
  /** The account id: Kafka orders per partition, so one account's notifications stay in order. */
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface CloudEventMappingOptions {
  /** CloudEvents `source` (a URI-reference), e.g. `/credential-service`. */
  source: string;
}

export const DEFAULT_CE_SOURCE = '/credential-service';

/**
 * Every key event becomes exactly one notification, so consumers can follow a key's whole life. The
 * types and their data are described in docs/asyncapi.yaml (notification-data.ts in TypeScript).
 */
export const CE_TYPES: Readonly<Record<KeyEventType, CredentialNotificationType>> = {
  KeyGenerated: 'credentials.key.generated',
  KeyRotated: 'credentials.key.rotated',
  KeyExpirySet: 'credentials.key.expiry-set',
  KeyRevoked: 'credentials.key.revoked',
  KeyExpired: 'credentials.key.expired',
  KeyUpdated: 'credentials.key.updated',
  KeyRevealed: 'credentials.key.revealed',
  KeyExpiryWarned: 'credentials.key.expiring',
  KeySuspended: 'credentials.key.suspended',
  KeyResumed: 'credentials.key.resumed',
  KeyLeakReported: 'credentials.key.leaked',
};

/**
 * Maps a stored key event to its Kafka message; null for events that are not key events (the relay
 * still moves its checkpoint past them). The event is read through the key-event codec (upcasters
 * included); one it cannot read throws EventDecodeError, which the relay retries rather than skip.
 *
 * The `cloudevents` SDK validates the attributes (required fields, RFC 3339 time, URI-reference
 * source, extension names) and names the headers via `Kafka.binary`. Its raw output is not sent
 * as is, though: it also emits `ce_datacontenttype` (the binding maps that attribute to
 * `content-type` only), `ce_partitionkey` (already the message key), headers whose value is
 * `undefined` (kafkajs cannot encode them), and leaves the value an object rather than bytes.
 */
export function toKafkaMessage(event: RecordedEvent, options: CloudEventMappingOptions): KafkaLikeMessage | null {
  const keyEvent = decodeKeyEvent(event);
  if (!keyEvent) return null;
  const { accountId, keyId } = keyEvent.data;
  const data = notificationData(keyEvent, event.metadata);

  const ce = new CloudEvent<CredentialNotificationData>({
    specversion: '1.0',
    id: event.id,
    type: CE_TYPES[keyEvent.type],
    source: options.source,
    time: event.metadata.occurredAt,
    subject: keyId,
    datacontenttype: 'application/json',
    data,
    partitionkey: accountId,
    // Sequence extension: a lexicographically ordered string, hence zero-padded (2^64 has 20 digits).
    sequence: event.position.toString().padStart(20, '0'),
    // The same store position, plain: what an operator compares with the relay's checkpoint.
    position: event.position.toString(),
    // The data was read at (upcast to) its type's current schema version, whatever version it was stored at.
    schemaversion: String(KEY_EVENT_SCHEMA_VERSION[keyEvent.type]),
  });

  const binary = Kafka.binary(ce);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(binary.headers)) {
    if (value === undefined || value === null) continue;
    if (name === 'ce_datacontenttype' || name === 'ce_partitionkey') continue;
    headers[name] = String(value);
  }
  return { key: accountId, value: Buffer.from(JSON.stringify(data), 'utf8'), headers };
}

/** Who did it, without roles or anything else that is not needed to tell people apart. */
function publicActor(actor: EventMetadata['actor']): NotificationActor {
  return actor.type === 'user' ? { type: 'user', sub: actor.sub } : { type: 'system', name: actor.name };
}

/** An Ed25519 signing key's public key in its `whpk_` form (never anything of a secret). */
function publicKeyOf(secret: { publicKey?: string }): { publicKey?: string } {
  return secret.publicKey === undefined ? {} : { publicKey: `${STANDARD_WEBHOOKS_PREFIX.publicKey}${secret.publicKey}` };
}

/**
 * Fields are picked one by one rather than spread from the event, so a field added to an event later
 * (say another sealed copy) is not sent out until someone decides it is safe to.
 */
function notificationData(event: KeyEvent, metadata: EventMetadata): CredentialNotificationData {
  const { accountId, keyId, kind } = event.data;
  const base = { accountId, keyId, kind };
  const tail = { actor: publicActor(metadata.actor), occurredAt: metadata.occurredAt };
  switch (event.type) {
    case 'KeyGenerated': {
      const d = event.data;
      return {
        ...base,
        name: d.name,
        start: d.secret.start,
        secretVersion: d.secret.version,
        allowedIps: d.allowedIps,
        webhookFormat: d.webhookFormat,
        ...scopeProps(d),
        ...(d.kind === 'signing' ? signingProfile(d) : {}),
        ...publicKeyOf(d.secret),
        ...tail,
      };
    }
    case 'KeyRotated': {
      const d = event.data;
      return {
        ...base,
        start: d.secret.start,
        secretVersion: d.secret.version,
        ...publicKeyOf(d.secret),
        previousVersion: d.previousVersion,
        previousExpiresAt: d.previousExpiresAt,
        ...tail,
      };
    }
    case 'KeyExpirySet': {
      const d = event.data;
      return { ...base, slot: d.slot, secretVersion: d.secretVersion, expiresAt: d.expiresAt, ...tail };
    }
    case 'KeyExpired': {
      const d = event.data;
      return { ...base, slot: d.slot, secretVersion: d.secretVersion, reason: d.reason, expiredAt: d.expiredAt, ...tail };
    }
    case 'KeyRevoked':
      return { ...base, reason: event.data.reason, ...tail };
    case 'KeyUpdated': {
      // A null was recorded for a field before the API refused it; it reads as no change (key-state.ts
      // withoutNulls), so it is not notified as one either.
      const c = event.data.changes as { [F in keyof KeyUpdatedData['changes']]?: KeyUpdatedData['changes'][F] | null };
      const changes: KeyUpdatedData['changes'] = {};
      if (c.name != null) changes.name = c.name;
      if (c.allowedIps != null) changes.allowedIps = c.allowedIps;
      if (c.webhookFormat != null) changes.webhookFormat = c.webhookFormat;
      if (c.permissions != null) changes.permissions = c.permissions;
      if (c.metadata != null) changes.metadata = c.metadata;
      if (c.externalId != null) changes.externalId = c.externalId;
      if (c.allowedOrigins != null) changes.allowedOrigins = c.allowedOrigins;
      return { ...base, changedFields: Object.keys(changes) as KeyUpdatedData['changedFields'], changes, ...tail };
    }
    case 'KeyRevealed': {
      const d = event.data;
      const revealedBy = metadata.actor.type === 'user' ? metadata.actor.sub : metadata.actor.name;
      return { ...base, slot: d.slot, secretVersion: d.secretVersion, revealedBy, ...tail };
    }
    case 'KeyExpiryWarned': {
      const d = event.data;
      return { ...base, slot: d.slot, secretVersion: d.secretVersion, expiresAt: d.expiresAt, leadSeconds: d.leadSeconds, ...tail };
    }
    case 'KeySuspended':
      return { ...base, reason: event.data.reason, ...tail };
    case 'KeyLeakReported': {
      const d = event.data;
      return {
        ...base,
        reportId: d.reportId,
        receivedAt: d.receivedAt,
        tokenType: d.tokenType,
        url: d.url,
        source: d.source,
        secretVersion: d.secretVersion,
        action: d.action,
        ...tail,
      };
    }
    case 'KeyResumed':
      return { ...base, ...tail };
  }
}
