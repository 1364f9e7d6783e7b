/**
 * The key decider: `decide(command, state, now)` returns the events a command produces, or a
 * typed rejection. Pure: time, random material and hashes come in with the command.
 */
import type { IssuedSecret, KeyEvent, KeyExpired, SecretSlot, WebhookFormat } from './events';
import { parseAllowList } from './ip-allow-list';
import { checkScopes, scopeDefault, scopeProps, type KeyScopes } from './key-scopes';
import { nextSecretVersion, signingFields, signingProfile, type KeyProps, type KeyState, type SecretState } from './key-state';
import { reject, type Rejection } from './rejections';
import { cappedExpiry, hasExpired, isLive, outlives } from './secret-liveness';
import { decideSuspension } from './suspension.decider';
import { decideLeak, type ReportLeakCommand } from './leak.decider';

export type NewSecret = Omit<IssuedSecret, 'version'>;

export type KeyCommand =
  | ({ type: 'GenerateKey'; secret: NewSecret } & KeyProps)
  | { type: 'RegenerateKey'; oldSecretExpiresAt: Date; secret: NewSecret }
  | { type: 'SetExpiry'; slot: SecretSlot; expiresAt: Date | null }
  | { type: 'RevealKey'; slot: SecretSlot }
  | { type: 'UpdateKey'; changes: { name?: string; allowedIps?: string[]; webhookFormat?: WebhookFormat } & KeyScopes }
  | { type: 'RevokeKey'; reason: string | null }
  | { type: 'SuspendKey'; reason: string | null }
  | { type: 'ResumeKey' }
  /** Issued by the expiry scheduler; a no-op unless that secret is due and still recorded live. */
  | { type: 'ExpireSecret'; secretVersion: number }
  /**
   * Issued by the expiry warner; a no-op unless that secret is live, expires within the lead, and no
   * warning with this lead or a shorter one was recorded for its current expiry.
   */
  | { type: 'WarnExpiry'; secretVersion: number; leadSeconds: number }
  /** A secret scanning partner found one of the key's secrets in public (leak.decider.ts). */
  | ReportLeakCommand;

export type Decision = { ok: true; events: KeyEvent[] } | { ok: false; rejection: Rejection };

const accept = (events: KeyEvent[]): Decision => ({ ok: true, events });
const refuse = (rejection: Rejection): Decision => ({ ok: false, rejection });

