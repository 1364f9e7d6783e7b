/**
 * Time: an expiry is in force at its instant on verify, whether or not the scheduler has run; and
 * the scheduler then records KeyExpired in history as `system:expiry-scheduler`.
 */
import { Client, eventually, sleep, startTestApp, uniqueAccount, type TestApp } from '../support';

const isScheduler = (actor: any): boolean => actor?.type === 'system' && actor?.name === 'expiry-scheduler';

describe('expiry is in force at its instant, before any sweep', () => {
  let app: TestApp;
  beforeAll(async () => {
    // The scheduler's first sweep runs at start-up; the next one not within this test's life.
    app = await startTestApp({ EXPIRY_SWEEP_INTERVAL_MS: '3600000' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a key with an expiry 2 s ahead is VALID before and EXPIRED after, with no KeyExpired recorded', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const service = Client.service(app.url);
    const gen = await owner.generate(acct, { kind: 'api' });
    const { id } = gen.body.key;
    const secret = gen.body.secret;
    const at = new Date(Date.now() + 2000);
    expect((await owner.setExpiry(acct, id, { expiresAt: at.toISOString() })).status).toBe(200);
    expect((await service.verify({ key: secret })).body.code).toBe('VALID');
    await sleep(at.getTime() - Date.now() + 100);
    expect((await service.verify({ key: secret })).body).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
    expect((await owner.get(acct, id)).body.status).toBe('expired');
    const history = await owner.history(acct, id);
    expect(history.body.events.map((e: any) => e.type)).toEqual(['KeyGenerated', 'KeyExpirySet']);
  });

  it('a grace period ends at its instant: the old secret says EXPIRED, the new one stays VALID', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const service = Client.service(app.url);
    const gen = await owner.generate(acct, { kind: 'api' });
    const rotated = await owner.regenerate(acct, gen.body.key.id, { oldKeyExpiresIn: 'PT1S' });
    expect((await service.verify({ key: gen.body.secret })).body.code).toBe('VALID');
    await sleep(1200);
    expect((await service.verify({ key: gen.body.secret })).body.valid).toBe(false);
    expect((await service.verify({ key: rotated.body.secret })).body.code).toBe('VALID');
    expect((await owner.get(acct, gen.body.key.id)).body.previous).toBeNull();
  });

  it('when the current secret expires during a grace, the older secret stops too: for verify and for signing', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const service = Client.service(app.url);
    const api = await owner.generate(acct, { kind: 'api' });
    const apiRotated = await owner.regenerate(acct, api.body.key.id, { oldKeyExpiresIn: 'P1D' });
    const signing = await owner.generate(acct, { kind: 'signing' });
    await owner.regenerate(acct, signing.body.key.id, { oldKeyExpiresIn: 'P1D' });
    const ends = new Date(Date.now() + 1500).toISOString();
    for (const id of [api.body.key.id, signing.body.key.id]) {
      expect((await owner.setExpiry(acct, id, { expiresAt: ends })).status).toBe(200);
      // The grace shown ends with the key, not a day later.
      expect((await owner.get(acct, id)).body.previous.expiresAt).toBe(ends);
    }
    expect((await service.verify({ key: api.body.secret })).body.code).toBe('VALID');
    expect((await service.call('POST', `/v1/accounts/${acct}/signatures`, { json: { payload: 'x' } })).body.signatures).toBe(2);
    await sleep(Date.parse(ends) - Date.now() + 100);
    expect((await service.verify({ key: api.body.secret })).body.code).toBe('EXPIRED');
    expect((await service.verify({ key: apiRotated.body.secret })).body.code).toBe('EXPIRED');
    const sign = await service.call('POST', `/v1/accounts/${acct}/signatures`, { json: { payload: 'x' } });
    expect(sign.status).toBe(409);
    expect(sign.body.code).toBe('NO_SIGNING_KEY');
    expect((await owner.reveal(acct, api.body.key.id, { version: 'previous' })).status).toBe(409);
  });
});

describe('the expiry scheduler records KeyExpired', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ EXPIRY_SWEEP_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('after a regenerate with PT2S, history shows KeyExpired for the previous secret by the scheduler', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const gen = await owner.generate(acct, { kind: 'api' });
    const id = gen.body.key.id;
    const rotated = await owner.regenerate(acct, id, { oldKeyExpiresIn: 'PT2S' });
    expect(rotated.status).toBe(201);
    const previousExpiresAt = rotated.body.key.previous.expiresAt as string;
    await sleep(2000);
    const expired = await eventually(async () => {
      const history = await owner.history(acct, id);
      return (history.body.events as any[]).find((e) => e.type === 'KeyExpired');
    }, 3000);
    expect(isScheduler(expired.actor)).toBe(true);
    expect(expired.data).toMatchObject({ keyId: id, slot: 'previous', secretVersion: 1, reason: 'expired' });
    expect(Date.parse(expired.data.expiredAt)).toBe(Date.parse(previousExpiresAt));
    expect(Date.parse(expired.time)).toBeGreaterThanOrEqual(Date.parse(previousExpiresAt));
    const service = Client.service(app.url);
    expect((await service.verify({ key: gen.body.secret })).body.valid).toBe(false);
    expect((await service.verify({ key: rotated.body.secret })).body.code).toBe('VALID');
    // Recorded once, not at every sweep.
    await sleep(500);
    const history = await owner.history(acct, id);
    expect((history.body.events as any[]).filter((e) => e.type === 'KeyExpired')).toHaveLength(1);
  });

  it('a current secret that expires is recorded too, and the key shows expired', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const gen = await owner.generate(acct, { kind: 'signing' });
    const id = gen.body.key.id;
    await owner.setExpiry(acct, id, { expiresAt: new Date(Date.now() + 500).toISOString() });
    const expired = await eventually(async () => {
      const history = await owner.history(acct, id);
      return (history.body.events as any[]).find((e) => e.type === 'KeyExpired');
    }, 4000);
    expect(isScheduler(expired.actor)).toBe(true);
    expect(expired.data).toMatchObject({ slot: 'current', secretVersion: 1, reason: 'expired' });
    expect((await owner.get(acct, id)).body.status).toBe('expired');
  });
});
