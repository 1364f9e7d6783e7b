/**
 * Between credentials.v1 messages and the application's shapes: enums (KEY_KIND_API ↔ "api"),
 * KeyView, history entries (data as google.protobuf.Struct and as JSON text), validity-at answers,
 * and the validation of decoded
 * requests with the very DTO classes and pipe the JSON API uses, so both refuse the same input.
 */
import type { HistoryEntry, KeyView, ValidityAt } from '@cs/application';
import type { KeyKind, SecretSlot, SigningAlgorithm, SigningScheme, WebhookFormat } from '@cs/domain';
import type { KeyStatus } from '@cs/validity';
import { badRequest } from '../http/problem';
import { validationPipe } from '../http/validation';
import type {
  KeyEventMessage,
  KeyKindName,
  KeyStatusName,
  KeyValidityAtMessage,
  KeyViewMessage,
  SigningAlgorithmName,
  SigningSchemeName,
  StructMessage,
  ValueMessage,
  WebhookFormatName,
} from './proto-types';

type EnumTable<T extends string> = Record<string, T>;

export const KEY_KINDS: EnumTable<KeyKind> = { KEY_KIND_API: 'api', KEY_KIND_SIGNING: 'signing', KEY_KIND_PUBLISHABLE: 'publishable' };
export const WEBHOOK_FORMATS: EnumTable<WebhookFormat> = { WEBHOOK_FORMAT_SINGLE: 'single', WEBHOOK_FORMAT_MULTIPLE: 'multiple' };
export const SIGNING_SCHEMES: EnumTable<SigningScheme> = {
  SIGNING_SCHEME_STRIPE: 'stripe',
  SIGNING_SCHEME_STANDARD_WEBHOOKS: 'standard-webhooks',
};
export const SIGNING_ALGORITHMS: EnumTable<SigningAlgorithm> = {
  SIGNING_ALGORITHM_HMAC_SHA256: 'hmac-sha256',
  SIGNING_ALGORITHM_ED25519: 'ed25519',
};
export const SECRET_VERSIONS: EnumTable<SecretSlot> = { SECRET_VERSION_CURRENT: 'current', SECRET_VERSION_PREVIOUS: 'previous' };
const KEY_STATUSES: Record<KeyStatus, KeyStatusName> = {
  active: 'KEY_STATUS_ACTIVE',
  revoked: 'KEY_STATUS_REVOKED',
  expired: 'KEY_STATUS_EXPIRED',
  suspended: 'KEY_STATUS_SUSPENDED',
};

/** A key status as its proto enum name. */
export const keyStatusName = (status: KeyStatus): KeyStatusName => KEY_STATUSES[status];

const invert = <T extends string>(table: EnumTable<T>): Record<T, string> =>
  Object.fromEntries(Object.entries(table).map(([name, value]) => [value, name])) as Record<T, string>;
const KIND_NAMES = invert(KEY_KINDS) as Record<KeyKind, KeyKindName>;
const FORMAT_NAMES = invert(WEBHOOK_FORMATS) as Record<WebhookFormat, WebhookFormatName>;
const SCHEME_NAMES = invert(SIGNING_SCHEMES) as Record<SigningScheme, SigningSchemeName>;
const ALGORITHM_NAMES = invert(SIGNING_ALGORITHMS) as Record<SigningAlgorithm, SigningAlgorithmName>;

/**
 * An enum field of a request. `*_UNSPECIFIED` (or absent) is "not given" unless `present` says the
 * field was set explicitly (proto3 optional); an unknown number is refused with the valid names.
 */
