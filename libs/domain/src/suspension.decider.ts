/**
 * Suspend and resume: a reversible stop of a key. A suspended key stays `active` in the write-side
 * state (with `suspended: true`), so the expiry scheduler still expires its secrets and it keeps its
 * signing-key slot; the read model shows it `suspended` and verify answers SUSPENDED.
 *
 * - Suspending an active key records KeySuspended; a suspended one is refused (KEY_SUSPENDED).
 * - Resuming a suspended key records KeyResumed; any other is refused (KEY_NOT_SUSPENDED).
 * - Revoked stays terminal (KEY_REVOKED, checked by the decider before this); an expired key, or one
 *   whose current secret's expiry has passed, is neither suspended nor resumed (KEY_EXPIRED).
 */
import type { KeyResumed, KeySuspended } from './events';
import type { KeyState } from './key-state';
import { reject, type Rejection } from './rejections';
import { isLive } from './secret-liveness';

type SuspensionCommand = { type: 'SuspendKey'; reason: string | null } | { type: 'ResumeKey' };

export function decideSuspension(
  command: SuspensionCommand,
  state: Exclude<KeyState, { status: 'absent' } | { status: 'revoked' }>,
  now: Date,
  base: KeyResumed['data'],
): { ok: true; events: (KeySuspended | KeyResumed)[] } | { ok: false; rejection: Rejection } {
  if (state.status === 'expired' || !isLive(state.current, now)) {
    return { ok: false, rejection: reject('KEY_EXPIRED', 'the key has expired; regenerate it to get a new secret') };
  }
  const suspended = state.suspended === true;
  if (command.type === 'SuspendKey') {
    if (suspended) return { ok: false, rejection: reject('KEY_SUSPENDED', 'the key is already suspended') };
    return { ok: true, events: [{ type: 'KeySuspended', data: { ...base, reason: command.reason } }] };
  }
  if (!suspended) return { ok: false, rejection: reject('KEY_NOT_SUSPENDED', 'the key is not suspended') };
  return { ok: true, events: [{ type: 'KeyResumed', data: { ...base } }] };
}
