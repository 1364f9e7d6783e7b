import { decide, evolve, initialState, type KeyCommand, type KeyEvent, type KeyState } from '@cs/domain';
import {
  ACCOUNT_ID,
  KEY_ID,
  T0,
  aSecret,
  at,
  generateKey,
  keyGenerated,
  keyRevoked,
  regenerateKey,
} from '../../domain/src/testing/decider-specification';
import { projectKeyEvent, type ProjectableEvent } from './key-projection';
import { MAX_RETIRED_SECRETS, pendingExpiries, validityEntries, type KeyRecord } from './key-record';
import { verdict } from './verdict';

const ALICE = 'user_alice';
const SCHEDULER = 'system:expiry-scheduler';

/** Runs commands through the real decider, appending to a stream and projecting each event as stored. */
class KeyHistory {
  state: KeyState = initialState();
  record: KeyRecord | null = null;
  revision = -1;

  run(command: KeyCommand, now: Date, actorId = ALICE): KeyEvent[] {
    const decision = decide(command, this.state, now);
    if (!decision.ok) throw new Error(`${command.type} rejected: ${decision.rejection.code}`);
    for (const event of decision.events) {
      this.revision++;
      const stored: ProjectableEvent = { event, revision: this.revision, occurredAt: now.toISOString(), actorId };
      this.state = evolve(this.state, event);
      this.record = projectKeyEvent(this.record, stored);
    }
    return decision.events;
  }

  get key(): KeyRecord {
    if (!this.record) throw new Error('no record');
    return this.record;
  }

  /** What verify answers for a given secret at `now`. */
  verify(seed: number, now: Date, ip?: string) {
    return verdict(validityEntries(this.key).get(aSecret(seed).secret.hash) ?? null, ip, now.getTime());
  }
}

const hash = (seed: number) => aSecret(seed).secret.hash;
const start = (seed: number) => aSecret(seed).secret.start;
const ms = (d: Date) => d.getTime();

