/**
 * Who may do what (actor.ts): tenant first (404, never confirming), then role, then step-up
 * (RFC 9470): `auth_time` no older than the maximum age, and not in the future beyond 60 s of skew.
 */
import { authorize, isRecentlyAuthenticated, mayAccess, type AccessRule, type Actor } from './actor';

const NOW = 1_750_000_000;
const MAX_AGE = 300;
const SKEW = 60;
const actor = (overrides: Partial<Actor> = {}): Actor => ({ sub: 'user_1', acct: 'acct_1', roles: ['owner'], authTime: NOW, ...overrides });
const MANAGE_STEP_UP: AccessRule = { access: 'manage', stepUp: true };
const MANAGE: AccessRule = { access: 'manage', stepUp: false };
const READ_HISTORY: AccessRule = { access: 'read-history', stepUp: false };

describe('isRecentlyAuthenticated (step-up)', () => {
  it.each([
    ['just now', NOW, true],
    ['exactly the maximum age ago', NOW - MAX_AGE, true],
    ['one second older than the maximum age', NOW - MAX_AGE - 1, false],
    ['an hour ago', NOW - 3600, false],
    ['at the epoch', 0, false],
  ])('an auth_time %s: %s', (_label, authTime, expected) => {
    expect(isRecentlyAuthenticated(actor({ authTime }), MAX_AGE, NOW)).toBe(expected);
  });

  it.each([
    ['1 s ahead (clock skew)', NOW + 1, true],
    [`${SKEW} s ahead (the skew allowed)`, NOW + SKEW, true],
    [`${SKEW + 1} s ahead`, NOW + SKEW + 1, false],
    ['an hour ahead', NOW + 3600, false],
    ['years ahead (a token minted to stay "fresh" forever)', NOW + 10 * 365 * 86400, false],
  ])('an auth_time in the future, %s: %s', (_label, authTime, expected) => {
    expect(isRecentlyAuthenticated(actor({ authTime }), MAX_AGE, NOW)).toBe(expected);
  });

  it('a future auth_time stays refused however large the maximum age', () => {
    expect(isRecentlyAuthenticated(actor({ authTime: NOW + 3600 }), 86_400, NOW)).toBe(false);
  });
});

describe('mayAccess (roles)', () => {
  it.each(['owner', 'admin', 'developer'])('%s may manage keys and read history', (role) => {
    expect(mayAccess(actor({ roles: [role] }), 'manage')).toBe(true);
    expect(mayAccess(actor({ roles: [role] }), 'read-history')).toBe(true);
  });

  it('auditor may read history and nothing else', () => {
    expect(mayAccess(actor({ roles: ['auditor'] }), 'read-history')).toBe(true);
    expect(mayAccess(actor({ roles: ['auditor'] }), 'manage')).toBe(false);
  });

  it.each([[[]], [['viewer']], [['Owner']], [['owner ']], [['OWNER']], [['admin:readonly']]])('roles %j may do nothing', (roles) => {
    expect(mayAccess(actor({ roles }), 'manage')).toBe(false);
    expect(mayAccess(actor({ roles }), 'read-history')).toBe(false);
  });

  it('any one allowed role among others is enough', () => {
    expect(mayAccess(actor({ roles: ['viewer', 'auditor', 'developer'] }), 'manage')).toBe(true);
  });
});

describe('authorize', () => {
  it('lets a recently authenticated owner of the account through', () => {
    expect(authorize(actor(), 'acct_1', MANAGE_STEP_UP, MAX_AGE, NOW)).toBeNull();
  });

  it('refuses a step-up call with an auth_time in the future (beyond the skew) as STEP_UP_REQUIRED with max_age', () => {
    expect(authorize(actor({ authTime: NOW + SKEW + 1 }), 'acct_1', MANAGE_STEP_UP, MAX_AGE, NOW)).toEqual({
      code: 'STEP_UP_REQUIRED',
      message: expect.stringContaining(`${MAX_AGE} seconds`),
      maxAge: MAX_AGE,
    });
    expect(authorize(actor({ authTime: NOW + SKEW }), 'acct_1', MANAGE_STEP_UP, MAX_AGE, NOW)).toBeNull();
  });

  it('refuses a step-up call with a stale auth_time; the same actor may still make calls without step-up', () => {
    const stale = actor({ authTime: NOW - MAX_AGE - 1 });
    expect(authorize(stale, 'acct_1', MANAGE_STEP_UP, MAX_AGE, NOW)).toMatchObject({ code: 'STEP_UP_REQUIRED', maxAge: MAX_AGE });
    expect(authorize(stale, 'acct_1', MANAGE, MAX_AGE, NOW)).toBeNull();
    expect(authorize(stale, 'acct_1', READ_HISTORY, MAX_AGE, NOW)).toBeNull();
  });

  it('another account is KEY_NOT_FOUND before anything else, saying nothing about the actor', () => {
    for (const other of [actor(), actor({ roles: [] }), actor({ authTime: NOW - 3600 }), actor({ authTime: NOW + 3600 })]) {
      expect(authorize(other, 'acct_2', MANAGE_STEP_UP, MAX_AGE, NOW)).toEqual({ code: 'KEY_NOT_FOUND', message: 'not found' });
    }
    // The account id must match exactly.
    expect(authorize(actor(), 'ACCT_1', MANAGE, MAX_AGE, NOW)).toMatchObject({ code: 'KEY_NOT_FOUND' });
    expect(authorize(actor(), 'acct_1 ', MANAGE, MAX_AGE, NOW)).toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('a role that may not act is FORBIDDEN before step-up is considered', () => {
    const auditor = actor({ roles: ['auditor'], authTime: NOW + 3600 });
    expect(authorize(auditor, 'acct_1', MANAGE_STEP_UP, MAX_AGE, NOW)).toEqual({
      code: 'FORBIDDEN',
      message: 'role(s) auditor may not manage keys',
    });
    expect(authorize(actor({ roles: [] }), 'acct_1', READ_HISTORY, MAX_AGE, NOW)).toEqual({
      code: 'FORBIDDEN',
      message: 'role(s) (none) may not read key history',
    });
  });

  it('an auditor reads history', () => {
    expect(authorize(actor({ roles: ['auditor'] }), 'acct_1', READ_HISTORY, MAX_AGE, NOW)).toBeNull();
  });
});
