/**
 * Bodies of the HTTP API's successful answers, as classes for the OpenAPI document. Each class
 * `implements` the type the controller returns, so a field renamed or retyped there fails `tsc`
 * here, and docs/openapi.json (with the typed client generated from it) follows.
 */
import { ApiProperty, ApiPropertyOptional, getSchemaPath, type ApiPropertyOptions } from '@nestjs/swagger';
import type { AccountHistoryEntry, HistoryEntry, KeyView, SecretValidityAt, ValidityAt } from '@cs/application';
import {
  KEY_KINDS,
  SIGNING_ALGORITHMS,
  SIGNING_SCHEMES,
  WEBHOOK_FORMATS,
  type KeyKind,
  type SigningAlgorithm,
  type SigningScheme,
  type WebhookFormat,
} from '@cs/domain';
import { KEY_STATUSES, VERIFY_CODES, type KeyStatus, type VerifyCode, type VerifyResult } from '@cs/validity';

const PERMISSIONS_DOC: ApiPropertyOptions = {
  type: [String],
  example: ['payments:write', 'refunds:*'],
  description: '`resource:action`, `resource:*` or `*`; empty: unrestricted',
};
const METADATA_DOC: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: true,
  example: { team: 'checkout', tier: 2 },
  description: 'JSON object set by the key’s managers (at most 4096 bytes); empty: none',
};
const EXTERNAL_ID_DOC: ApiPropertyOptions = {
  type: String,
  nullable: true,
  example: 'merchant-42',
  description: 'the owner’s id in your system; null: none',
};
export const KEY_ID_EXAMPLE = 'key_3fJ9kQ2mX7pL0aB4cD8eF1gH';
const INSTANT = { type: String, format: 'date-time', example: '2026-12-01T12:00:00.000Z' } as const;

export class PreviousSecretAnswer {
  @ApiProperty({ example: 'ak_live_3fJ9', description: 'the first characters of the previous secret' })
  start!: string;

  @ApiProperty({ ...INSTANT, description: 'when the previous secret stops being valid' })
  expiresAt!: string;
}

export class KeyViewAnswer implements KeyView {
  @ApiProperty({ pattern: '^key_[0-9A-Za-z]{24}$', example: KEY_ID_EXAMPLE })
  id!: string;

  @ApiProperty({ example: 'acct_1' })
  accountId!: string;

  @ApiProperty({ enum: KEY_KINDS })
  kind!: KeyKind;

  @ApiProperty({ example: 'Checkout widget', description: 'empty when none was given' })
  name!: string;

  @ApiProperty({ example: 'ak_live_9xQ2', description: 'the first characters of the current secret (never the secret)' })
  start!: string;

  @ApiProperty({ enum: KEY_STATUSES })
  status!: KeyStatus;

  @ApiProperty(INSTANT)
  createdAt!: string;

  @ApiProperty({ example: 'user_42', description: 'the JWT `sub` of the user who generated it' })
  createdBy!: string;

  @ApiProperty(INSTANT)
  updatedAt!: string;

  @ApiProperty({ ...INSTANT, nullable: true, description: 'when the current secret expires; null: never' })
  expiresAt!: string | null;

  @ApiProperty({ type: PreviousSecretAnswer, nullable: true, description: 'the previous secret while it is in its grace period' })
  previous!: PreviousSecretAnswer | null;

  @ApiProperty({ type: [String], example: ['203.0.113.0/24'], description: 'empty: no restriction' })
  allowedIps!: string[];

  @ApiProperty({ enum: WEBHOOK_FORMATS })
  webhookFormat!: WebhookFormat;

  @ApiProperty(PERMISSIONS_DOC)
  permissions!: string[];

  @ApiProperty(METADATA_DOC)
  metadata!: Record<string, unknown>;

  @ApiProperty(EXTERNAL_ID_DOC)
  externalId!: string | null;

  @ApiPropertyOptional({
    type: [String],
    example: ['https://shop.example'],
    description: 'publishable keys only: the web origins whose pages may use the key',
  })
  allowedOrigins?: string[];

  @ApiPropertyOptional({
    example: 'pk_live_3fJ9…',
    description: 'publishable keys only: the whole current key (public by design, meant for browser pages)',
  })
  key?: string;

  @ApiPropertyOptional({
    enum: SIGNING_SCHEMES,
    description: 'signing keys only: "stripe" (t=…,v1=… header) or "standard-webhooks" (webhook-* headers)',
  })
  scheme?: SigningScheme;

  @ApiPropertyOptional({ enum: SIGNING_ALGORITHMS, description: 'signing keys only: "hmac-sha256", or "ed25519" (standard-webhooks v1a)' })
  algorithm?: SigningAlgorithm;

