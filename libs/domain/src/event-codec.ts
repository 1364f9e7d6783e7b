/**
 * Reading stored events back as typed domain events: the one place where untyped stored data
 * becomes a `KeyEvent` (key-event-codec.ts) or an `AccountEvent` (account-event-codec.ts), instead
 * of a cast at every reader. A codec knows each event type's current schema version and the shape of
 * its data at that version; decoding
 *
 * 1. returns null for a type the codec does not know (the caller passes over it, as before);
 * 2. lifts data written at an older schema version to the current one, one version at a time,
 *    through the type's upcasters (`upcasters[type][n]` reads version n and returns version n + 1);
 * 3. checks the result has every field its type needs, with the right types and values;
 *
 * and throws EventDecodeError otherwise (data that is not what its type says, a version newer than
 * this code knows, an older version with no upcaster): such an event is refused, never cast. Callers
 * decide what a refusal means for them (the projection and the relay stop at it and retry rather than
 * skip it; history shows it without data).
 *
 * Pure and dependency-free, like the rest of the domain: it reads any `{ type, data, metadata }`,
 * which a RecordedEvent of libs/event-store is.
 */

/** What a codec reads of a stored event (a RecordedEvent has these fields). */
export interface StoredEvent {
  type: string;
  data: unknown;
  metadata: { schemaVersion?: unknown };
}

/**
 * Lifts one event type's data from schema version n to n + 1. Pure, and total on what version n
 * wrote: the result is checked against the current schema after the last upcaster ran.
 */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** Per event type, its upcasters keyed by the (older) schema version each one reads. */
export type Upcasters<T extends string> = Partial<Record<T, Readonly<Record<number, Upcaster>>>>;

/**
 * Checks one value and records what is wrong with it: paths and expectations only, never the value
 * (event data holds hashes and sealed secrets, and errors end up in logs).
 */
export type Check = (value: unknown, path: string, problems: string[]) => void;

/** A stored event of a known type that cannot be read as that type. Retrying will not help. */
export class EventDecodeError extends Error {
  readonly retryable = false;
  constructor(
    readonly eventType: string,
    readonly schemaVersion: unknown,
    readonly problems: readonly string[],
  ) {
    super(`cannot read a stored ${eventType} event (schema version ${String(schemaVersion)}): ${problems.join('; ')}`);
    this.name = 'EventDecodeError';
  }
}

export interface EventCodecSpec<T extends string> {
  /** The schema version each type is written with now, and decoded to. */
  versions: Readonly<Record<T, number>>;
  /** The shape of each type's data at its current version. */
  schemas: Readonly<Record<T, Check>>;
  upcasters?: Upcasters<T>;
}

/** What the event's append carries: its type, its data as stored, and the schema version to record. */
export interface EncodedEvent<T extends string> {
  type: T;
  data: Record<string, unknown>;
  schemaVersion: number;
}

export class EventCodec<E extends { type: string; data: object }> {
  constructor(private readonly spec: EventCodecSpec<E['type']>) {}

  isKnownType(type: string): type is E['type'] {
    return Object.prototype.hasOwnProperty.call(this.spec.versions, type);
  }

  /** The typed event; null when its type is not one of this codec's; throws EventDecodeError when it cannot be read. */
  decode(stored: StoredEvent): E | null {
    const type = stored.type;
    if (!this.isKnownType(type)) return null;
    const current = this.spec.versions[type];
    const version = stored.metadata?.schemaVersion;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
      throw new EventDecodeError(type, version, ['metadata.schemaVersion: expected a positive integer']);
    }
    if (version > current) {
      throw new EventDecodeError(type, version, [`written at a newer schema version than this code reads (${current})`]);
    }
    if (!isRecord(stored.data)) throw new EventDecodeError(type, version, ['data: expected an object']);
    let data = stored.data;
    for (let from = version; from < current; from++) {
      const upcaster = this.spec.upcasters?.[type]?.[from];
      if (!upcaster) throw new EventDecodeError(type, version, [`no upcaster from schema version ${from} to ${from + 1}`]);
      data = upcaster(data);
    }
    const problems: string[] = [];
    this.spec.schemas[type](data, 'data', problems);
    if (problems.length > 0) throw new EventDecodeError(type, version, problems);
    // The one assertion: the schema of `type`, checked just above, is the shape of E's data for `type`.
    return { type, data } as E;
  }

  /** The event as appended: data as a plain record, stamped with its type's current schema version. */
  encode(event: E): EncodedEvent<E['type']> {
    return { type: event.type, data: { ...event.data }, schemaVersion: this.spec.versions[event.type as E['type']] };
  }
}

// ---- checks -------------------------------------------------------------------------------------

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const isString: Check = (value, path, problems) => {
  if (typeof value !== 'string') problems.push(`${path}: expected a string`);
};

export const isInteger: Check = (value, path, problems) => {
  if (typeof value !== 'number' || !Number.isInteger(value)) problems.push(`${path}: expected an integer`);
};

export const oneOf =
  (...allowed: readonly (string | number | boolean)[]): Check =>
  (value, path, problems) => {
    if (!(allowed as readonly unknown[]).includes(value))
      problems.push(`${path}: expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  };

export const nullable =
  (check: Check): Check =>
  (value, path, problems) => {
    if (value !== null) check(value, path, problems);
  };

export const arrayOf =
  (check: Check): Check =>
  (value, path, problems) => {
    if (!Array.isArray(value)) problems.push(`${path}: expected an array`);
    else value.forEach((item, i) => check(item, `${path}[${i}]`, problems));
  };

const optionalChecks = new WeakSet<Check>();

/** Marks a field of `object()` that may be absent (undefined). */
export const optional = (check: Check): Check => {
  const field: Check = (value, path, problems) => check(value, path, problems);
  optionalChecks.add(field);
  return field;
};

/** An object with these fields (others are let through, untouched). */
export const object = (fields: Readonly<Record<string, Check>>): Check => {
  // Worked out once per shape, not per value: every event of a rebuild goes through here.
  const entries = Object.entries(fields).map(([name, check]) => ({ name, check, optional: optionalChecks.has(check) }));
  return (value, path, problems) => {
    if (!isRecord(value)) {
      problems.push(`${path}: expected an object`);
      return;
    }
    for (const { name, check, optional: mayBeAbsent } of entries) {
      const field = value[name];
      if (field === undefined) {
        if (!mayBeAbsent) problems.push(`${path}.${name}: missing`);
        continue;
      }
      check(field, `${path}.${name}`, problems);
    }
  };
};
