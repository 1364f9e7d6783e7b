/** The application's readers of stored events go through the codecs of libs/domain: no cast, and a refusal is handled. */
import { EventDecodeError } from '@cs/domain';
import type { RecordedEvent } from '@cs/event-store';
import { foldRecorded, projectRecorded, toKeyEvent } from './key-command-executor';
import { toAccountEvent } from './signing-key-slots';
import { toHistoryEntry } from './views';

let revision = 0;
const stored = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  id: `id-${revision}`,
  type,
  data,
  metadata: {
    actor: { type: 'user', sub: 'u', acct: 'acct_1', roles: ['owner'] },
    correlationId: 'c',
    causationId: null,
    occurredAt: '2026-03-01T10:00:00.000Z',
    schemaVersion: 1,
  },
  streamId: 'key-key_1',
  revision: revision++,
  position: BigInt(revision),
  recordedAt: new Date('2026-03-01T10:00:00.010Z'),
});
const base = { keyId: 'key_1', accountId: 'acct_1', kind: 'api' };
const secret = {
  version: 1,
  hash: 'f'.repeat(64),
  start: 'ak_live_abc',
  sealed: { kid: 'k', alg: 'A256GCM', iv: 'iv', ciphertext: 'ct', tag: 'tag' },
};

describe('reading recorded events', () => {
  beforeEach(() => (revision = 0));
  const generated = () => stored('KeyGenerated', { ...base, name: 'n', allowedIps: [], webhookFormat: 'single', secret });

  it('folds and projects a readable stream', () => {
    const events = [generated(), stored('KeyRevoked', { ...base, reason: null })];
    expect(foldRecorded(events)).toMatchObject({ status: 'revoked' });
    expect(projectRecorded(events)).toMatchObject({ status: 'revoked', version: 1 });
    expect(toKeyEvent(events[1])).toEqual({ type: 'KeyRevoked', data: { ...base, reason: null } });
  });

  it('passes over events of other types', () => {
    const events = [generated(), stored('SomethingElse', {})];
    expect(toKeyEvent(events[1])).toBeNull();
    expect(foldRecorded(events)).toMatchObject({ status: 'active' });
  });

  it('refuses to fold or project a stream with an unreadable key event, rather than decide on a guess', () => {
    // A revoke without its reason field: passing over it would leave the key active.
    const events = [generated(), stored('KeyRevoked', { ...base })];
    expect(() => foldRecorded(events)).toThrow(EventDecodeError);
    expect(() => projectRecorded(events)).toThrow(EventDecodeError);
  });

  it('shows an unreadable event in the history without its data', () => {
    const entry = toHistoryEntry(stored('KeyGenerated', { ...base, name: 'n', secret: { ...secret, sealed: null } }));
    expect(entry).toMatchObject({ type: 'KeyGenerated', revision: 0, data: {} });
    expect(toHistoryEntry(generated()).data).toMatchObject({ name: 'n', secret: { version: 1, start: 'ak_live_abc' } });
  });

  it('reads account events through their codec', () => {
    expect(toAccountEvent(stored('SigningKeySlotsAdopted', { accountId: 'acct_1', keyIds: ['key_1'] }))).toEqual({
      type: 'SigningKeySlotsAdopted',
      data: { accountId: 'acct_1', keyIds: ['key_1'] },
    });
    expect(toAccountEvent(generated())).toBeNull();
    expect(() => toAccountEvent(stored('SigningKeySlotsAdopted', { accountId: 'acct_1' }))).toThrow(EventDecodeError);
  });
});
