/**
 * Leak reports (secret scanning, README "Secret scanning"): what a report of one of a key's secrets
 * found in public records on the key's stream.
 *
 * - A revoked key records nothing (accepted, no events): it can do no harm, and a report sent again
 *   later changes nothing.
 * - The matched secret still works (the current one, or the previous one in its grace, not expired):
 *   the account's policy applies. `revoke`: KeyLeakReported (`revoked`) and KeyRevoked, whose cause
 *   names the report, in one append; the whole key is revoked, as verify cannot stop one secret of a
 *   key alone, and the merchant generates a new key. `alert`: KeyLeakReported (`alerted`) only.
 * - The secret no longer works (expired, or replaced and its grace over): KeyLeakReported (`none`),
 *   so the owner still hears of it, and the key is left alone.
 * - A publishable key (`pk_`) is public by design: its report records `none` whatever the policy.
 */
import type { KeyLeakReported, KeyResumed, KeyRevoked, LeakAction } from './events';
import type { LeakPolicy } from './account-events';
import type { KeyState } from './key-state';
import { isLive } from './secret-liveness';

/** What the partner sent about one token, less the token itself. */
export interface LeakReportDetails {
  reportId: string;
  receivedAt: string;
  tokenType: string;
  url: string;
  source: string | null;
}

export interface ReportLeakCommand {
  type: 'ReportLeak';
  report: LeakReportDetails;
  /** The version of the key's secret whose hash the token matched. */
  secretVersion: number;
  /** The account's policy (LeakPolicySet on its account stream; `revoke` when never set). */
  policy: LeakPolicy;
}

/** The reason a leak revocation records: it names the report, never the token. */
export const leakRevocationReason = (reportId: string): string => `leaked: reported by secret scanning (${reportId})`;

export function decideLeak(
  command: ReportLeakCommand,
  state: Exclude<KeyState, { status: 'absent' } | { status: 'revoked' }>,
  now: Date,
  base: KeyResumed['data'],
): (KeyLeakReported | KeyRevoked)[] {
  const { keyId, accountId, kind } = base;
  const live =
    state.status === 'active' &&
    isLive(state.current, now) &&
    (state.current.version === command.secretVersion ||
      (state.previous !== null && state.previous.version === command.secretVersion && isLive(state.previous, now)));
  const action: LeakAction = !live || kind === 'publishable' ? 'none' : command.policy === 'revoke' ? 'revoked' : 'alerted';
  const reported: KeyLeakReported = {
    type: 'KeyLeakReported',
    data: { keyId, accountId, kind, ...command.report, secretVersion: command.secretVersion, action },
  };
  if (action !== 'revoked') return [reported];
  const { reportId } = command.report;
  return [
    reported,
    {
      type: 'KeyRevoked',
      data: { keyId, accountId, kind, reason: leakRevocationReason(reportId), cause: { type: 'leak-report', reportId } },
    },
  ];
}
