import { commandEventId, withCommandEventId } from './event-ids';
import type { NewEvent } from './event-store.port';

const event: Omit<NewEvent, 'id'> = {
  type: 'KeyRevoked',
  data: { keyId: 'k1', reason: null },
  metadata: {
    actor: { type: 'system', name: 't' },
    correlationId: 'c1',
    causationId: null,
    occurredAt: '2026-01-01T00:00:00.000Z',
    schemaVersion: 1,
  },
};

describe('commandEventId', () => {
  it('is a version 5 UUID, the same for the same decision at the same place', () => {
    const id = commandEventId('key-k1', 3, 0, event);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(commandEventId('key-k1', 3, 0, structuredClone(event))).toBe(id);
    expect(withCommandEventId('key-k1', 3, 0, event)).toEqual({ id, ...event });
  });

  it('differs with the stream, the expected revision, the index and the content (a different decision is never a replay)', () => {
    const id = commandEventId('key-k1', 3, 0, event);
    const others = [
      commandEventId('key-k2', 3, 0, event),
      commandEventId('key-k1', 4, 0, event),
      commandEventId('key-k1', 'no_stream', 0, event),
      commandEventId('key-k1', 3, 1, event),
      commandEventId('key-k1', 3, 0, { ...event, type: 'KeyUpdated' }),
      commandEventId('key-k1', 3, 0, { ...event, data: { keyId: 'k1', reason: 'compromised' } }),
      commandEventId('key-k1', 3, 0, { ...event, metadata: { ...event.metadata, correlationId: 'c2' } }),
    ];
    expect(new Set([id, ...others]).size).toBe(others.length + 1);
  });
});
