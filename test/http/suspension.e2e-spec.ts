/**
 * Suspend and resume over HTTP: a reversible, step-up protected stop of a key. Verify answers
 * SUSPENDED while it lasts, signing leaves the key out, and the history shows both events.
 */
import { Client, STEP_UP_MAX_AGE_SECONDS, startTestApp, uniqueAccount, type TestApp } from '../support';

describe('suspend and resume over HTTP', () => {
  let app: TestApp;
  let service: Client;
  beforeAll(async () => {
    app = await startTestApp();
    service = Client.service(app.url);
  });
  afterAll(async () => {
    await app?.close();
  });

  async function apiKey(kind: 'api' | 'signing' = 'api') {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const gen = await owner.generate(acct, { kind });
    expect(gen.status).toBe(201);
    return { acct, owner, keyId: gen.body.key.id as string, secret: gen.body.secret as string };
  }
  const suspend = (c: Client, acct: string, keyId: string, body?: unknown, headers: Record<string, string> = {}) =>
    c.call('POST', c.keysPath(acct, keyId, '/suspend'), body === undefined ? { headers } : { json: body, headers });
  const resume = (c: Client, acct: string, keyId: string, headers: Record<string, string> = {}) =>
    c.call('POST', c.keysPath(acct, keyId, '/resume'), { headers });

  it('suspend → verify SUSPENDED → resume → VALID, each answering the key view', async () => {
    const { acct, owner, keyId, secret } = await apiKey();
    expect((await service.verify({ key: secret })).body).toMatchObject({ valid: true, code: 'VALID' });

    const suspended = await suspend(owner, acct, keyId, { reason: 'unusual traffic' });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ id: keyId, status: 'suspended', version: 1 });
    expect((await service.verify({ key: secret })).body).toEqual({
      valid: false,
      code: 'SUSPENDED',
      keyId,
      accountId: acct,
      kind: 'api',
      expiresAt: null,
    });
    expect((await owner.get(acct, keyId)).body.status).toBe('suspended');

    const resumed = await resume(owner, acct, keyId);
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ id: keyId, status: 'active', version: 2 });
    expect((await service.verify({ key: secret })).body).toMatchObject({ valid: true, code: 'VALID' });

    const history = await owner.history(acct, keyId);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['KeyGenerated', 'KeySuspended', 'KeyResumed']);
    expect(history.body.events[1].data).toEqual({ keyId, accountId: acct, kind: 'api', reason: 'unusual traffic' });
    expect(history.body.events[1].actor).toMatchObject({ type: 'user' });
    expect(history.text).not.toContain(secret);
  });

  it('SUSPENDED comes before IP_NOT_ALLOWED', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const gen = await owner.generate(acct, { kind: 'api', allowedIps: ['10.0.0.0/8'] });
    await suspend(owner, acct, gen.body.key.id);
    expect((await service.verify({ key: gen.body.secret, ip: '192.0.2.7' })).body.code).toBe('SUSPENDED');
  });

  it('both calls need a fresh password (step-up)', async () => {
    const { acct, owner, keyId, secret } = await apiKey();
    const stale = await Client.actor(app.url, { acct, authAge: STEP_UP_MAX_AGE_SECONDS + 60 });
    const refused = await suspend(stale, acct, keyId);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('STEP_UP_REQUIRED');
    expect(refused.headers.get('www-authenticate') ?? '').toContain('error="insufficient_user_authentication"');
    expect((await service.verify({ key: secret })).body.code).toBe('VALID');

    await suspend(owner, acct, keyId);
    const staleResume = await resume(stale, acct, keyId);
    expect(staleResume.status).toBe(401);
    expect(staleResume.body.code).toBe('STEP_UP_REQUIRED');
    expect((await service.verify({ key: secret })).body.code).toBe('SUSPENDED');
  });

  it('KEY_SUSPENDED twice, KEY_NOT_SUSPENDED for a key that is not, KEY_SUSPENDED for a regenerate', async () => {
    const { acct, owner, keyId } = await apiKey();
    const notSuspended = await resume(owner, acct, keyId);
    expect(notSuspended.status).toBe(409);
    expect(notSuspended.body.code).toBe('KEY_NOT_SUSPENDED');
    await suspend(owner, acct, keyId);
    const twice = await suspend(owner, acct, keyId);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('KEY_SUSPENDED');
    const regenerate = await owner.regenerate(acct, keyId, { oldKeyExpiresIn: 'now' });
    expect(regenerate.status).toBe(409);
    expect(regenerate.body.code).toBe('KEY_SUSPENDED');
    // Updating a suspended key is allowed and leaves it suspended.
    const renamed = await owner.update(acct, keyId, { name: 'on hold' });
    expect(renamed.body).toMatchObject({ name: 'on hold', status: 'suspended' });
  });

  it('revoking a suspended key is final: resume is KEY_REVOKED and verify REVOKED', async () => {
    const { acct, owner, keyId, secret } = await apiKey();
    await suspend(owner, acct, keyId);
    const revoked = await owner.revoke(acct, keyId);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const again = await resume(owner, acct, keyId);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('KEY_REVOKED');
    expect((await suspend(owner, acct, keyId)).body.code).toBe('KEY_REVOKED');
    expect((await service.verify({ key: secret })).body.code).toBe('REVOKED');
    const types = (await owner.history(acct, keyId)).body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(['KeyGenerated', 'KeySuspended', 'KeyRevoked']);
  });

  it('If-Match: a stale version is 409 CONCURRENT_CHANGE and nothing changes', async () => {
    const { acct, owner, keyId, secret } = await apiKey();
    await owner.update(acct, keyId, { name: 'moved on' });
    const stale = await suspend(owner, acct, keyId, undefined, { 'if-match': '"0"' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('CONCURRENT_CHANGE');
    expect((await service.verify({ key: secret })).body.code).toBe('VALID');
    const current = await suspend(owner, acct, keyId, undefined, { 'if-match': '"1"' });
    expect(current.status).toBe(200);
    expect((await resume(owner, acct, keyId, { 'if-match': '"1"' })).body.code).toBe('CONCURRENT_CHANGE');
    expect((await resume(owner, acct, keyId, { 'if-match': '"2"' })).status).toBe(200);
  });

  it('refuses a bad body with 400, never echoing it', async () => {
    const { acct, owner, keyId } = await apiKey();
    const long = await suspend(owner, acct, keyId, { reason: 'x'.repeat(201) });
    expect(long.status).toBe(400);
    expect(long.body.code).toBe('VALIDATION_FAILED');
    const unknown = await suspend(owner, acct, keyId, { reason: 'r', secretNote: 'zzz-unique-input' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).not.toContain('zzz-unique-input');
    const control = await suspend(owner, acct, keyId, { reason: 'a\u202eb' });
    expect(control.status).toBe(400);
    expect((await owner.get(acct, keyId)).body.status).toBe('active');
  });

  it('signing leaves a suspended signing key out; with nothing left it is 409 NO_SIGNING_KEY; resume brings it back', async () => {
    const { acct, owner, keyId } = await apiKey('signing');
    const other = (await owner.generate(acct, { kind: 'signing' })).body.key.id as string;
    expect((await service.sign(acct, { payload: 'x' })).body.keyIds.sort()).toEqual([keyId, other].sort());

    await suspend(owner, acct, keyId);
    const one = await service.sign(acct, { payload: 'x' });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ keyIds: [other], signatures: 1 });

    await suspend(owner, acct, other);
    const none = await service.sign(acct, { payload: 'x' });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('NO_SIGNING_KEY');

    await resume(owner, acct, keyId);
    expect((await service.sign(acct, { payload: 'x' })).body).toMatchObject({ keyIds: [keyId], signatures: 1 });
  });
});
