/**
 * Bad input of every kind is a 4xx problem+json with a message, never a 500 (docs/api.md, "Errors").
 * The support client already fails any 5xx and any error answer that is not problem+json.
 */
import { Client, request, startTestApp, uniqueAccount, type HttpResponse, type TestApp } from '../support';

const DEFAULT_BODY_LIMIT = 256 * 1024;

describe('bad input over HTTP', () => {
  let app: TestApp;
  let acct: string;
  let owner: Client;
  let service: Client;
  let keyId: string;

  beforeAll(async () => {
    app = await startTestApp();
    acct = uniqueAccount();
    owner = await Client.actor(app.url, { acct });
    service = Client.service(app.url);
    keyId = (await owner.generate(acct, { kind: 'signing' })).body.key.id;
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Every JSON-bodied endpoint, with the auth it needs. */
  const endpoints = (): Array<[string, string, Client]> => [
    ['POST', `/v1/accounts/${acct}/keys`, owner],
    ['POST', `/v1/accounts/${acct}/keys/${keyId}/regenerate`, owner],
    ['POST', `/v1/accounts/${acct}/keys/${keyId}/expiry`, owner],
    ['POST', `/v1/accounts/${acct}/keys/${keyId}/reveal`, owner],
    ['PATCH', `/v1/accounts/${acct}/keys/${keyId}`, owner],
    ['DELETE', `/v1/accounts/${acct}/keys/${keyId}`, owner],
    ['POST', '/v1/verify', service],
    ['POST', `/v1/accounts/${acct}/signatures`, service],
    ['POST', `/v1/accounts/${acct}/signatures/verify`, service],
  ];

  const expect400 = (res: HttpResponse, label: string): void => {
    expect([label, res.status]).toEqual([label, 400]);
    expect(res.body.detail.length).toBeGreaterThan(0);
  };

  it('malformed JSON is 400 MALFORMED_JSON on every endpoint', async () => {
    for (const [method, path, client] of endpoints()) {
      for (const raw of ['{"kind": "api"', '{kind: api}', 'nul', '{"a":1}}']) {
        const res = await client.call(method, path, { raw, contentType: 'application/json' });
        expect400(res, `${method} ${path} ${raw}`);
        expect(res.body.code).toBe('MALFORMED_JSON');
      }
    }
  });

  it('a JSON array, string, number or null body is 400 on every endpoint', async () => {
    for (const [method, path, client] of endpoints()) {
      for (const raw of ['[]', '[{"kind":"api"}]', '"api"', '42', 'true']) {
        const res = await client.call(method, path, { raw, contentType: 'application/json' });
        expect400(res, `${method} ${path} ${raw}`);
      }
    }
  });

  it('unknown fields are 400 on every endpoint, counted and located but not named (a name could be a secret)', async () => {
    const bodies: Record<string, Record<string, unknown>> = {
      [`POST /v1/accounts/${acct}/keys`]: { kind: 'api', admin: true },
      [`POST /v1/accounts/${acct}/keys/${keyId}/regenerate`]: { oldKeyExpiresIn: 'PT1H', admin: true },
      [`POST /v1/accounts/${acct}/keys/${keyId}/expiry`]: { expiresAt: null, admin: true },
      [`POST /v1/accounts/${acct}/keys/${keyId}/reveal`]: { admin: true },
      [`PATCH /v1/accounts/${acct}/keys/${keyId}`]: { name: 'x', admin: true },
      [`DELETE /v1/accounts/${acct}/keys/${keyId}`]: { admin: true },
      ['POST /v1/verify']: { key: 'ak_live_x', admin: true },
      [`POST /v1/accounts/${acct}/signatures`]: { payload: 'x', admin: true },
      [`POST /v1/accounts/${acct}/signatures/verify`]: { payload: 'x', header: 't=1,v1=00', admin: true },
    };
    for (const [method, path, client] of endpoints()) {
      const res = await client.call(method, path, { json: bodies[`${method} ${path}`] });
      expect400(res, `${method} ${path}`);
      expect((res.body.errors ?? []).map((e: any) => e.field)).toContain('(unknown)');
      expect(res.body.detail).toMatch(/1 unknown field \(position \d+ in the body/);
      expect(res.text).not.toContain('admin');
    }
    // The key was not touched by any of them.
    expect((await owner.get(acct, keyId)).body.status).toBe('active');
  });

  it('prototype-pollution style fields are refused, not merged', async () => {
    const res = await owner.call('POST', `/v1/accounts/${acct}/keys`, {
      raw: '{"kind":"api","__proto__":{"admin":true},"constructor":{"x":1}}',
      contentType: 'application/json',
    });
    expect(res.status).toBe(400);
  });

  it.each([
    ['kind as number', 'POST', 'keys', { kind: 1 }],
    ['name as object', 'POST', 'keys', { kind: 'api', name: { a: 1 } }],
    ['allowedIps as string', 'POST', 'keys', { kind: 'api', allowedIps: '10.0.0.1' }],
    ['allowedIps with numbers', 'POST', 'keys', { kind: 'api', allowedIps: [10] }],
    [
      'allowedIps too many',
      'POST',
      'keys',
      { kind: 'api', allowedIps: Array.from({ length: 101 }, (_, i) => `10.0.${Math.floor(i / 256)}.${i % 256}`) },
    ],
    ['webhookFormat as bool', 'PATCH', 'key', { webhookFormat: true }],
    ['oldKeyExpiresIn as array', 'POST', 'regenerate', { oldKeyExpiresIn: ['now'] }],
    ['expiresAt as number', 'POST', 'expiry', { expiresAt: 1893456000 }],
    ['version as number', 'POST', 'reveal', { version: 1 }],
    ['reason too long', 'DELETE', 'key', { reason: 'x'.repeat(201) }],
  ])('wrong types: %s is 400 with field errors', async (_label, method, target, body) => {
    const path =
      target === 'keys'
        ? `/v1/accounts/${acct}/keys`
        : target === 'key'
          ? `/v1/accounts/${acct}/keys/${keyId}`
          : `/v1/accounts/${acct}/keys/${keyId}/${target}`;
    const res = await owner.call(method, path, { json: body });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(Array.isArray(res.body.errors)).toBe(true);
    expect(res.body.errors.length).toBeGreaterThan(0);
  });

  it(`a body over the limit (${DEFAULT_BODY_LIMIT} bytes by default) is 413 problem+json`, async () => {
    const big = JSON.stringify({ kind: 'api', name: 'x'.repeat(DEFAULT_BODY_LIMIT + 10) });
    for (const [method, path, client] of endpoints()) {
      const res = await client.call(method, path, { raw: big, contentType: 'application/json' });
      expect([`${method} ${path}`, res.status]).toEqual([`${method} ${path}`, 413]);
      expect(res.body.code).toBe('BODY_TOO_LARGE');
    }
    const raw = await service.call('POST', `/v1/accounts/${acct}/signatures`, {
      raw: Buffer.alloc(DEFAULT_BODY_LIMIT + 1, 1),
      contentType: 'application/octet-stream',
    });
    expect(raw.status).toBe(413);
    // Just under the limit is read (and then judged on its content).
    const under = await owner.call('POST', `/v1/accounts/${acct}/keys`, {
      raw: JSON.stringify({ kind: 'api', name: 'x'.repeat(DEFAULT_BODY_LIMIT - 100) }),
      contentType: 'application/json',
    });
    expect(under.status).toBe(400);
  });

  it('an unsupported content type is a 4xx problem', async () => {
    const res = await owner.call('POST', `/v1/accounts/${acct}/keys`, { raw: 'kind=api', contentType: 'text/plain' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('malformed keyId and accountId are 400 INVALID_ID naming the parameter', async () => {
    const badKeys = ['nope', 'key_short', `key_${'a'.repeat(25)}`, 'key_!!!!!!!!!!!!!!!!!!!!!!!!', '..%2F..%2Fetc'];
    for (const bad of badKeys) {
      for (const [method, suffix] of [
        ['GET', ''],
        ['GET', '/history'],
        ['POST', '/reveal'],
        ['PATCH', ''],
        ['DELETE', ''],
      ] as const) {
        const res = await owner.call(
          method,
          `/v1/accounts/${acct}/keys/${bad}${suffix}`,
          method === 'PATCH' ? { json: { name: 'x' } } : {},
        );
        expect([bad, method, suffix, res.status]).toEqual([bad, method, suffix, 400]);
        expect(res.body.code).toBe('INVALID_ID');
        expect(res.body.errors[0].field).toBe('keyId');
      }
    }
    const badAccounts = ['-leading-dash', 'a'.repeat(65), 'sp%20ace', '%00'];
    for (const bad of badAccounts) {
      const actor = await Client.actor(app.url, { acct: decodeURIComponent(bad) });
      const res = await actor.call('GET', `/v1/accounts/${bad}/keys`);
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(res.body.errors[0].field).toBe('accountId');
      const sign = await service.call('POST', `/v1/accounts/${bad}/signatures`, { json: { payload: 'x' } });
      expect([bad, sign.status]).toEqual([bad, 400]);
    }
  });

  it('an unknown route or method is 404 problem+json', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/v2/verify'],
      ['GET', '/v1/verify'],
      ['PUT', `/v1/accounts/${acct}/keys/${keyId}`],
      ['POST', `/v1/accounts/${acct}/keys/${keyId}/rotate`],
    ]) {
      const res = await request(app.url, method, path);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.contentType).toMatch(/^application\/problem\+json/);
    }
  });

  it('the app is still healthy and the key untouched after all of this', async () => {
    expect((await request(app.url, 'GET', '/health')).status).toBe(200);
    const history = await owner.history(acct, keyId);
    expect(history.body.events.map((e: any) => e.type)).toEqual(['KeyGenerated']);
  });
});

describe('HTTP_BODY_LIMIT_BYTES', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ HTTP_BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('bodies over the configured limit are 413, under it are read', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const over = await owner.call('POST', `/v1/accounts/${acct}/keys`, {
      raw: JSON.stringify({ kind: 'api', name: 'x'.repeat(2100) }),
      contentType: 'application/json',
    });
    expect(over.status).toBe(413);
    expect(over.body.code).toBe('BODY_TOO_LARGE');
    const under = await owner.generate(acct, { kind: 'api', name: 'x'.repeat(100) });
    expect(under.status).toBe(201);
  });
});