  @ApiPropertyOptional({
    pattern: '^whpk_[A-Za-z0-9+/]{43}=$',
    example: 'whpk_MCowBQYDK2VwAyEAo3wyQ1YhR6nGm0nU7Y2nS+3bYtqgCTgq1uo4Bqv3v5A=',
    description:
      'ed25519 signing keys only: the current public key (the private key never leaves the service); ' + 'also in the account’s JWKS',
  })
  publicKey?: string;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 3,
    description: 'the key’s version (0 when generated): its ETag, and what If-Match names',
  })
  version!: number;

  @ApiPropertyOptional({
    ...INSTANT,
    nullable: true,
    description:
      'the last verify that named this key (key usage, written every USAGE_FLUSH_MS); in reads (get, list) only; ' +
      'null: never used within the retention, USAGE=off, or usage unavailable right now',
  })
  lastUsedAt?: string | null;
}

export class SecretAnswer {
  @ApiProperty({ type: KeyViewAnswer })
  key!: KeyViewAnswer;

  @ApiProperty({
    example: 'ak_live_9xQ2…',
    description:
      'the secret: shown in this answer and nowhere else; for an ed25519 signing key its public key (whpk_…), ' +
      'since the private key never leaves the service',
  })
  secret!: string;
}

export class KeyListAnswer {
  @ApiProperty({ type: [KeyViewAnswer] })
  keys!: KeyViewAnswer[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'pass as `cursor` (with the same filters) for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

export class RevealAnswer {
  @ApiProperty({ description: 'the secret (the reveal is recorded as a KeyRevealed event)' })
  secret!: string;
}

const ACTOR_SCHEMA = {
  description: 'who did it',
  oneOf: [
    {
      type: 'object',
      required: ['type', 'sub', 'acct', 'roles'],
      properties: {
        type: { const: 'user' },
        sub: { type: 'string' },
        acct: { type: 'string' },
        roles: { type: 'array', items: { type: 'string' } },
      },
    },
    { type: 'object', required: ['type', 'name'], properties: { type: { const: 'system' }, name: { type: 'string' } } },
  ],
} as unknown as ApiPropertyOptions;

export class HistoryEntryAnswer implements HistoryEntry {
  @ApiProperty({ description: 'the event id' })
  id!: string;

  @ApiProperty({ example: 'KeyGenerated' })
  type!: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  revision!: number;

  @ApiProperty({ ...INSTANT, description: 'when it happened' })
  time!: string;

  @ApiProperty({ ...INSTANT, description: 'when the event store recorded it' })
  recordedAt!: string;

  @ApiProperty(ACTOR_SCHEMA)
  actor!: HistoryEntry['actor'];

  @ApiProperty()
  correlationId!: string;

  @ApiProperty({ type: String, nullable: true })
  causationId!: string | null;

  @ApiProperty({ type: 'integer', minimum: 1 })
  schemaVersion!: number;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'what changed (never a secret or hash)' })
  data!: Record<string, unknown>;
}

export class HistoryAnswer {
  @ApiProperty({ type: [HistoryEntryAnswer] })
  events!: HistoryEntryAnswer[];
}

export class AccountHistoryEntryAnswer extends HistoryEntryAnswer implements AccountHistoryEntry {
  @ApiProperty({ pattern: '^key_[0-9A-Za-z]{24}$', example: KEY_ID_EXAMPLE })
  keyId!: string;
}

export class AccountHistoryAnswer {
  @ApiProperty({ type: [AccountHistoryEntryAnswer], description: 'in the order asked for (`latest`: oldest first within the page)' })
  events!: AccountHistoryEntryAnswer[];

  @ApiProperty({ type: String, nullable: true, description: 'the cursor of the next page (same filters and order); null at the end' })
  nextCursor!: string | null;
}

export class SecretValidityAnswer implements SecretValidityAt {
  @ApiProperty({ type: 'integer', minimum: 1 })
  version!: number;

  @ApiProperty()
  start!: string;

  @ApiProperty()
  valid!: boolean;

  @ApiProperty({ enum: VERIFY_CODES })
  code!: VerifyCode;

  @ApiProperty({ ...INSTANT, nullable: true })
  expiresAt!: string | null;
}

export class EventReferenceAnswer {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  type!: string;

  @ApiProperty(INSTANT)
  time!: string;
}

export class ValidityAnswer implements ValidityAt {
  @ApiProperty({ pattern: '^key_[0-9A-Za-z]{24}$', example: KEY_ID_EXAMPLE })
  keyId!: string;

  @ApiProperty(INSTANT)
  at!: string;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({ enum: KEY_STATUSES, nullable: true, description: 'null: the key did not exist yet' })
  status!: KeyStatus | null;