export function enumValue<T extends string>(
  field: string,
  value: string | number | undefined,
  table: EnumTable<T>,
  options: { required?: boolean; present?: boolean } = {},
): T | undefined {
  const names = Object.keys(table);
  const allowed = `${field} must be ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
  if (value === undefined || (typeof value === 'string' && value.endsWith('_UNSPECIFIED'))) {
    if (options.required || options.present) throw badRequest(allowed, [{ field, message: allowed }]);
    return undefined;
  }
  const mapped = typeof value === 'string' ? table[value] : undefined;
  // The value sent is not repeated: no error message echoes input.
  if (mapped === undefined) throw badRequest(allowed, [{ field, message: allowed }]);
  return mapped;
}

/** The JSON API's validation of a request body (class-validator DTO, whitelist, messages). */
export async function validated<T extends object>(metatype: new () => T, body: Record<string, unknown>): Promise<T> {
  const plain = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
  return (await validationPipe.transform(plain, { type: 'body', metatype })) as T;
}

export function keyViewMessage(view: KeyView): KeyViewMessage {
  return {
    id: view.id,
    accountId: view.accountId,
    kind: KIND_NAMES[view.kind],
    name: view.name,
    start: view.start,
    status: KEY_STATUSES[view.status],
    createdAt: view.createdAt,
    createdBy: view.createdBy,
    updatedAt: view.updatedAt,
    ...(view.expiresAt !== null ? { expiresAt: view.expiresAt } : {}),
    ...(view.previous ? { previous: { start: view.previous.start, expiresAt: view.previous.expiresAt } } : {}),
    allowedIps: view.allowedIps,
    webhookFormat: FORMAT_NAMES[view.webhookFormat],
    version: view.version,
    permissions: view.permissions,
    metadata: jsonStruct(view.metadata),
    ...(view.externalId !== null ? { externalId: view.externalId } : {}),
    ...(view.allowedOrigins ? { allowedOrigins: view.allowedOrigins } : {}),
    ...(view.key ? { publishableKey: view.key } : {}),
    ...(view.lastUsedAt ? { lastUsedAt: view.lastUsedAt } : {}),
    ...(view.scheme ? { scheme: SCHEME_NAMES[view.scheme] } : {}),
    ...(view.algorithm ? { algorithm: ALGORITHM_NAMES[view.algorithm] } : {}),
    ...(view.publicKey ? { publicKey: view.publicKey } : {}),
  };
}

export const keyKindName = (kind: KeyKind | undefined): KeyKindName => (kind ? KIND_NAMES[kind] : 'KEY_KIND_UNSPECIFIED');

/** A JSON value as google.protobuf.Value (what `JSON.stringify` would write: undefined members are left out). */
function jsonValue(value: unknown): ValueMessage {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(jsonValue) } };
  if (value instanceof Date) return { stringValue: value.toISOString() };
  return { structValue: jsonStruct(value as Record<string, unknown>) };
}

/** A JSON object as google.protobuf.Struct. */
export function jsonStruct(object: Record<string, unknown>): StructMessage {
  const fields: Record<string, ValueMessage> = {};
  for (const [name, value] of Object.entries(object)) if (value !== undefined) fields[name] = jsonValue(value);
  return { fields };
}

export function keyEventMessage(entry: HistoryEntry & { keyId?: string }): KeyEventMessage {
  const actor =
    entry.actor.type === 'user'
      ? { type: 'user', sub: entry.actor.sub, acct: entry.actor.acct, roles: entry.actor.roles }
      : { type: entry.actor.type, name: entry.actor.name };
  return {
    id: entry.id,
    type: entry.type,
    revision: entry.revision,
    time: entry.time,
    recordedAt: entry.recordedAt,
    actor,
    correlationId: entry.correlationId,
    ...(entry.causationId ? { causationId: entry.causationId } : {}),
    schemaVersion: entry.schemaVersion,
    dataJson: JSON.stringify(entry.data),
    data: jsonStruct(entry.data),
    keyId: entry.keyId ?? (typeof entry.data.keyId === 'string' ? entry.data.keyId : ''),
  };
}

export function keyValidityAtMessage(answer: ValidityAt): KeyValidityAtMessage {
  return {
    keyId: answer.keyId,
    at: answer.at,
    ...(answer.ip !== null ? { ip: answer.ip } : {}),
    status: answer.status ? KEY_STATUSES[answer.status] : 'KEY_STATUS_UNSPECIFIED',
    secrets: answer.secrets.map((secret) => ({
      version: secret.version,
      start: secret.start,
      valid: secret.valid,
      code: `VERIFY_CODE_${secret.code}`,
      ...(secret.expiresAt !== null ? { expiresAt: secret.expiresAt } : {}),
    })),
    ...(answer.asOfEvent ? { asOfEvent: answer.asOfEvent } : {}),
  };
}

/** KeyStatus names → statuses: ListKeys' `status` filter. */
export const KEY_STATUS_FILTERS = Object.fromEntries(
  Object.entries(KEY_STATUSES).map(([value, name]) => [name, value]),
) as EnumTable<KeyStatus>;

/** A webhook format as its proto enum name. */
export const webhookFormatName = (format: WebhookFormat): WebhookFormatName => FORMAT_NAMES[format];
