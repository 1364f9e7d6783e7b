/**
 * The read model of one key, built from its events by `projectKeyEvent`, and the entries the hot
 * path looks up by secret hash. Both hold hashes and displayable starts, never a secret.
 */
import { effectivePrevious, type KeyKind, type SigningAlgorithm, type SigningScheme, type WebhookFormat } from '@cs/domain';

/** Every status a key can have, in the order the contracts list them. */
export const KEY_STATUSES = ['active', 'revoked', 'expired', 'suspended'] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

export interface SecretRecord {
  version: number;
  hash: string;
  start: string;
  expiresAt: string | null;
  status: KeyStatus;
  /** Publishable keys only: the whole key, public by design (shown in full in views). */
  value?: string;
  /** Ed25519 signing keys only: base64 of the raw public key (views, the account's JWKS). */
  publicKey?: string;
}

export interface KeyRecord {
  keyId: string;
  accountId: string;
  kind: KeyKind;
  name: string;
  /** Recorded status; an expiry that has passed counts as expired before KeyExpired is recorded. */
  status: KeyStatus;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  allowedIps: string[];
  webhookFormat: WebhookFormat;
  /** Stream revision of the last event applied: the revision guard and the API's `version`. */
  version: number;
  current: SecretRecord;
  previous: SecretRecord | null;
  /** Secrets that can no longer be used, newest first (bounded), so verify can say why. */
  retired: SecretRecord[];
  /** Absent (records before issue #13) or empty: unrestricted. */
  permissions?: string[];
  /** Absent: none. */
  metadata?: Record<string, unknown>;
  /** Absent or '': none. */
  externalId?: string;
  /** Publishable keys only: the web origins allowed to use it (origins.ts). */
  allowedOrigins?: string[];
  /** Signing keys only; absent (and on records before issue #14): 'stripe'. */
  scheme?: SigningScheme;
  /** Signing keys only; absent: 'hmac-sha256'. */
  algorithm?: SigningAlgorithm;
}

/** What verify reads: one entry per secret hash, carrying everything the answer needs. */
export interface ValidityEntry {
  keyId: string;
  accountId: string;
  kind: KeyKind;
  status: KeyStatus;
  /** Epoch milliseconds; null when the secret has no expiry. */
  expiresAt: number | null;
  allowedIps: string[];
  secretVersion: number;
  /** The key record version this entry was written from (revision guard). */
  version: number;
  /**
   * What verify answers about the key besides its validity, so the answer stays one lookup. Optional:
   * entries written before issue #13 lack them (read as none, unrestricted; `webhookFormat` omitted).
   */
  permissions?: string[];
  metadata?: Record<string, unknown>;
  externalId?: string | null;
  webhookFormat?: WebhookFormat;
  /** Publishable keys only: a verify must come with one of these origins. */
  allowedOrigins?: string[];
}

export const MAX_RETIRED_SECRETS = 5;

/**
 * A secret entry once revoked or expired stays so whatever a later record claims; active and
 * suspended go back and forth (suspend, resume) under the record's revision guard.
 */
export const isTerminal = (status: KeyStatus): boolean => status === 'revoked' || status === 'expired';

/** The previous secret's entry carries its effective expiry (`effectivePrevious`), so verify honours it at the instant. */
export function validityEntries(record: KeyRecord): Map<string, ValidityEntry> {
  const entries = new Map<string, ValidityEntry>();
  const secrets = [record.current, ...(record.previous ? [effectivePrevious(record.previous, record.current)] : []), ...record.retired];
  const scopes = entryScopes(record);
  for (const secret of secrets) {
    const status: KeyStatus = record.status === 'revoked' ? 'revoked' : secret.status;
    entries.set(secret.hash, {
      keyId: record.keyId,
      accountId: record.accountId,
      kind: record.kind,
      status,
      expiresAt: secret.expiresAt === null ? null : Date.parse(secret.expiresAt),
      allowedIps: record.allowedIps,
      secretVersion: secret.version,
      version: record.version,
      ...scopes,
    });
  }
  return entries;
}

/** The scope fields every entry of a record carries (shared, not copied, between its entries). */
function entryScopes(
  record: KeyRecord,
): Pick<Required<ValidityEntry>, 'permissions' | 'metadata' | 'externalId' | 'webhookFormat'> & Pick<ValidityEntry, 'allowedOrigins'> {
  return {
    ...(record.kind === 'publishable' ? { allowedOrigins: record.allowedOrigins ?? [] } : {}),
    permissions: record.permissions ?? [],
    metadata: record.metadata ?? {},
    externalId: record.externalId ? record.externalId : null,
    webhookFormat: record.webhookFormat,
  };
}

/** Secrets still waiting for the scheduler to record KeyExpired, with their due time. */
export function pendingExpiries(record: KeyRecord): { keyId: string; secretVersion: number; dueAt: number }[] {
  // A suspended key's secrets still expire on time (and a resume never outlives their expiry).
  if (record.status !== 'active' && record.status !== 'suspended') return [];
  return [record.current, ...(record.previous ? [record.previous] : [])]
    .filter((secret) => (secret.status === 'active' || secret.status === 'suspended') && secret.expiresAt !== null)
    .map((secret) => ({ keyId: record.keyId, secretVersion: secret.version, dueAt: Date.parse(secret.expiresAt as string) }));
}
