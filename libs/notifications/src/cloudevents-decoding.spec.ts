/** toKafkaMessage reads stored events through the key-event codec: what it cannot read is refused, never cast. */
import { EventDecodeError } from '@cs/domain';
import type { RecordedEvent } from '@cs/event-store';
import { toKafkaMessage } from './cloudevents';

const stored = (type: string, data: Record<string, unknown>, schemaVersion = 1): RecordedEvent => ({
  id: '00000000-0000-4000-8000-000000000001',
  type,
  data,
  metadata: {
    actor: { type: 'system', name: 't' },
    correlationId: 'c',
    causationId: null,
    occurredAt: '2026-03-01T10:00:00.000Z',
    schemaVersion,
  },
  streamId: 'key-key_01',
  revision: 0,
  position: 7n,
  recordedAt: new Date('2026-03-01T10:00:00.010Z'),
});
const base = { keyId: 'key_01', accountId: 'acct-1', kind: 'api' };

describe('toKafkaMessage and the key-event codec', () => {
  it('maps a key event the codec reads', () => {
    expect(toKafkaMessage(stored('KeyRevoked', { ...base, reason: null }), { source: '/s' })?.headers).toMatchObject({
      ce_type: 'credentials.key.revoked',
      ce_schemaversion: '1',
    });
  });

  it('reads a null recorded in an update (before the API refused it) as no change, as the fold does', () => {
    const message = toKafkaMessage(stored('KeyUpdated', { ...base, changes: { name: null, webhookFormat: 'multiple' } }), { source: '/s' });
    const data = JSON.parse(message!.value.toString('utf8')) as Record<string, unknown>;
    expect([data.changedFields, data.changes]).toEqual([['webhookFormat'], { webhookFormat: 'multiple' }]);
  });

  it('is null for an event that is not a key event', () => {
    expect(toKafkaMessage(stored('SigningKeySlotReserved', { accountId: 'acct-1' }), { source: '/s' })).toBeNull();
  });

  it('throws EventDecodeError (not retryable) for a key event whose data is not what its type says', () => {
    const map = () => toKafkaMessage(stored('KeyRotated', { ...base, previousVersion: 1 }), { source: '/s' });
    expect(map).toThrow(EventDecodeError);
    expect(map).toThrow(/data\.secret: missing; data\.previousExpiresAt: missing/);
  });

  it('throws for a schema version newer than this code reads', () => {
    expect(() => toKafkaMessage(stored('KeyRevoked', { ...base, reason: null }, 99), { source: '/s' })).toThrow(EventDecodeError);
  });
});
