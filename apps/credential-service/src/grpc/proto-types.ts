/**
 * The request and answer shapes of credentials.v1 as @grpc/proto-loader hands them over with
 * PROTO_LOADER_OPTIONS (libs/contracts): camelCase fields, enums by name (an unknown number stays a
 * number), absent scalars undefined, repeated fields always arrays, `oneofs` naming the member set.
 */
type Enum<T extends string> = T | number;

export type KeyKindName = 'KEY_KIND_UNSPECIFIED' | 'KEY_KIND_API' | 'KEY_KIND_SIGNING' | 'KEY_KIND_PUBLISHABLE';
export type WebhookFormatName = 'WEBHOOK_FORMAT_UNSPECIFIED' | 'WEBHOOK_FORMAT_SINGLE' | 'WEBHOOK_FORMAT_MULTIPLE';
export type SecretVersionName = 'SECRET_VERSION_UNSPECIFIED' | 'SECRET_VERSION_CURRENT' | 'SECRET_VERSION_PREVIOUS';
export type SigningSchemeName = 'SIGNING_SCHEME_UNSPECIFIED' | 'SIGNING_SCHEME_STRIPE' | 'SIGNING_SCHEME_STANDARD_WEBHOOKS';
export type SigningAlgorithmName = 'SIGNING_ALGORITHM_UNSPECIFIED' | 'SIGNING_ALGORITHM_HMAC_SHA256' | 'SIGNING_ALGORITHM_ED25519';
export type KeyStatusName = 'KEY_STATUS_ACTIVE' | 'KEY_STATUS_REVOKED' | 'KEY_STATUS_EXPIRED' | 'KEY_STATUS_SUSPENDED';

export interface KeyRef {
  accountId?: string;
  keyId?: string;
}

/** Requests that change or reveal a key: `expected_version` (proto3 optional) is the KeyView.version the caller acts on. */
export interface VersionedKeyRef extends KeyRef {
  expectedVersion?: number;
}

export interface GenerateKeyRequest {
  accountId?: string;
  kind?: Enum<KeyKindName>;
  name?: string;
  allowedIps?: string[];
  webhookFormat?: Enum<WebhookFormatName>;
  permissions?: string[];
  metadata?: StructMessage;
  externalId?: string;
  allowedOrigins?: string[];
  scheme?: Enum<SigningSchemeName>;
  algorithm?: Enum<SigningAlgorithmName>;
}

export interface RegenerateKeyRequest extends VersionedKeyRef {
  oldKeyExpiresIn?: string;
  oldKeyExpiresAt?: string;
}

export interface SetExpiryRequest extends VersionedKeyRef {
  expiresAt?: string;
  clearExpiry?: boolean;
  version?: Enum<SecretVersionName>;
}

export interface RevealKeyRequest extends VersionedKeyRef {
  version?: Enum<SecretVersionName>;
}

export interface UpdateKeyRequest extends VersionedKeyRef {
  name?: string;
  allowedIps?: { ips?: string[] };
  webhookFormat?: Enum<WebhookFormatName>;
  permissions?: { permissions?: string[] };
  metadata?: StructMessage;
  externalId?: string;
  allowedOrigins?: { origins?: string[] };
}

export interface RevokeKeyRequest extends VersionedKeyRef {
  reason?: string;
}

export interface SuspendKeyRequest extends VersionedKeyRef {
  reason?: string;
}

export type ResumeKeyRequest = VersionedKeyRef;

export interface KeyViewMessage {
  id: string;
  accountId: string;
  kind: KeyKindName;
  name: string;
  start: string;
  status: KeyStatusName;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  expiresAt?: string;
  previous?: { start: string; expiresAt: string };
  allowedIps: string[];
  webhookFormat: WebhookFormatName;
  version: number;
  permissions: string[];
  metadata: StructMessage;
  externalId?: string;
  allowedOrigins?: string[];
  publishableKey?: string;
  lastUsedAt?: string;
  scheme?: SigningSchemeName;
  algorithm?: SigningAlgorithmName;
  publicKey?: string;
}

export interface KeyEventMessage {
  id: string;
  type: string;
  revision: number;
  time: string;
  recordedAt: string;
  actor: { type: string; sub?: string; acct?: string; roles?: string[]; name?: string };
  correlationId: string;
  causationId?: string;
  schemaVersion: number;
  dataJson: string;
  /** google.protobuf.Struct, in the shape proto-loader encodes: `{ fields: { name: Value } }`. */
  data: StructMessage;
  keyId: string;
}

/** google.protobuf.Value: exactly one kind set. */
export type ValueMessage =
  | { nullValue: 'NULL_VALUE' }
  | { numberValue: number }
  | { stringValue: string }
  | { boolValue: boolean }
  | { structValue: StructMessage }
  | { listValue: { values: ValueMessage[] } };

export interface StructMessage {
  fields: Record<string, ValueMessage>;
}

export interface GetKeyValidityAtRequest extends KeyRef {
  at?: string;
  ip?: string;
}

export interface GetAccountHistoryRequest {
  accountId?: string;
  limit?: number;
  cursor?: string;
  types?: string[];
  keyId?: string;
  actor?: string;
  from?: string;
  to?: string;
  order?: string;
}

export interface GetAccountHistoryResponse {
  events: KeyEventMessage[];
  nextCursor?: string;
  historyPosition?: string;
  historyCaughtUp: boolean;
}

export interface KeyValidityAtMessage {
  keyId: string;
  at: string;
  ip?: string;
  status: KeyStatusName | 'KEY_STATUS_UNSPECIFIED';
  secrets: { version: number; start: string; valid: boolean; code: string; expiresAt?: string }[];
  asOfEvent?: { id: string; type: string; time: string };
}

export interface VerifyKeyRequest {
  key?: string;
  ip?: string;
  kind?: Enum<KeyKindName>;
  permissions?: string[];
  origin?: string;
}

export interface VerifyKeyResponse {
  valid: boolean;
  code: string;
  keyId?: string;
  accountId?: string;
  kind?: KeyKindName;
  expiresAt?: string;
  permissions?: string[];
  metadata?: StructMessage;
  externalId?: string;
  webhookFormat?: WebhookFormatName;
}

export interface SignRequest {
  accountId?: string;
  payload?: Buffer;
  scheme?: Enum<SigningSchemeName>;
  webhookId?: string;
}

export interface SignResponse {
  header: string;
  timestamp: number;
  keyIds: string[];
  signatures: number;
  webhookId?: string;
}

export interface VerifySignatureRequest {
  accountId?: string;
  payload?: Buffer;
  header?: string;
  toleranceSeconds?: number;
  scheme?: Enum<SigningSchemeName>;
  webhookId?: string;
  webhookTimestamp?: string;
}

export interface VerifySignatureResponse {
  valid: boolean;
  code: string;
}

export interface ListKeysRequest {
  accountId?: string;
  status?: Enum<KeyStatusName>;
  kind?: Enum<KeyKindName>;
  pageSize?: number;
  pageToken?: string;
  at?: string;
}
