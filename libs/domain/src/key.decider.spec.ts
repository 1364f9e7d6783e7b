import type { KeyEvent } from './events';
import type { KeyCommand } from './key.decider';
import { PUBLISHABLE_PERMISSIONS } from './key-scopes';
import { evolve, initialState, type KeyState } from './key-state';
import {
  BASE,
  T0,
  aSecret,
  at,
  generateKey,
  issued,
  keyExpired,
  keyExpirySet,
  keyExpiryWarned,
  keyGenerated,
  keyRevealed,
  keyResumed,
  keyRevoked,
  keyRotated,
  keySuspended,
  keyUpdated,
  regenerateKey,
  spec,
} from './testing/decider-specification';

const revoke = { type: 'RevokeKey', reason: null } as const;
const reveal = (slot: 'current' | 'previous') => ({ type: 'RevealKey', slot }) as const;
const setExpiry = (slot: 'current' | 'previous', expiresAt: Date | null) => ({ type: 'SetExpiry', slot, expiresAt }) as const;
const expireSecret = (secretVersion: number) => ({ type: 'ExpireSecret', secretVersion }) as const;
const warnExpiry = (secretVersion: number, leadSeconds: number) => ({ type: 'WarnExpiry', secretVersion, leadSeconds }) as const;
const DAY = 86400;
const HOUR = 3600;

/** The secrets a state still holds as valid at `now`: never more than two. */
function liveVersions(state: KeyState, now: Date): number[] {
  if (state.status !== 'active') return [];
  const live = (s: { expiresAt: string | null }) => s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime();
  return [state.current, ...(state.previous ? [state.previous] : [])].filter(live).map((s) => s.version);
}

// A key generated, then regenerated at T0 with the old secret valid for another hour.
const inGrace = () => [keyGenerated(), keyRotated(2, at(60))];
// A key whose only secret expired at T0+10 and was recorded so.
const expiredKey = () => [keyGenerated(), keyExpirySet('current', 1, at(10)), keyExpired('current', 1, at(10))];
const revokedKey = () => [keyGenerated(), keyRevoked('leaked')];

