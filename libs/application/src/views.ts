/**
 * What clients see: the KeyView of the HTTP API and the history entries auditors read. Both are
 * computed at a given instant, so an expiry that has passed shows as expired before the scheduler
 * records it. Neither ever carries a hash or a sealed copy.
 */
import {
  effectivePrevious,
  EventDecodeError,
  hasExpired,
  isLive,
  publicEventData,
  signingProfile,
  STANDARD_WEBHOOKS_PREFIX,
  type KeyEvent,
  type KeyKind,
  type SigningAlgorithm,
  type SigningScheme,
  type WebhookFormat,
} from '@cs/domain';
import type { RecordedEvent } from '@cs/event-store';
import type { KeyRecord, KeyStatus } from '@cs/validity';
import { toKeyEvent } from './key-command-executor';

export interface KeyView {
  id: string;
  accountId: string;
  kind: KeyKind;
  name: string;
  start: string;
  status: KeyStatus;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  expiresAt: string | null;
  previous: { start: string; expiresAt: string } | null;
  allowedIps: string[];
  webhookFormat: WebhookFormat;
  version: number;
  /** Empty: unrestricted. */
  permissions: string[];
  /** Empty: none. */
  metadata: Record<string, unknown>;
  externalId: string | null;
  /** Publishable keys only: the web origins whose pages may use it. */
  allowedOrigins?: string[];
  /** Publishable keys only: the whole current key, which is public by design (never a secret's). */
  key?: string;
  /** Signing keys only: how signatures are sent ('stripe' for keys from before schemes existed). */
  scheme?: SigningScheme;
  /** Signing keys only: 'hmac-sha256' or 'ed25519'. */
  algorithm?: SigningAlgorithm;
  /** Ed25519 signing keys only: the current public key, `whpk_<base64>` (the private key never leaves the service). */
  publicKey?: string;
  /** The last verify that named this key (key usage); in reads only, null when never or when usage is unavailable. */
  lastUsedAt?: string | null;
}

export function toKeyView(record: KeyRecord, now: number = Date.now()): KeyView {
  const status: KeyStatus =
    (record.status === 'active' || record.status === 'suspended') && hasExpired(record.current.expiresAt, now) ? 'expired' : record.status;
  const grace = record.previous ? effectivePrevious(record.previous, record.current) : null;
  const previous =
    status === 'active' && grace && grace.expiresAt !== null && isLive(grace, now)
      ? { start: grace.start, expiresAt: grace.expiresAt }
      : null;
  return {
    id: record.keyId,
    accountId: record.accountId,
    kind: record.kind,
    name: record.name,
    start: record.current.start,
    status,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    updatedAt: record.updatedAt,
    expiresAt: record.current.expiresAt,
    previous,
    allowedIps: record.allowedIps,
    webhookFormat: record.webhookFormat,
    version: record.version,
    permissions: record.permissions ?? [],
    metadata: record.metadata ?? {},
    externalId: record.externalId ? record.externalId : null,
    ...(record.kind === 'publishable'
      ? { allowedOrigins: record.allowedOrigins ?? [], ...(record.current.value === undefined ? {} : { key: record.current.value }) }
      : {}),
    ...(record.kind === 'signing' ? signingView(record) : {}),
  };
}

/** A signing key's scheme, algorithm and (Ed25519) public key, as views show them. */
function signingView(record: KeyRecord): Pick<KeyView, 'scheme' | 'algorithm' | 'publicKey'> {
  const publicKey = record.current.publicKey;
  return { ...signingProfile(record), ...(publicKey === undefined ? {} : { publicKey: STANDARD_WEBHOOKS_PREFIX.publicKey + publicKey }) };
}

export interface HistoryEntry {
  id: string;
  type: string;
  revision: number;
  time: string;
  recordedAt: string;
  actor: RecordedEvent['metadata']['actor'];
  correlationId: string;
  causationId: string | null;
  schemaVersion: number;
  data: Record<string, unknown>;
}

export function toHistoryEntry(recorded: RecordedEvent): HistoryEntry {
  const event = readableKeyEvent(recorded);
  const data = event ? publicEventData(event) : {};
  // History is for people: the secret's hash is as useless to them as it is useful to an attacker.
  if (data.secret && typeof data.secret === 'object') {
    const { hash: _hash, ...secret } = data.secret as Record<string, unknown>;
    data.secret = secret;
  }
  return {
    id: recorded.id,
    type: recorded.type,
    revision: recorded.revision,
    time: recorded.metadata.occurredAt,
    recordedAt: recorded.recordedAt.toISOString(),
    actor: recorded.metadata.actor,
    correlationId: recorded.metadata.correlationId,
    causationId: recorded.metadata.causationId,
    schemaVersion: recorded.metadata.schemaVersion,
    data,
  };
}

/**
 * History shows an event it cannot read (EventDecodeError: not what its type says) as it shows one
 * that is not a key event: with its type, time and actor but no data, since nothing vouches for what
 * that data holds. The rest of the history stays readable.
 */
function readableKeyEvent(recorded: RecordedEvent): KeyEvent | null {
  try {
    return toKeyEvent(recorded);
  } catch (error) {
    if (error instanceof EventDecodeError) return null;
    throw error;
  }
}
