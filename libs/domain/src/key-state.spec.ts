import { decide } from './key.decider';
import { evolve, initialState, nextSecretVersion, type KeyState } from './key-state';
import {
  T0,
  at,
  generateKey,
  keyExpired,
  keyExpirySet,
  keyGenerated,
  keyRevoked,
  keyRotated,
  regenerateKey,
} from './testing/decider-specification';
import type { KeyEvent } from './events';

const fold = (events: KeyEvent[]): KeyState => events.reduce<KeyState>((s, event) => evolve(s, event), initialState());

describe('nextSecretVersion', () => {
  it('is 1 for a key that does not exist yet', () => {
    expect(nextSecretVersion(initialState())).toBe(1);
  });

  it('is one more than the current secret’s version, in a grace period or after the key expired', () => {
    expect(nextSecretVersion(fold([keyGenerated()]))).toBe(2);
    expect(nextSecretVersion(fold([keyGenerated(), keyRotated(2, at(60))]))).toBe(3);
    expect(nextSecretVersion(fold([keyGenerated(), keyRotated(2, at(60)), keyRotated(3, at(90))]))).toBe(4);
    expect(nextSecretVersion(fold([keyGenerated(), keyExpirySet('current', 1, at(10)), keyExpired('current', 1, at(10))]))).toBe(2);
    expect(nextSecretVersion(fold([keyGenerated(), keyRevoked()]))).toBe(2);
  });

  it('is the version the decider records for the new secret (the sealed copy is bound to it)', () => {
    const generated = decide(generateKey(), initialState(), T0);
    expect(generated.ok && generated.events[0]).toMatchObject({
      type: 'KeyGenerated',
      data: { secret: { version: nextSecretVersion(initialState()) } },
    });
    for (const history of [
      [keyGenerated()],
      [keyGenerated(), keyRotated(2, at(60))],
      [keyGenerated(), keyExpirySet('current', 1, at(-10)), keyExpired('current', 1, at(-10))],
    ]) {
      const state = fold(history);
      const decision = decide(regenerateKey(9, at(30)), state, T0);
      if (!decision.ok) throw new Error(decision.rejection.code);
      expect(decision.events.find((e) => e.type === 'KeyRotated')).toMatchObject({
        data: { secret: { version: nextSecretVersion(state) } },
      });
    }
  });
});
