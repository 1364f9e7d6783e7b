import { EventCodec, EventDecodeError, type StoredEvent } from './event-codec';
import { KEY_EVENT_SCHEMA_VERSION, KEY_EVENT_TYPES, type KeyEvent, type KeyGenerated, type KeyRevoked } from './events';
import { KEY_EVENT_SCHEMAS, KEY_EVENT_UPCASTERS, decodeKeyEvent, encodeKeyEvent } from './key-event-codec';
import {
  BASE,
  at,
  keyExpired,
  keyExpiryWarned,
  keyExpirySet,
  keyGenerated,
  keyLeakReported,
  keyRevealed,
  keyResumed,
  keyRevokedForLeak,
  keyRevoked,
  keyRotated,
  keySuspended,
  keyUpdated,
} from './testing/decider-specification';

/** As the store gives it back: data through JSON, the schema version in the metadata. */
function stored(event: KeyEvent, schemaVersion: number = KEY_EVENT_SCHEMA_VERSION[event.type]): StoredEvent {
  const encoded = encodeKeyEvent(event);
  return { type: encoded.type, data: JSON.parse(JSON.stringify(encoded.data)), metadata: { schemaVersion } };
}

const refusal = (decode: () => unknown): EventDecodeError => {
  try {
    decode();
  } catch (error) {
    if (error instanceof EventDecodeError) return error;
    throw error;
  }
  throw new Error('decoded, where a refusal was expected');
};

