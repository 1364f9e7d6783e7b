/**
 * Input found by probing the HTTP API that once got a 500, was silently reinterpreted, or came back
 * in the error: deeply nested JSON, legacy IPv4 spellings, non-JSON bodies, secrets in field names
 * and values, impossible dates, control characters in names, Fastify's own error answers.
 * The support client fails any 5xx and any error answer that is not problem+json.
 */
import { Client, startTestApp, uniqueAccount, type HttpResponse, type TestApp } from '../support';

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
        const bodies = [nested(2000), nested(10_000), nested(2000, '[', ']'), `{"kind":"api","allowedIps":${nested(2000, '[', ']')}}`, `{"payload":${nested(2000)}}`];
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
});