describe('projectKeyEvent', () => {
  it('projects generate → regenerate with grace → previous expires → revoke', () => {
    const h = new KeyHistory();

    h.run(generateKey({ allowedIps: ['203.0.113.0/24'] }), T0);
    expect(h.key).toEqual({
      keyId: KEY_ID,
      accountId: ACCOUNT_ID,
      kind: 'api',
      name: 'checkout backend',
      status: 'active',
      createdAt: T0.toISOString(),
      createdBy: ALICE,
      updatedAt: T0.toISOString(),
      allowedIps: ['203.0.113.0/24'],
      webhookFormat: 'single',
      version: 0,
      current: { version: 1, hash: hash(1), start: start(1), expiresAt: null, status: 'active' },
      previous: null,
      retired: [],
    });
    expect([...validityEntries(h.key)]).toEqual([
      [
        hash(1),
        {
          keyId: KEY_ID,
          accountId: ACCOUNT_ID,
          kind: 'api',
          status: 'active',
          expiresAt: null,
          allowedIps: ['203.0.113.0/24'],
          secretVersion: 1,
          version: 0,
          permissions: [],
          metadata: {},
          externalId: null,
          webhookFormat: 'single',
        },
      ],
    ]);
    expect(pendingExpiries(h.key)).toEqual([]);

    // regenerate: the old secret stays valid for one more hour
    h.run(regenerateKey(2, at(70)), at(10));
    expect(h.key).toMatchObject({
      status: 'active',
      createdAt: T0.toISOString(),
      updatedAt: at(10).toISOString(),
      version: 1,
      current: { version: 2, hash: hash(2), start: start(2), expiresAt: null, status: 'active' },
      previous: { version: 1, hash: hash(1), expiresAt: at(70).toISOString(), status: 'active' },
      retired: [],
    });
    const inGrace = validityEntries(h.key);
    expect(inGrace.size).toBe(2);
    expect(inGrace.get(hash(1))).toMatchObject({ status: 'active', expiresAt: ms(at(70)), secretVersion: 1, version: 1 });
    expect(inGrace.get(hash(2))).toMatchObject({ status: 'active', expiresAt: null, secretVersion: 2, version: 1 });
    expect(pendingExpiries(h.key)).toEqual([{ keyId: KEY_ID, secretVersion: 1, dueAt: ms(at(70)) }]);
    expect(h.verify(1, at(69), '203.0.113.5').code).toBe('VALID');
    expect(h.verify(1, at(70), '203.0.113.5').code).toBe('EXPIRED'); // in force before it is recorded
    expect(h.verify(2, at(70), '203.0.113.5').code).toBe('VALID');

    // the scheduler records the old secret's expiry
    h.run({ type: 'ExpireSecret', secretVersion: 1 }, at(75), SCHEDULER);
    expect(h.key).toMatchObject({
      status: 'active',
      version: 2,
      updatedAt: at(75).toISOString(),
      previous: null,
      retired: [{ version: 1, hash: hash(1), expiresAt: at(70).toISOString(), status: 'expired' }],
    });
    expect(validityEntries(h.key).get(hash(1))).toMatchObject({ status: 'expired', version: 2 });
    expect(pendingExpiries(h.key)).toEqual([]);
    expect(h.verify(1, at(75), '203.0.113.5').code).toBe('EXPIRED');

    // revoke: every hash the key ever had now answers REVOKED
    h.run({ type: 'RevokeKey', reason: 'leaked' }, at(80));
    expect(h.key).toMatchObject({
      status: 'revoked',
      version: 3,
      updatedAt: at(80).toISOString(),
      createdBy: ALICE,
      current: { version: 2, status: 'revoked' },
      previous: null,
    });
    const revoked = validityEntries(h.key);
    expect(revoked.get(hash(2))).toMatchObject({ status: 'revoked', version: 3 });
    expect(revoked.get(hash(1))).toMatchObject({ status: 'revoked', version: 3 });
    expect(pendingExpiries(h.key)).toEqual([]);
    expect(h.verify(2, at(80), '198.51.100.1').code).toBe('REVOKED');
    expect(h.verify(1, at(80)).code).toBe('REVOKED');
  });

  it('revoking during a grace revokes both secrets', () => {
    const h = new KeyHistory();
    h.run(generateKey(), T0);
    h.run(regenerateKey(2, at(60)), T0);
    h.run({ type: 'RevokeKey', reason: null }, at(1));
    expect(h.key).toMatchObject({ status: 'revoked', current: { status: 'revoked' }, previous: { version: 1, status: 'revoked' } });
    expect([...validityEntries(h.key).values()].map((e) => e.status)).toEqual(['revoked', 'revoked']);
    expect(pendingExpiries(h.key)).toEqual([]);
    expect(h.verify(1, at(1)).code).toBe('REVOKED');
  });

  it('regenerating during a grace retires the older previous: two valid hashes, the oldest expired', () => {
    const h = new KeyHistory();
    h.run(generateKey(), T0);
    h.run(regenerateKey(2, at(60)), T0);
    h.run(regenerateKey(3, at(30)), at(10));
    expect(h.key).toMatchObject({
      version: 3, // KeyGenerated, KeyRotated, KeyExpired(1, superseded), KeyRotated
      current: { version: 3, status: 'active' },
      previous: { version: 2, expiresAt: at(30).toISOString(), status: 'active' },
      retired: [{ version: 1, status: 'expired' }],
    });
    const entries = validityEntries(h.key);
    expect(entries.get(hash(1))?.status).toBe('expired');
    expect([...entries.values()].filter((e) => e.status === 'active').map((e) => e.secretVersion)).toEqual([3, 2]);
    expect(pendingExpiries(h.key)).toEqual([{ keyId: KEY_ID, secretVersion: 2, dueAt: ms(at(30)) }]);
    expect(h.verify(1, at(10)).code).toBe('EXPIRED');
  });

  it('a current secret with an expiry is pending, then the whole key expires', () => {
    const h = new KeyHistory();
    h.run(generateKey(), T0);
    h.run({ type: 'SetExpiry', slot: 'current', expiresAt: at(30) }, T0);
    expect(pendingExpiries(h.key)).toEqual([{ keyId: KEY_ID, secretVersion: 1, dueAt: ms(at(30)) }]);
    expect(validityEntries(h.key).get(hash(1))).toMatchObject({ status: 'active', expiresAt: ms(at(30)) });

    h.run({ type: 'ExpireSecret', secretVersion: 1 }, at(31), SCHEDULER);
    expect(h.key).toMatchObject({
      status: 'expired',
      version: 2,
      current: { version: 1, status: 'expired', expiresAt: at(30).toISOString() },
    });
    expect(validityEntries(h.key).get(hash(1))).toMatchObject({ status: 'expired', expiresAt: ms(at(30)) });
    expect(pendingExpiries(h.key)).toEqual([]);
  });

  it('regenerating an expired key retires the old secret and issues a fresh one', () => {
    const h = new KeyHistory();
    h.run(generateKey(), T0);
    h.run({ type: 'SetExpiry', slot: 'current', expiresAt: T0 }, T0);
    expect(h.key.status).toBe('expired');
    h.run(regenerateKey(2, at(120)), at(5));
    expect(h.key).toMatchObject({
      status: 'active',
      current: { version: 2, status: 'active', expiresAt: null },
      previous: null,
      retired: [{ version: 1, status: 'expired' }],
    });
    expect(h.verify(1, at(5)).code).toBe('EXPIRED');
    expect(h.verify(2, at(5)).code).toBe('VALID');
    expect(pendingExpiries(h.key)).toEqual([]);
  });

  it('updates flow into every entry; reveals only move the version', () => {
    const h = new KeyHistory();
    h.run(generateKey(), T0);
    h.run(regenerateKey(2, at(60)), T0);
    h.run({ type: 'UpdateKey', changes: { name: 'refunds', allowedIps: ['192.0.2.7'], webhookFormat: 'multiple' } }, at(1));
    expect(h.key).toMatchObject({ name: 'refunds', allowedIps: ['192.0.2.7'], webhookFormat: 'multiple', version: 2 });
    for (const entry of validityEntries(h.key).values()) expect(entry).toMatchObject({ allowedIps: ['192.0.2.7'], version: 2 });
    expect(h.verify(1, at(2), '192.0.2.8').code).toBe('IP_NOT_ALLOWED');
    expect(h.verify(2, at(2), '::ffff:192.0.2.7').code).toBe('VALID');

    const before = h.key;
    h.run({ type: 'RevealKey', slot: 'previous' }, at(3));
    expect(h.key).toEqual({ ...before, version: 3, updatedAt: at(3).toISOString() });
  });

  it('the record version is the stream revision of the last event applied', () => {
    const h = new KeyHistory();
    const counts = [
      h.run(generateKey(), T0),
      h.run(regenerateKey(2, T0), T0), // KeyRotated + KeyExpired(previous)
      h.run({ type: 'RevealKey', slot: 'current' }, at(1)),
      h.run({ type: 'UpdateKey', changes: { name: 'renamed' } }, at(2)),
    ].map((events) => events.length);
    expect(counts).toEqual([1, 2, 1, 1]);
    expect(h.key.version).toBe(4);
    for (const entry of validityEntries(h.key).values()) expect(entry.version).toBe(4);
  });

  it(`keeps at most ${MAX_RETIRED_SECRETS} retired secrets, newest first`, () => {
    const h = new KeyHistory();
    h.run(generateKey(), T0);
    for (let seed = 2; seed <= 9; seed++) h.run(regenerateKey(seed, at(seed)), at(seed));
    expect(h.key.current.version).toBe(9);
    expect(h.key.retired.map((s) => s.version)).toEqual([8, 7, 6, 5, 4]);
    expect(validityEntries(h.key).size).toBe(1 + MAX_RETIRED_SECRETS);
  });

  it('ignores events for a key it has no record of', () => {
    const stray: ProjectableEvent = { event: keyRevoked(), revision: 3, occurredAt: T0.toISOString(), actorId: ALICE };
    expect(projectKeyEvent(null, stray)).toBeNull();
  });

  it('a replayed KeyGenerated starts the record afresh at that revision', () => {
    const record = projectKeyEvent(null, { event: keyGenerated({ name: 'n' }), revision: 0, occurredAt: T0.toISOString(), actorId: ALICE });
    expect(record).toMatchObject({ name: 'n', version: 0, createdBy: ALICE });
  });
});

