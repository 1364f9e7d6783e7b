import { decideLeakPolicy, evolveAccount, foldAccount, initialAccountState, leakPolicyOf } from './account.decider';
import type { KeyEvent } from './events';
import {
  BASE,
  T0,
  at,
  keyExpired,
  keyExpirySet,
  keyGenerated,
  keyLeakReported,
  keyRevoked,
  keyRevokedForLeak,
  keyRotated,
  keySuspended,
  reportLeak,
  spec,
} from './testing/decider-specification';
import { reserved, signingKeyId } from './testing/account-decider-specification';

describe('ReportLeak (key decider)', () => {
  it('with the revoke policy, records the report and revokes the key in the same decision, the revocation naming the report', () => {
    const state = spec
      .given([keyGenerated()])
      .when(reportLeak(1, 'revoke'), T0)
      .then([keyLeakReported(1, 'revoked'), keyRevokedForLeak()]);
    expect(state.status).toBe('revoked');
  });

  it('with the alert policy, records the report only: the key keeps working', () => {
    const state = spec
      .given([keyGenerated()])
      .when(reportLeak(1, 'alert'), T0)
      .then([keyLeakReported(1, 'alerted')]);
    expect(state).toMatchObject({ status: 'active', current: { version: 1 } });
  });

  it('applies the policy to the previous secret while its grace runs (the whole key is revoked)', () => {
    spec
      .given([keyGenerated(), keyRotated(2, at(60))])
      .when(reportLeak(1, 'revoke'), at(30))
      .then([keyLeakReported(1, 'revoked'), keyRevokedForLeak()]);
  });

  it('records `none` for a secret that no longer works: a previous one past its grace, or an expired key', () => {
    spec
      .given([keyGenerated(), keyRotated(2, at(60))])
      .when(reportLeak(1, 'revoke'), at(61))
      .then([keyLeakReported(1, 'none')]);
    spec
      .given([keyGenerated(), keyExpirySet('current', 1, at(10)), keyExpired('current', 1, at(10))])
      .when(reportLeak(1, 'revoke'), at(20))
      .then([keyLeakReported(1, 'none')]);
    // Its expiry has passed even though KeyExpired is not recorded yet.
    spec
      .given([keyGenerated(), keyExpirySet('current', 1, at(10))])
      .when(reportLeak(1, 'revoke'), at(20))
      .then([keyLeakReported(1, 'none')]);
  });

  it('revokes a suspended key too', () => {
    spec
      .given([keyGenerated(), keySuspended('investigating')])
      .when(reportLeak(1, 'revoke'), T0)
      .then([keyLeakReported(1, 'revoked'), keyRevokedForLeak()]);
  });

  it('records nothing for a revoked key, so a report sent again changes nothing', () => {
    spec
      .given([keyGenerated(), keyRevoked('rotated out')])
      .when(reportLeak(1, 'revoke'), T0)
      .then([]);
    spec
      .given([keyGenerated(), keyLeakReported(1, 'revoked'), keyRevokedForLeak()])
      .when(reportLeak(1, 'alert'), T0)
      .then([]);
  });

  it('never revokes a publishable key, which is public by design', () => {
    const publishable: KeyEvent = {
      type: 'KeyGenerated',
      data: { ...(keyGenerated().data as object), kind: 'publishable', allowedOrigins: ['https://shop.example'] } as never,
    };
    spec
      .given([publishable])
      .when(reportLeak(1, 'revoke'), T0)
      .then([keyLeakReported(1, 'none', 'publishable')]);
  });

  it('refuses a key that does not exist', () => {
    spec.given([]).when(reportLeak(1), T0).thenRejects('KEY_NOT_FOUND');
  });
});

describe('the leak policy (account decider)', () => {
  const accountId = BASE.accountId;

  it('is revoke until set', () => {
    expect(leakPolicyOf(initialAccountState())).toBe('revoke');
  });

  it('records a change, and nothing when the policy in force is set again', () => {
    expect(decideLeakPolicy(accountId, 'revoke', initialAccountState())).toEqual([]);
    const events = decideLeakPolicy(accountId, 'alert', initialAccountState());
    expect(events).toEqual([{ type: 'LeakPolicySet', data: { accountId, policy: 'alert' } }]);
    const state = foldAccount(events);
    expect(leakPolicyOf(state)).toBe('alert');
    expect(decideLeakPolicy(accountId, 'alert', state)).toEqual([]);
    expect(decideLeakPolicy(accountId, 'revoke', state)).toEqual([{ type: 'LeakPolicySet', data: { accountId, policy: 'revoke' } }]);
  });

  it('does not count as the slot stream having started: keys from before are still adopted by the first reservation', () => {
    const state = foldAccount(decideLeakPolicy(accountId, 'alert', initialAccountState()));
    expect(state.exists).toBe(false);
    // and a slot event keeps the policy
    const after = evolveAccount(state, reserved(signingKeyId(1), T0));
    expect(after).toMatchObject({ exists: true, leakPolicy: 'alert' });
  });
});
