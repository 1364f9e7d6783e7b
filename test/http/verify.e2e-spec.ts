/**
 * The hot path over HTTP (README, "Verify"): every answer code, the service credential, and bad
 * bodies. Answers about the key are data (200); only a caller's mistake is a 4xx.
 */
import { randomBytes } from 'node:crypto';
import { formatKey } from '@cs/domain';
import { bearer, Client, request, startTestApp, TEST_SECRETS, uniqueAccount, type TestApp } from '../support';

describe('POST /v1/verify', () => {
  let app: TestApp;
  let service: Client;

  beforeAll(async () => {
    app = await startTestApp();
    service = Client.service(app.url);
  });
  afterAll(async () => {
    await app?.close();
  });

  async function newKey(body: Record<string, unknown> = { kind: 'api' }) {
    const acct = uniqueAccount();
    const client = await Client.actor(app.url, { acct, roles: ['admin'] });
    const res = await client.generate(acct, body);
    expect(res.status).toBe(201);
    return { acct, client, id: res.body.key.id as string, secret: res.body.secret as string };
  }
  const code = async (body: Record<string, unknown>): Promise<string> => {
    const res = await service.verify(body);
    expect(res.status).toBe(200);
    return res.body.code;
  };

  it('VALID with keyId, accountId, kind and expiresAt', async () => {
    const { acct, id, secret } = await newKey();
    const res = await service.verify({ key: secret });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: true, code: 'VALID', keyId: id, accountId: acct, kind: 'api', expiresAt: null });
  });

  it('MALFORMED for garbage and for a bad checksum, without touching the read model', async () => {
    const { secret } = await newKey();
    const lookup = jest.spyOn(app.service.infra.index, 'lookup');
    try {
      const last = secret[secret.length - 1];
      const badChecksum = secret.slice(0, -1) + (last === 'A' ? 'B' : 'A');
      const wrongPrefix = `xx${secret.slice(2)}`;
      for (const key of ['hello', '', 'ak_live_', badChecksum, wrongPrefix, secret + 'x', 'a'.repeat(4096)]) {
        const res = await service.verify({ key });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ valid: false, code: 'MALFORMED' });
      }
      expect(lookup).not.toHaveBeenCalled();
    } finally {
      lookup.mockRestore();
    }
  });

  it('NOT_FOUND for a well-formed key that was never issued', async () => {
    const res = await service.verify({ key: formatKey('api', 'live', randomBytes(32)) });
    expect(res.body).toEqual({ valid: false, code: 'NOT_FOUND' });
    expect(await code({ key: formatKey('signing', 'test', randomBytes(32)) })).toBe('NOT_FOUND');
  });

  it('REVOKED once the key is revoked (also from a disallowed IP)', async () => {
    const { acct, client, id, secret } = await newKey({ kind: 'api', allowedIps: ['10.0.0.0/8'] });
    await client.revoke(acct, id);
    expect(await service.verify({ key: secret, ip: '10.1.2.3' })).toMatchObject({ body: { valid: false, code: 'REVOKED', keyId: id } });
    expect(await code({ key: secret, ip: '192.0.2.1' })).toBe('REVOKED');
  });

  it('EXPIRED once the current secret’s expiry is set in the past', async () => {
    const { acct, client, id, secret } = await newKey();
    await client.setExpiry(acct, id, { expiresAt: '2000-01-01T00:00:00Z' });
    const res = await service.verify({ key: secret });
    expect(res.body).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
  });

  it('a signing secret never authenticates as an API key: NOT_FOUND unless the caller asks for kind "signing"', async () => {
    const { id, secret } = await newKey({ kind: 'signing' });
    expect((await service.verify({ key: secret })).body).toEqual({ valid: false, code: 'NOT_FOUND' });
    expect((await service.verify({ key: secret, kind: 'signing' })).body).toMatchObject({
      valid: true,
      code: 'VALID',
      keyId: id,
      kind: 'signing',
    });
    const api = await newKey({ kind: 'api' });
    expect((await service.verify({ key: api.secret, kind: 'signing' })).body.code).toBe('NOT_FOUND');
    expect((await service.verify({ key: api.secret, kind: 'root' })).status).toBe(400);
  });

  it('refuses legacy IPv4 spellings that name another address than they seem to', async () => {
    const { secret } = await newKey({ kind: 'api', allowedIps: ['203.0.113.7'] });
    for (const ip of ['3405803783', '0xcb.0.113.7', '203.0.113']) {
      const res = await service.verify({ key: secret, ip });
      expect([ip, res.status]).toEqual([ip, 400]);
    }
    expect((await service.verify({ key: secret, ip: '203.0.113.7' })).body.code).toBe('VALID');
  });

  describe('IP allow-lists', () => {
    it('IP_NOT_ALLOWED when the key has an allow-list and no ip is given', async () => {
      const { secret } = await newKey({ kind: 'api', allowedIps: ['203.0.113.7'] });
      expect(await code({ key: secret })).toBe('IP_NOT_ALLOWED');
      expect(await code({ key: secret, ip: null })).toBe('IP_NOT_ALLOWED');
      expect(await code({ key: secret, ip: '203.0.113.7' })).toBe('VALID');
    });

    it('IPv4 addresses and ranges', async () => {
      const { secret } = await newKey({ kind: 'api', allowedIps: ['203.0.113.7', '10.0.0.0/8'] });
      expect(await code({ key: secret, ip: '203.0.113.8' })).toBe('IP_NOT_ALLOWED');
      expect(await code({ key: secret, ip: '11.0.0.1' })).toBe('IP_NOT_ALLOWED');
      expect(await code({ key: secret, ip: '10.255.255.255' })).toBe('VALID');
      expect(await code({ key: secret, ip: '2001:db8::1' })).toBe('IP_NOT_ALLOWED');
    });

    it('IPv6 CIDR ranges', async () => {
      const { secret } = await newKey({ kind: 'api', allowedIps: ['2001:db8::/32'] });
      expect(await code({ key: secret, ip: '2001:db8:abcd::1' })).toBe('VALID');
      expect(await code({ key: secret, ip: '2001:0DB8:0000::0001' })).toBe('VALID');
      expect(await code({ key: secret, ip: '2001:db9::1' })).toBe('IP_NOT_ALLOWED');
      expect(await code({ key: secret, ip: '10.0.0.1' })).toBe('IP_NOT_ALLOWED');
    });

    it('an IPv4-mapped IPv6 client address matches IPv4 entries', async () => {
      const { secret } = await newKey({ kind: 'api', allowedIps: ['192.0.2.0/24'] });
      expect(await code({ key: secret, ip: '::ffff:192.0.2.55' })).toBe('VALID');
      expect(await code({ key: secret, ip: '::ffff:198.51.100.1' })).toBe('IP_NOT_ALLOWED');
    });
  });

  describe('the service credential', () => {
    it('is required: none, wrong, or an actor JWT are 401 with a Bearer challenge', async () => {
      const { secret } = await newKey();
      const acctToken = bearer('not-the-service-token-at-all-000000');
      for (const headers of [{}, acctToken, { authorization: TEST_SECRETS.SERVICE_TOKEN }, bearer(TEST_SECRETS.SERVICE_TOKEN + 'x')]) {
        const res = await request(app.url, 'POST', '/v1/verify', { json: { key: secret }, headers });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
        expect(res.text).not.toContain(secret);
      }
    });
  });

  describe('bad bodies are 400 problems', () => {
    it.each([
      ['no key', {}],
      ['key not a string', { key: 42 }],
      ['key too long', { key: 'k'.repeat(5000) }],
      ['ip not an address', { key: 'ak_live_x', ip: 'localhost' }],
      ['ip of the wrong type', { key: 'ak_live_x', ip: 10 }],
      ['an unknown field', { key: 'ak_live_x', extra: true }],
      ['an array', [{ key: 'ak_live_x' }]],
      ['a string', 'ak_live_x'],
    ])('%s', async (_label, body) => {
      const res = await service.verify(body);
      expect(res.status).toBe(400);
    });

    it('malformed JSON', async () => {
      const res = await service.call('POST', '/v1/verify', { raw: '{"key": ', contentType: 'application/json' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('MALFORMED_JSON');
    });
  });
});
