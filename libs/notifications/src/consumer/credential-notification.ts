/**
 * For services that consume the notification topic (docs/asyncapi.yaml): `parseCredentialNotification`
 * turns one Kafka message (kafkajs' `KafkaMessage` fits) into a typed CloudEvent whose `data` type
 * follows its `type`, or throws MalformedNotificationError. Dependency-free (notification-data.ts only).
 *
 * What it checks is what the contract promises: every CloudEvents header the service sets, a
 * `ce_type` it knows, JSON data with every field of that type, of the right type, consistent with the
 * headers and the message key. It reads tolerantly what the contract allows to grow: unknown headers
 * are ignored and unknown data fields are dropped (not in the result), so a consumer keeps working
 * when a field is added. A type it does not know is `reason: 'unknown-type'`, which a consumer may
 * choose to skip.
 *
 * Error messages name headers, fields and expectations only, never a value from the message: values
 * are untrusted, and may be large.
 */
import { CREDENTIAL_NOTIFICATION_TYPES, type CredentialNotificationType, type NotificationDataByType } from '../notification-data';

/** A Kafka message as kafkajs (and most clients) hand it over; header values as bytes or strings. */
export interface NotificationMessageLike {
  /** The account id; a notification always has one. */
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Readonly<Record<string, Buffer | string | readonly (Buffer | string)[] | undefined>>;
}

interface CredentialNotificationOf<T extends CredentialNotificationType> {
  specversion: '1.0';
  /** `ce_id`: the same for every copy of a notification; de-duplicate on it. */
  id: string;
  type: T;
  source: string;
  /** `ce_time` (RFC 3339). */
  time: string;
  /** `ce_subject`: the key id. */
  subject: string;
  /** `ce_sequence`: the store position, zero-padded to 20 digits (orders as a string). */
  sequence: string;
  /** `ce_position`: the same position, unpadded. */
  position: string;
  /** `ce_schemaversion`. */
  schemaVersion: number;
  /** The message key: the account id (the same as `data.accountId`). */
  accountId: string;
  data: NotificationDataByType[T];
}

/** One notification; narrow on `type` to get the `data` of that type. */
export type CredentialNotification = { [T in CredentialNotificationType]: CredentialNotificationOf<T> }[CredentialNotificationType];

export type MalformedNotificationReason =
  /** A header the contract requires is absent, empty, repeated, or not what it must be. */
  | 'invalid-header'
  /** `ce_specversion` is not 1.0. */
  | 'unsupported-specversion'
  /** `ce_type` is not one this code knows (perhaps newer than it): skipping it may be right. */
  | 'unknown-type'
  /** `content-type` is not application/json. */
  | 'unsupported-content-type'
  /** The value is missing or not JSON. */
  | 'invalid-json'
  /** The data lacks a field of its type, or one has the wrong type or value. */
  | 'invalid-data'
  /** Headers, key and data disagree (subject vs keyId, key vs accountId, time vs occurredAt). */
  | 'inconsistent';

