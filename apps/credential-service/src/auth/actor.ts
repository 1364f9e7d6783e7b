/**
 * The acting user of a management call, from a verified JWT (docs/api.md, "Authentication"), and the rules of
 * who may do what: managing keys needs owner, admin or developer; reading history also allows
 * auditor; account settings (the leak policy) need owner or admin; sensitive calls need a recent
 * password re-verification (RFC 9470 step-up).
 */
export type Role = 'owner' | 'admin' | 'developer' | 'auditor';

export interface Actor {
  sub: string;
  acct: string;
  roles: string[];
  authTime: number;
}

export type Access = 'manage' | 'read-history' | 'manage-account';

const ALLOWED: Record<Access, readonly string[]> = {
  manage: ['owner', 'admin', 'developer'],
  'read-history': ['owner', 'admin', 'developer', 'auditor'],
  'manage-account': ['owner', 'admin'],
};

const WHAT: Record<Access, string> = {
  manage: 'manage keys',
  'read-history': 'read key history',
  'manage-account': "change the account's settings",
};

export const mayAccess = (actor: Actor, access: Access): boolean => actor.roles.some((role) => ALLOWED[access].includes(role));

export const isRecentlyAuthenticated = (actor: Actor, maxAgeSeconds: number, nowSeconds: number): boolean =>
  nowSeconds - actor.authTime <= maxAgeSeconds && actor.authTime <= nowSeconds + 60;

/** Where a rule says no, the answer a transport gives. */
export type AuthFailure =
  | { code: 'UNAUTHENTICATED'; message: string }
  | { code: 'STEP_UP_REQUIRED'; message: string; maxAge: number }
  | { code: 'FORBIDDEN'; message: string }
  | { code: 'KEY_NOT_FOUND'; message: string };

export interface AccessRule {
  access: Access;
  stepUp: boolean;
  /**
   * A query parameter (HTTP) or request field (gRPC) that, when given, makes the call a read of
   * history: then the read-history roles (auditors too) may make it. The key list's `at`.
   */
  readsHistoryWith?: string;
}

const READS_HISTORY: AccessRule = { access: 'read-history', stepUp: false };

/** The rule for this call: the read-history rule when the parameter that makes it one is given. */
export function ruleFor(rule: AccessRule, input: Record<string, unknown> | undefined): AccessRule {
  if (!rule.readsHistoryWith) return rule;
  const value = input?.[rule.readsHistoryWith];
  return value === undefined || value === '' ? rule : READS_HISTORY;
}

/** Checks in the order that leaks least: identity, tenant (404, never confirming), role, step-up. */
export function authorize(actor: Actor, accountId: string, rule: AccessRule, maxAge: number, nowSeconds: number): AuthFailure | null {
  if (actor.acct !== accountId) return { code: 'KEY_NOT_FOUND', message: 'not found' };
  if (!mayAccess(actor, rule.access)) {
    return {
      code: 'FORBIDDEN',
      message: `role(s) ${actor.roles.join(', ') || '(none)'} may not ${WHAT[rule.access]}`,
    };
  }
  if (rule.stepUp && !isRecentlyAuthenticated(actor, maxAge, nowSeconds)) {
    return {
      code: 'STEP_UP_REQUIRED',
      message: `re-enter your password: this call needs an authentication within the last ${maxAge} seconds`,
      maxAge,
    };
  }
  return null;
}
