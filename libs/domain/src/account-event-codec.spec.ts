import { ACCOUNT_EVENT_SCHEMA_VERSION, ACCOUNT_EVENT_TYPES, type AccountEvent } from './account-events';
import { decodeAccountEvent, encodeAccountEvent } from './account-event-codec';
import { EventDecodeError, type StoredEvent } from './event-codec';
import { T0, keyGenerated } from './testing/decider-specification';
import { adopted, released, reserved, signingKeyId } from './testing/account-decider-specification';

function stored(event: AccountEvent): StoredEvent {
  const encoded = encodeAccountEvent(event);
  return { type: encoded.type, data: JSON.parse(JSON.stringify(encoded.data)), metadata: { schemaVersion: encoded.schemaVersion } };
}

describe('decodeAccountEvent', () => {
  const every = [
    reserved(signingKeyId(1), T0),
    reserved(signingKeyId(2), T0, 3),
    adopted([signingKeyId(3)]),
    released(signingKeyId(1), 'lapsed'),
    { type: 'LeakPolicySet', data: { accountId: 'acct_7f3a9c21', policy: 'alert' } } as AccountEvent,
  ];

  it.each(every.map((e) => [e.type, e] as const))('decodes a stored %s', (_type, event) => {
    expect(decodeAccountEvent(stored(event))).toEqual(event);
  });

  it('covers every account event type, each encoded with its schema version', () => {
    expect(new Set(every.map((e) => e.type))).toEqual(new Set(ACCOUNT_EVENT_TYPES));
    for (const event of every) expect(encodeAccountEvent(event).schemaVersion).toBe(ACCOUNT_EVENT_SCHEMA_VERSION[event.type]);
  });

  it('is null for a key event', () => {
    const event = keyGenerated();
    expect(decodeAccountEvent({ type: event.type, data: event.data, metadata: { schemaVersion: 1 } })).toBeNull();
  });

  it('refuses a malformed payload', () => {
    const event = stored(released(signingKeyId(1), 'revoked'));
    const decode = () => decodeAccountEvent({ ...event, data: { ...(event.data as object), reason: 'gone' } });
    expect(decode).toThrow(EventDecodeError);
    expect(decode).toThrow(/data\.reason: expected one of "revoked", "expired", "lapsed"/);
  });
});