describe('key decider', () => {
  describe('GenerateKey', () => {
    it('creates the key with its first secret as version 1', () => {
      const state = spec
        .given([])
        .when(generateKey({ name: 'payouts worker', allowedIps: ['203.0.113.0/24'], webhookFormat: 'multiple' }), T0)
        .then([keyGenerated({ name: 'payouts worker', allowedIps: ['203.0.113.0/24'], webhookFormat: 'multiple' })]);
      expect(state).toMatchObject({ status: 'active', current: { version: 1, expiresAt: null }, previous: null });
    });

    it('creates a signing key with its kind on the event', () => {
      const { secret } = aSecret(9, 'signing');
      const outcome = spec.given([]).when(generateKey({ kind: 'signing', secret }), T0);
      expect(outcome.decision).toEqual({
        ok: true,
        events: [{ type: 'KeyGenerated', data: expect.objectContaining({ kind: 'signing', secret: { ...secret, version: 1 } }) }],
      });
      expect(secret.start.startsWith('sig_live_')).toBe(true);
    });

    it('never puts the plaintext key on the event', () => {
      const { key, secret } = aSecret(1);
      const outcome = spec.given([]).when(generateKey({ secret }), T0);
      expect(JSON.stringify(outcome.decision)).not.toContain(key);
    });

    it('rejects a key id that already exists', () => {
      spec.given([keyGenerated()]).when(generateKey(), T0).thenRejects('KEY_ALREADY_EXISTS');
    });

    it('rejects reusing the id of a revoked key', () => {
      spec.given(revokedKey()).when(generateKey(), T0).thenRejects('KEY_ALREADY_EXISTS');
    });

    it('rejects invalid allowed IPs, naming the bad entry by its index (never repeating it)', () => {
      const outcome = spec.given([]).when(generateKey({ allowedIps: ['10.0.0.1', 'not-an-ip'] }), T0);
      outcome.thenRejects('INVALID_ALLOWED_IPS');
      expect(outcome.decision).toMatchObject({ ok: false, rejection: { message: expect.stringContaining('entry 1: ') } });
      expect(outcome.decision).toMatchObject({ ok: false, rejection: { message: expect.not.stringContaining('not-an-ip') } });
    });

    it('rejects a CIDR range with host bits set', () => {
      spec
        .given([])
        .when(generateKey({ allowedIps: ['10.0.0.1/8'] }), T0)
        .thenRejects('INVALID_ALLOWED_IPS');
    });

    it('stores allowed IPs canonicalised and de-duplicated', () => {
      spec
        .given([])
        .when(generateKey({ allowedIps: [' 192.0.2.7 ', '2001:0DB8:0000::0001', '::ffff:192.0.2.7', '10.0.0.0/8'] }), T0)
        .then([keyGenerated({ allowedIps: ['192.0.2.7', '2001:db8::1', '10.0.0.0/8'] })]);
    });
  });

  describe('RegenerateKey', () => {
    it('with a future expiry for the old secret: both secrets are valid until then', () => {
      const state = spec
        .given([keyGenerated()])
        .when(regenerateKey(2, at(60)), T0)
        .then([keyRotated(2, at(60))]);
      expect(state).toMatchObject({
        status: 'active',
        current: { version: 2, expiresAt: null, hash: issued(2, 2).hash },
        previous: { version: 1, expiresAt: at(60).toISOString(), hash: issued(1, 1).hash },
      });
      expect(liveVersions(state, at(59))).toEqual([2, 1]);
      expect(liveVersions(state, at(60))).toEqual([2]);
    });

    it('with `now` as the old expiry: the old secret ends at once', () => {
      const state = spec
        .given([keyGenerated()])
        .when(regenerateKey(2, T0), T0)
        .then([keyRotated(2, T0), keyExpired('previous', 1, T0)]);
      expect(state).toMatchObject({ status: 'active', current: { version: 2 }, previous: null });
    });

    it('with a past time as the old expiry: the old secret ends, recorded at that time', () => {
      spec
        .given([keyGenerated()])
        .when(regenerateKey(2, at(-10)), T0)
        .then([keyRotated(2, at(-10)), keyExpired('previous', 1, at(-10))]);
    });

    it('during a grace period: the older previous is superseded first, so at most two secrets are valid', () => {
      const state = spec
        .given(inGrace())
        .when(regenerateKey(3, at(30)), at(10))
        .then([keyExpired('previous', 1, at(10), 'superseded'), keyRotated(3, at(30))]);
      expect(state).toMatchObject({ current: { version: 3 }, previous: { version: 2, expiresAt: at(30).toISOString() } });
      expect(liveVersions(state, at(10))).toEqual([3, 2]);
    });

    it('during a grace whose expiry passed but is not yet recorded: the previous is recorded expired, at its expiry', () => {
      spec
        .given([keyGenerated(), keyRotated(2, at(5))])
        .when(regenerateKey(3, at(60)), at(10))
        .then([keyExpired('previous', 1, at(5), 'expired'), keyRotated(3, at(60))]);
    });

    it('never lengthens the life of a secret that already had an earlier expiry', () => {
      spec
        .given([keyGenerated(), keyExpirySet('current', 1, at(30))])
        .when(regenerateKey(2, at(24 * 60)), T0)
        .then([keyRotated(2, at(30))]);
    });

    it('a shorter requested expiry than the secret already had wins', () => {
      spec
        .given([keyGenerated(), keyExpirySet('current', 1, at(30))])
        .when(regenerateKey(2, at(15)), T0)
        .then([keyRotated(2, at(15))]);
    });

    it('on an expired key: issues a new secret without recording the old one expired twice', () => {
      const state = spec
        .given(expiredKey())
        .when(regenerateKey(2, at(120)), at(20))
        .then([keyRotated(2, at(10))]);
      expect(state).toMatchObject({ status: 'active', current: { version: 2, expiresAt: null }, previous: null });
      expect(liveVersions(state, at(20))).toEqual([2]);
    });

    it('on a revoked key is refused', () => {
      spec
        .given(revokedKey())
        .when(regenerateKey(2, at(60)), T0)
        .thenRejects('KEY_REVOKED');
    });

    it('on an unknown key is refused', () => {
      spec
        .given([])
        .when(regenerateKey(2, at(60)), T0)
        .thenRejects('KEY_NOT_FOUND');
    });

    it('numbers secret versions one up from the current each time', () => {
      spec
        .given([keyGenerated(), keyRotated(2, T0), keyExpired('previous', 1, T0), keyRotated(3, at(60))])
        .when(regenerateKey(4, at(120)), at(10))
        .then([keyExpired('previous', 2, at(10), 'superseded'), keyRotated(4, at(120))]);
    });
  });

  describe('SetExpiry', () => {
    it('sets a future expiry on the current secret', () => {
      const state = spec
        .given([keyGenerated()])
        .when(setExpiry('current', at(60)), T0)
        .then([keyExpirySet('current', 1, at(60))]);
      expect(liveVersions(state, at(59))).toEqual([1]);
      expect(liveVersions(state, at(60))).toEqual([]);
    });

    it('null removes the current secret’s expiry', () => {
      const state = spec
        .given([keyGenerated(), keyExpirySet('current', 1, at(60))])
        .when(setExpiry('current', null), T0)
        .then([keyExpirySet('current', 1, null)]);
      expect(state).toMatchObject({ status: 'active', current: { expiresAt: null } });
    });

    it('a past expiry on the current secret expires the key at once', () => {
      const state = spec
        .given([keyGenerated()])
        .when(setExpiry('current', at(-5)), T0)
        .then([keyExpirySet('current', 1, at(-5)), keyExpired('current', 1, at(-5))]);
      expect(state.status).toBe('expired');
    });

    it('expiring the current secret ends a running grace too', () => {
      const state = spec
        .given(inGrace())
        .when(setExpiry('current', T0), T0)
        .then([keyExpirySet('current', 2, T0), keyExpired('previous', 1, T0, 'superseded'), keyExpired('current', 2, T0)]);
      expect(state.status).toBe('expired');
    });

    it('expiring the current secret records a previous whose grace already passed as expired, at its expiry', () => {
      spec
        .given([keyGenerated(), keyRotated(2, at(20))])
        .when(setExpiry('current', at(30)), at(30))
        .then([keyExpirySet('current', 2, at(30)), keyExpired('previous', 1, at(20), 'expired'), keyExpired('current', 2, at(30))]);
    });

    it('shortens the grace of the previous secret', () => {
      const state = spec
        .given(inGrace())
        .when(setExpiry('previous', at(30)), T0)
        .then([keyExpirySet('previous', 1, at(30))]);
      expect(liveVersions(state, at(30))).toEqual([2]);
    });

    it('a past time on the previous secret ends its grace now', () => {
      const state = spec
        .given(inGrace())
        .when(setExpiry('previous', T0), T0)
        .then([keyExpirySet('previous', 1, T0), keyExpired('previous', 1, T0)]);
      expect(state).toMatchObject({ status: 'active', current: { version: 2 }, previous: null });
    });

    it('the previous slot without a grace period is refused', () => {
      spec
        .given([keyGenerated()])
        .when(setExpiry('previous', at(30)), T0)
        .thenRejects('NO_PREVIOUS_SECRET');
    });

    it('removing the previous secret’s expiry (null) is refused: a previous secret must expire', () => {
      spec.given(inGrace()).when(setExpiry('previous', null), T0).thenRejects('INVALID_EXPIRY');
    });

    it('on an expired key is refused', () => {
      spec
        .given(expiredKey())
        .when(setExpiry('current', at(120)), at(20))
        .thenRejects('KEY_EXPIRED');
      spec.given(expiredKey()).when(setExpiry('current', null), at(20)).thenRejects('KEY_EXPIRED');
    });

    it('cannot bring back a current secret whose expiry has passed but is not yet recorded', () => {
      const given = [keyGenerated(), keyExpirySet('current', 1, at(10))];
      spec
        .given(given)
        .when(setExpiry('current', null), at(5))
        .then([keyExpirySet('current', 1, null)]);
      spec.given(given).when(setExpiry('current', null), at(10)).thenRejects('KEY_EXPIRED');
      spec
        .given(given)
        .when(setExpiry('current', at(120)), at(20))
        .thenRejects('KEY_EXPIRED');
    });

    it('cannot bring back a previous secret whose grace has passed but is not yet recorded', () => {
      spec
        .given(inGrace())
        .when(setExpiry('previous', at(120)), at(59))
        .then([keyExpirySet('previous', 1, at(120))]);
      spec
        .given(inGrace())
        .when(setExpiry('previous', at(120)), at(60))
        .thenRejects('KEY_EXPIRED');
    });

    it('on a revoked key is refused', () => {
      spec
        .given(revokedKey())
        .when(setExpiry('current', at(60)), T0)
        .thenRejects('KEY_REVOKED');
    });

    it('on an unknown key is refused', () => {
      spec
        .given([])
        .when(setExpiry('current', at(60)), T0)
        .thenRejects('KEY_NOT_FOUND');
    });
  });

  describe('RevealKey', () => {
    it('reveals the current secret', () => {
      spec
        .given([keyGenerated()])
        .when(reveal('current'), T0)
        .then([keyRevealed('current', 1)]);
    });

    it('reveals the new current secret after a regenerate', () => {
      spec
        .given(inGrace())
        .when(reveal('current'), T0)
        .then([keyRevealed('current', 2)]);
    });

    it('reveals the previous secret during its grace', () => {
      spec
        .given(inGrace())
        .when(reveal('previous'), at(59))
        .then([keyRevealed('previous', 1)]);
    });

    it('refuses the previous secret once its expiry has passed, before KeyExpired is recorded', () => {
      spec.given(inGrace()).when(reveal('previous'), at(60)).thenRejects('KEY_EXPIRED');
      spec.given(inGrace()).when(reveal('previous'), at(61)).thenRejects('KEY_EXPIRED');
    });

    it('refuses the current secret once its expiry has passed, before KeyExpired is recorded', () => {
      spec
        .given([keyGenerated(), keyExpirySet('current', 1, at(10))])
        .when(reveal('current'), at(10))
        .thenRejects('KEY_EXPIRED');
    });

    it('refuses the previous slot when there is no grace period', () => {
      spec.given([keyGenerated()]).when(reveal('previous'), T0).thenRejects('NO_PREVIOUS_SECRET');
    });

    it('refuses an expired key', () => {
      spec.given(expiredKey()).when(reveal('current'), at(20)).thenRejects('KEY_EXPIRED');
    });

    it('refuses a revoked key', () => {
      spec.given(revokedKey()).when(reveal('current'), T0).thenRejects('KEY_REVOKED');
    });

    it('refuses an unknown key', () => {
      spec.given([]).when(reveal('current'), T0).thenRejects('KEY_NOT_FOUND');
    });
  });

  describe('UpdateKey', () => {
    const update = (changes: { name?: string; allowedIps?: string[]; webhookFormat?: 'single' | 'multiple' }) =>
      ({ type: 'UpdateKey', changes }) as const;

    it('records only the fields that differ', () => {
      const state = spec
        .given([keyGenerated()])
        .when(update({ name: 'checkout backend', allowedIps: ['10.0.0.0/8'], webhookFormat: 'multiple' }), T0)
        .then([keyUpdated({ allowedIps: ['10.0.0.0/8'], webhookFormat: 'multiple' })]);
      expect(state).toMatchObject({ props: { name: 'checkout backend', allowedIps: ['10.0.0.0/8'], webhookFormat: 'multiple' } });
    });

    it('renames a key', () => {
      spec
        .given([keyGenerated()])
        .when(update({ name: 'refunds' }), T0)
        .then([keyUpdated({ name: 'refunds' })]);
    });

    it('clears the allow list with an empty list', () => {
      spec
        .given([keyGenerated({ allowedIps: ['10.0.0.0/8'] })])
        .when(update({ allowedIps: [] }), T0)
        .then([keyUpdated({ allowedIps: [] })]);
    });

    it('records nothing when nothing changes, including IPs that canonicalise to the stored list', () => {
      spec
        .given([keyGenerated({ allowedIps: ['192.0.2.7', '10.0.0.0/8'] })])
        .when(
          update({ name: 'checkout backend', allowedIps: [' 192.0.2.7', '::ffff:192.0.2.7', '10.0.0.0/8'], webhookFormat: 'single' }),
          T0,
        )
        .then([]);
      spec.given([keyGenerated()]).when(update({}), T0).then([]);
    });

    it('stores changed IPs canonicalised', () => {
      spec
        .given([keyGenerated()])
        .when(update({ allowedIps: ['2001:DB8:0:0::/32'] }), T0)
        .then([keyUpdated({ allowedIps: ['2001:db8::/32'] })]);
    });

    it('rejects invalid allowed IPs', () => {
      spec
        .given([keyGenerated()])
        .when(update({ allowedIps: ['300.1.1.1'] }), T0)
        .thenRejects('INVALID_ALLOWED_IPS');
    });

    it('records no null change, and reads one recorded before the API refused null as no change', () => {
      const nulls = { allowedIps: null, name: null, webhookFormat: null } as unknown as { name?: string };
      spec
        .given([keyGenerated({ allowedIps: ['10.0.0.0/8'] })])
        .when(update(nulls), T0)
        .then([]);
      const recorded = keyUpdated({ name: 'kept' });
      (recorded.data as { changes: Record<string, unknown> }).changes.allowedIps = null;
      const state = evolve(evolve(initialState(), keyGenerated({ allowedIps: ['10.0.0.0/8'] })), recorded);
      expect(state).toMatchObject({ props: { name: 'kept', allowedIps: ['10.0.0.0/8'] } });
    });

    it('refuses a revoked key', () => {
      spec
        .given(revokedKey())
        .when(update({ name: 'x' }), T0)
        .thenRejects('KEY_REVOKED');
    });

    it('refuses an unknown key', () => {
      spec
        .given([])
        .when(update({ name: 'x' }), T0)
        .thenRejects('KEY_NOT_FOUND');
    });
  });

  describe('RevokeKey', () => {
    it("revokes an active key, recording the reason (its time is the event's metadata, kept by the read model)", () => {
      const state = spec
        .given([keyGenerated()])
        .when({ type: 'RevokeKey', reason: 'leaked in CI logs' }, T0)
        .then([keyRevoked('leaked in CI logs')]);
      const props = { ...BASE, name: 'checkout backend', allowedIps: [], webhookFormat: 'single' };
      expect(state).toEqual({ status: 'revoked', props, current: { ...issued(1, 1), expiresAt: null } });
    });

    it('revokes both secrets during a grace with one event', () => {
      const state = spec
        .given(inGrace())
        .when(revoke, T0)
        .then([keyRevoked(null)]);
      expect(liveVersions(state, T0)).toEqual([]);
    });

    it('revokes an expired key', () => {
      spec
        .given(expiredKey())
        .when(revoke, at(20))
        .then([keyRevoked(null)]);
    });

    it('refuses revoking twice', () => {
      spec.given(revokedKey()).when(revoke, T0).thenRejects('KEY_REVOKED');
    });

    it('refuses an unknown key', () => {
      spec.given([]).when(revoke, T0).thenRejects('KEY_NOT_FOUND');
    });
  });

  describe('ExpireSecret (the scheduler)', () => {
    it('records nothing before the secret is due', () => {
      spec.given(inGrace()).when(expireSecret(1), at(59)).then([]);
      spec
        .given([keyGenerated(), keyExpirySet('current', 1, at(60))])
        .when(expireSecret(1), at(59))
        .then([]);
    });

    it('records a due previous secret expired at its expiry, not at the sweep time', () => {
      const state = spec
        .given(inGrace())
        .when(expireSecret(1), at(75))
        .then([keyExpired('previous', 1, at(60))]);
      expect(state).toMatchObject({ status: 'active', current: { version: 2 }, previous: null });
    });

    it('records a due current secret expired, which expires the key', () => {
      const state = spec
        .given([keyGenerated(), keyExpirySet('current', 1, at(60))])
        .when(expireSecret(1), at(60))
        .then([keyExpired('current', 1, at(60))]);
      expect(state.status).toBe('expired');
    });

    it('a due current secret supersedes a previous still in grace', () => {
      spec
        .given([...inGrace(), keyExpirySet('current', 2, at(30))])
        .when(expireSecret(2), at(31))
        .then([keyExpired('previous', 1, at(31), 'superseded'), keyExpired('current', 2, at(30))]);
    });

    it('a due current secret records a previous whose own expiry already passed as expired, at its expiry', () => {
      spec
        .given([keyGenerated(), keyRotated(2, at(20)), keyExpirySet('current', 2, at(30))])
        .when(expireSecret(2), at(40))
        .then([keyExpired('previous', 1, at(20), 'expired'), keyExpired('current', 2, at(30))]);
    });

    it('is idempotent: an expiry already recorded records nothing', () => {
      spec
        .given([...inGrace(), keyExpired('previous', 1, at(60))])
        .when(expireSecret(1), at(70))
        .then([]);
      spec.given(expiredKey()).when(expireSecret(1), at(20)).then([]);
    });

    it('ignores a stale version the key no longer holds', () => {
      spec.given(inGrace()).when(expireSecret(7), at(120)).then([]);
      spec
        .given([...inGrace(), keyExpired('previous', 1, at(10), 'superseded'), keyRotated(3, at(90))])
        .when(expireSecret(1), at(120))
        .then([]);
    });

    it('is a no-op on a revoked key (nothing left to expire)', () => {
      spec
        .given([...inGrace(), keyRevoked('leaked')])
        .when(expireSecret(1), at(120))
        .then([]);
    });
  });

  describe('SuspendKey and ResumeKey', () => {
    const suspend = (reason: string | null = null) => ({ type: 'SuspendKey', reason }) as const;
    const resume = { type: 'ResumeKey' } as const;
    const suspendedKey = () => [keyGenerated(), keySuspended('investigating')];

    it('suspends an active key, recording the reason; it stays active on the write side, flagged suspended', () => {
      const state = spec
        .given([keyGenerated()])
        .when(suspend('investigating'), T0)
        .then([keySuspended('investigating')]);
      expect(state).toMatchObject({ status: 'active', suspended: true, current: { version: 1 } });
    });

    it('suspends a key in its grace period, keeping both secrets for a resume', () => {
      const state = spec
        .given(inGrace())
        .when(suspend(), T0)
        .then([keySuspended(null)]);
      expect(state).toMatchObject({ status: 'active', suspended: true, current: { version: 2 }, previous: { version: 1 } });
    });

    it('refuses suspending a suspended key', () => {
      spec.given(suspendedKey()).when(suspend(), T0).thenRejects('KEY_SUSPENDED');
    });

    it('resumes a suspended key', () => {
      const state = spec.given(suspendedKey()).when(resume, T0).then([keyResumed()]);
      expect(state).toMatchObject({ status: 'active', current: { version: 1 } });
      expect(state).not.toHaveProperty('suspended');
    });

    it('refuses resuming a key that is not suspended (never suspended, or already resumed)', () => {
      spec.given([keyGenerated()]).when(resume, T0).thenRejects('KEY_NOT_SUSPENDED');
      spec
        .given([...suspendedKey(), keyResumed()])
        .when(resume, T0)
        .thenRejects('KEY_NOT_SUSPENDED');
    });

    it('revoked stays terminal: suspending or resuming a revoked key is refused KEY_REVOKED', () => {
      spec.given(revokedKey()).when(suspend(), T0).thenRejects('KEY_REVOKED');
      spec.given(revokedKey()).when(resume, T0).thenRejects('KEY_REVOKED');
      spec
        .given([...suspendedKey(), keyRevoked('leaked')])
        .when(resume, T0)
        .thenRejects('KEY_REVOKED');
    });

    it('revokes a suspended key', () => {
      const state = spec
        .given(suspendedKey())
        .when(revoke, T0)
        .then([keyRevoked(null)]);
      expect(state.status).toBe('revoked');
    });

    it('an expired key is neither suspended nor resumed (KEY_EXPIRED), recorded or only due', () => {
      spec.given(expiredKey()).when(suspend(), at(20)).thenRejects('KEY_EXPIRED');
      spec.given(expiredKey()).when(resume, at(20)).thenRejects('KEY_EXPIRED');
      // The current secret's expiry passed before the scheduler recorded it.
      spec
        .given([...suspendedKey(), keyExpirySet('current', 1, at(10))])
        .when(resume, at(10))
        .thenRejects('KEY_EXPIRED');
      spec
        .given([keyGenerated(), keyExpirySet('current', 1, at(10))])
        .when(suspend(), at(11))
        .thenRejects('KEY_EXPIRED');
    });

    it("the scheduler still expires a suspended key's secrets, which ends the suspension with the key", () => {
      const state = spec
        .given([...suspendedKey(), keyExpirySet('current', 1, at(60))])
        .when(expireSecret(1), at(60))
        .then([keyExpired('current', 1, at(60))]);
      expect(state.status).toBe('expired');
      expect(state).not.toHaveProperty('suspended');
      spec
        .given([...inGrace(), keySuspended(null)])
        .when(expireSecret(1), at(61))
        .then([keyExpired('previous', 1, at(60))]);
    });

    it('refuses regenerating a suspended key (KEY_SUSPENDED): it is not given a fresh usable secret', () => {
      spec
        .given(suspendedKey())
        .when(regenerateKey(2, at(60)), T0)
        .thenRejects('KEY_SUSPENDED');
    });

    it('an expired key that was suspended is regenerated into an active, unsuspended key', () => {
      const state = spec
        .given([...suspendedKey(), keyExpirySet('current', 1, at(10)), keyExpired('current', 1, at(10))])
        .when(regenerateKey(2, at(20)), at(20))
        .then([keyRotated(2, at(10))]);
      expect(state).toMatchObject({ status: 'active', current: { version: 2 } });
      expect(state).not.toHaveProperty('suspended');
    });

    it('sets the expiry of, updates and reveals a suspended key, which stays suspended', () => {
      const state = spec
        .given(suspendedKey())
        .when(setExpiry('current', at(60)), T0)
        .then([keyExpirySet('current', 1, at(60))]);
      expect(state).toMatchObject({ suspended: true });
      const updated = spec
        .given(suspendedKey())
        .when({ type: 'UpdateKey', changes: { name: 'renamed' } }, T0)
        .then([keyUpdated({ name: 'renamed' })]);
      expect(updated).toMatchObject({ suspended: true, props: { name: 'renamed' } });
      spec
        .given(suspendedKey())
        .when(reveal('current'), T0)
        .then([keyRevealed('current', 1)]);
    });

    it('refuses an unknown key', () => {
      spec.given([]).when(suspend(), T0).thenRejects('KEY_NOT_FOUND');
      spec.given([]).when(resume, T0).thenRejects('KEY_NOT_FOUND');
    });
  });

  describe('time-based expiry', () => {
    it('the same state gives a different outcome at a different `now`', () => {
      const given = [keyGenerated(), keyExpirySet('current', 1, at(60))];
      spec
        .given(given)
        .when(reveal('current'), at(59))
        .then([keyRevealed('current', 1)]);
      spec.given(given).when(reveal('current'), at(60)).thenRejects('KEY_EXPIRED');
      spec.given(given).when(expireSecret(1), at(59)).then([]);
      spec
        .given(given)
        .when(expireSecret(1), at(60))
        .then([keyExpired('current', 1, at(60))]);
      spec
        .given(given)
        .when(regenerateKey(2, at(90)), at(59))
        .then([keyRotated(2, at(60))]);
      spec
        .given(given)
        .when(regenerateKey(2, at(90)), at(61))
        .then([keyRotated(2, at(60)), keyExpired('previous', 1, at(60))]);
    });
  });
});