describe('decodeKeyEvent', () => {
  const every: KeyEvent[] = [
    keyGenerated({ name: 'n', allowedIps: ['10.0.0.0/8'], webhookFormat: 'multiple' }),
    keyGenerated({ permissions: ['payments:*'], metadata: { team: 'checkout', tags: ['eu'] }, externalId: 'merchant-42' }),
    keyRotated(2, at(60)),
    keyExpirySet('current', 2, at(90)),
    keyExpirySet('previous', 1, null),
    keyRevealed('previous', 1),
    keyUpdated({ name: 'renamed', allowedIps: [], webhookFormat: 'single' }),
    keyUpdated({}),
    keyUpdated({ permissions: [], metadata: { tier: 2 }, externalId: '' }),
    keyExpired('previous', 1, at(60), 'superseded'),
    keyRevoked('leaked'),
    keyRevoked(null),
    keyExpiryWarned('current', 1, at(60), 86400),
    keySuspended('investigating'),
    keySuspended(null),
    keyResumed(),
    keyLeakReported(1, 'revoked'),
    keyLeakReported(2, 'none', 'signing'),
    keyRevokedForLeak(),
  ];

  it('covers every key event type', () => {
    expect(new Set(every.map((e) => e.type))).toEqual(new Set(KEY_EVENT_TYPES));
  });

  it.each(every.map((e) => [e.type, e] as const))('decodes a stored %s to the event the decider wrote', (_type, event) => {
    expect(decodeKeyEvent(stored(event))).toEqual(event);
  });

  it('decodes a version-1 KeyGenerated and KeyUpdated stored before permissions, metadata and external id existed (no schema bump)', () => {
    const old = { type: 'KeyGenerated', data: JSON.parse(JSON.stringify(keyGenerated().data)), metadata: { schemaVersion: 1 } };
    expect(old.data).not.toHaveProperty('permissions');
    expect(decodeKeyEvent(old)).toEqual(keyGenerated());
  });

  it('refuses a stored KeyGenerated whose permissions or metadata have the wrong shape', () => {
    const bad = (extra: object) => ({ type: 'KeyGenerated', data: { ...keyGenerated().data, ...extra }, metadata: { schemaVersion: 1 } });
    expect(refusal(() => decodeKeyEvent(bad({ permissions: 'payments:*' }))).problems).toEqual(['data.permissions: expected an array']);
    expect(refusal(() => decodeKeyEvent(bad({ metadata: ['x'] }))).problems).toEqual(['data.metadata: expected an object']);
  });

  it('decodes a signing key’s KeyGenerated with and without a scheme, algorithm and public key (issue #14, no schema bump)', () => {
    const signing = { ...(keyGenerated().data as KeyGenerated['data']), kind: 'signing' as const };
    const before = { type: 'KeyGenerated', data: JSON.parse(JSON.stringify(signing)), metadata: { schemaVersion: 1 } };
    expect(decodeKeyEvent(before)?.data).not.toHaveProperty('scheme');
    const ed = {
      ...signing,
      scheme: 'standard-webhooks',
      algorithm: 'ed25519',
      secret: { ...signing.secret, publicKey: Buffer.alloc(32, 1).toString('base64') },
    };
    expect(decodeKeyEvent({ type: 'KeyGenerated', data: ed, metadata: { schemaVersion: 1 } })?.data).toEqual(ed);
    const bad = (extra: object) => ({ type: 'KeyGenerated', data: { ...signing, ...extra }, metadata: { schemaVersion: 1 } });
    expect(refusal(() => decodeKeyEvent(bad({ scheme: 'svix' }))).problems).toEqual([
      'data.scheme: expected one of "stripe", "standard-webhooks"',
    ]);
    expect(refusal(() => decodeKeyEvent(bad({ algorithm: 'rsa' }))).problems).toEqual([
      'data.algorithm: expected one of "hmac-sha256", "ed25519"',
    ]);
  });

  it('encodes with the type’s current schema version', () => {
    expect(encodeKeyEvent(keyRevoked('x'))).toEqual({
      type: 'KeyRevoked',
      data: { ...BASE, reason: 'x' },
      schemaVersion: KEY_EVENT_SCHEMA_VERSION.KeyRevoked,
    });
  });

  it('is null for a type that is not a key event', () => {
    const metadata = { schemaVersion: 1 };
    expect(decodeKeyEvent({ type: 'SigningKeySlotReserved', data: { accountId: 'a', keyId: 'k' }, metadata })).toBeNull();
    expect(decodeKeyEvent({ type: 'AccountOpened', data: {}, metadata })).toBeNull();
    expect(decodeKeyEvent({ type: 'toString', data: {}, metadata })).toBeNull(); // not fooled by Object.prototype
  });

  it('reads a KeyUpdated whose changes hold null, recorded before the API refused null, as stored', () => {
    const legacy = { type: 'KeyUpdated', data: { ...BASE, changes: { allowedIps: null, name: 'kept' } }, metadata: { schemaVersion: 1 } };
    expect(decodeKeyEvent(legacy)).toEqual({ type: 'KeyUpdated', data: legacy.data });
  });

  describe('refuses, rather than casts, a payload that is not what its type says', () => {
    const revoked = stored(keyRevoked('x'));
    const generated = stored(keyGenerated());
    const withData = (event: StoredEvent, data: unknown): StoredEvent => ({ ...event, data });
    const generatedData = generated.data as Record<string, unknown> & { secret: Record<string, unknown> & { hash: string } };

    it.each([
      ['a missing field', withData(revoked, { keyId: 'k', accountId: 'a', kind: 'api' }), ['data.reason: missing']],
      ['a field of the wrong type', withData(revoked, { ...BASE, reason: 42 }), ['data.reason: expected a string']],
      [
        'a value outside its set',
        withData(revoked, { ...BASE, kind: 'master', reason: null }),
        ['data.kind: expected one of "api", "signing", "publishable"'],
      ],
      [
        'a nested field',
        withData(generated, { ...generatedData, secret: { ...generatedData.secret, hash: undefined } }),
        ['data.secret.hash: missing'],
      ],
      ['an array item', withData(generated, { ...generatedData, allowedIps: ['10.0.0.1', 7] }), ['data.allowedIps[1]: expected a string']],
      ['data that is no object', withData(revoked, 'KeyRevoked'), ['data: expected an object']],
      ['data that is null', withData(revoked, null), ['data: expected an object']],
      ['no schema version', { ...revoked, metadata: {} }, ['metadata.schemaVersion: expected a positive integer']],
    ] as const)('%s', (_what, event, problems) => {
      const error = refusal(() => decodeKeyEvent(event));
      expect(error.problems).toEqual(problems);
      expect(error).toMatchObject({ name: 'EventDecodeError', eventType: event.type, retryable: false });
    });

    it('names every problem, by path, without quoting the stored values', () => {
      const secretData = { ...generatedData, name: 5, secret: { ...generatedData.secret, sealed: 'not-an-object' } };
      const error = refusal(() => decodeKeyEvent(withData(generated, secretData)));
      expect(error.problems).toEqual(['data.name: expected a string', 'data.secret.sealed: expected an object']);
      expect(error.message).not.toContain(generatedData.secret.hash);
      expect(error.message).not.toContain('not-an-object');
    });

    it('a schema version newer than this code reads', () => {
      const error = refusal(() => decodeKeyEvent(stored(keyRevoked('x'), KEY_EVENT_SCHEMA_VERSION.KeyRevoked + 1)));
      expect(error.problems[0]).toMatch(/newer schema version/);
    });
  });

  it('has no upcasters while every type is at schema version 1', () => {
    expect(Object.values(KEY_EVENT_SCHEMA_VERSION).every((v) => v === 1)).toBe(true);
    expect(KEY_EVENT_UPCASTERS).toEqual({});
  });
});

