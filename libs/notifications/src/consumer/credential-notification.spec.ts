import type { RecordedEvent } from '@cs/event-store';
import { toKafkaMessage, type KafkaLikeMessage } from '../cloudevents';
import {
  MalformedNotificationError,
  parseCredentialNotification,
  type CredentialNotification,
  type NotificationMessageLike,
} from './credential-notification';

const keyId = 'key_7Hq2Lm9Xc4Vb8Nz1Kd5Rt3Wy';
const stored = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  id: '5b0e4c53-8a3f-5d1e-9b27-6c1f0e2d4a71',
  type,
  data: { keyId, accountId: 'acct_1', kind: 'api', ...data },
  metadata: {
    actor: { type: 'user', sub: 'user-7', acct: 'acct_1', roles: ['owner'] },
    correlationId: 'c',
    causationId: null,
    occurredAt: '2026-03-01T10:00:00.000Z',
    schemaVersion: 1,
  },
  streamId: `key-${keyId}`,
  revision: 0,
  position: 4711n,
  recordedAt: new Date('2026-03-01T10:00:00.010Z'),
});
const encode = (type: string, data: Record<string, unknown>): KafkaLikeMessage =>
  toKafkaMessage(stored(type, data), { source: '/credential-service' })!;
const revoked = encode('KeyRevoked', { reason: 'leaked' });

/** What kafkajs hands a consumer: header values and key as Buffers. */
const asConsumed = (m: KafkaLikeMessage): NotificationMessageLike => ({
  key: Buffer.from(m.key),
  value: m.value,
  headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v)])),
});
const malformed = (message: NotificationMessageLike): MalformedNotificationError => {
  try {
    parseCredentialNotification(message);
  } catch (error) {
    if (error instanceof MalformedNotificationError) return error;
    throw error;
  }
  throw new Error('parsed without an error');
};

