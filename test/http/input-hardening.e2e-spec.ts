/**
 * Input found by probing the HTTP API that once got a 500, was silently reinterpreted, or came back
 * in the error: deeply nested JSON, legacy IPv4 spellings, non-JSON bodies, secrets in field names
 * and values, impossible dates, control characters in names, Fastify's own error answers.
 * The support client fails any 5xx and any error answer that is not problem+json.
 */
import { connect } from 'node:net';
import { actorToken, Client, startTestApp, uniqueAccount, type HttpResponse, type TestApp } from '../support';

/** Writes bytes on a fresh connection and reads the answer until the server closes it. */
function rawExchange(
  baseUrl: string,
  bytes: string,
): Promise<{ status: number; headers: Record<string, string>; body: any; text: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined); // the server may reset after answering
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const match = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine);
      if (!match) return reject(new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const headers = Object.fromEntries(
        headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const raw = rest.join('\r\n\r\n');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      resolve({ status: Number(match[1]), headers, body, text });
    });
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

describe('input hardening over HTTP', () => {
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
  const expectStatus = (res: HttpResponse, status: number, label: string): void => {
    expect([label, res.status]).toEqual([label, status]);
  };

  describe('nesting depth', () => {
    const nested = (depth: number, open = '{"a":', close = '}'): string => `${open.repeat(depth)}1${close.repeat(depth)}`;

    it('a body nested 2,000 levels deep is 400 BODY_TOO_DEEP on every endpoint, arrays and objects alike', async () => {
      for (const [method, path, client] of endpoints()) {
        const bodies = [
          nested(2000),
          nested(10_000),
          nested(2000, '[', ']'),
          `{"kind":"api","allowedIps":${nested(2000, '[', ']')}}`,
          `{"payload":${nested(2000)}}`,
        ];
        for (const raw of bodies) {
          const res = await client.call(method, path, { raw, contentType: 'application/json' });
          expectStatus(res, 400, `${method} ${path}`);
          expect(res.body.code).toBe('BODY_TOO_DEEP');
          expect(res.body.detail).toMatch(/32/);
        }
      }
    });

    it('33 levels are refused, 32 are read (and then judged on their content)', async () => {
      const path = `/v1/accounts/${acct}/keys`;
      const over = await owner.call('POST', path, { raw: `{"kind":"api","name":${nested(32)}}`, contentType: 'application/json' });
      expect(over.body.code).toBe('BODY_TOO_DEEP');
      const under = await owner.call('POST', path, { raw: `{"kind":"api","name":${nested(31)}}`, contentType: 'application/json' });
      expect(under.status).toBe(400);
      expect(under.body.code).toBe('VALIDATION_FAILED');
      // Brackets inside strings are text, not nesting.
      const text = await owner.generate(acct, { kind: 'api', name: '[{'.repeat(45) });
      expect(text.status).toBe(201);
      expect(text.body.key.name).toBe('[{'.repeat(45));
    });
  });
  describe('allow-list spellings', () => {
    const legacy = ['192.168.010.0/24', '3405803783/32', '0x7f.0.0.0/8', '127.1/32', '::ffff:192.168.010.0/120', '::ffff:0x7f.0.0.1'];

    it('legacy IPv4 spellings in ranges are 400 INVALID_ALLOWED_IPS on generate and update, not stored as another network', async () => {
      for (const entry of legacy) {
        const generated = await owner.generate(acct, { kind: 'api', allowedIps: [entry] });
        expectStatus(generated, 400, entry);
        expect(generated.body.code).toBe('INVALID_ALLOWED_IPS');
        const updated = await owner.update(acct, keyId, { allowedIps: ['198.51.100.0/24', entry] });
        expectStatus(updated, 400, entry);
        expect(updated.body.code).toBe('INVALID_ALLOWED_IPS');
      }
      expect((await owner.get(acct, keyId)).body.allowedIps).toEqual([]);
      const plain = await owner.generate(acct, { kind: 'api', allowedIps: ['192.168.10.0/24', '203.0.113.7/32'] });
      expect(plain.status).toBe(201);
      expect(plain.body.key.allowedIps).toEqual(['192.168.10.0/24', '203.0.113.7/32']);
    });

    it('a client ip with a legacy IPv4 part in IPv6 form is 400 on verify', async () => {
      for (const ip of ['::ffff:0x7f.0.0.1', '::ffff:192.168.010.1', '::ffff:127.1']) {
        const res = await service.verify({ key: 'ak_live_x', ip });
        expectStatus(res, 400, ip);
      }
    });
  });
  describe('media types', () => {
    const isUnsupported = (res: HttpResponse, label: string): void => {
      expectStatus(res, 415, label);
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(res.body.detail).toMatch(/application\/json/);
    };

    it('form-encoded, text/plain, XML and a missing content type are 415 on every endpoint', async () => {
      const cases: Array<[string, string | undefined]> = [
        ['kind=api&key=ak_live_x&payload=x', 'application/x-www-form-urlencoded'],
        ['{"kind":"api"}', 'text/plain'],
        ['<kind>api</kind>', 'application/xml'],
        ['{"kind":"api"}', 'multipart/form-data; boundary=x'],
        ['{"kind":"api"}', undefined],
      ];
      const before = (await owner.list(acct)).body.keys.length;
      for (const [method, path, client] of endpoints()) {
        for (const [raw, contentType] of cases) {
          // fetch labels a string body text/plain; bytes go without a content type.
          const res = await client.call(method, path, { raw: contentType === undefined ? Buffer.from(raw) : raw, contentType });
          isUnsupported(res, `${method} ${path} ${contentType}`);
        }
      }
      // Nothing was generated by any of them.
      expect((await owner.list(acct)).body.keys).toHaveLength(before);
      expect((await owner.get(acct, keyId)).body.status).toBe('active');
    });

    it('application/octet-stream is 415 wherever JSON is required, with a short answer', async () => {
      const bytes = Buffer.alloc(250 * 1024, 0x61);
      for (const [method, path, client] of endpoints().filter(([, path]) => !path.includes('/signatures'))) {
        const res = await client.call(method, path, { raw: bytes, contentType: 'application/octet-stream' });
        isUnsupported(res, `${method} ${path}`);
        expect(res.text.length).toBeLessThan(1000);
      }
    });

    it('the signature endpoints still take application/octet-stream, and say so when refusing another type', async () => {
      const signed = await service.signRaw(acct, Buffer.from('exact bytes'));
      expect(signed.status).toBe(200);
      const verified = await service.call('POST', `/v1/accounts/${acct}/signatures/verify`, {
        raw: Buffer.from('exact bytes'),
        contentType: 'application/octet-stream',
        headers: { 'x-signature': signed.body.header },
      });
      expect(verified.body).toEqual({ valid: true, code: 'VALID' });
      const plain = await service.call('POST', `/v1/accounts/${acct}/signatures`, { raw: 'exact bytes', contentType: 'text/plain' });
      isUnsupported(plain, 'text/plain on signatures');
      expect(plain.body.detail).toMatch(/application\/octet-stream/);
    });

    it('an unknown route is still 404 whatever the content type', async () => {
      const res = await owner.call('POST', '/v1/nope', { raw: 'x', contentType: 'text/plain' });
      expect(res.status).toBe(404);
    });
  });

  describe('error lists are bounded', () => {
    it('5,000 unknown fields make one error that counts them and locates the first 20, on every endpoint', async () => {
      const body: Record<string, unknown> = {};
      for (let i = 0; i < 5000; i++) body[`field${i}`] = i;
      for (const [method, path, client] of endpoints()) {
        const res = await client.call(method, path, { json: body });
        expectStatus(res, 400, `${method} ${path}`);
        const unknown = res.body.errors.filter((e: any) => e.field === '(unknown)');
        expect(unknown).toHaveLength(1);
        expect(unknown[0].message).toMatch(/^5000 unknown fields \(position 1, 2, .*, 20 and 4980 more in the body/);
        expect(res.body.errors.length).toBeLessThanOrEqual(20);
        expect(res.text.length).toBeLessThan(2000);
        expect(res.text).not.toContain('field1');
      }
    });

    it('a short list is given whole, without the note', async () => {
      const res = await owner.generate(acct, { kind: 1, name: 2, webhookFormat: 3 });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: any) => e.field).sort()).toEqual(['kind', 'name', 'name', 'webhookFormat']);
      expect(res.body.errorsOmitted).toBeUndefined();
    });

    it('an allow-list with many bad entries names at most 20 of them', async () => {
      const res = await owner.generate(acct, { kind: 'api', allowedIps: Array.from({ length: 100 }, (_, i) => `bad-${i}`) });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_ALLOWED_IPS');
      expect(res.body.detail.match(/entry \d+/g)).toHaveLength(20);
      expect(res.body.detail).toMatch(/80 more/);
    });
  });
  describe('errors never repeat what the caller sent', () => {
    const SECRET = 'ak_live_LEAKED0123456789abcdefghij';
    const leaks = (res: HttpResponse): boolean => res.text.includes('LEAKED');

    it('a secret sent as a field name is counted, not named, on every endpoint', async () => {
      for (const [method, path, client] of endpoints()) {
        const res = await client.call(method, path, { json: { [SECRET]: true } });
        expectStatus(res, 400, `${method} ${path}`);
        expect([`${method} ${path}`, leaks(res)]).toEqual([`${method} ${path}`, false]);
        expect(res.body.detail).toMatch(/1 unknown field \(position 1 in the body/);
      }
    });

    it('a secret put in allowedIps, alone or as part of a range, is not in the 400', async () => {
      for (const allowedIps of [[SECRET], ['10.0.0.0/8', `${SECRET}/24`], [`10.0.0.0/${SECRET}`], [` ${SECRET} `]]) {
        const generated = await owner.generate(acct, { kind: 'api', allowedIps });
        expect(generated.status).toBe(400);
        expect(generated.body.detail).toMatch(/entry \d: /);
        expect(leaks(generated)).toBe(false);
        const updated = await owner.update(acct, keyId, { allowedIps });
        expect(updated.status).toBe(400);
        expect(leaks(updated)).toBe(false);
      }
    });

    it('a secret in any other field, of any type, is not in the 400', async () => {
      const cases: Array<[string, string, Client, Record<string, unknown>]> = [
        ['POST', `/v1/accounts/${acct}/keys`, owner, { kind: SECRET, webhookFormat: SECRET, name: [SECRET] }],
        ['POST', `/v1/accounts/${acct}/keys`, owner, { kind: 'api', name: `${SECRET}${'x'.repeat(100)}` }],
        ['POST', `/v1/accounts/${acct}/keys/${keyId}/regenerate`, owner, { oldKeyExpiresIn: SECRET }],
        ['POST', `/v1/accounts/${acct}/keys/${keyId}/regenerate`, owner, { oldKeyExpiresAt: SECRET }],
        ['POST', `/v1/accounts/${acct}/keys/${keyId}/expiry`, owner, { expiresAt: SECRET, version: SECRET }],
        ['POST', `/v1/accounts/${acct}/keys/${keyId}/reveal`, owner, { version: { [SECRET]: SECRET } }],
        ['DELETE', `/v1/accounts/${acct}/keys/${keyId}`, owner, { reason: [SECRET] }],
        ['POST', '/v1/verify', service, { key: SECRET, ip: SECRET, kind: SECRET }],
        ['POST', `/v1/accounts/${acct}/signatures`, service, { payload: SECRET, payloadEncoding: SECRET }],
        ['POST', `/v1/accounts/${acct}/signatures/verify`, service, { payload: [SECRET], header: 1, toleranceSeconds: SECRET }],
      ];
      for (const [method, path, client, json] of cases) {
        const res = await client.call(method, path, { json });
        expectStatus(res, 400, `${method} ${path} ${Object.keys(json).join(',')}`);
        expect([`${method} ${path} ${Object.keys(json).join(',')}`, leaks(res)]).toEqual([
          `${method} ${path} ${Object.keys(json).join(',')}`,
          false,
        ]);
      }
      const validity = await owner.call('GET', `/v1/accounts/${acct}/keys/${keyId}/validity?at=${SECRET}&ip=${SECRET}`);
      expect(validity.status).toBe(400);
      expect(leaks(validity)).toBe(false);
    });

    it('a field of the API sent where it does not belong is named', async () => {
      const res = await owner.update(acct, keyId, { kind: 'signing' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'kind', message: 'kind is not accepted by this endpoint' }]);
    });
  });
  describe('dates, nulls and names', () => {
    const impossible = ['2027-02-30T00:00:00Z', '2026-02-29T12:00:00Z', '2026-04-31T00:00:00+02:00', '2100-02-29T00:00:00Z'];

    it('a day the month does not have is 400 in every timestamp field, not rolled over to the next month', async () => {
      const { body } = await owner.generate(acct, { kind: 'api' });
      const id = body.key.id;
      for (const time of impossible) {
        const expiry = await owner.setExpiry(acct, id, { expiresAt: time });
        expectStatus(expiry, 400, `expiresAt ${time}`);
        expect(expiry.body.errors.map((e: any) => e.field)).toContain('expiresAt');
        const regenerate = await owner.regenerate(acct, id, { oldKeyExpiresAt: time });
        expectStatus(regenerate, 400, `oldKeyExpiresAt ${time}`);
        expect(regenerate.body.errors.map((e: any) => e.field)).toContain('oldKeyExpiresAt');
        const validity = await owner.call('GET', `/v1/accounts/${acct}/keys/${id}/validity?at=${encodeURIComponent(time)}`);
        expectStatus(validity, 400, `at ${time}`);
      }
      const untouched = await owner.get(acct, id);
      expect(untouched.body).toMatchObject({ version: 0, expiresAt: null, previous: null });
      // Real days still work, February 29 of a leap year included.
      expect((await owner.setExpiry(acct, id, { expiresAt: '2028-02-29T00:00:00Z' })).body.expiresAt).toBe('2028-02-29T00:00:00.000Z');
      expect((await owner.call('GET', `/v1/accounts/${acct}/keys/${id}/validity?at=2028-02-29T00:00:00Z`)).status).toBe(200);
    });

    it('oldKeyExpiresAt: null is 400, not "now"; leaving it out still needs oldKeyExpiresIn', async () => {
      const { body } = await owner.generate(acct, { kind: 'api' });
      const id = body.key.id;
      const res = await owner.regenerate(acct, id, { oldKeyExpiresAt: null });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: any) => e.field)).toContain('oldKeyExpiresAt');
      expect(res.body.detail).toMatch(/oldKeyExpiresAt must not be null/);
      expect((await owner.regenerate(acct, id, { oldKeyExpiresIn: null })).status).toBe(400);
      expect((await owner.regenerate(acct, id, {})).status).toBe(400);
      const key = await owner.get(acct, id);
      expect(key.body).toMatchObject({ version: 0, previous: null });
      expect((await service.verify({ key: body.secret })).body.code).toBe('VALID');
    });

    it('null is refused for every optional field of the management API (it was stored as the value)', async () => {
      const { body } = await owner.generate(acct, { kind: 'api', name: 'before', allowedIps: ['10.0.0.0/8'] });
      const id = body.key.id;
      for (const field of ['name', 'allowedIps', 'webhookFormat']) {
        const generated = await owner.generate(acct, { kind: 'api', [field]: null });
        expectStatus(generated, 400, `generate ${field}`);
        const updated = await owner.update(acct, id, { [field]: null });
        expectStatus(updated, 400, `update ${field}`);
        expect(updated.body.errors.map((e: any) => e.field)).toContain(field);
      }
      expectStatus(await owner.reveal(acct, id, { version: null }), 400, 'reveal version');
      expectStatus(await owner.setExpiry(acct, id, { expiresAt: null, version: null }), 400, 'expiry version');
      expectStatus(await owner.call('DELETE', `/v1/accounts/${acct}/keys/${id}`, { json: { reason: null } }), 400, 'revoke reason');
      expect((await owner.get(acct, id)).body).toMatchObject({
        name: 'before',
        allowedIps: ['10.0.0.0/8'],
        webhookFormat: 'single',
        status: 'active',
        version: 0,
      });
      // expiresAt: null keeps its meaning: no expiry.
      expect((await owner.setExpiry(acct, id, { expiresAt: null })).status).toBe(200);
    });

    const unsafe: Array<[string, string]> = [
      ['NUL', 'a\u0000b'],
      ['newline', 'first\nsecond'],
      ['carriage return', 'a\rb'],
      ['tab', 'a\tb'],
      ['ANSI escape', '\u001b[31mred\u001b[0m'],
      ['DEL', 'a\u007f'],
      ['C1 control', 'a\u0085b'],
      ['line separator', 'a\u2028b'],
      ...[0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069].map((c): [string, string] => [
        `U+${c.toString(16).toUpperCase()}`,
        `invoice${String.fromCharCode(c)}cod.exe`,
      ]),
      ['lone high surrogate', 'key \ud800'],
      ['lone low surrogate', '\udc00 key'],
      ['reversed pair', '\ude80\ud83d'],
    ];

    it.each(unsafe)('a key name with %s is 400 on generate and update, and nothing is stored', async (_label, name) => {
      const generated = await owner.generate(acct, { kind: 'api', name });
      expect(generated.status).toBe(400);
      expect(generated.body.errors.map((e: any) => e.field)).toContain('name');
      expect(generated.body.detail).toMatch(/name must not contain control characters/);
      expect((await owner.update(acct, keyId, { name })).status).toBe(400);
      expect((await owner.call('DELETE', `/v1/accounts/${acct}/keys/${keyId}`, { json: { reason: name } })).status).toBe(400);
    });

    it('the key list stays parseable by a strict JSON parser; ordinary names in any script are fine', async () => {
      for (const name of ['café ✓', 'ключ', 'מפתח', '決済キー', 'rocket 🚀', '"quoted" <b>bold</b>']) {
        const res = await owner.generate(acct, { kind: 'api', name });
        expect([name, res.status]).toEqual([name, 201]);
        expect(res.body.key.name).toBe(name);
      }
      const list = await owner.list(acct);
      expect(list.text).not.toMatch(/\\u[dD][89abAB]|\\u[dD][c-fC-F]/);
      expect((await owner.get(acct, keyId)).body).toMatchObject({ status: 'active', name: 'Signing key' });
    });
  });
  describe("Fastify's and Node's own answers are problem+json", () => {
    const SECRET = 'ak_live_LEAKED0123456789abcdefghij';
    let auth: string;
    beforeAll(async () => {
      auth = `Host: test\r\nAuthorization: Bearer ${await actorToken({ acct })}\r\nConnection: close\r\n`;
    });
    const expectProblem = (res: Awaited<ReturnType<typeof rawExchange>>, status: number, code: string, label: string): void => {
      expect([label, res.status]).toEqual([label, status]);
      expect([label, res.headers['content-type']]).toEqual([label, 'application/problem+json; charset=utf-8']);
      expect(res.body).toMatchObject({ type: `/problems/${code.toLowerCase().replace(/_/g, '-')}`, status, code });
      expect(typeof res.body.title).toBe('string');
      expect(res.body.detail.length).toBeGreaterThan(0);
      expect([label, res.text.includes('LEAKED')]).toEqual([label, false]);
    };

    it('a URL that does not percent-decode is 400 BAD_REQUEST, without the path', async () => {
      for (const path of [`/v1/accounts/${SECRET}%ZZ/keys`, `/v1/accounts/${acct}/keys/${SECRET}%E0%A4%A`]) {
        expectProblem(await rawExchange(app.url, `GET ${path} HTTP/1.1\r\n${auth}\r\n`), 400, 'BAD_REQUEST', path);
      }
    });

    it('a path segment over the router limit is 414 URI_TOO_LONG, without the path', async () => {
      const res = await rawExchange(app.url, `GET /v1/accounts/${SECRET}${'a'.repeat(200)}/keys HTTP/1.1\r\n${auth}\r\n`);
      expectProblem(res, 414, 'URI_TOO_LONG', 'long segment');
      // Through fetch too, on a key route.
      const viaFetch = await owner.call('GET', `/v1/accounts/${acct}/keys/${'k'.repeat(300)}`);
      expect(viaFetch.status).toBe(414);
    });

    it('a request line or headers over 16 KiB are 431 HEADERS_TOO_LARGE, without them', async () => {
      const longUrl = await rawExchange(app.url, `GET /v1/accounts/${acct}/keys?${SECRET}=${'a'.repeat(20_000)} HTTP/1.1\r\n${auth}\r\n`);
      expectProblem(longUrl, 431, 'HEADERS_TOO_LARGE', 'long URL');
      const bigHeader = await rawExchange(
        app.url,
        `GET /v1/accounts/${acct}/keys HTTP/1.1\r\n${auth}X-Secret: ${SECRET}${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expectProblem(bigHeader, 431, 'HEADERS_TOO_LARGE', 'big header');
    });

    it.each([
      ['a request line that is not HTTP', `GARBAGE ${SECRET}\r\n\r\n`],
      ['an unknown method', `FROB /v1/verify HTTP/1.1\r\nHost: test\r\n\r\n`],
      ['a header name with a space', `GET /health HTTP/1.1\r\nHost: test\r\nBad Header: ${SECRET}\r\n\r\n`],
      [
        'Content-Length that is not a number',
        `POST /v1/verify HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${SECRET}\r\n\r\n{}`,
      ],
      [
        'Content-Length beside Transfer-Encoding',
        `POST /v1/verify HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      ],
    ])('%s is 400 BAD_REQUEST', async (label, bytes) => {
      expectProblem(await rawExchange(app.url, bytes), 400, 'BAD_REQUEST', label);
    });

    it('an Expect other than 100-continue is 417 EXPECTATION_FAILED', async () => {
      const res = await rawExchange(
        app.url,
        `POST /v1/verify HTTP/1.1\r\nHost: test\r\nExpect: ${SECRET}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      );
      expectProblem(res, 417, 'EXPECTATION_FAILED', 'expect');
    });

    it('the service still answers afterwards', async () => {
      expect((await owner.get(acct, keyId)).status).toBe(200);
    });
  });
});
