/**
 * Standard Webhooks signing keys over HTTP (issue #14): `scheme: "standard-webhooks"` keys get
 * `whsec_` secrets, sign with the three `webhook-*` headers and verify them. The receiver side is the
 * `standardwebhooks` npm package (the spec's reference library), not this repository's code.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Client, startTestApp, uniqueAccount, type TestApp } from '../support';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const WHSEC = /^whsec_[A-Za-z0-9+/]{43}=$/;

describe('Standard Webhooks signing keys over HTTP', () => {
  let app: TestApp;
  let service: Client;
  beforeAll(async () => {
    app = await startTestApp();
    service = Client.service(app.url);
  });
  afterAll(async () => {
    await app?.close();
  });

  async function account() {
    const acct = uniqueAccount();
    return { acct, owner: await Client.actor(app.url, { acct }) };
  }
  async function webhookKey(owner: Client, acct: string) {
    const gen = await owner.generate(acct, { kind: 'signing', scheme: 'standard-webhooks' });
    expect(gen.status).toBe(201);
    return { keyId: gen.body.key.id as string, secret: gen.body.secret as string, view: gen.body.key };
  }

  it('generates a whsec_ secret, shown by the view as the key’s scheme and revealed as it was issued', async () => {
    const { acct, owner } = await account();
    const { keyId, secret, view } = await webhookKey(owner, acct);
    expect(secret).toMatch(WHSEC);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(view).toMatchObject({ kind: 'signing', scheme: 'standard-webhooks', algorithm: 'hmac-sha256', start: secret.slice(0, 12) });
    expect(view.publicKey).toBeUndefined();
    expect((await owner.get(acct, keyId)).body).toMatchObject({ scheme: 'standard-webhooks', algorithm: 'hmac-sha256' });
    expect((await owner.reveal(acct, keyId)).body.secret).toBe(secret);
    // A signing key generated as before is the Stripe-style scheme.
    const classic = await owner.generate(acct, { kind: 'signing' });
    expect(classic.body.secret).toMatch(/^sig_(live|test)_/);
    expect(classic.body.key).toMatchObject({ scheme: 'stripe', algorithm: 'hmac-sha256' });
    // API keys have no scheme.
    expect((await owner.generate(acct, { kind: 'api' })).body.key.scheme).toBeUndefined();
  });

  it('signs with the webhook-* headers; the standardwebhooks package verifies them with the secret', async () => {
    const { acct, owner } = await account();
    const { keyId, secret } = await webhookKey(owner, acct);
    const payload = JSON.stringify({ type: 'payment.succeeded', data: { amount: 1250, note: 'café ✓' } });
    const res = await service.sign(acct, { payload, scheme: 'standard-webhooks' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ keyIds: [keyId], signatures: 1 });
    expect(res.body.webhookId).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    expect(res.body.headers).toEqual({
      'webhook-id': res.body.webhookId,
      'webhook-timestamp': String(res.body.timestamp),
      'webhook-signature': res.body.header,
    });
    expect(res.body.header).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(Math.abs(res.body.timestamp - nowSeconds())).toBeLessThanOrEqual(2);
    expect(new Webhook(secret).verify(payload, res.body.headers)).toEqual(JSON.parse(payload));
    expect(() => new Webhook(secret).verify(`${payload} `, res.body.headers)).toThrow(/No matching signature/);
    expect(res.text).not.toContain(secret.slice('whsec_'.length));

    // The caller's message id is signed as given (a retry keeps its id).
    const retry = await service.sign(acct, { payload, scheme: 'standard-webhooks', webhookId: 'evt_123:attempt-2' });
    expect(retry.body.headers['webhook-id']).toBe('evt_123:attempt-2');
    expect(() => new Webhook(secret).verify(payload, retry.body.headers)).not.toThrow();
  });

  it('signs raw bytes with ?scheme=standard-webhooks&webhookId=', async () => {
    const { acct, owner } = await account();
    const { secret } = await webhookKey(owner, acct);
    const bytes = Buffer.from('{"raw":true,"n":1}');
    const res = await service.call('POST', `/v1/accounts/${acct}/signatures?scheme=standard-webhooks&webhookId=msg_raw1`, {
      raw: bytes,
      contentType: 'application/octet-stream',
    });
    expect(res.status).toBe(200);
    expect(res.body.headers['webhook-id']).toBe('msg_raw1');
    expect(() => new Webhook(secret).verify(bytes, res.body.headers)).not.toThrow();
  });

  it('during a rotation signs once per secret and either secret verifies; the new secret is whsec_ too', async () => {
    const { acct, owner } = await account();
    const { keyId, secret: oldSecret } = await webhookKey(owner, acct);
    const rotated = await owner.regenerate(acct, keyId, { oldKeyExpiresIn: 'PT1H' });
    expect(rotated.status).toBe(201);
    const newSecret = rotated.body.secret as string;
    expect(newSecret).toMatch(WHSEC);
    expect(rotated.body.key).toMatchObject({ scheme: 'standard-webhooks', algorithm: 'hmac-sha256' });
    const payload = '{"event":"payment.succeeded"}';
    const during = await service.sign(acct, { payload, scheme: 'standard-webhooks' });
    expect(during.body.signatures).toBe(2);
    expect(during.body.header.split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(payload, during.body.headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(payload, during.body.headers)).not.toThrow();

    await owner.regenerate(acct, keyId, { oldKeyExpiresIn: 'now' });
    const after = await service.sign(acct, { payload, scheme: 'standard-webhooks' });
    expect(after.body.signatures).toBe(1);
    expect(() => new Webhook(oldSecret).verify(payload, after.body.headers)).toThrow();
  });

  it('each scheme signs with its own keys only; no key of the scheme asked for is 409 NO_SIGNING_KEY', async () => {
    const { acct, owner } = await account();
    const { keyId: webhookKeyId } = await webhookKey(owner, acct);
    const stripeOnly = await service.sign(acct, { payload: 'x' });
    expect([stripeOnly.status, stripeOnly.body.code]).toEqual([409, 'NO_SIGNING_KEY']);
    const classic = await owner.generate(acct, { kind: 'signing' });
    expect((await service.sign(acct, { payload: 'x' })).body).toMatchObject({ keyIds: [classic.body.key.id], signatures: 1 });
    expect((await service.sign(acct, { payload: 'x', scheme: 'standard-webhooks' })).body).toMatchObject({
      keyIds: [webhookKeyId],
      signatures: 1,
    });
    const other = (await account()).acct;
    const none = await service.sign(other, { payload: 'x', scheme: 'standard-webhooks' });
    expect([none.status, none.body.code]).toEqual([409, 'NO_SIGNING_KEY']);
  });

  describe('verify', () => {
    it('VALID for headers the standardwebhooks package made with the key’s secret, as JSON and as raw headers', async () => {
      const { acct, owner } = await account();
      const { secret } = await webhookKey(owner, acct);
      const payload = '{"id":"evt_1","amount":1000}';
      const t = nowSeconds();
      const signature = new Webhook(secret).sign('msg_fromlib', new Date(t * 1000), payload);
      const json = await service.verifySignature(acct, {
        payload,
        scheme: 'standard-webhooks',
        webhookId: 'msg_fromlib',
        webhookTimestamp: String(t),
        header: signature,
      });
      expect([json.status, json.body]).toEqual([200, { valid: true, code: 'VALID' }]);
      const raw = await service.call('POST', `/v1/accounts/${acct}/signatures/verify`, {
        raw: Buffer.from(payload),
        contentType: 'application/octet-stream',
        headers: { 'webhook-id': 'msg_fromlib', 'webhook-timestamp': String(t), 'webhook-signature': signature },
      });
      expect([raw.status, raw.body]).toEqual([200, { valid: true, code: 'VALID' }]);
      // The default (stripe) scheme checks only the account's stripe keys: it has none.
      expect((await service.verifySignature(acct, { payload, header: signature })).body.code).toBe('NO_SIGNING_KEY');
    });

    it('NO_MATCHING_SIGNATURE for another id, payload or secret; TIMESTAMP_OUTSIDE_TOLERANCE for an old one', async () => {
      const { acct, owner } = await account();
      const { secret } = await webhookKey(owner, acct);
      const payload = 'hello';
      const t = nowSeconds();
      const check = (overrides: Record<string, unknown>) =>
        service.verifySignature(acct, {
          payload,
          scheme: 'standard-webhooks',
          webhookId: 'msg_a',
          webhookTimestamp: String(t),
          header: new Webhook(secret).sign('msg_a', new Date(t * 1000), payload),
          ...overrides,
        });
      expect((await check({})).body.code).toBe('VALID');
      expect((await check({ webhookId: 'msg_b' })).body.code).toBe('NO_MATCHING_SIGNATURE');
      expect((await check({ payload: 'hello!' })).body.code).toBe('NO_MATCHING_SIGNATURE');
      const forged = new Webhook(`whsec_${randomBytes(32).toString('base64')}`).sign('msg_a', new Date(t * 1000), payload);
      expect((await check({ header: forged })).body.code).toBe('NO_MATCHING_SIGNATURE');
      const old = t - 1000;
      const stale = { webhookTimestamp: String(old), header: new Webhook(secret).sign('msg_a', new Date(old * 1000), payload) };
      expect((await check(stale)).body.code).toBe('TIMESTAMP_OUTSIDE_TOLERANCE');
      expect((await check({ ...stale, toleranceSeconds: 2000 })).body.code).toBe('VALID');
      expect((await check({ header: 'v1,not-base64!' })).body.code).toBe('MALFORMED_HEADER');
      expect((await check({ webhookId: 'msg.dotted' })).body.code).toBe('MALFORMED_HEADER');
    });

    it('a missing webhook id or timestamp is 400, and so are they with the stripe scheme', async () => {
      const { acct } = await account();
      const missing = await service.verifySignature(acct, { payload: 'x', scheme: 'standard-webhooks', header: 'v1,abc' });
      expect([missing.status, missing.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['webhookId', 'webhookTimestamp']);
      const stray = await service.verifySignature(acct, { payload: 'x', header: 't=1,v1=ab', webhookId: 'msg_1' });
      expect([stray.status, stray.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      const rawMissing = await service.call('POST', `/v1/accounts/${acct}/signatures/verify`, {
        raw: Buffer.from('x'),
        contentType: 'application/octet-stream',
        headers: { 'webhook-signature': 'v1,abc' },
      });
      expect([rawMissing.status, rawMissing.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      const badSign = await service.sign(acct, { payload: 'x', webhookId: 'msg_1' });
      expect([badSign.status, badSign.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      const badId = await service.sign(acct, { payload: 'x', scheme: 'standard-webhooks', webhookId: 'a.b' });
      expect([badId.status, badId.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    });
  });

  it('refuses a scheme on another kind (422 SCHEME_NOT_APPLICABLE) and ed25519 with the stripe scheme (422 ALGORITHM_NOT_APPLICABLE)', async () => {
    const { acct, owner } = await account();
    const onApi = await owner.generate(acct, { kind: 'api', scheme: 'standard-webhooks' });
    expect([onApi.status, onApi.body.code]).toEqual([422, 'SCHEME_NOT_APPLICABLE']);
    const edStripe = await owner.generate(acct, { kind: 'signing', algorithm: 'ed25519' });
    expect([edStripe.status, edStripe.body.code]).toEqual([422, 'ALGORITHM_NOT_APPLICABLE']);
    const unknown = await owner.generate(acct, { kind: 'signing', scheme: 'svix' });
    expect([unknown.status, unknown.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(unknown.text).not.toContain('svix');
  });

  it('the 8-key signing cap counts keys of every scheme', async () => {
    const { acct, owner } = await account();
    for (let i = 0; i < 4; i++) expect((await owner.generate(acct, { kind: 'signing' })).status).toBe(201);
    for (let i = 0; i < 4; i++) expect((await owner.generate(acct, { kind: 'signing', scheme: 'standard-webhooks' })).status).toBe(201);
    const ninth = await owner.generate(acct, { kind: 'signing', scheme: 'standard-webhooks' });
    expect([ninth.status, ninth.body.code]).toEqual([409, 'TOO_MANY_KEYS']);
  });
});
