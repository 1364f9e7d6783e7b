import { Kafka, type CloudEvent, type KafkaMessage } from 'cloudevents';
import type { KeyEvent } from '@cs/domain';
import type { EventMetadata, RecordedEvent } from '@cs/event-store';
import { CE_TYPES, toKafkaMessage } from './cloudevents';

const source = '/credential-service';
const user: EventMetadata['actor'] = { type: 'user', sub: 'user-7', acct: 'acct-1', roles: ['admin'] };
const base = { keyId: 'key_01', accountId: 'acct-1', kind: 'api' as const };
const sealed = (n: number) => ({
  kid: 'mk1',
  alg: 'A256GCM' as const,
  iv: `iv-secret-${n}`,
  ciphertext: `CIPHERTEXT-${n}`,
  tag: `TAG-${n}`,
});
const secret = (n: number) => ({ version: n, hash: `HASH-${n}-deadbeef`, start: `sk_live_ab${n}`, sealed: sealed(n) });

let position = 40n;
function recorded(event: KeyEvent, actor: EventMetadata['actor'] = user): RecordedEvent {
  position++;
  return {
    id: `00000000-0000-4000-8000-0000000000${position}`,
    type: event.type,
    data: event.data as unknown as Record<string, unknown>,
    metadata: { actor, correlationId: 'corr', causationId: null, occurredAt: '2026-03-01T10:00:00.000Z', schemaVersion: 1 },
    streamId: `key-${event.data.keyId}`,
    revision: 0,
    position,
    recordedAt: new Date('2026-03-01T10:00:00.010Z'),
  };
}

const events: Record<KeyEvent['type'], RecordedEvent> = {
  KeyGenerated: recorded({
    type: 'KeyGenerated',
    data: { ...base, name: 'shop', allowedIps: ['10.0.0.0/8'], webhookFormat: 'single', secret: secret(1) },
  }),
  KeyRotated: recorded({
    type: 'KeyRotated',
    data: { ...base, secret: secret(2), previousVersion: 1, previousExpiresAt: '2026-03-02T10:00:00.000Z' },
  }),
  KeyExpirySet: recorded({
    type: 'KeyExpirySet',
    data: { ...base, slot: 'previous', secretVersion: 1, expiresAt: '2026-03-01T12:00:00.000Z' },
  }),
  KeyRevealed: recorded({ type: 'KeyRevealed', data: { ...base, slot: 'current', secretVersion: 2 } }),
  KeyUpdated: recorded({ type: 'KeyUpdated', data: { ...base, changes: { name: 'shop-eu', allowedIps: ['192.0.2.1'] } } }),
  KeyRevoked: recorded({ type: 'KeyRevoked', data: { ...base, reason: 'leaked' } }),
  KeyExpired: recorded(
    { type: 'KeyExpired', data: { ...base, slot: 'previous', secretVersion: 1, reason: 'expired', expiredAt: '2026-03-01T12:00:00.000Z' } },
    { type: 'system', name: 'expiry-scheduler' },
  ),
  KeyExpiryWarned: recorded(
    {
      type: 'KeyExpiryWarned',
      data: { ...base, slot: 'current', secretVersion: 2, expiresAt: '2026-03-08T10:00:00.000Z', leadSeconds: 604800 },
    },
    { type: 'system', name: 'expiry-warner' },
  ),
  KeySuspended: recorded({ type: 'KeySuspended', data: { ...base, reason: 'investigating' } }),
  KeyResumed: recorded({ type: 'KeyResumed', data: { ...base } }),
  KeyLeakReported: recorded(
    {
      type: 'KeyLeakReported',
      data: {
        ...base,
        reportId: 'lr_0123456789abcdef0123456789abcdef',
        receivedAt: '2026-03-01T09:59:59.000Z',
        tokenType: 'credential_service_api_key',
        url: 'https://github.com/octo/shop/blob/abc/config.env',
        source: 'content',
        secretVersion: 2,
        action: 'revoked',
      },
    },
    { type: 'system', name: 'secret-scanning' },
  ),
};

const map = (e: RecordedEvent) => {
  const m = toKafkaMessage(e, { source });
  if (!m) throw new Error(`no message for ${e.type}`);
  return { ...m, data: JSON.parse(m.value.toString('utf8')) as Record<string, unknown> };
};

