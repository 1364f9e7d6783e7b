/**
 * Publishable keys over HTTP (README, "Publishable keys"): `pk_live_…` keys meant for browser pages,
 * shown in full in views, restricted to allowed origins and to read-only permissions, and never
 * accepted where an API key is asked for.
 */
import { Client, startTestApp, uniqueAccount, type TestApp } from '../support';

describe('publishable keys', () => {
  let app: TestApp;
  let service: Client;
  let owner: Client;
  let acct: string;

  beforeAll(async () => {
    app = await startTestApp();
    service = Client.service(app.url);
    acct = uniqueAccount();
    owner = await Client.actor(app.url, { acct });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function generated(body: Record<string, unknown> = {}) {
    const res = await owner.generate(acct, { kind: 'publishable', allowedOrigins: ['https://Shop.Example'], ...body });
    expect(res.status).toBe(201);
    return { id: res.body.key.id as string, key: res.body.secret as string, view: res.body.key };
  }

  it('is a pk_ key, shown in full in its views, with its normalised origins and the read-only permissions', async () => {
    const { id, key, view } = await generated();
    expect(key).toMatch(/^pk_live_[0-9A-Za-z]{49}$/);
    expect(view).toMatchObject({
      kind: 'publishable',
      key,
      allowedOrigins: ['https://shop.example'],
      permissions: ['checkout:read', 'payment-links:read', 'products:read', 'prices:read'],
    });
    expect((await owner.get(acct, id)).body).toMatchObject({ key, allowedOrigins: ['https://shop.example'] });
    const listed = (await owner.list(acct)).body.keys.find((k: { id: string }) => k.id === id);
    expect(listed.key).toBe(key);
    // An API key's view never carries the key.
    const api = await owner.generate(acct, { kind: 'api' });
    expect(api.body.key.key).toBeUndefined();
    expect(api.body.key.allowedOrigins).toBeUndefined();
  });

  it('verifies from an allowed origin only, and only when the caller accepts publishable keys', async () => {
    const { id, key } = await generated();
    expect((await service.verify({ key, kind: 'publishable', origin: 'https://shop.example' })).body).toMatchObject({
      valid: true,
      code: 'VALID',
      keyId: id,
      kind: 'publishable',
    });
    expect((await service.verify({ key, kind: 'publishable', origin: 'https://evil.example' })).body).toEqual({
      valid: false,
      code: 'ORIGIN_NOT_ALLOWED',
      keyId: id,
      accountId: acct,
      kind: 'publishable',
    });
    expect((await service.verify({ key, kind: 'publishable' })).body).toMatchObject({ valid: false, code: 'ORIGIN_NOT_ALLOWED' });
    // Where an API key is asked for (the default), a publishable key is not one.
    expect((await service.verify({ key, origin: 'https://shop.example' })).body).toEqual({ valid: false, code: 'NOT_FOUND' });
    // Beyond its read-only permissions.
    expect(
      (await service.verify({ key, kind: 'publishable', origin: 'https://shop.example', permissions: ['payments:write'] })).body,
    ).toMatchObject({ valid: false, code: 'INSUFFICIENT_PERMISSIONS' });
  });

  it('follows an update of its origins; the list is never emptied', async () => {
    const { id, key } = await generated();
    const updated = await owner.update(acct, id, { allowedOrigins: ['https://eu.shop.example'] });
    expect(updated.status).toBe(200);
    expect(updated.body.allowedOrigins).toEqual(['https://eu.shop.example']);
    expect((await service.verify({ key, kind: 'publishable', origin: 'https://eu.shop.example' })).body.code).toBe('VALID');
    expect((await service.verify({ key, kind: 'publishable', origin: 'https://shop.example' })).body.code).toBe('ORIGIN_NOT_ALLOWED');
    const emptied = await owner.update(acct, id, { allowedOrigins: [] });
    expect(emptied.status).toBe(400);
    expect(emptied.body.code).toBe('INVALID_ALLOWED_ORIGINS');
    const history = (await owner.history(acct, id)).body.events.map((e: { type: string }) => e.type);
    expect(history).toEqual(['KeyGenerated', 'KeyUpdated']);
  });

  it('refuses bad origins and permissions without repeating them', async () => {
    const none = await owner.generate(acct, { kind: 'publishable' });
    expect([none.status, none.body.code]).toEqual([400, 'INVALID_ALLOWED_ORIGINS']);
    const path = await owner.generate(acct, { kind: 'publishable', allowedOrigins: ['https://SENTINEL.example/checkout'] });
    expect([path.status, path.body.code]).toEqual([400, 'INVALID_ALLOWED_ORIGINS']);
    expect(JSON.stringify(path.body)).not.toContain('SENTINEL');
    const write = await owner.generate(acct, {
      kind: 'publishable',
      allowedOrigins: ['https://shop.example'],
      permissions: ['payments:write'],
    });
    expect([write.status, write.body.code]).toEqual([422, 'PERMISSIONS_NOT_APPLICABLE']);
    const onApi = await owner.generate(acct, { kind: 'api', allowedOrigins: ['https://shop.example'] });
    expect([onApi.status, onApi.body.code]).toEqual([422, 'ORIGINS_NOT_APPLICABLE']);
    const badOrigin = await service.verify({ key: 'pk_live_x', kind: 'publishable', origin: 42 });
    expect([badOrigin.status, badOrigin.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
