/**
 * Suspend and resume in the read model: what the record, verify's entries, the pending expiries and
 * the verdict become, from events the real decider produces.
 */
import { decide, evolve, initialState, type KeyCommand, type KeyState } from '@cs/domain';
import { T0, aSecret, at, generateKey, regenerateKey } from '../../domain/src/testing/decider-specification';
import { projectKeyEvent } from './key-projection';
import { pendingExpiries, validityEntries, type KeyRecord, type ValidityEntry } from './key-record';
import { verdict } from './verdict';

class KeyHistory {
  state: KeyState = initialState();
  record: KeyRecord | null = null;
  revision = -1;

  run(command: KeyCommand, now: Date): void {
    const decision = decide(command, this.state, now);
    if (!decision.ok) throw new Error(`${command.type} rejected: ${decision.rejection.code}`);
    for (const event of decision.events) {
      this.state = evolve(this.state, event);
      this.record = projectKeyEvent(this.record, { event, revision: ++this.revision, occurredAt: now.toISOString(), actorId: 'u' });
    }
  }

  get key(): KeyRecord {
    if (!this.record) throw new Error('no record');
    return this.record;
  }

  verify(seed: number, now: Date, ip?: string) {
    return verdict(validityEntries(this.key).get(aSecret(seed).secret.hash) ?? null, ip, now.getTime());
  }
}

const suspend = { type: 'SuspendKey', reason: 'investigating' } as const;
const resume = { type: 'ResumeKey' } as const;

describe('suspend and resume in the read model', () => {
  it('suspending marks the key and both secrets of a grace suspended; verify says SUSPENDED; resuming restores VALID', () => {
    const h = new KeyHistory();
    h.run(generateKey(), T0);
    h.run(regenerateKey(2, at(60)), at(1));
    h.run(suspend, at(2));
    expect(h.key).toMatchObject({
      status: 'suspended',
      current: { version: 2, status: 'suspended' },
      previous: { version: 1, status: 'suspended' },
    });
    expect(h.verify(2, at(3))).toMatchObject({ valid: false, code: 'SUSPENDED' });
    expect(h.verify(1, at(3))).toMatchObject({ valid: false, code: 'SUSPENDED' });

    h.run(resume, at(4));
    expect(h.key).toMatchObject({ status: 'active', current: { status: 'active' }, previous: { status: 'active' } });
    expect(h.verify(2, at(5))).toMatchObject({ valid: true, code: 'VALID' });
    expect(h.verify(1, at(5))).toMatchObject({ valid: true, code: 'VALID' });
    // The grace still ends at its instant: resuming never lengthens a secret's life.
    expect(h.verify(1, at(60))).toMatchObject({ valid: false, code: 'EXPIRED' });
  });

  it('a retired (expired) secret stays expired through suspend and resume', () => {
    const h = new KeyHistory();
    h.run(generateKey(), T0);
    h.run(regenerateKey(2, T0), T0); // the old secret ends at once
    h.run(suspend, at(1));
    expect(h.verify(1, at(2)).code).toBe('EXPIRED');
    h.run(resume, at(3));
    expect(h.verify(1, at(4)).code).toBe('EXPIRED');
    expect(h.verify(2, at(4)).code).toBe('VALID');
  });

  it("a suspended key's expiry is still scheduled, and KeyExpired makes it expired, not suspended", () => {
    const h = new KeyHistory();
    h.run(generateKey(), T0);
    h.run({ type: 'SetExpiry', slot: 'current', expiresAt: at(30) }, at(1));
    h.run(suspend, at(2));
    expect(pendingExpiries(h.key)).toEqual([{ keyId: h.key.keyId, secretVersion: 1, dueAt: at(30).getTime() }]);
    h.run({ type: 'ExpireSecret', secretVersion: 1 }, at(30));
    expect(h.key).toMatchObject({ status: 'expired', current: { status: 'expired' } });
    expect(pendingExpiries(h.key)).toEqual([]);
    expect(h.verify(1, at(31)).code).toBe('EXPIRED');
  });

  it('revoking a suspended key makes every secret REVOKED', () => {
    const h = new KeyHistory();
    h.run(generateKey(), T0);
    h.run(regenerateKey(2, at(60)), at(1));
    h.run(suspend, at(2));
    h.run({ type: 'RevokeKey', reason: null }, at(3));
    expect(h.key.status).toBe('revoked');
    expect(h.verify(2, at(4)).code).toBe('REVOKED');
    expect(h.verify(1, at(4)).code).toBe('REVOKED');
  });
});

describe('verdict order with SUSPENDED', () => {
  const NOW = T0.getTime();
  const entry = (overrides: Partial<ValidityEntry>): ValidityEntry => ({
    keyId: 'key_01HZX3Q7N8M2K5VJ4T6R9P0ABC',
    accountId: 'acct_7f3a9c21',
    kind: 'api',
    status: 'suspended',
    expiresAt: null,
    allowedIps: [],
    secretVersion: 1,
    version: 3,
    ...overrides,
  });

  it('REVOKED and EXPIRED come before SUSPENDED, SUSPENDED before IP_NOT_ALLOWED', () => {
    expect(verdict(entry({ status: 'revoked' }), undefined, NOW).code).toBe('REVOKED');
    expect(verdict(entry({ status: 'expired' }), undefined, NOW).code).toBe('EXPIRED');
    expect(verdict(entry({ expiresAt: NOW - 1 }), undefined, NOW).code).toBe('EXPIRED');
    expect(verdict(entry({ allowedIps: ['10.0.0.0/8'] }), '192.0.2.7', NOW)).toEqual({
      valid: false,
      code: 'SUSPENDED',
      keyId: 'key_01HZX3Q7N8M2K5VJ4T6R9P0ABC',
      accountId: 'acct_7f3a9c21',
      kind: 'api',
      expiresAt: null,
    });
  });
});
