/**
 * Given/when/then for the key decider, in the style of emmett's `DeciderSpecification`:
 *
 *   spec.given([keyGenerated()]).when({ type: 'RevokeKey', reason: null }, T0).then([keyRevoked()]);
 *   spec.given([]).when({ type: 'RevealKey', slot: 'current' }, T0).thenRejects('KEY_NOT_FOUND');
 *
 * `given` is folded with `evolve` from `initialState()`; `when` calls `decide(command, state, now)`.
 * Also a small factory of realistic commands, secrets and events: deterministic key material made
 * with the real `formatKey`/`hashKey`/`keyStart`, and a fake sealed copy (no master key needed).
 */
import { expect } from '@jest/globals';
import type { LeakPolicy } from '../account-events';
import type { IssuedSecret, KeyEvent, KeyKind, LeakAction, SealedSecret, SecretSlot, WebhookFormat } from '../events';
import { KEY_RANDOM_BYTES, formatKey, hashKey, keyStart, type KeyEnv } from '../key-format';
import type { KeyScopes } from '../key-scopes';
import { decide, type Decision, type KeyCommand, type NewSecret } from '../key.decider';
import { evolve, initialState, type KeyState } from '../key-state';
import type { RejectionCode } from '../rejections';

export interface DeciderOutcome {
  /** The raw decision, for assertions the helpers below do not cover. */
  readonly decision: Decision;
  /** The state `given` folded to, before the command. */
  readonly state: KeyState;
  /** Asserts the command was accepted with exactly these events, in this order. */
  then(expected: KeyEvent[]): KeyState;
  /** Asserts the command was refused with this rejection code. */
  thenRejects(code: RejectionCode): void;
}

export interface DeciderGiven {
  when(command: KeyCommand, now: Date): DeciderOutcome;
}

export interface KeyDeciderSpecification {
  given(events: KeyEvent[]): DeciderGiven;
}

const describeDecision = (decision: Decision): string =>
  decision.ok
    ? `accepted with ${JSON.stringify(decision.events.map((e) => e.type))}`
    : `rejected ${decision.rejection.code}: ${decision.rejection.message}`;

