/**
 * A key's write-side state, folded from its stream. A union by status; `previous` is set while an
 * older secret is in its grace period after a regenerate (at most two secrets are valid at once).
 */
import type { IssuedSecret, KeyEvent, KeyKind, SigningAlgorithm, SigningScheme, WebhookFormat } from './events';
import { scopeProps } from './key-scopes';

export interface SecretState extends IssuedSecret {
  expiresAt: string | null;
  /** The tightest expiry warning recorded for this secret, and the expiry it was about (KeyExpiryWarned). */
  warned?: { expiresAt: string; leadSeconds: number };
}

export interface KeyProps {
  keyId: string;
  accountId: string;
  kind: KeyKind;
  name: string;
  allowedIps: string[];
  webhookFormat: WebhookFormat;
  /** Absent or empty: unrestricted (key-scopes.ts). */
  permissions?: string[];
  /** Absent or empty: none. */
  metadata?: Record<string, unknown>;
  /** Absent or '': none. */
  externalId?: string;
  /** Publishable keys only (origins.ts). */
  allowedOrigins?: string[];
  /** Signing keys only; absent: 'stripe' (signingProfile). */
  scheme?: SigningScheme;
  /** Signing keys only; absent: 'hmac-sha256' (signingProfile). */
  algorithm?: SigningAlgorithm;
}

/** A signing key's scheme and algorithm, with the defaults of keys recorded without them. */
export function signingProfile(props: { scheme?: SigningScheme; algorithm?: SigningAlgorithm }): {
  scheme: SigningScheme;
  algorithm: SigningAlgorithm;
} {
  return { scheme: props.scheme ?? 'stripe', algorithm: props.algorithm ?? 'hmac-sha256' };
}

/** The scheme and algorithm fields an event or state carries: only those that are set. */
export function signingFields(from: { scheme?: SigningScheme; algorithm?: SigningAlgorithm }): {
  scheme?: SigningScheme;
  algorithm?: SigningAlgorithm;
} {
  return { ...(from.scheme ? { scheme: from.scheme } : {}), ...(from.algorithm ? { algorithm: from.algorithm } : {}) };
}

export type KeyState =
  | { status: 'absent' }
  | { status: 'active'; props: KeyProps; current: SecretState; previous: SecretState | null; suspended?: true }
  | { status: 'expired'; props: KeyProps; current: SecretState }
  | { status: 'revoked'; props: KeyProps; current: SecretState };

export const initialState = (): KeyState => ({ status: 'absent' });

/**
 * The version the next secret of a key gets: 1 for a new key, else one more than its current
 * secret's. A secret's sealed copy is bound to its version, so whoever issues (seals) the secret
 * before deciding and the decider that records it both take the version from here.
 */
export function nextSecretVersion(state: KeyState): number {
  return state.status === 'absent' ? 1 : state.current.version + 1;
}

function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}

/** The state after one event. Event metadata (time, actor) is not part of it: no decision reads it. */
export function evolve(state: KeyState, event: KeyEvent): KeyState {
  switch (event.type) {
    case 'KeyGenerated': {
      const { secret, keyId, accountId, kind, name, allowedIps, webhookFormat } = event.data;
      return {
        status: 'active',
        props: { keyId, accountId, kind, name, allowedIps, webhookFormat, ...scopeProps(event.data), ...signingFields(event.data) },
        current: { ...secret, expiresAt: null },
        previous: null,
      };
    }
    case 'KeyRotated': {
      if (state.status === 'absent' || state.status === 'revoked') return state;
      return {
        status: 'active',
        props: state.props,
        current: { ...event.data.secret, expiresAt: null },
        // An expired key's old secret was already recorded expired: no grace to track.
        previous: state.status === 'expired' ? null : { ...state.current, expiresAt: event.data.previousExpiresAt },
      };
    }
    case 'KeyExpirySet': {
      if (state.status !== 'active') return state;
      const { slot, expiresAt } = event.data;
      if (slot === 'current') return { ...state, current: { ...state.current, expiresAt } };
      return state.previous ? { ...state, previous: { ...state.previous, expiresAt } } : state;
    }
    case 'KeyExpired': {
      if (state.status === 'active' && event.data.slot === 'previous') return { ...state, previous: null };
      if (state.status === 'active' && event.data.slot === 'current') {
        const { previous: _previous, suspended: _suspended, ...rest } = state; // expiry ends a suspension
        return { ...rest, status: 'expired' };
      }
      // A rotated-away secret that expires after its key has expired again needs no change.
      return state;
    }
    case 'KeyUpdated': {
      if (state.status === 'absent') return state;
      return { ...state, props: { ...state.props, ...withoutNulls(event.data.changes) } };
    }
    case 'KeyRevoked': {
      if (state.status === 'absent') return state;
      return { status: 'revoked', props: state.props, current: state.current };
    }
    case 'KeyRevealed':
    case 'KeyLeakReported': // a revocation it caused is its own event
      return state;
    case 'KeyExpiryWarned': {
      if (state.status !== 'active') return state;
      const { slot, expiresAt, leadSeconds } = event.data;
      const target = slot === 'current' ? state.current : state.previous;
      if (!target || target.version !== event.data.secretVersion) return state;
      const warned = { ...target, warned: { expiresAt, leadSeconds } };
      return slot === 'current' ? { ...state, current: warned } : { ...state, previous: warned };
    }
    case 'KeySuspended':
      return state.status === 'active' ? { ...state, suspended: true } : state;
    case 'KeyResumed': {
      if (state.status !== 'active') return state;
      const { suspended: _suspended, ...resumed } = state;
      return resumed;
    }
    default:
      return assertNever(event);
  }
}

/**
 * The changes of a KeyUpdated without null values. Before the API refused null for optional fields,
 * `{"allowedIps": null}` (or name, webhookFormat) was recorded as a change; read back, such a change
 * means "no change" (never "no restriction": that would widen a key's access from a malformed call).
 */
export function withoutNulls<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value != null)) as Partial<T>;
}