/**
 * The upcaster registry at work, on a synthetic history (no key event type has an old version yet):
 * suppose KeyRevoked is at schema version 3, version 1 had no `reason`, and version 2 called it `why`.
 */
describe('upcasters', () => {
  const upcasters = {
    KeyRevoked: {
      1: (data: Record<string, unknown>) => ({ ...data, why: null }),
      2: ({ why, ...data }: Record<string, unknown>) => ({ ...data, reason: why }),
    },
  };
  const codec = new EventCodec<KeyEvent>({
    versions: { ...KEY_EVENT_SCHEMA_VERSION, KeyRevoked: 3 },
    schemas: KEY_EVENT_SCHEMAS,
    upcasters,
  });
  const atVersion = (schemaVersion: number, data: Record<string, unknown>): StoredEvent => ({
    type: 'KeyRevoked',
    data,
    metadata: { schemaVersion },
  });

  it('lifts version 1 through every upcaster to the current version', () => {
    const event = codec.decode(atVersion(1, { ...BASE })) as KeyRevoked;
    expect(event).toEqual({ type: 'KeyRevoked', data: { ...BASE, reason: null } });
  });

  it('lifts version 2 through the upcasters after it only', () => {
    expect(codec.decode(atVersion(2, { ...BASE, why: 'leaked' }))).toEqual({ type: 'KeyRevoked', data: { ...BASE, reason: 'leaked' } });
  });

  it('leaves the current version as it is', () => {
    expect(codec.decode(atVersion(3, { ...BASE, reason: 'x' }))).toEqual({ type: 'KeyRevoked', data: { ...BASE, reason: 'x' } });
  });

  it('checks what the upcasters return against the current schema', () => {
    const error = refusal(() => codec.decode(atVersion(2, { ...BASE, why: 42 })));
    expect(error.problems).toEqual(['data.reason: expected a string']);
  });

  it('refuses an older version it has no upcaster for', () => {
    const gap = new EventCodec<KeyEvent>({
      versions: { ...KEY_EVENT_SCHEMA_VERSION, KeyRevoked: 3 },
      schemas: KEY_EVENT_SCHEMAS,
      upcasters: { KeyRevoked: { 2: upcasters.KeyRevoked[2] } },
    });
    expect(refusal(() => gap.decode(atVersion(1, { ...BASE }))).problems).toEqual(['no upcaster from schema version 1 to 2']);
    expect(gap.decode(atVersion(2, { ...BASE, why: null }))).toEqual({ type: 'KeyRevoked', data: { ...BASE, reason: null } });
  });

  it('does not touch the stored data', () => {
    const data = { ...BASE };
    codec.decode(atVersion(1, data));
    expect(data).toEqual({ ...BASE });
  });

  it('encodes at the current version', () => {
    expect(codec.encode(keyRevoked('x')).schemaVersion).toBe(3);
  });
});