export function decide(command: KeyCommand, state: KeyState, now: Date): Decision {
  if (command.type === 'GenerateKey') {
    if (state.status !== 'absent') return refuse(reject('KEY_ALREADY_EXISTS', `key ${command.keyId} already exists`));
    const ips = parseAllowList(command.allowedIps);
    if (!ips.ok) return refuse(reject('INVALID_ALLOWED_IPS', ips.errors.join('; ')));
    const scopes = checkScopes(command.kind, command, true);
    if (!scopes.ok) return refuse(reject(scopes.code, scopes.message));
    const signing = checkSigningProfile(command);
    if (signing) return refuse(signing);
    const {
      type: _type,
      secret,
      permissions: _permissions,
      metadata: _metadata,
      externalId: _externalId,
      allowedOrigins: _allowedOrigins,
      scheme: _scheme,
      algorithm: _algorithm,
      ...props
    } = command;
    return accept([
      {
        type: 'KeyGenerated',
        data: {
          ...props,
          allowedIps: ips.entries,
          secret: { ...secret, version: nextSecretVersion(state) },
          ...scopeProps(scopes.value),
          ...signingFields(command),
        },
      },
    ]);
  }
  if (state.status === 'absent') return refuse(reject('KEY_NOT_FOUND', 'key not found'));
  // The scheduler may race a revocation: a revoked key has nothing left to expire.
  // A leak report of a revoked key has nothing left to stop either.
  if ((command.type === 'ExpireSecret' || command.type === 'WarnExpiry' || command.type === 'ReportLeak') && state.status === 'revoked')
    return accept([]);
  if (state.status === 'revoked') return refuse(reject('KEY_REVOKED', 'the key is revoked; generate a new key'));
  const base = { keyId: state.props.keyId, accountId: state.props.accountId, kind: state.props.kind };
  const expired = (secret: SecretState, slot: SecretSlot, reason: KeyExpired['data']['reason']): KeyExpired => ({
    type: 'KeyExpired',
    data: { ...base, slot, secretVersion: secret.version, reason, expiredAt: expiryInstant(secret, now) },
  });
  /** Ends a previous secret's grace early ('superseded'), or records it 'expired' if its expiry already passed. */
  const endGrace = (previous: SecretState): KeyExpired => expired(previous, 'previous', isLive(previous, now) ? 'superseded' : 'expired');

  switch (command.type) {
    case 'RegenerateKey': {
      // A suspended key is not silently given a fresh usable secret: resume it first.
      if (state.status === 'active' && state.suspended) return refuse(reject('KEY_SUSPENDED', 'the key is suspended; resume it first'));
      const events: KeyEvent[] = [];
      if (state.status === 'active' && state.previous) events.push(endGrace(state.previous));
      // Regenerating never lengthens the life of the secret it replaces: its grace is capped at its own expiry.
      const oldExpiresAt = new Date(cappedExpiry(command.oldSecretExpiresAt.toISOString(), state.current.expiresAt));
      const secret = { ...command.secret, version: nextSecretVersion(state) };
      events.push({
        type: 'KeyRotated',
        data: { ...base, secret, previousVersion: state.current.version, previousExpiresAt: oldExpiresAt.toISOString() },
      });
      if (state.status === 'active' && hasExpired(oldExpiresAt.getTime(), now)) {
        events.push(expired({ ...state.current, expiresAt: oldExpiresAt.toISOString() }, 'previous', 'expired'));
      }
      return accept(events);
    }
    case 'SetExpiry': {
      // The current secret's passed expiry ends the key (grace included) before KeyExpired is recorded.
      if (state.status === 'expired' || !isLive(state.current, now))
        return refuse(reject('KEY_EXPIRED', 'the key has expired; regenerate it to get a new secret'));
      const target = command.slot === 'current' ? state.current : state.previous;
      if (!target) return refuse(reject('NO_PREVIOUS_SECRET', 'there is no previous secret in a grace period'));
      // An expiry that has passed is in force even before KeyExpired is recorded: no bringing it back.
      if (!isLive(target, now)) return refuse(reject('KEY_EXPIRED', `the ${command.slot} secret has expired`));
      if (command.slot === 'previous' && command.expiresAt === null) {
        return refuse(reject('INVALID_EXPIRY', 'the previous secret must expire: give a time (or a past time to end it now)'));
      }
      const currentEnds = state.current.expiresAt;
      // An older secret never outlives the current one (ending at the same instant is allowed).
      if (command.slot === 'previous' && command.expiresAt && outlives(command.expiresAt.getTime(), currentEnds)) {
        return refuse(reject('INVALID_EXPIRY', `the previous secret cannot outlive the current one, which expires at ${currentEnds}`));
      }
      const expiresAt = command.expiresAt === null ? null : new Date(Math.max(command.expiresAt.getTime(), 0)).toISOString();
      const events: KeyEvent[] = [
        { type: 'KeyExpirySet', data: { ...base, slot: command.slot, secretVersion: target.version, expiresAt } },
      ];
      if (hasExpired(expiresAt, now)) {
        // Ending the current secret ends the key, and with it any grace still running.
        if (command.slot === 'current' && state.previous) events.push(endGrace(state.previous));
        events.push(expired({ ...target, expiresAt }, command.slot, 'expired'));
      }
      return accept(events);
    }
    case 'RevealKey': {
      // An Ed25519 private key never leaves the service: only its public key is shown (and published).
      if (signingProfile(state.props).algorithm === 'ed25519')
        return refuse(reject('KEY_NOT_REVEALABLE', 'an ed25519 signing key never leaves the service; use its public key'));
      if (state.status === 'expired' || !isLive(state.current, now))
        return refuse(reject('KEY_EXPIRED', 'the key has expired; regenerate it to get a new secret'));
      const target = command.slot === 'current' ? state.current : state.previous;
      if (!target) return refuse(reject('NO_PREVIOUS_SECRET', 'there is no previous secret in a grace period'));
      if (!isLive(target, now)) return refuse(reject('KEY_EXPIRED', `the ${command.slot} secret has expired`));
      return accept([{ type: 'KeyRevealed', data: { ...base, slot: command.slot, secretVersion: target.version } }]);
    }
    case 'UpdateKey': {
      const changes = { ...command.changes };
      if (changes.allowedIps) {
        const ips = parseAllowList(changes.allowedIps);
        if (!ips.ok) return refuse(reject('INVALID_ALLOWED_IPS', ips.errors.join('; ')));
        changes.allowedIps = ips.entries;
      }
      const scopes = checkScopes(state.props.kind, changes);
      if (!scopes.ok) return refuse(reject(scopes.code, scopes.message));
      Object.assign(changes, scopes.value);
      const props = state.props;
      const changed = Object.fromEntries(
        // null is no value: never recorded (events from before the edge refused null may hold one; see withoutNulls)
        Object.entries(changes).filter(
          ([field, value]) =>
            value != null && JSON.stringify(value) !== JSON.stringify(props[field as keyof typeof props] ?? scopeDefault(field)),
        ),
      );
      if (Object.keys(changed).length === 0) return accept([]);
      return accept([{ type: 'KeyUpdated', data: { ...base, changes: changed } }]);
    }
    case 'RevokeKey':
      return accept([{ type: 'KeyRevoked', data: { ...base, reason: command.reason } }]);
    case 'SuspendKey':
    case 'ResumeKey':
      return decideSuspension(command, state, now, base);
    case 'ReportLeak':
      return accept(decideLeak(command, state, now, base));
    case 'ExpireSecret': {
      if (state.status !== 'active') return accept([]);
      const events: KeyEvent[] = [];
      if (state.previous?.version === command.secretVersion && !isLive(state.previous, now)) {
        events.push(expired(state.previous, 'previous', 'expired'));
      } else if (state.current.version === command.secretVersion && !isLive(state.current, now)) {
        if (state.previous) events.push(endGrace(state.previous));
        events.push(expired(state.current, 'current', 'expired'));
      }
      return accept(events);
    }
    case 'WarnExpiry': {
      if (state.status !== 'active') return accept([]);
      const slot: SecretSlot | null =
        state.current.version === command.secretVersion ? 'current' : state.previous?.version === command.secretVersion ? 'previous' : null;
      const secret = slot === 'current' ? state.current : slot === 'previous' ? state.previous : null;
      if (!slot || !secret || secret.expiresAt === null || !isLive(secret, now)) return accept([]);
      // The previous secret's grace never outlasts the current secret: warn of the instant it really ends.
      const expiresAt = slot === 'previous' ? cappedExpiry(secret.expiresAt, state.current.expiresAt) : secret.expiresAt;
      if (Date.parse(expiresAt) - now.getTime() > command.leadSeconds * 1000) return accept([]);
      const warned = secret.warned;
      if (warned && warned.expiresAt === expiresAt && warned.leadSeconds <= command.leadSeconds) return accept([]);
      return accept([
        { type: 'KeyExpiryWarned', data: { ...base, slot, secretVersion: secret.version, expiresAt, leadSeconds: command.leadSeconds } },
      ]);
    }
    default: {
      const unreachable: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * A generate's scheme and algorithm: signing keys only (SCHEME_NOT_APPLICABLE), and ed25519 only
 * with the standard-webhooks scheme (ALGORITHM_NOT_APPLICABLE: the Stripe-style header is HMAC only).
 */
function checkSigningProfile(command: Pick<KeyProps, 'kind' | 'scheme' | 'algorithm'>): Rejection | null {
  if (command.kind !== 'signing') {
    if (command.scheme !== undefined || command.algorithm !== undefined)
      return reject('SCHEME_NOT_APPLICABLE', 'only a signing key has a signature scheme and algorithm');
    return null;
  }
  if (command.algorithm === 'ed25519' && command.scheme !== 'standard-webhooks')
    return reject('ALGORITHM_NOT_APPLICABLE', 'ed25519 signing keys need the standard-webhooks scheme');
  return null;
}

/** The instant a secret stopped (or stops) being valid: its expiry if passed, else now. */
function expiryInstant(secret: { expiresAt: string | null }, now: Date): string {
  return secret.expiresAt !== null && hasExpired(secret.expiresAt, now) ? secret.expiresAt : now.toISOString();
}