  @ApiProperty({ type: [SecretValidityAnswer], description: 'newest first, with what verify would have answered' })
  secrets!: SecretValidityAnswer[];

  @ApiProperty({ type: EventReferenceAnswer, nullable: true, description: 'the last event taken into account' })
  asOfEvent!: EventReferenceAnswer | null;
}

export class VerifyAnswer implements VerifyResult {
  @ApiProperty()
  valid!: boolean;

  @ApiProperty({ enum: VERIFY_CODES })
  code!: VerifyCode;

  @ApiPropertyOptional({ pattern: '^key_[0-9A-Za-z]{24}$', example: KEY_ID_EXAMPLE })
  keyId?: string;

  @ApiPropertyOptional({ example: 'acct_1' })
  accountId?: string;

  @ApiPropertyOptional({ enum: KEY_KINDS })
  kind?: KeyKind;

  @ApiPropertyOptional({ ...INSTANT, nullable: true })
  expiresAt?: string | null;

  @ApiPropertyOptional({
    ...PERMISSIONS_DOC,
    description: 'VALID and INSUFFICIENT_PERMISSIONS only: what the key grants; empty: unrestricted',
  })
  permissions?: string[];

  @ApiPropertyOptional({ ...METADATA_DOC, description: 'VALID and INSUFFICIENT_PERMISSIONS only: the key’s metadata' })
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ ...EXTERNAL_ID_DOC, description: 'VALID and INSUFFICIENT_PERMISSIONS only: the owner’s id; null: none' })
  externalId?: string | null;

  @ApiPropertyOptional({ enum: WEBHOOK_FORMATS, description: 'VALID and INSUFFICIENT_PERMISSIONS only' })
  webhookFormat?: WebhookFormat;
}

export class StandardWebhookHeadersAnswer {
  @ApiProperty({ name: 'webhook-id', example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' })
  'webhook-id'!: string;

  @ApiProperty({ name: 'webhook-timestamp', example: '1764590400', description: 'unix seconds' })
  'webhook-timestamp'!: string;

  @ApiProperty({
    name: 'webhook-signature',
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
    description: 'space-separated: v1,<base64 HMAC-SHA256> per HMAC key, v1a,<base64 Ed25519> per ed25519 key',
  })
  'webhook-signature'!: string;
}

export class JwkAnswer {
  @ApiProperty({ enum: ['OKP'] })
  kty!: 'OKP';

  @ApiProperty({ enum: ['Ed25519'] })
  crv!: 'Ed25519';

  @ApiProperty({ description: 'base64url of the 32-byte public key', example: 'o3wyQ1YhR6nGm0nU7Y2nS-3bYtqgCTgq1uo4Bqv3v5A' })
  x!: string;

  @ApiProperty({ description: '"<keyId>.<secret version>"', example: `${KEY_ID_EXAMPLE}.2` })
  kid!: string;

  @ApiProperty({ enum: ['sig'] })
  use!: string;

  @ApiProperty({ enum: ['EdDSA'] })
  alg!: string;
}

export class JwksAnswer {
  @ApiProperty({ type: [JwkAnswer] })
  keys!: JwkAnswer[];
}

export class SignAnswer {
  @ApiProperty({
    example: 't=1764590400,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
    description: 'stripe: the signature header; standard-webhooks: the webhook-signature value',
  })
  header!: string;

  @ApiProperty({ type: 'integer', description: 'unix seconds', example: 1764590400 })
  timestamp!: number;

  @ApiProperty({ type: [String], example: [KEY_ID_EXAMPLE] })
  keyIds!: string[];

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 16, description: 'how many signatures the header carries' })
  signatures!: number;

  @ApiPropertyOptional({
    example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    description: 'standard-webhooks only: the message id signed (the webhook-id header)',
  })
  webhookId?: string;

  @ApiPropertyOptional({ type: StandardWebhookHeadersAnswer, description: 'standard-webhooks only: the three headers to send' })
  headers?: StandardWebhookHeadersAnswer;
}

export class SignatureCheckAnswer {
  @ApiProperty()
  valid!: boolean;

  @ApiProperty({ enum: ['VALID', 'MALFORMED_HEADER', 'TIMESTAMP_OUTSIDE_TOLERANCE', 'NO_MATCHING_SIGNATURE', 'NO_SIGNING_KEY'] })
  code!: string;
}

export class LiveAnswer {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';
}

export class ReadyAnswer {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  info?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  error?: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'credentials: { status, store, index: { state, trusted, position, requiredPosition, lag, … } }',
  })
  details!: Record<string, unknown>;
}

export const keyViewRef = (): { $ref: string } => ({ $ref: getSchemaPath(KeyViewAnswer) });
