/**
 * What KeySuspended and KeyResumed make of a key's read model. Suspending marks the key and its
 * usable secrets (current, and previous in its grace) `suspended`; resuming marks them `active`
 * again. A revoked or expired key, or secret, is left as it is: suspension never brings one back.
 */
import type { KeyResumed, KeySuspended } from '@cs/domain';
import type { KeyRecord, KeyStatus, SecretRecord } from './key-record';

export function projectSuspension(next: KeyRecord, event: KeySuspended | KeyResumed): KeyRecord {
  const [from, to]: [KeyStatus, KeyStatus] = event.type === 'KeySuspended' ? ['active', 'suspended'] : ['suspended', 'active'];
  if (next.status !== from) return next;
  const mark = (secret: SecretRecord): SecretRecord => (secret.status === from ? { ...secret, status: to } : secret);
  return { ...next, status: to, current: mark(next.current), previous: next.previous ? mark(next.previous) : null };
}
