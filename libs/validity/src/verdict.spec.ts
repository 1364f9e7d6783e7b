import type { ValidityEntry } from './key-record';
import { verdict } from './verdict';

const NOW = Date.parse('2025-03-10T12:00:00.000Z');
const HOUR = 3_600_000;

const entry = (overrides: Partial<ValidityEntry> = {}): ValidityEntry => ({
  keyId: 'key_01HZX3Q7N8M2K5VJ4T6R9P0ABC',
  accountId: 'acct_7f3a9c21',
  kind: 'api',
  status: 'active',
  expiresAt: null,
  allowedIps: [],
  secretVersion: 1,
  version: 3,
  ...overrides,
});
const who = { keyId: 'key_01HZX3Q7N8M2K5VJ4T6R9P0ABC', accountId: 'acct_7f3a9c21', kind: 'api' };

describe('verdict', () => {
  it('NOT_FOUND for an unknown hash, telling nothing else', () => {
    expect(verdict(null, '192.0.2.7', NOW)).toEqual({ valid: false, code: 'NOT_FOUND' });
  });

  it('REVOKED for a revoked key, even from a disallowed IP and past its expiry', () => {
    const revoked = entry({ status: 'revoked', allowedIps: ['10.0.0.0/8'], expiresAt: NOW - HOUR });
    expect(verdict(revoked, '192.0.2.7', NOW)).toEqual({ valid: false, code: 'REVOKED', ...who });
  });

  it('EXPIRED when the expiry is recorded', () => {
    expect(verdict(entry({ status: 'expired', expiresAt: NOW - HOUR }), '192.0.2.7', NOW)).toEqual({
      valid: false,
      code: 'EXPIRED',
      ...who,
      expiresAt: new Date(NOW - HOUR).toISOString(),
    });
  });

  it('EXPIRED by time alone, from the exact instant of the expiry', () => {
    const expiring = entry({ expiresAt: NOW });
    expect(verdict(expiring, undefined, NOW - 1)).toMatchObject({ valid: true, code: 'VALID' });
    expect(verdict(expiring, undefined, NOW)).toEqual({ valid: false, code: 'EXPIRED', ...who, expiresAt: new Date(NOW).toISOString() });
    expect(verdict(expiring, undefined, NOW + 1)).toMatchObject({ valid: false, code: 'EXPIRED' });
  });

  it('EXPIRED beats IP_NOT_ALLOWED', () => {
    expect(verdict(entry({ expiresAt: NOW, allowedIps: ['10.0.0.0/8'] }), '192.0.2.7', NOW).code).toBe('EXPIRED');
  });

  it('IP_NOT_ALLOWED from an address outside the allow list, or with no address', () => {
    const restricted = entry({ allowedIps: ['10.0.0.0/8', '2001:db8::/32'], expiresAt: NOW + HOUR });
    expect(verdict(restricted, '192.0.2.7', NOW)).toEqual({ valid: false, code: 'IP_NOT_ALLOWED', ...who });
    expect(verdict(restricted, undefined, NOW)).toEqual({ valid: false, code: 'IP_NOT_ALLOWED', ...who });
    expect(verdict(restricted, '10.1.2.3', NOW)).toMatchObject({ valid: true, code: 'VALID' });
    expect(verdict(restricted, '::ffff:10.1.2.3', NOW)).toMatchObject({ valid: true, code: 'VALID' });
    expect(verdict(restricted, '2001:db8::5', NOW)).toMatchObject({ valid: true, code: 'VALID' });
  });

  // An entry written before permissions existed has none of the scope fields: unrestricted, no metadata or owner.
  const none = { permissions: [], metadata: {}, externalId: null };

  it('VALID carries the key, account, kind and expiry', () => {
    expect(verdict(entry({ kind: 'signing', expiresAt: NOW + HOUR }), '192.0.2.7', NOW)).toEqual({
      valid: true,
      code: 'VALID',
      keyId: who.keyId,
      accountId: who.accountId,
      kind: 'signing',
      expiresAt: new Date(NOW + HOUR).toISOString(),
      ...none,
    });
    expect(verdict(entry(), undefined, NOW)).toEqual({ valid: true, code: 'VALID', ...who, expiresAt: null, ...none });
  });

  describe('permissions', () => {
    const scoped = entry({
      permissions: ['payments:write', 'refunds:*'],
      metadata: { team: 'checkout' },
      externalId: 'merchant-42',
      webhookFormat: 'multiple',
    });
    const details = {
      permissions: ['payments:write', 'refunds:*'],
      metadata: { team: 'checkout' },
      externalId: 'merchant-42',
      webhookFormat: 'multiple',
    };

    it('VALID with every required permission granted (wildcards honoured), carrying the key’s permissions, metadata, owner and webhook format', () => {
      expect(verdict(scoped, undefined, NOW, ['payments:write', 'refunds:read'])).toEqual({
        valid: true,
        code: 'VALID',
        ...who,
        expiresAt: null,
        ...details,
      });
      expect(verdict(scoped, undefined, NOW)).toMatchObject({ valid: true, code: 'VALID' });
    });

    it('INSUFFICIENT_PERMISSIONS when one required permission is not granted, still saying what is', () => {
      expect(verdict(scoped, undefined, NOW, ['payments:write', 'payouts:write'])).toEqual({
        valid: false,
        code: 'INSUFFICIENT_PERMISSIONS',
        ...who,
        expiresAt: null,
        ...details,
      });
      expect(verdict(scoped, undefined, NOW, ['payments:read']).code).toBe('INSUFFICIENT_PERMISSIONS');
    });

    it('a key without permissions is unrestricted', () => {
      expect(verdict(entry({ permissions: [] }), undefined, NOW, ['payments:write', '*']).code).toBe('VALID');
      expect(verdict(entry(), undefined, NOW, ['anything:at-all']).code).toBe('VALID');
    });

    it('comes after REVOKED, EXPIRED and IP_NOT_ALLOWED, which say nothing of the key’s permissions or metadata', () => {
      const lacking = ['payouts:write'];
      expect(verdict({ ...scoped, status: 'revoked' }, undefined, NOW, lacking)).toEqual({ valid: false, code: 'REVOKED', ...who });
      expect(verdict({ ...scoped, expiresAt: NOW }, undefined, NOW, lacking).code).toBe('EXPIRED');
      expect(verdict({ ...scoped, allowedIps: ['10.0.0.0/8'] }, '192.0.2.7', NOW, lacking)).toEqual({
        valid: false,
        code: 'IP_NOT_ALLOWED',
        ...who,
      });
    });
  });

  describe('publishable keys', () => {
    const pk = (overrides: Partial<ValidityEntry> = {}) =>
      entry({ kind: 'publishable', allowedOrigins: ['https://shop.example'], permissions: ['checkout:read'], ...overrides });
    const pkWho = { ...who, kind: 'publishable' };

    it('VALID from an allowed origin, with what the key grants', () => {
      expect(verdict(pk(), undefined, NOW, [], 'https://shop.example')).toMatchObject({
        valid: true,
        code: 'VALID',
        permissions: ['checkout:read'],
      });
    });

    it('ORIGIN_NOT_ALLOWED from another origin or none, telling nothing of the key but who it is', () => {
      expect(verdict(pk(), undefined, NOW, [], 'https://evil.example')).toEqual({ valid: false, code: 'ORIGIN_NOT_ALLOWED', ...pkWho });
      expect(verdict(pk(), undefined, NOW)).toEqual({ valid: false, code: 'ORIGIN_NOT_ALLOWED', ...pkWho });
    });

    it('checks the origin after the IP and before the permissions', () => {
      expect(verdict(pk({ allowedIps: ['10.0.0.0/8'] }), '192.0.2.7', NOW, [], 'https://evil.example').code).toBe('IP_NOT_ALLOWED');
      expect(verdict(pk(), undefined, NOW, ['payments:write'], 'https://evil.example').code).toBe('ORIGIN_NOT_ALLOWED');
      expect(verdict(pk(), undefined, NOW, ['payments:write'], 'https://shop.example').code).toBe('INSUFFICIENT_PERMISSIONS');
    });

    it('an origin does not matter for other kinds', () => {
      expect(verdict(entry(), undefined, NOW, [], 'https://evil.example').code).toBe('VALID');
    });
  });
});