describe('an older secret never outlives the current one', () => {
  // In grace until T0+60, and the current secret set to expire at T0+30.
  const currentEndsFirst = () => [...inGrace(), keyExpirySet('current', 2, at(30))];

  it('refuses to set the previous secret to expire after the current one', () => {
    spec
      .given(currentEndsFirst())
      .when({ type: 'SetExpiry', slot: 'previous', expiresAt: at(45) }, T0)
      .thenRejects('INVALID_EXPIRY');
  });

  it('once the current secret has expired by time, the key counts as expired for reveal and expiry changes', () => {
    spec.given(currentEndsFirst()).when({ type: 'RevealKey', slot: 'previous' }, at(31)).thenRejects('KEY_EXPIRED');
    spec.given(currentEndsFirst()).when({ type: 'RevealKey', slot: 'current' }, at(31)).thenRejects('KEY_EXPIRED');
    spec.given(currentEndsFirst()).when({ type: 'SetExpiry', slot: 'current', expiresAt: null }, at(31)).thenRejects('KEY_EXPIRED');
  });

  it('before that instant both remain usable', () => {
    spec
      .given(currentEndsFirst())
      .when({ type: 'RevealKey', slot: 'previous' }, at(29))
      .then([keyRevealed('previous', 1)]);
  });

  it('the previous secret may end exactly when the current one does (the boundary), not a millisecond later', () => {
    spec
      .given(currentEndsFirst())
      .when(setExpiry('previous', at(30)), T0)
      .then([keyExpirySet('previous', 1, at(30))]);
    spec
      .given(currentEndsFirst())
      .when(setExpiry('previous', new Date(at(30).getTime() + 1)), T0)
      .thenRejects('INVALID_EXPIRY');
  });

  it('once the current secret has expired by time (not yet recorded), the previous secret’s expiry cannot be changed either', () => {
    // The previous secret's own expiry (T0+60) is still ahead, and each requested time is within the
    // current one's (T0+30): only the current secret's passed expiry refuses these.
    spec
      .given(currentEndsFirst())
      .when(setExpiry('previous', at(20)), at(31))
      .thenRejects('KEY_EXPIRED');
    spec
      .given(currentEndsFirst())
      .when(setExpiry('previous', at(30)), at(30))
      .thenRejects('KEY_EXPIRED');
    spec
      .given(currentEndsFirst())
      .when(setExpiry('previous', at(29)), at(29))
      .then([keyExpirySet('previous', 1, at(29)), keyExpired('previous', 1, at(29))]);
  });

  it('on a key whose expiry is recorded, the previous slot is refused as KEY_EXPIRED (not NO_PREVIOUS_SECRET)', () => {
    spec
      .given(expiredKey())
      .when(setExpiry('previous', at(5)), at(20))
      .thenRejects('KEY_EXPIRED');
    spec
      .given([...currentEndsFirst(), keyExpired('previous', 1, at(30), 'superseded'), keyExpired('current', 2, at(30))])
      .when(setExpiry('previous', at(20)), at(40))
      .thenRejects('KEY_EXPIRED');
  });

  describe('WarnExpiry (the expiry warner)', () => {
    // at(m) is T0 + m minutes; a day is 1440 minutes.
    const expiringIn = (minutes: number) => [keyGenerated(), keyExpirySet('current', 1, at(minutes))];

    it('records nothing for a secret without expiry, or whose expiry is farther than the lead', () => {
      spec.given([keyGenerated()]).when(warnExpiry(1, DAY), T0).then([]);
      spec.given(expiringIn(1441)).when(warnExpiry(1, DAY), T0).then([]);
    });

    it('records the warning, with the expiry it is about and the lead, once the expiry is within the lead', () => {
      spec
        .given(expiringIn(1440))
        .when(warnExpiry(1, DAY), T0)
        .then([keyExpiryWarned('current', 1, at(1440), DAY)]);
    });

    it('records each lead once per secret and expiry, and never a longer lead after a shorter one', () => {
      const warnedWeek = [...expiringIn(1440), keyExpiryWarned('current', 1, at(1440), 7 * DAY)];
      spec
        .given(warnedWeek)
        .when(warnExpiry(1, 7 * DAY), at(1))
        .then([]);
      spec
        .given(warnedWeek)
        .when(warnExpiry(1, DAY), at(1))
        .then([keyExpiryWarned('current', 1, at(1440), DAY)]);
      spec
        .given([...expiringIn(1440), keyExpiryWarned('current', 1, at(1440), DAY)])
        .when(warnExpiry(1, 7 * DAY), at(1))
        .then([]);
    });

    it('warns again of a new expiry', () => {
      spec
        .given([...expiringIn(1440), keyExpiryWarned('current', 1, at(1440), DAY), keyExpirySet('current', 1, at(2000))])
        .when(warnExpiry(1, DAY), at(1000))
        .then([keyExpiryWarned('current', 1, at(2000), DAY)]);
    });

    it("warns of the previous secret's grace end, capped at the current secret's expiry", () => {
      spec
        .given(inGrace())
        .when(warnExpiry(1, HOUR), T0)
        .then([keyExpiryWarned('previous', 1, at(60), HOUR)]);
      spec
        .given([...inGrace(), keyExpirySet('current', 2, at(30))])
        .when(warnExpiry(1, HOUR), T0)
        .then([keyExpiryWarned('previous', 1, at(30), HOUR)]);
    });

    it('records nothing for a secret already past its expiry, another version, or a revoked or expired key', () => {
      spec.given(expiringIn(10)).when(warnExpiry(1, DAY), at(10)).then([]);
      spec.given(expiringIn(10)).when(warnExpiry(7, DAY), T0).then([]);
      spec
        .given([...expiringIn(100), keyRevoked('leaked')])
        .when(warnExpiry(1, DAY), T0)
        .then([]);
      spec.given(expiredKey()).when(warnExpiry(1, DAY), at(5)).then([]);
    });
  });

  describe('permissions, metadata and external id (key-scopes.ts)', () => {
    const scopes = { permissions: ['payments:write', 'refunds:*'], metadata: { team: 'checkout' }, externalId: 'merchant-42' };
    const update = (changes: { permissions?: string[]; metadata?: Record<string, unknown>; externalId?: string; name?: string }) =>
      ({ type: 'UpdateKey', changes }) as const;

    it('records them on KeyGenerated, permissions without duplicates in the given order, and folds them into the state', () => {
      const state = spec
        .given([])
        .when(generateKey({ ...scopes, permissions: ['payments:write', 'refunds:*', 'payments:write'] }), T0)
        .then([keyGenerated(scopes)]);
      expect(state).toMatchObject({ props: scopes });
    });

    it('records none of them when none (or only empty values) are given: such a key is unrestricted', () => {
      spec
        .given([])
        .when(generateKey({ permissions: [], metadata: {}, externalId: undefined }), T0)
        .then([keyGenerated()]);
    });

    it('refuses malformed permissions with INVALID_PERMISSIONS, without echoing them', () => {
      const outcome = spec.given([]).when(generateKey({ permissions: ['payments:write', 'Payments:Write'] }), T0);
      outcome.thenRejects('INVALID_PERMISSIONS');
      expect(JSON.stringify(outcome.decision)).not.toContain('Payments:Write');
      spec
        .given([keyGenerated()])
        .when(update({ permissions: ['*:write'] }), T0)
        .thenRejects('INVALID_PERMISSIONS');
    });

    it('refuses permissions on a signing key (generate and update) with PERMISSIONS_NOT_APPLICABLE', () => {
      const { secret } = aSecret(9, 'signing');
      spec
        .given([])
        .when(generateKey({ kind: 'signing', secret, permissions: ['payments:write'] }), T0)
        .thenRejects('PERMISSIONS_NOT_APPLICABLE');
      const signing: KeyEvent = {
        type: 'KeyGenerated',
        data: { ...BASE, kind: 'signing', name: 'hooks', allowedIps: [], webhookFormat: 'single', secret: issued(9, 1) },
      };
      spec
        .given([signing])
        .when(update({ permissions: ['payments:write'] }), T0)
        .thenRejects('PERMISSIONS_NOT_APPLICABLE');
      // Metadata and an owner are fine on a signing key.
      spec
        .given([signing])
        .when(update({ metadata: { team: 'hooks' }, externalId: 'merchant-42' }), T0)
        .then([
          { type: 'KeyUpdated', data: { ...BASE, kind: 'signing', changes: { metadata: { team: 'hooks' }, externalId: 'merchant-42' } } },
        ]);
    });

    it('refuses metadata that is not an object or too large with INVALID_METADATA, and a secret in it with SECRET_IN_METADATA', () => {
      spec
        .given([])
        .when(generateKey({ metadata: { blob: 'x'.repeat(5000) } }), T0)
        .thenRejects('INVALID_METADATA');
      spec
        .given([keyGenerated()])
        .when(update({ metadata: ['a'] as unknown as Record<string, unknown> }), T0)
        .thenRejects('INVALID_METADATA');
      const outcome = spec.given([]).when(generateKey({ metadata: { stripe: 'sk_live_abcdef123' } }), T0);
      outcome.thenRejects('SECRET_IN_METADATA');
      expect(JSON.stringify(outcome.decision)).not.toContain('sk_live_abcdef123');
    });

    it('refuses an external id over 128 characters or with control characters with INVALID_EXTERNAL_ID', () => {
      spec
        .given([])
        .when(generateKey({ externalId: 'x'.repeat(129) }), T0)
        .thenRejects('INVALID_EXTERNAL_ID');
      spec
        .given([keyGenerated()])
        .when(update({ externalId: 'a\u0000b' }), T0)
        .thenRejects('INVALID_EXTERNAL_ID');
    });

    it('changes them through KeyUpdated (the whole list, the whole object), recording only what differs', () => {
      const state = spec
        .given([keyGenerated(scopes)])
        .when(
          update({
            permissions: ['payments:write', 'refunds:*'],
            metadata: { team: 'payouts' },
            externalId: 'merchant-42',
            name: 'checkout backend',
          }),
          T0,
        )
        .then([keyUpdated({ metadata: { team: 'payouts' } })]);
      expect(state).toMatchObject({ props: { ...scopes, metadata: { team: 'payouts' } } });
      spec
        .given([keyGenerated(scopes)])
        .when(update({ permissions: ['refunds:read', 'refunds:read'] }), T0)
        .then([keyUpdated({ permissions: ['refunds:read'] })]);
    });

    it('removes them with [], {} and "": the key becomes unrestricted; removing what is not set records nothing', () => {
      const state = spec
        .given([keyGenerated(scopes)])
        .when(update({ permissions: [], metadata: {}, externalId: '' }), T0)
        .then([keyUpdated({ permissions: [], metadata: {}, externalId: '' })]);
      expect(state).toMatchObject({ props: { permissions: [], metadata: {}, externalId: '' } });
      spec
        .given([keyGenerated()])
        .when(update({ permissions: [], metadata: {}, externalId: '' }), T0)
        .then([]);
    });

    it('a KeyGenerated recorded before these fields existed folds to a key without them', () => {
      const state = spec
        .given([keyGenerated()])
        .when(update({ permissions: ['payments:read'] }), T0)
        .then([keyUpdated({ permissions: ['payments:read'] })]);
      expect(state).toMatchObject({ props: { permissions: ['payments:read'] } });
    });
  });

  describe('publishable keys (origins.ts, key-scopes.ts)', () => {
    const publishable = (overrides: Partial<Extract<KeyCommand, { type: 'GenerateKey' }>> = {}) =>
      generateKey({ kind: 'publishable', secret: aSecret(3, 'publishable').secret, ...overrides });
    const generated = (allowedOrigins: string[], permissions = [...PUBLISHABLE_PERMISSIONS]) => ({
      type: 'KeyGenerated' as const,
      data: {
        ...BASE,
        kind: 'publishable' as const,
        name: 'checkout backend',
        allowedIps: [],
        webhookFormat: 'single' as const,
        secret: { ...aSecret(3, 'publishable').secret, version: 1 },
        permissions,
        allowedOrigins,
      },
    });

    const pkUpdated = (changes: { allowedOrigins?: string[]; permissions?: string[] }): KeyEvent => ({
      type: 'KeyUpdated',
      data: { ...BASE, kind: 'publishable', changes },
    });

    it('records the origins, normalised, and the read-only permission set when none is given', () => {
      spec
        .given([])
        .when(publishable({ allowedOrigins: ['https://Shop.Example/'] }), T0)
        .then([generated(['https://shop.example'])]);
    });

    it('takes a subset of the read-only set, and refuses anything beyond it', () => {
      spec
        .given([])
        .when(publishable({ allowedOrigins: ['https://shop.example'], permissions: ['checkout:read'] }), T0)
        .then([generated(['https://shop.example'], ['checkout:read'])]);
      spec
        .given([])
        .when(publishable({ allowedOrigins: ['https://shop.example'], permissions: ['payments:write'] }), T0)
        .thenRejects('PERMISSIONS_NOT_APPLICABLE');
      spec
        .given([])
        .when(publishable({ allowedOrigins: ['https://shop.example'], permissions: ['*'] }), T0)
        .thenRejects('PERMISSIONS_NOT_APPLICABLE');
    });

    it('refuses a publishable key without an origin, or with one that is not an origin', () => {
      spec.given([]).when(publishable(), T0).thenRejects('INVALID_ALLOWED_ORIGINS');
      spec
        .given([])
        .when(publishable({ allowedOrigins: ['http://shop.example'] }), T0)
        .thenRejects('INVALID_ALLOWED_ORIGINS');
    });

    it('refuses origins on a key of another kind', () => {
      spec
        .given([])
        .when(generateKey({ allowedOrigins: ['https://shop.example'] }), T0)
        .thenRejects('ORIGINS_NOT_APPLICABLE');
    });

    it('updates the origins, never to none; emptied permissions go back to the read-only set', () => {
      const given = [generated(['https://shop.example'], ['checkout:read'])];
      spec
        .given(given)
        .when({ type: 'UpdateKey', changes: { allowedOrigins: ['https://eu.shop.example'] } }, T0)
        .then([pkUpdated({ allowedOrigins: ['https://eu.shop.example'] })]);
      spec
        .given(given)
        .when({ type: 'UpdateKey', changes: { allowedOrigins: [] } }, T0)
        .thenRejects('INVALID_ALLOWED_ORIGINS');
      spec
        .given(given)
        .when({ type: 'UpdateKey', changes: { permissions: [] } }, T0)
        .then([pkUpdated({ permissions: [...PUBLISHABLE_PERMISSIONS] })]);
    });
  });
});