describe('toKafkaMessage', () => {
  it.each(Object.entries(events))('maps %s to its CloudEvents type with binary-mode headers', (type, event) => {
    const m = map(event);
    expect(m.key).toBe('acct-1');
    expect(m.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: CE_TYPES[type as KeyEvent['type']],
      ce_source: source,
      ce_time: '2026-03-01T10:00:00.000Z',
      ce_subject: 'key_01',
      'content-type': 'application/json',
      ce_sequence: event.position.toString().padStart(20, '0'),
      ce_position: event.position.toString(),
      ce_schemaversion: '1',
    });
    expect(m.data).toMatchObject({ accountId: 'acct-1', keyId: 'key_01', kind: 'api', occurredAt: '2026-03-01T10:00:00.000Z' });
    // The SDK reads it back as a valid CloudEvent with the same attributes.
    const wire: KafkaMessage = { headers: m.headers, key: m.key, value: m.value, body: m.value };
    const back = Kafka.toEvent(wire) as CloudEvent<unknown>;
    expect(back.id).toBe(event.id);
    expect(back.type).toBe(CE_TYPES[type as KeyEvent['type']]);
  });

  it('covers every key event type with a distinct ce_type', () => {
    expect(new Set(Object.values(CE_TYPES)).size).toBe(Object.keys(events).length);
    expect(CE_TYPES).toMatchObject({
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
    });
  });

  it('says what changed, per type', () => {
    expect(map(events.KeyGenerated).data).toMatchObject({
      name: 'shop',
      start: 'sk_live_ab1',
      secretVersion: 1,
      allowedIps: ['10.0.0.0/8'],
      webhookFormat: 'single',
    });
    expect(map(events.KeyRotated).data).toMatchObject({
      start: 'sk_live_ab2',
      secretVersion: 2,
      previousVersion: 1,
      previousExpiresAt: '2026-03-02T10:00:00.000Z',
    });
    expect(map(events.KeyExpirySet).data).toMatchObject({ slot: 'previous', secretVersion: 1, expiresAt: '2026-03-01T12:00:00.000Z' });
    expect(map(events.KeyExpired).data).toMatchObject({
      slot: 'previous',
      secretVersion: 1,
      reason: 'expired',
      actor: { type: 'system', name: 'expiry-scheduler' },
    });
    expect(map(events.KeyRevoked).data).toMatchObject({ reason: 'leaked', actor: { type: 'user', sub: 'user-7' } });
    expect(map(events.KeyUpdated).data).toMatchObject({
      changedFields: ['name', 'allowedIps'],
      changes: { name: 'shop-eu', allowedIps: ['192.0.2.1'] },
    });
    expect(map(events.KeyRevealed).data).toMatchObject({ slot: 'current', secretVersion: 2, revealedBy: 'user-7' });
    expect(map(events.KeyLeakReported).data).toEqual({
      ...base,
      reportId: 'lr_0123456789abcdef0123456789abcdef',
      receivedAt: '2026-03-01T09:59:59.000Z',
      tokenType: 'credential_service_api_key',
      url: 'https://github.com/octo/shop/blob/abc/config.env',
      source: 'content',
      secretVersion: 2,
      action: 'revoked',
      actor: { type: 'system', name: 'secret-scanning' },
      occurredAt: '2026-03-01T10:00:00.000Z',
    });
    expect(map(events.KeyExpiryWarned).data).toMatchObject({
      slot: 'current',
      secretVersion: 2,
      expiresAt: '2026-03-08T10:00:00.000Z',
      leadSeconds: 604800,
      actor: { type: 'system', name: 'expiry-warner' },
    });
    expect(map(events.KeySuspended).data).toEqual({
      accountId: 'acct-1',
      keyId: 'key_01',
      kind: 'api',
      reason: 'investigating',
      actor: { type: 'user', sub: 'user-7' },
      occurredAt: '2026-03-01T10:00:00.000Z',
    });
    expect(map(events.KeyResumed).data).toEqual({
      accountId: 'acct-1',
      keyId: 'key_01',
      kind: 'api',
      actor: { type: 'user', sub: 'user-7' },
      occurredAt: '2026-03-01T10:00:00.000Z',
    });
    // Roles and the actor's account are not needed by consumers.
    expect(map(events.KeyRevoked).data.actor).toEqual({ type: 'user', sub: 'user-7' });
  });

  it('carries the permissions, metadata and external id a key was generated or updated with', () => {
    const scopes = { permissions: ['payments:*'], metadata: { team: 'checkout' }, externalId: 'merchant-42' };
    const generated = recorded({
      type: 'KeyGenerated',
      data: { ...base, name: 'shop', allowedIps: [], webhookFormat: 'single', secret: secret(1), ...scopes },
    });
    expect(map(generated).data).toMatchObject(scopes);
    // Without them (and for every key generated before they existed) the fields are absent.
    expect(map(events.KeyGenerated).data).not.toHaveProperty('permissions');
    const updated = recorded({
      type: 'KeyUpdated',
      data: { ...base, changes: { permissions: [], metadata: { tier: 2 }, externalId: '' } },
    });
    expect(map(updated).data).toMatchObject({
      changedFields: ['permissions', 'metadata', 'externalId'],
      changes: { permissions: [], metadata: { tier: 2 }, externalId: '' },
    });
  });

  it('never carries a secret hash or any part of a sealed copy', () => {
    for (const event of Object.values(events)) {
      const m = toKafkaMessage(event, { source })!;
      const serialized = JSON.stringify({ key: m.key, headers: m.headers, value: m.value.toString('utf8') });
      const s = (event.data as { secret?: ReturnType<typeof secret> }).secret;
      if (!s) continue;
      for (const forbidden of [s.hash, s.sealed.iv, s.sealed.ciphertext, s.sealed.tag]) expect(serialized).not.toContain(forbidden);
      expect(serialized).not.toMatch(/sealed|hash|ciphertext/i);
    }
  });

  it('returns null for events that are not key events', () => {
    const other = { ...events.KeyRevoked, type: 'AccountCreated', streamId: 'account-1' };
    expect(toKafkaMessage(other, { source })).toBeNull();
  });

  it('rejects attributes CloudEvents does not allow', () => {
    const bad = { ...events.KeyRevoked, metadata: { ...events.KeyRevoked.metadata, occurredAt: 'yesterday' } };
    expect(() => toKafkaMessage(bad, { source })).toThrow();
  });
});