describe('effective expiry of an older secret', () => {
  it('is cut to the current secret’s expiry, so verify refuses both at that instant', () => {
    const record = {
      keyId: 'key_x',
      accountId: 'acct',
      kind: 'api',
      name: 'k',
      status: 'active',
      createdAt: '',
      createdBy: '',
      updatedAt: '',
      allowedIps: [],
      webhookFormat: 'single',
      version: 3,
      retired: [],
      current: { version: 2, hash: 'h2', start: 's2', expiresAt: '2030-01-01T00:00:30.000Z', status: 'active' },
      previous: { version: 1, hash: 'h1', start: 's1', expiresAt: '2030-01-01T00:01:00.000Z', status: 'active' },
    } as const;
    const entries = validityEntries(record as unknown as KeyRecord);
    expect(entries.get('h1')?.expiresAt).toBe(Date.parse('2030-01-01T00:00:30.000Z'));
    expect(entries.get('h2')?.expiresAt).toBe(Date.parse('2030-01-01T00:00:30.000Z'));
  });
});

describe('a KeyUpdated with a null change (recorded before the API refused null)', () => {
  it('keeps the allow-list: verify still restricts the key and never throws', () => {
    const generated = keyGenerated({ allowedIps: ['10.0.0.0/8'] });
    const record = projectKeyEvent(null, { event: generated, revision: 0, occurredAt: T0.toISOString(), actorId: ALICE });
    const updated = {
      type: 'KeyUpdated',
      data: { keyId: KEY_ID, accountId: ACCOUNT_ID, kind: 'api', changes: { allowedIps: null, name: 'kept' } },
    } as unknown as KeyEvent;
    const next = projectKeyEvent(record, { event: updated, revision: 1, occurredAt: T0.toISOString(), actorId: ALICE }) as KeyRecord;
    expect(next).toMatchObject({ allowedIps: ['10.0.0.0/8'], name: 'kept', version: 1 });
    const entry = validityEntries(next).get(next.current.hash) ?? null;
    expect(verdict(entry, '192.0.2.1', T0.getTime()).code).toBe('IP_NOT_ALLOWED');
    expect(verdict(entry, '10.1.2.3', T0.getTime()).code).toBe('VALID');
  });
});