describe('signing schemes and algorithms (issue #14)', () => {
  const BASE_SIGNING = { ...BASE, kind: 'signing' as const };
  const publicKey = Buffer.alloc(32, 3).toString('base64');
  const signing = (overrides: Parameters<typeof generateKey>[0] = {}) => generateKey({ kind: 'signing', ...overrides });
  const generatedData = (extra: object, secret = issued(1, 1)) => ({
    type: 'KeyGenerated' as const,
    data: { ...BASE_SIGNING, name: 'checkout backend', allowedIps: [], webhookFormat: 'single' as const, secret, ...extra },
  });

  it('records the standard-webhooks scheme, and ed25519 with its public key', () => {
    spec
      .given([])
      .when(signing({ scheme: 'standard-webhooks' }), T0)
      .then([generatedData({ scheme: 'standard-webhooks' })]);
    spec
      .given([])
      .when(signing({ scheme: 'standard-webhooks', algorithm: 'ed25519', secret: { ...aSecret(1).secret, publicKey } }), T0)
      .then([generatedData({ scheme: 'standard-webhooks', algorithm: 'ed25519' }, { ...issued(1, 1), publicKey })]);
  });

  it('records nothing extra for a signing key without a scheme: the Stripe-style default', () => {
    spec
      .given([])
      .when(signing(), T0)
      .then([generatedData({})]);
  });

  it('refuses a scheme or an algorithm on a key that is not a signing key', () => {
    spec
      .given([])
      .when(generateKey({ scheme: 'standard-webhooks' }), T0)
      .thenRejects('SCHEME_NOT_APPLICABLE');
    spec
      .given([])
      .when(generateKey({ kind: 'publishable', allowedOrigins: ['https://shop.example'], algorithm: 'hmac-sha256' }), T0)
      .thenRejects('SCHEME_NOT_APPLICABLE');
  });

  it('refuses ed25519 with the Stripe-style scheme, given or by default', () => {
    spec
      .given([])
      .when(signing({ algorithm: 'ed25519' }), T0)
      .thenRejects('ALGORITHM_NOT_APPLICABLE');
    spec
      .given([])
      .when(signing({ scheme: 'stripe', algorithm: 'ed25519' }), T0)
      .thenRejects('ALGORITHM_NOT_APPLICABLE');
  });

  it('never reveals an ed25519 private key; a Standard Webhooks HMAC secret is revealed as any other', () => {
    const ed = generatedData({ scheme: 'standard-webhooks', algorithm: 'ed25519' }, { ...issued(1, 1), publicKey });
    spec.given([ed]).when(reveal('current'), T0).thenRejects('KEY_NOT_REVEALABLE');
    spec
      .given([ed, keyRotated(2, at(60))])
      .when(reveal('previous'), T0)
      .thenRejects('KEY_NOT_REVEALABLE');
    spec
      .given([generatedData({ scheme: 'standard-webhooks' })])
      .when(reveal('current'), T0)
      .then([{ type: 'KeyRevealed', data: { ...BASE_SIGNING, slot: 'current', secretVersion: 1 } }]);
  });

  it('the state keeps the scheme and algorithm through a regenerate', () => {
    const state = [generatedData({ scheme: 'standard-webhooks', algorithm: 'ed25519' }), keyRotated(2, at(60))].reduce(
      evolve,
      initialState(),
    );
    expect(state.status === 'active' && [state.props.scheme, state.props.algorithm]).toEqual(['standard-webhooks', 'ed25519']);
  });
});