describe('parseCredentialNotification', () => {
  it('reads a consumed message as a typed CloudEvent, data narrowed by type', () => {
    const n: CredentialNotification = parseCredentialNotification(asConsumed(revoked));
    expect(n).toEqual({
      specversion: '1.0',
      id: '5b0e4c53-8a3f-5d1e-9b27-6c1f0e2d4a71',
      type: 'credentials.key.revoked',
      source: '/credential-service',
      time: '2026-03-01T10:00:00.000Z',
      subject: keyId,
      sequence: '00000000000000004711',
      position: '4711',
      schemaVersion: 1,
      accountId: 'acct_1',
      data: {
        accountId: 'acct_1',
        keyId,
        kind: 'api',
        reason: 'leaked',
        actor: { type: 'user', sub: 'user-7' },
        occurredAt: '2026-03-01T10:00:00.000Z',
      },
    });
    // The discriminated union: on this branch `data.reason` exists (and is string | null).
    if (n.type === 'credentials.key.revoked') expect(n.data.reason).toBe('leaked');
  });

  it('reads each type the encoder writes', () => {
    const secret = {
      version: 2,
      hash: 'h',
      start: 'ak_live_Zt81mC',
      sealed: { kid: 'k', alg: 'A256GCM', iv: 'i', ciphertext: 'c', tag: 't' },
    };
    const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
      [
        'KeyGenerated',
        { name: 'n', allowedIps: [], webhookFormat: 'single', secret: { ...secret, version: 1 } },
        { secretVersion: 1, allowedIps: [] },
      ],
      ['KeyRotated', { secret, previousVersion: 1, previousExpiresAt: '2026-03-01T11:00:00.000Z' }, { start: 'ak_live_Zt81mC' }],
      ['KeyExpirySet', { slot: 'current', secretVersion: 2, expiresAt: null }, { expiresAt: null }],
      [
        'KeyExpired',
        { slot: 'previous', secretVersion: 1, reason: 'superseded', expiredAt: '2026-03-01T10:00:00.000Z' },
        { reason: 'superseded' },
      ],
      ['KeyUpdated', { changes: { allowedIps: ['192.0.2.1'] } }, { changedFields: ['allowedIps'], changes: { allowedIps: ['192.0.2.1'] } }],
      ['KeyRevealed', { slot: 'current', secretVersion: 2 }, { revealedBy: 'user-7' }],
    ];
    for (const [type, data, expected] of cases)
      expect(parseCredentialNotification(asConsumed(encode(type, data))).data).toMatchObject(expected);
  });

  it('ignores headers it does not know and drops data fields it does not know (new ones may be added)', () => {
    const data = { ...(JSON.parse(revoked.value.toString()) as object), addedLater: { big: 'x'.repeat(1000) } };
    const n = parseCredentialNotification({
      ...revoked,
      headers: { ...revoked.headers, traceparent: '00-abc-def-01' },
      value: JSON.stringify(data),
    });
    expect(n.data).not.toHaveProperty('addedLater');
    expect(n.type).toBe('credentials.key.revoked');
  });

  it('a type it does not know: reason unknown-type, with the type when it is safe to show', () => {
    const e = malformed({ ...revoked, headers: { ...revoked.headers, ce_type: 'credentials.key.archived' } });
    expect([e.reason, e.notificationType, e.notificationId]).toEqual([
      'unknown-type',
      'credentials.key.archived',
      '5b0e4c53-8a3f-5d1e-9b27-6c1f0e2d4a71',
    ]);
    const hostile = malformed({
      ...revoked,
      headers: { ...revoked.headers, ce_type: `x\n${'A'.repeat(10_000)}`, ce_id: `<script>${'B'.repeat(10_000)}` },
    });
    expect(hostile.reason).toBe('unknown-type');
    expect([hostile.notificationType, hostile.notificationId]).toEqual([undefined, undefined]);
    expect(hostile.message).not.toMatch(/AAAA|BBBB|script/);
    expect(hostile.message.length).toBeLessThan(200);
  });

  it('a missing, empty or repeated header: invalid-header, naming the headers', () => {
    const { ce_time: _t, ...noTime } = revoked.headers;
    const e = malformed({ ...revoked, headers: { ...noTime, ce_subject: '', ce_sequence: [Buffer.from('1'), Buffer.from('2')] } });
    expect(e.reason).toBe('invalid-header');
    expect(e.problems).toEqual(['header ce_time: missing', 'header ce_subject: empty', 'header ce_sequence: expected once, found 2 times']);
    expect(malformed({ ...revoked, headers: { ...revoked.headers, ce_time: 'yesterday' } }).problems).toEqual([
      'header ce_time: expected an RFC 3339 date-time',
    ]);
  });

  it('another CloudEvents version or content type', () => {
    expect(malformed({ ...revoked, headers: { ...revoked.headers, ce_specversion: '2.0' } }).reason).toBe('unsupported-specversion');
    expect(malformed({ ...revoked, headers: { ...revoked.headers, 'content-type': 'application/avro' } }).reason).toBe(
      'unsupported-content-type',
    );
    expect(
      parseCredentialNotification({ ...revoked, headers: { ...revoked.headers, 'content-type': 'application/json; charset=utf-8' } }).type,
    ).toBe('credentials.key.revoked');
  });

  it('a value that is not JSON: invalid-json, without quoting it', () => {
    const e = malformed({ ...revoked, value: Buffer.from('{"reason": "SECRET-LOOKING-TEXT", oops') });
    expect([e.reason, e.problems]).toEqual(['invalid-json', ['value: not valid JSON']]);
    expect(e.message).not.toContain('SECRET-LOOKING-TEXT');
    expect(malformed({ ...revoked, value: null }).reason).toBe('invalid-json');
  });

  it('data missing a field or with a wrong one: invalid-data, with paths and expectations but no values', () => {
    const data = JSON.parse(revoked.value.toString()) as Record<string, unknown>;
    const e = malformed({
      ...revoked,
      value: JSON.stringify({ ...data, kind: 'VALUE-NOT-SHOWN', reason: 7, actor: { type: 'user' }, keyId: undefined }),
    });
    expect(e.reason).toBe('invalid-data');
    expect(e.problems).toEqual([
      'data.keyId: missing',
      'data.kind: expected one of "api", "signing", "publishable"',
      'data.actor.sub: missing',
      'data.reason: expected a string',
    ]);
    expect(e.message).not.toContain('VALUE-NOT-SHOWN');
  });

  it('key, subject and time that disagree with the data: inconsistent', () => {
    const e = malformed({
      ...revoked,
      key: 'acct_2',
      headers: { ...revoked.headers, ce_subject: 'key_000000000000000000000000', ce_time: '2026-03-01T10:00:01Z' },
    });
    expect([e.reason, e.problems]).toEqual([
      'inconsistent',
      [
        'key: expected to equal data.accountId',
        'header ce_subject: expected to equal data.keyId',
        'header ce_time: expected the instant of data.occurredAt',
      ],
    ]);
    expect(malformed({ ...revoked, key: null }).problems).toEqual(['key: missing, expected to equal data.accountId']);
  });
});