export const spec: KeyDeciderSpecification = {
  given(events) {
    const state = events.reduce<KeyState>((s, event) => evolve(s, event), initialState());
    return {
      when(command, now) {
        const decision = decide(command, state, now);
        return {
          decision,
          state,
          then(expected) {
            if (!decision.ok)
              throw new Error(`expected ${JSON.stringify(expected.map((e) => e.type))}, but the command was ${describeDecision(decision)}`);
            expect(decision.events).toEqual(expected);
            // The produced events must fold onto the state: return the state after them.
            return decision.events.reduce<KeyState>((s, event) => evolve(s, event), state);
          },
          thenRejects(code) {
            if (decision.ok) throw new Error(`expected rejection ${code}, but the command was ${describeDecision(decision)}`);
            expect(decision.rejection.code).toBe(code);
            expect(decision.rejection.message.length).toBeGreaterThan(0);
          },
        };
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Factory
// ---------------------------------------------------------------------------------------------

export const KEY_ID = 'key_01HZX3Q7N8M2K5VJ4T6R9P0ABC';
export const ACCOUNT_ID = 'acct_7f3a9c21';
export const BASE = { keyId: KEY_ID, accountId: ACCOUNT_ID, kind: 'api' as KeyKind };

/** Deterministic 32 "random" bytes: the same seed always gives the same key. */
export function seededBytes(seed: number): Uint8Array {
  const bytes = new Uint8Array(KEY_RANDOM_BYTES);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

export function fakeSealed(seed: number): SealedSecret {
  return { kid: 'master-test-1', alg: 'A256GCM', iv: `iv-${seed}`, ciphertext: `ciphertext-${seed}`, tag: `tag-${seed}` };
}

export interface TestSecret {
  /** The full key as handed to the merchant once. */
  key: string;
  /** What a command carries: hash, start and sealed copy, never the key itself. */
  secret: NewSecret;
}

export function aSecret(seed: number, kind: KeyKind = 'api', env: KeyEnv = 'live'): TestSecret {
  const key = formatKey(kind, env, seededBytes(seed));
  return { key, secret: { hash: hashKey(key), start: keyStart(key), sealed: fakeSealed(seed) } };
}

export const issued = (seed: number, version: number): IssuedSecret => ({ ...aSecret(seed).secret, version });

export function generateKey(
  overrides: Partial<Extract<KeyCommand, { type: 'GenerateKey' }>> = {},
): Extract<KeyCommand, { type: 'GenerateKey' }> {
  return {
    type: 'GenerateKey',
    keyId: KEY_ID,
    accountId: ACCOUNT_ID,
    kind: 'api',
    name: 'checkout backend',
    allowedIps: [],
    webhookFormat: 'single',
    secret: aSecret(1).secret,
    ...overrides,
  };
}

export const regenerateKey = (seed: number, oldSecretExpiresAt: Date): KeyCommand => ({
  type: 'RegenerateKey',
  oldSecretExpiresAt,
  secret: aSecret(seed).secret,
});

// Events, as the decider writes them for KEY_ID (seed n ↔ secret version n unless said otherwise).

export function keyGenerated(
  overrides: { name?: string; allowedIps?: string[]; webhookFormat?: WebhookFormat; seed?: number } & KeyScopes = {},
): KeyEvent {
  const { seed = 1, ...props } = overrides;
  return {
    type: 'KeyGenerated',
    data: { ...BASE, name: 'checkout backend', allowedIps: [], webhookFormat: 'single', ...props, secret: issued(seed, 1) },
  };
}

export const keyRotated = (version: number, previousExpiresAt: Date | string, seed = version): KeyEvent => ({
  type: 'KeyRotated',
  data: {
    ...BASE,
    secret: issued(seed, version),
    previousVersion: version - 1,
    previousExpiresAt: typeof previousExpiresAt === 'string' ? previousExpiresAt : previousExpiresAt.toISOString(),
  },
});

export const keyExpirySet = (slot: SecretSlot, secretVersion: number, expiresAt: Date | null): KeyEvent => ({
  type: 'KeyExpirySet',
  data: { ...BASE, slot, secretVersion, expiresAt: expiresAt === null ? null : expiresAt.toISOString() },
});

export const keyExpired = (
  slot: SecretSlot,
  secretVersion: number,
  expiredAt: Date,
  reason: 'expired' | 'superseded' = 'expired',
): KeyEvent => ({
  type: 'KeyExpired',
  data: { ...BASE, slot, secretVersion, reason, expiredAt: expiredAt.toISOString() },
});

export const keyRevealed = (slot: SecretSlot, secretVersion: number): KeyEvent => ({
  type: 'KeyRevealed',
  data: { ...BASE, slot, secretVersion },
});

export const keyUpdated = (changes: { name?: string; allowedIps?: string[]; webhookFormat?: WebhookFormat } & KeyScopes): KeyEvent => ({
  type: 'KeyUpdated',
  data: { ...BASE, changes },
});

export const keyExpiryWarned = (slot: SecretSlot, secretVersion: number, expiresAt: Date, leadSeconds: number): KeyEvent => ({
  type: 'KeyExpiryWarned',
  data: { ...BASE, slot, secretVersion, expiresAt: expiresAt.toISOString(), leadSeconds },
});
export const keyRevoked = (reason: string | null = null): KeyEvent => ({ type: 'KeyRevoked', data: { ...BASE, reason } });

export const keySuspended = (reason: string | null = null): KeyEvent => ({ type: 'KeySuspended', data: { ...BASE, reason } });

export const keyResumed = (): KeyEvent => ({ type: 'KeyResumed', data: { ...BASE } });

/** What a partner's report said about one token (never the token). */
export const LEAK_REPORT = {
  reportId: 'lr_0123456789abcdef0123456789abcdef',
  receivedAt: '2025-03-10T11:59:59.000Z',
  tokenType: 'credential_service_api_key',
  url: 'https://github.com/octo/shop/blob/1a2b3c/config.env',
  source: 'content',
} as const;

export const reportLeak = (secretVersion: number, policy: LeakPolicy = 'revoke'): KeyCommand => ({
  type: 'ReportLeak',
  report: { ...LEAK_REPORT },
  secretVersion,
  policy,
});

export const keyLeakReported = (secretVersion: number, action: LeakAction, kind: KeyKind = 'api'): KeyEvent => ({
  type: 'KeyLeakReported',
  data: { ...BASE, kind, ...LEAK_REPORT, secretVersion, action },
});

export const keyRevokedForLeak = (kind: KeyKind = 'api'): KeyEvent => ({
  type: 'KeyRevoked',
  data: {
    ...BASE,
    kind,
    reason: `leaked: reported by secret scanning (${LEAK_REPORT.reportId})`,
    cause: { type: 'leak-report', reportId: LEAK_REPORT.reportId },
  },
});

/** A fixed clock: `at(0)` is T0, `at(90)` ninety minutes later, `at(-5)` five minutes earlier. */
export const T0 = new Date('2025-03-10T12:00:00.000Z');
export const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