/** A message that is not a notification of this contract. `problems`: paths and expectations only. */
export class MalformedNotificationError extends Error {
  constructor(
    readonly reason: MalformedNotificationReason,
    readonly problems: readonly string[],
    /** `ce_id`, when it is a UUID (safe to log); otherwise undefined. */
    readonly notificationId?: string,
    /** `ce_type`, when it is short and made of letters, digits, ".", "-" and "_"; otherwise undefined. */
    readonly notificationType?: string,
  ) {
    const about = [notificationType && `type ${notificationType}`, notificationId && `id ${notificationId}`].filter(Boolean).join(', ');
    super(`malformed credential notification${about ? ` (${about})` : ''}: ${reason}: ${problems.join('; ')}`);
    this.name = 'MalformedNotificationError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_TYPE = /^[A-Za-z0-9._-]{1,100}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The typed notification in a Kafka message; throws MalformedNotificationError when the message is
 * not one (see the reasons). Never throws anything else.
 */
export function parseCredentialNotification(message: NotificationMessageLike): CredentialNotification {
  const headerProblems: string[] = [];
  const header = (name: string): string => {
    const raw = message.headers?.[name];
    if (raw === undefined || raw === null) {
      headerProblems.push(`header ${name}: missing`);
      return '';
    }
    if (Array.isArray(raw)) {
      headerProblems.push(`header ${name}: expected once, found ${raw.length} times`);
      return '';
    }
    const text = typeof raw === 'string' ? raw : (raw as Buffer).toString('utf8');
    if (text === '') headerProblems.push(`header ${name}: empty`);
    return text;
  };

  const idText = header('ce_id');
  const id = UUID.test(idText) ? idText : undefined;
  const typeText = header('ce_type');
  const safeType = SAFE_TYPE.test(typeText) ? typeText : undefined;
  const fail = (reason: MalformedNotificationReason, problems: readonly string[]): never => {
    throw new MalformedNotificationError(reason, problems, id, safeType);
  };

  const specversion = header('ce_specversion');
  if (specversion !== '' && specversion !== '1.0') fail('unsupported-specversion', ['header ce_specversion: expected "1.0"']);
  const source = header('ce_source');
  const time = header('ce_time');
  const subject = header('ce_subject');
  const contentType = header('content-type');
  const sequence = header('ce_sequence');
  const position = header('ce_position');
  const schemaVersionText = header('ce_schemaversion');
  if (time !== '' && !isTimestamp(time)) headerProblems.push('header ce_time: expected an RFC 3339 date-time');
  if (sequence !== '' && !/^[0-9]{20}$/.test(sequence)) headerProblems.push('header ce_sequence: expected 20 digits');
  if (position !== '' && !/^(0|[1-9][0-9]*)$/.test(position)) headerProblems.push('header ce_position: expected a non-negative integer');
  if (schemaVersionText !== '' && !/^[1-9][0-9]{0,8}$/.test(schemaVersionText))
    headerProblems.push('header ce_schemaversion: expected a positive integer');
  if (headerProblems.length > 0) fail('invalid-header', headerProblems);

  if (!isNotificationType(typeText)) return fail('unknown-type', ['header ce_type: not a type of this contract']);
  const type = typeText;
  if (!/^application\/json\s*(;.*)?$/i.test(contentType))
    fail('unsupported-content-type', ['header content-type: expected application/json']);

  if (message.value === null || message.value === undefined) return fail('invalid-json', ['value: missing']);
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof message.value === 'string' ? message.value : message.value.toString('utf8'));
  } catch {
    // The parser's message quotes the input: not repeated here.
    return fail('invalid-json', ['value: not valid JSON']);
  }
  const dataProblems: string[] = [];
  const data = DATA_READERS[type](parsed, 'data', dataProblems);
  if (dataProblems.length > 0 || data === undefined) return fail('invalid-data', dataProblems);

  const key = message.key === null || message.key === undefined ? undefined : message.key.toString();
  const inconsistent: string[] = [];
  if (key !== data.accountId) inconsistent.push(`key: ${key === undefined ? 'missing, ' : ''}expected to equal data.accountId`);
  if (subject !== data.keyId) inconsistent.push('header ce_subject: expected to equal data.keyId');
  if (Date.parse(time) !== Date.parse(data.occurredAt)) inconsistent.push('header ce_time: expected the instant of data.occurredAt');
  if (inconsistent.length > 0) fail('inconsistent', inconsistent);

  return {
    specversion: '1.0',
    id: idText,
    type,
    source,
    time,
    subject,
    sequence,
    position,
    schemaVersion: Number(schemaVersionText),
    accountId: data.accountId,
    data,
  } as CredentialNotification;
}

function isNotificationType(type: string): type is CredentialNotificationType {
  return (CREDENTIAL_NOTIFICATION_TYPES as readonly string[]).includes(type);
}

function isTimestamp(value: string): boolean {
  return RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

// ---- data readers: check a value and return it (known fields only), or record why not ------------

type Reader<T> = (value: unknown, path: string, problems: string[]) => T | undefined;

const string: Reader<string> = (value, path, problems) => {
  if (typeof value === 'string') return value;
  problems.push(`${path}: expected a string`);
  return undefined;
};

const timestamp: Reader<string> = (value, path, problems) => {
  if (typeof value === 'string' && isTimestamp(value)) return value;
  problems.push(`${path}: expected an RFC 3339 date-time`);
  return undefined;
};

const version: Reader<number> = (value, path, problems) => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  problems.push(`${path}: expected an integer of at least 1`);
  return undefined;
};

