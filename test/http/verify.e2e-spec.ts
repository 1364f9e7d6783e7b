/**
 * The hot path over HTTP (README, "Verify"): every answer code, the service credential, and bad
 * bodies. Answers about the key are data (200); only a caller's mistake is a 4xx. Written with the
 * typed client generated from docs/openapi.json (@cs/client).
 */
import { randomBytes } from 'node:crypto';
import type { CredentialClient, JsonBody, Schema } from '@cs/client';
import { formatKey } from '@cs/domain';
import {
  actorToken,
  bearer,
  invalid,
  ok,
  problem,
  request,
  startTestApp,
  TEST_SECRETS,
  typedClient,
  uniqueAccount,
  type TestApp,
} from '../support';

type VerifyBody = JsonBody<'verifyKey'>;

describe('POST /v1/verify', () => {
  let app: TestApp;
  let service: CredentialClient;

  beforeAll(async () => {
    app = await startTestApp();
    service = typedClient(app.url, TEST_SECRETS.SERVICE_TOKEN);
  });
  afterAll(async () => {
    await app?.close();
  });

  const verify = (body: VerifyBody) => service.POST('/v1/verify', { body });
  async function newKey(body: Schema<'GenerateKeyDto'> = { kind: 'api' }) {
    const acct = uniqueAccount();
    const client = typedClient(app.url, await actorToken({ acct, roles: ['admin'] }));
    const res = ok(await client.POST('/v1/accounts/{accountId}/keys', { params: { path: { accountId: acct } }, body }), 201);
    return { acct, client, id: res.body.key.id, secret: res.body.secret };
  }
  const code = async (body: VerifyBody): Promise<string> => ok(await verify(body), 200).body.code;

  it('VALID with keyId, accountId, kind and expiresAt', async () => {
    const { acct, id, secret } = await newKey();
    const res = ok(await verify({ key: secret }), 200);
    expect(res.body).toEqual({
      valid: true,
      code: 'VALID',
      keyId: id,
      accountId: acct,
      kind: 'api',
      expiresAt: null,
      permissions: [],
      metadata: {},
      externalId: null,
      webhookFormat: 'single',
    });
  });

  it('MALFORMED for garbage and for a bad checksum, without touching the read model', async () => {
    const { secret } = await newKey();
    const lookup = jest.spyOn(app.service.infra.index, 'lookup');
    try {
      const last = secret[secret.length - 1];
      const badChecksum = secret.slice(0, -1) + (last === 'A' ? 'B' : 'A');
      const wrongPrefix = `xx${secret.slice(2)}`;
      for (const key of ['hello', '', 'ak_live_', badChecksum, wrongPrefix, secret + 'x', 'a'.repeat(4096)]) {
        const res = ok(await verify({ key }), 200);
        expect(res.body).toEqual({ valid: false, code: 'MALFORMED' });
      }
      expect(lookup).not.toHaveBeenCalled();
    } finally {
      lookup.mockRestore();
    }
  });

  it('NOT_FOUND for a well-formed key that was never issued', async () => {
    const res = ok(await verify({ key: formatKey('api', 'live', randomBytes(32)) }), 200);
    expect(res.body).toEqual({ valid: false, code: 'NOT_FOUND' });
    expect(await code({ key: formatKey('signing', 'test', randomBytes(32)) })).toBe('NOT_FOUND');
  });

  it('REVOKED once the key is revoked (also from a disallowed IP)', async () => {
    const { acct, client, id, secret } = await newKey({ kind: 'api', allowedIps: ['10.0.0.0/8'] });
    ok(await client.DELETE('/v1/accounts/{accountId}/keys/{keyId}', { params: { path: { accountId: acct, keyId: id } } }), 200);
    expect(ok(await verify({ key: secret, ip: '10.1.2.3' }), 200).body).toMatchObject({ valid: false, code: 'REVOKED', keyId: id });
    expect(await code({ key: secret, ip: '192.0.2.1' })).toBe('REVOKED');
  });

  it('EXPIRED once the current secret’s expiry is set in the past', async () => {
    const { acct, client, id, secret } = await newKey();
    const path = { accountId: acct, keyId: id };
    ok(
      await client.POST('/v1/accounts/{accountId}/keys/{keyId}/expiry', { params: { path }, body: { expiresAt: '2000-01-01T00:00:00Z' } }),
      200,
    );
    const res = ok(await verify({ key: secret }), 200);
    expect(res.body).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
  });

  it('a signing secret never authenticates as an API key: NOT_FOUND unless the caller asks for kind "signing"', async () => {
    const { id, secret } = await newKey({ kind: 'signing' });
    expect(ok(await verify({ key: secret }), 200).body).toEqual({ valid: false, code: 'NOT_FOUND' });
    expect(ok(await verify({ key: secret, kind: 'signing' }), 200).body).toMatchObject({
      valid: true,
      code: 'VALID',
      keyId: id,
      kind: 'signing',
    });
    const api = await newKey({ kind: 'api' });
    expect(ok(await verify({ key: api.secret, kind: 'signing' }), 200).body.code).toBe('NOT_FOUND');
    problem(await verify(invalid({ key: api.secret, kind: 'root' })), 400);
  });

  it('refuses legacy IPv4 spellings that name another address than they seem to', async () => {
    const { secret } = await newKey({ kind: 'api', allowedIps: ['203.0.113.7'] });
    for (const ip of ['3405803783', '0xcb.0.113.7', '203.0.113']) {
      const res = await verify({ key: secret, ip });
      expect([ip, res.response.status]).toEqual([ip, 400]);
    }
    expect(ok(await verify({ key: secret, ip: '203.0.113.7' }), 200).body.code).toBe('VALID');
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
      // the typed client without a credential: the documented 401
      const anonymous = typedClient(app.url);
      const res = problem(await anonymous.POST('/v1/verify', { body: { key: secret } }), 401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
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
      problem(await verify(invalid(body)), 400);
    });

    it('malformed JSON', async () => {
      const res = problem(
        await service.POST('/v1/verify', {
          body: invalid('{"key": '),
          bodySerializer: (body: unknown) => body as string,
          headers: { 'content-type': 'application/json' },
        }),
        400,
      );
      expect(res.body.code).toBe('MALFORMED_JSON');
    });
  });
});
