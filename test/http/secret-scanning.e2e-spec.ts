/**
 * Leak reports over HTTP (README, "Secret scanning"): a secret scanning partner, here a locally
 * generated P-256 key pair whose public key a local server publishes, reports tokens found in
 * public. A signed report of a live secret revokes its key (policy revoke, the default) or only
 * records it (policy alert), and downstream hears `credentials.key.leaked`; a bad signature, an
 * unknown key id, a report sent twice and a malformed body are refused, and nothing is recorded.
 */
import { createHash } from 'node:crypto';
import type { InProcessNotifier, KafkaLikeMessage } from '@cs/notifications';
import {
  Client,
  STEP_UP_MAX_AGE_SECONDS,
  eventually,
  newP256KeyPair,
  request,
  startTestApp,
  startTestPartner,
  uniqueAccount,
  type TestApp,
  type TestPartner,
} from '../support';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const REPORTS = '/v1/secret-scanning/reports';
const TYPE = 'credential_service_api_key';
const where = (n: number) => `https://github.com/octo-org/shop/blob/${n.toString(16).padStart(8, '0')}/config.env`;
let findings = 0;

describe('secret scanning leak reports over HTTP', () => {
  let partner: TestPartner;
  let app: TestApp;
  let service: Client;
  const notified: KafkaLikeMessage[] = [];

  beforeAll(async () => {
    partner = await startTestPartner();
    app = await startTestApp({ SECRET_SCANNING_KEYS_URL: partner.keysUrl });
    service = Client.service(app.url);
    if (app.stack === 'embedded') (app.service.infra.notifier as InProcessNotifier).subscribe((message) => void notified.push(message));
  });
  afterAll(async () => {
    await app?.close();
    await partner?.close();
  });

  /** A finding at a URL of its own, so no two reports have the same body unless a test means it. */
  const finding = (token: string, extra: Record<string, unknown> = {}) => ({
    token,
    type: TYPE,
    url: where(++findings),
    source: 'content',
    ...extra,
  });
  const report = (items: unknown, options?: Parameters<TestPartner['signed']>[1]) => {
    const { body, headers } = partner.signed(items, options);
    return request(app.url, 'POST', REPORTS, { raw: body, headers });
  };

  async function key(kind: 'api' | 'signing' | 'publishable' = 'api') {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const body = kind === 'publishable' ? { kind, allowedOrigins: ['https://shop.example'] } : { kind };
    const gen = await owner.generate(acct, body);
    expect(gen.status).toBe(201);
    return { acct, owner, keyId: gen.body.key.id as string, secret: gen.body.secret as string };
  }
  const verifyCode = async (secret: string) => (await service.verify({ key: secret })).body.code as string;
  const types = async (owner: Client, acct: string, keyId: string) =>
    (await owner.history(acct, keyId)).body.events.map((e: { type: string }) => e.type) as string[];
  const leakNotifications = (keyId: string) =>
    notified.filter((m) => m.headers.ce_type === 'credentials.key.leaked' && m.headers.ce_subject === keyId);

  it('a signed report of a live secret revokes its key at once, records where it was found (never the token), and is notified', async () => {
    const { acct, owner, keyId, secret } = await key();
    const found = finding(secret);
    const answer = await report([found]);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.body).toEqual([{ token_hash: sha256(secret), token_type: TYPE, label: 'true_positive' }]);
    // In force when the answer is given.
    expect(await verifyCode(secret)).toBe('REVOKED');
    expect((await owner.get(acct, keyId)).body.status).toBe('revoked');

    const history = await owner.history(acct, keyId);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['KeyGenerated', 'KeyLeakReported', 'KeyRevoked']);
    const [, leaked, revoked] = history.body.events;
    expect(leaked.data).toEqual({
      keyId,
      accountId: acct,
      kind: 'api',
      reportId: expect.stringMatching(/^lr_[0-9a-f]{32}$/),
      receivedAt: expect.any(String),
      tokenType: TYPE,
      url: found.url,
      source: 'content',
      secretVersion: 1,
      action: 'revoked',
    });
    expect(leaked.actor).toEqual({ type: 'system', name: 'secret-scanning' });
    expect(revoked.data).toEqual({
      keyId,
      accountId: acct,
      kind: 'api',
      reason: `leaked: reported by secret scanning (${leaked.data.reportId})`,
      cause: { type: 'leak-report', reportId: leaked.data.reportId },
    });
    expect(history.text).not.toContain(secret);
    expect(app.logger.text()).not.toContain(secret);

    if (app.stack === 'embedded') {
      const [message] = await eventually(async () => (leakNotifications(keyId).length > 0 ? leakNotifications(keyId) : null));
      expect(JSON.parse(message.value.toString('utf8'))).toMatchObject({ keyId, action: 'revoked', url: found.url, secretVersion: 1 });
      expect(message.value.toString('utf8')).not.toContain(secret);
      await eventually(async () => notified.some((m) => m.headers.ce_type === 'credentials.key.revoked' && m.headers.ce_subject === keyId));
    }
  });

  it('finds a leaked Standard Webhooks secret (whsec_) by its hash too: its key is revoked and signs no more', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const gen = await owner.generate(acct, { kind: 'signing', scheme: 'standard-webhooks' });
    expect(gen.status).toBe(201);
    const secret = gen.body.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const signed = await service.sign(acct, { payload: '{"id":"evt_1"}', scheme: 'standard-webhooks' });
    expect(signed.status).toBe(200);

    const answer = await report([finding(secret, { type: 'credential_service_webhook_secret' })]);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([{ token_hash: sha256(secret), token_type: 'credential_service_webhook_secret', label: 'true_positive' }]);
    expect(await types(owner, acct, gen.body.key.id)).toEqual(['KeyGenerated', 'KeyLeakReported', 'KeyRevoked']);
    // Its only signing key is revoked: the account has nothing left to sign with in that scheme.
    const after = await service.sign(acct, { payload: '{"id":"evt_2"}', scheme: 'standard-webhooks' });
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('NO_SIGNING_KEY');
  });

  it('with the alert policy, a report is recorded and notified but the key keeps working', async () => {
    const { acct, owner, keyId, secret } = await key('signing');
    const set = await owner.call('PUT', `/v1/accounts/${acct}/leak-policy`, { json: { policy: 'alert' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ accountId: acct, policy: 'alert', setBy: expect.any(String), setAt: expect.any(String) });
    expect((await owner.call('GET', `/v1/accounts/${acct}/leak-policy`)).body).toEqual(set.body);

    const answer = await report([finding(secret, { source: undefined })]);
    expect(answer.body).toEqual([{ token_hash: sha256(secret), token_type: TYPE, label: 'true_positive' }]);
    // A signing key: its status is what tells (verify is for API keys).
    expect((await owner.get(acct, keyId)).body.status).toBe('active');
    const history = await owner.history(acct, keyId);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['KeyGenerated', 'KeyLeakReported']);
    expect(history.body.events[1].data).toMatchObject({ action: 'alerted', source: null, kind: 'signing' });
    if (app.stack === 'embedded') {
      const [message] = await eventually(async () => (leakNotifications(keyId).length > 0 ? leakNotifications(keyId) : null));
      expect(JSON.parse(message.value.toString('utf8'))).toMatchObject({ action: 'alerted', source: null });
    }

    // Back to revoke: the next report revokes.
    expect((await owner.call('PUT', `/v1/accounts/${acct}/leak-policy`, { json: { policy: 'revoke' } })).body.policy).toBe('revoke');
    await report([finding(secret)]);
    expect((await owner.get(acct, keyId)).body.status).toBe('revoked');
  });

  it('the policy is revoke by default; only an owner or admin with a fresh password changes it; a bad value is a 400', async () => {
    const acct = uniqueAccount();
    const path = `/v1/accounts/${acct}/leak-policy`;
    const auditor = await Client.actor(app.url, { acct, roles: ['auditor'] });
    expect((await auditor.call('GET', path)).body).toEqual({ accountId: acct, policy: 'revoke', setAt: null, setBy: null });

    const developer = await Client.actor(app.url, { acct, roles: ['developer'] });
    const forbidden = await developer.call('PUT', path, { json: { policy: 'alert' } });
    expect([forbidden.status, forbidden.body.code]).toEqual([403, 'FORBIDDEN']);
    const stale = await Client.actor(app.url, { acct, roles: ['admin'], authAge: STEP_UP_MAX_AGE_SECONDS + 60 });
    const stepUp = await stale.call('PUT', path, { json: { policy: 'alert' } });
    expect([stepUp.status, stepUp.body.code]).toEqual([401, 'STEP_UP_REQUIRED']);
    const admin = await Client.actor(app.url, { acct, roles: ['admin'] });
    const bad = await admin.call('PUT', path, { json: { policy: 'ignore' } });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const other = await Client.actor(app.url, { acct: uniqueAccount(), roles: ['owner'] });
    expect((await other.call('PUT', path, { json: { policy: 'alert' } })).status).toBe(404);
    expect((await auditor.call('GET', path)).body.policy).toBe('revoke');
  });

  it('refuses a report whose signature does not match (another key, or a changed body), recording nothing', async () => {
    const { acct, owner, keyId, secret } = await key();
    const items = [finding(secret)];
    const forged = await report(items, { privateKey: newP256KeyPair().privateKey });
    expect([forged.status, forged.body.code]).toEqual([401, 'REPORT_SIGNATURE_INVALID']);

    const { headers } = partner.signed(items);
    const tampered = await request(app.url, 'POST', REPORTS, { raw: Buffer.from(JSON.stringify([finding(secret)])), headers });
    expect([tampered.status, tampered.body.code]).toEqual([401, 'REPORT_SIGNATURE_INVALID']);

    const unsigned = await request(app.url, 'POST', REPORTS, { json: items });
    expect([unsigned.status, unsigned.body.code]).toEqual([401, 'REPORT_SIGNATURE_INVALID']);
    const garbage = await request(app.url, 'POST', REPORTS, { json: items, headers: { ...headers, 'Github-Public-Key-Signature': '!!' } });
    expect([garbage.status, garbage.body.code]).toEqual([401, 'REPORT_SIGNATURE_INVALID']);

    for (const answer of [forged, tampered, unsigned, garbage]) expect(answer.text).not.toContain(secret);
    expect(await verifyCode(secret)).toBe('VALID');
    expect(await types(owner, acct, keyId)).toEqual(['KeyGenerated']);
  });

  it('refuses a report signed with a key id the partner does not publish', async () => {
    const { acct, owner, keyId, secret } = await key();
    const answer = await report([finding(secret)], { keyId: 'f'.repeat(64) });
    expect([answer.status, answer.body.code]).toEqual([401, 'REPORT_KEY_UNKNOWN']);
    expect(await types(owner, acct, keyId)).toEqual(['KeyGenerated']);
  });

  it('refuses a report sent again (replayed), whatever its signature, and records it once', async () => {
    const { acct, owner, keyId, secret } = await key();
    await owner.call('PUT', `/v1/accounts/${acct}/leak-policy`, { json: { policy: 'alert' } });
    const items = [finding(secret)];
    const first = partner.signed(items);
    expect((await request(app.url, 'POST', REPORTS, { raw: first.body, headers: first.headers })).status).toBe(200);
    const again = await request(app.url, 'POST', REPORTS, { raw: first.body, headers: first.headers });
    expect([again.status, again.body.code]).toEqual([409, 'REPORT_REPLAYED']);
    // Signed anew (ECDSA signatures differ each time): still the same report.
    const resigned = await report(items);
    expect([resigned.status, resigned.body.code]).toEqual([409, 'REPORT_REPLAYED']);
    expect(await types(owner, acct, keyId)).toEqual(['KeyGenerated', 'KeyLeakReported']);
  });

  it('answers false_positive for a token of no key and records nothing; several tokens are answered in order', async () => {
    const { acct, owner, keyId, secret } = await key();
    const pk = await key('publishable');
    const { secret: invented } = { secret: `ak_live_${'A'.repeat(49)}` };
    const answer = await report([finding('not a key at all'), finding(secret), finding(invented), finding(pk.secret)]);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      { token_hash: sha256('not a key at all'), token_type: TYPE, label: 'false_positive' },
      { token_hash: sha256(secret), token_type: TYPE, label: 'true_positive' },
      { token_hash: sha256(invented), token_type: TYPE, label: 'false_positive' },
      { token_hash: sha256(pk.secret), token_type: TYPE, label: 'true_positive' },
    ]);
    expect(await verifyCode(secret)).toBe('REVOKED');
    expect(await types(owner, acct, keyId)).toEqual(['KeyGenerated', 'KeyLeakReported', 'KeyRevoked']);
    // A publishable key is public by design: recorded, never revoked.
    const pkHistory = await pk.owner.history(pk.acct, pk.keyId);
    expect(pkHistory.body.events.map((e: { type: string }) => e.type)).toEqual(['KeyGenerated', 'KeyLeakReported']);
    expect(pkHistory.body.events[1].data.action).toBe('none');
    expect((await pk.owner.get(pk.acct, pk.keyId)).body.status).toBe('active');
  });

  it('answers a malformed report with a 4xx problem that never quotes the token, and records nothing', async () => {
    const { acct, owner, keyId, secret } = await key();
    const cases: [unknown, string][] = [
      [{ token: secret, type: TYPE, url: where(1) }, 'VALIDATION_FAILED'],
      [[], 'VALIDATION_FAILED'],
      [[{ type: TYPE, url: where(2) }], 'VALIDATION_FAILED'],
      [[finding(secret, { url: 'x'.repeat(5000) })], 'VALIDATION_FAILED'],
      [[finding(secret, { type: 'bad\u0000type' })], 'VALIDATION_FAILED'],
      [[finding(secret, { token: 42 })], 'VALIDATION_FAILED'],
      [Array.from({ length: 1001 }, (_, i) => ({ token: `t${i}`, type: TYPE, url: where(i) })), 'VALIDATION_FAILED'],
    ];
    for (const [items, code] of cases) {
      const answer = await report(items);
      expect([answer.status, answer.body.code]).toEqual([400, code]);
      expect(answer.text).not.toContain(secret);
    }
    const errors = (await report([{ type: TYPE, url: where(3) }, finding(secret, { source: 7 })])).body.errors;
    expect(errors).toEqual([
      { field: '[0].token', message: expect.any(String) },
      { field: '[1].source', message: expect.any(String) },
    ]);
    const notJson = await request(app.url, 'POST', REPORTS, {
      raw: secret,
      contentType: 'text/plain',
      headers: partner.signed([]).headers,
    });
    expect(notJson.status).toBeGreaterThanOrEqual(400);
    expect(notJson.status).toBeLessThan(500);
    expect(notJson.text).not.toContain(secret);
    expect(await types(owner, acct, keyId)).toEqual(['KeyGenerated']);
  });
});

describe('secret scanning without the partner’s keys', () => {
  it('fails closed: 503 SECRET_SCANNING_UNAVAILABLE when no key can be fetched', async () => {
    const partner = await startTestPartner();
    const keysUrl = partner.keysUrl;
    await partner.close(); // nothing listens there any more
    const app = await startTestApp({ SECRET_SCANNING_KEYS_URL: keysUrl });
    try {
      const { body, headers } = partner.signed([{ token: 'x', type: TYPE, url: where(1) }]);
      const answer = await request(app.url, 'POST', REPORTS, { raw: body, headers, allowServerError: true });
      expect([answer.status, answer.body.code]).toEqual([503, 'SECRET_SCANNING_UNAVAILABLE']);
      expect(answer.headers.get('retry-after')).toBeTruthy();
    } finally {
      await app.close();
    }
  });
});