describe('permissions, metadata and external id', () => {
  const required = (h: KeyHistory, seed: number, permissions: string[]) =>
    verdict(validityEntries(h.key).get(aSecret(seed).secret.hash) ?? null, undefined, T0.getTime(), permissions);

  it('are on the record and on every entry of its secrets, so verify answers them from one lookup', () => {
    const h = new KeyHistory();
    h.run(
      generateKey({ permissions: ['payments:*'], metadata: { team: 'checkout' }, externalId: 'merchant-42', webhookFormat: 'multiple' }),
      T0,
    );
    h.run(regenerateKey(2, at(60)), T0);
    expect(h.key).toMatchObject({ permissions: ['payments:*'], metadata: { team: 'checkout' }, externalId: 'merchant-42' });
    const scopes = { permissions: ['payments:*'], metadata: { team: 'checkout' }, externalId: 'merchant-42', webhookFormat: 'multiple' };
    expect([...validityEntries(h.key).values()]).toEqual([expect.objectContaining(scopes), expect.objectContaining(scopes)]);
    expect(required(h, 1, ['payments:write'])).toMatchObject({ valid: true, code: 'VALID', ...scopes });
    expect(required(h, 2, ['refunds:read'])).toMatchObject({ valid: false, code: 'INSUFFICIENT_PERMISSIONS', ...scopes });
  });

  it('follow KeyUpdated: a narrowed list refuses at once, and removing everything makes the key unrestricted again', () => {
    const h = new KeyHistory();
    h.run(generateKey({ permissions: ['*'], externalId: 'merchant-42' }), T0);
    expect(required(h, 1, ['refunds:read']).code).toBe('VALID');
    h.run({ type: 'UpdateKey', changes: { permissions: ['payments:read'], metadata: { tier: 2 } } }, at(1));
    expect(required(h, 1, ['refunds:read'])).toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
      permissions: ['payments:read'],
      metadata: { tier: 2 },
    });
    h.run({ type: 'UpdateKey', changes: { permissions: [], metadata: {}, externalId: '' } }, at(2));
    expect(required(h, 1, ['refunds:read'])).toMatchObject({ valid: true, permissions: [], metadata: {}, externalId: null });
  });

  it('a record projected from events that predate them has none: unrestricted, no metadata, no owner', () => {
    const record = projectKeyEvent(null, { event: keyGenerated(), revision: 0, occurredAt: T0.toISOString(), actorId: ALICE }) as KeyRecord;
    expect(record).not.toHaveProperty('permissions');
    const entry = validityEntries(record).get(record.current.hash) ?? null;
    expect(entry).toMatchObject({ permissions: [], metadata: {}, externalId: null, webhookFormat: 'single' });
    expect(verdict(entry, undefined, T0.getTime(), ['payments:write']).code).toBe('VALID');
  });
});
