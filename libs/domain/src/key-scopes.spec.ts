import {
  checkMetadata,
  checkScopes,
  grants,
  holdsPermissions,
  isValidExternalId,
  MAX_METADATA_BYTES,
  parsePermissions,
} from './key-scopes';
import { formatKey } from './key-format';
import { seededBytes } from './testing/decider-specification';

describe('permissions', () => {
  it('accepts resource:action, resource:* and *, removing duplicates and keeping the first order', () => {
    expect(parsePermissions(['refunds:read', 'payments:write', 'refunds:read', 'payouts:*', '*', 'web-hooks:re_send'])).toEqual({
      ok: true,
      value: ['refunds:read', 'payments:write', 'payouts:*', '*', 'web-hooks:re_send'],
    });
    expect(parsePermissions([])).toEqual({ ok: true, value: [] });
  });

  it.each([
    ['Payments:write'],
    ['payments'],
    ['payments:'],
    [':write'],
    ['*:write'],
    ['payments:write:extra'],
    ['1payments:write'],
    ['pay ments:write'],
    [`a:${'b'.repeat(63)}`],
    [7],
  ])('refuses %p, naming it by index and never by value', (bad) => {
    const parsed = parsePermissions(['payments:write', bad]);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toContain('permissions[1]');
    if (typeof bad === 'string') expect(parsed.errors[0]).not.toContain(bad);
  });

  it('refuses more than 50', () => {
    const many = Array.from({ length: 51 }, (_, i) => `r${i}:read`);
    expect(parsePermissions(many).ok).toBe(false);
    expect(parsePermissions(many.slice(0, 50)).ok).toBe(true);
  });

  it('grants by equality, resource wildcard and full wildcard only', () => {
    expect(grants('payments:write', 'payments:write')).toBe(true);
    expect(grants('payments:*', 'payments:write')).toBe(true);
    expect(grants('*', 'refunds:read')).toBe(true);
    expect(grants('payments:write', 'payments:read')).toBe(false);
    expect(grants('payments:*', 'payments-eu:write')).toBe(false);
    expect(grants('pay:*', 'payments:write')).toBe(false);
    expect(grants('payments:read', 'payments:*')).toBe(false);
  });

  it('a key holds a request’s permissions when it grants every one; an empty grant is unrestricted', () => {
    expect(holdsPermissions(['payments:*', 'refunds:read'], ['payments:write', 'refunds:read'])).toBe(true);
    expect(holdsPermissions(['payments:*'], ['payments:write', 'refunds:read'])).toBe(false);
    expect(holdsPermissions(['payments:write'], [])).toBe(true);
    expect(holdsPermissions([], ['anything:goes'])).toBe(true);
  });
});

describe('metadata', () => {
  it('accepts a small JSON object', () => {
    expect(checkMetadata({ team: 'checkout', tier: 2, tags: ['eu', { region: 'west' }], live: true, note: null })).toBeNull();
    expect(checkMetadata({})).toBeNull();
  });

  it.each([[[]], ['text'], [3], [null]])('refuses %p: not an object', (value) => {
    expect(checkMetadata(value)).toEqual({ kind: 'invalid', message: 'metadata must be a JSON object' });
  });

  it('refuses more than 4096 bytes of JSON and more than 5 levels', () => {
    expect(checkMetadata({ blob: 'x'.repeat(MAX_METADATA_BYTES) })?.kind).toBe('invalid');
    expect(checkMetadata({ a: { b: { c: { d: { e: 1 } } } } })).toBeNull();
    expect(checkMetadata({ a: { b: { c: { d: { e: { f: 1 } } } } } })?.kind).toBe('invalid');
  });

  it.each([
    [formatKey('api', 'live', seededBytes(3))],
    [formatKey('signing', 'test', seededBytes(4))],
    ['sk_live_51H8abc'],
    ['sk_test_abc'],
    ['whsec_abc123'],
    ['  -----BEGIN PRIVATE KEY-----'],
  ])('refuses a string that looks like a secret, without echoing it', (secret) => {
    for (const metadata of [{ token: secret }, { nested: { list: ['ok', secret] } }, { [secret]: 'as a name' }]) {
      const problem = checkMetadata(metadata);
      expect(problem?.kind).toBe('secret');
      expect(problem?.message).not.toContain(secret.trim());
    }
  });
});

describe('external id', () => {
  it('is at most 128 display-safe characters', () => {
    expect(isValidExternalId('merchant-42')).toBe(true);
    expect(isValidExternalId('x'.repeat(128))).toBe(true);
    expect(isValidExternalId('x'.repeat(129))).toBe(false);
    expect(isValidExternalId('line\nbreak')).toBe(false);
    expect(isValidExternalId(42)).toBe(false);
  });
});

describe('checkScopes', () => {
  it('refuses permissions on a signing key, but not an empty list', () => {
    expect(checkScopes('signing', { permissions: ['payments:write'] })).toMatchObject({ ok: false, code: 'PERMISSIONS_NOT_APPLICABLE' });
    expect(checkScopes('signing', { permissions: [] })).toEqual({ ok: true, value: { permissions: [] } });
  });
});