const oneOf =
  <T extends string>(...allowed: readonly T[]): Reader<T> =>
  (value, path, problems) => {
    if ((allowed as readonly unknown[]).includes(value)) return value as T;
    problems.push(`${path}: expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    return undefined;
  };

const nullable =
  <T>(read: Reader<T>): Reader<T | null> =>
  (value, path, problems) =>
    value === null ? null : read(value, path, problems);

const arrayOf =
  <T>(read: Reader<T>): Reader<T[]> =>
  (value, path, problems) => {
    if (!Array.isArray(value)) {
      problems.push(`${path}: expected an array`);
      return undefined;
    }
    return value.map((item, i) => read(item, `${path}[${i}]`, problems)) as T[];
  };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

type Fields<T> = { [K in keyof T]-?: Reader<T[K]> };

/** An object with these fields, each required unless listed in `optional`; other fields are dropped. */
function object<T>(fields: Fields<T>, optional: readonly (keyof T)[] = []): Reader<T> {
  return (value, path, problems) => {
    if (!isRecord(value)) {
      problems.push(`${path}: expected an object`);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [name, read] of Object.entries<Reader<unknown>>(fields as Record<string, Reader<unknown>>)) {
      if (!Object.prototype.hasOwnProperty.call(value, name) || value[name] === undefined) {
        if (!optional.includes(name as keyof T)) problems.push(`${path}.${name}: missing`);
        continue;
      }
      out[name] = read(value[name], `${path}.${name}`, problems);
    }
    return out as T;
  };
}

const kind = oneOf('api', 'signing', 'publishable');
const slot = oneOf('current', 'previous');
const webhookFormat = oneOf('single', 'multiple');
const allowedIps = arrayOf(string);

const actor: Reader<NotificationDataByType['credentials.key.generated']['actor']> = (value, path, problems) => {
  if (isRecord(value) && value.type === 'user')
    return object<{ type: 'user'; sub: string }>({ type: oneOf('user'), sub: string })(value, path, problems);
  if (isRecord(value) && value.type === 'system')
    return object<{ type: 'system'; name: string }>({ type: oneOf('system'), name: string })(value, path, problems);
  problems.push(`${path}: expected an object with type "user" (and sub) or "system" (and name)`);
  return undefined;
};

const base = { accountId: string, keyId: string, kind, actor, occurredAt: timestamp };

const DATA_READERS: { [T in CredentialNotificationType]: Reader<NotificationDataByType[T]> } = {
  'credentials.key.generated': object({ ...base, name: string, start: string, secretVersion: version, allowedIps, webhookFormat }),
  'credentials.key.rotated': object({
    ...base,
    start: string,
    secretVersion: version,
    previousVersion: version,
    previousExpiresAt: timestamp,
  }),
  'credentials.key.expiry-set': object({ ...base, slot, secretVersion: version, expiresAt: nullable(timestamp) }),
  'credentials.key.revoked': object({ ...base, reason: nullable(string) }),
  'credentials.key.expired': object({
    ...base,
    slot,
    secretVersion: version,
    reason: oneOf('expired', 'superseded'),
    expiredAt: timestamp,
  }),
  'credentials.key.updated': object({
    ...base,
    changedFields: arrayOf(oneOf('name', 'allowedIps', 'webhookFormat')),
    changes: object({ name: string, allowedIps, webhookFormat }, ['name', 'allowedIps', 'webhookFormat']),
  }),
  'credentials.key.revealed': object({ ...base, slot, secretVersion: version, revealedBy: string }),
  // leadSeconds is a whole number of seconds of at least 1, as a secret version is
  'credentials.key.expiring': object({ ...base, slot, secretVersion: version, expiresAt: timestamp, leadSeconds: version }),
  'credentials.key.suspended': object({ ...base, reason: nullable(string) }),
  'credentials.key.resumed': object({ ...base }),
  'credentials.key.leaked': object({
    ...base,
    reportId: string,
    receivedAt: timestamp,
    tokenType: string,
    url: string,
    source: nullable(string),
    secretVersion: version,
    action: oneOf('revoked', 'alerted', 'none'),
  }),
};
