/**
 * Permissions, metadata and external id over HTTP (README, "Permissions and metadata"): set at
 * generate, returned by verify from the one lookup, required by verify, changed by PATCH and
 * recorded in the key's history; bad values are problems that never repeat what was sent.
 */
import type { CredentialClient, JsonBody, Schema } from '@cs/client';
import { actorToken, invalid, ok, problem, startTestApp, TEST_SECRETS, typedClient, uniqueAccount, type TestApp } from '../support';

describe('permissions, metadata and external id', () => {
  let app: TestApp;
  let service: CredentialClient;

  beforeAll(async () => {
    app = await startTestApp();
    service = typedClient(app.url, TEST_SECRETS.SERVICE_TOKEN);
  });
  afterAll(async () => {
    await app?.close();
  });

  const verify = (body: JsonBody<'verifyKey'>) => service.POST('/v1/verify', { body });
  async function owner() {
    const acct = uniqueAccount();
    const client = typedClient(app.url, await actorToken({ acct, roles: ['admin'] }));
    const generate = (body: Schema<'GenerateKeyDto'>) =>
      client.POST('/v1/accounts/{accountId}/keys', { params: { path: { accountId: acct } }, body });
    const update = (keyId: string, body: Schema<'UpdateKeyDto'>) =>
      client.PATCH('/v1/accounts/{accountId}/keys/{keyId}', { params: { path: { accountId: acct, keyId } }, body });
    const history = (keyId: string) =>
      client.GET('/v1/accounts/{accountId}/keys/{keyId}/history', { params: { path: { accountId: acct, keyId } } });
    return { acct, client, generate, update, history };
  }

  const scopes = {
    permissions: ['payments:write', 'refunds:*', 'payments:write'],
    metadata: { team: 'checkout', limits: { daily: 500 }, tags: ['eu'] },
    externalId: 'merchant-42',
  };

  it('generate records them (permissions without duplicates), key views show them, verify returns them with the webhook format', async () => {
    const o = await owner();
    const res = ok(await o.generate({ kind: 'api', webhookFormat: 'multiple', ...scopes }), 201);
    const shown = { permissions: ['payments:write', 'refunds:*'], metadata: scopes.metadata, externalId: 'merchant-42' };
    expect(res.body.key).toMatchObject(shown);
    const view = ok(
      await o.client.GET('/v1/accounts/{accountId}/keys/{keyId}', { params: { path: { accountId: o.acct, keyId: res.body.key.id } } }),
      200,
    );
    expect(view.body).toMatchObject(shown);

    const answer = ok(await verify({ key: res.body.secret, permissions: ['payments:write', 'refunds:read'] }), 200);
    expect(answer.body).toEqual({
      valid: true,
      code: 'VALID',
      keyId: res.body.key.id,
      accountId: o.acct,
      kind: 'api',
      expiresAt: null,
      ...shown,
      webhookFormat: 'multiple',
    });
  });

  it('verify answers INSUFFICIENT_PERMISSIONS for a permission the key lacks, saying what it grants', async () => {
    const o = await owner();
    const { secret, key } = ok(await o.generate({ kind: 'api', permissions: ['payments:read'] }), 201).body;
    const answer = ok(await verify({ key: secret, permissions: ['payments:read', 'payments:write'] }), 200);
    expect(answer.body).toMatchObject({ valid: false, code: 'INSUFFICIENT_PERMISSIONS', keyId: key.id, permissions: ['payments:read'] });
    // A key without permissions is unrestricted.
    const open = ok(await o.generate({ kind: 'api' }), 201).body;
    expect(ok(await verify({ key: open.secret, permissions: ['payments:write'] }), 200).body).toMatchObject({
      valid: true,
      code: 'VALID',
      permissions: [],
    });
  });

  it('an update of the permissions is what verify answers next, and the history shows the change', async () => {
    const o = await owner();
    const { secret, key } = ok(await o.generate({ kind: 'api', permissions: ['payments:*'] }), 201).body;
    expect(ok(await verify({ key: secret, permissions: ['refunds:read'] }), 200).body.code).toBe('INSUFFICIENT_PERMISSIONS');

    const updated = ok(
      await o.update(key.id, { permissions: ['refunds:read'], metadata: { team: 'refunds' }, externalId: 'merchant-7' }),
      200,
    );
    expect(updated.body).toMatchObject({ permissions: ['refunds:read'], metadata: { team: 'refunds' }, externalId: 'merchant-7' });
    expect(ok(await verify({ key: secret, permissions: ['refunds:read'] }), 200).body).toMatchObject({
      valid: true,
      permissions: ['refunds:read'],
      metadata: { team: 'refunds' },
      externalId: 'merchant-7',
    });
    expect(ok(await verify({ key: secret, permissions: ['payments:write'] }), 200).body.code).toBe('INSUFFICIENT_PERMISSIONS');

    ok(await o.update(key.id, { permissions: [], externalId: '' }), 200);
    expect(ok(await verify({ key: secret, permissions: ['payments:write'] }), 200).body).toMatchObject({ valid: true, externalId: null });

    const events = ok(await o.history(key.id), 200).body.events;
    expect(events.map((e) => e.type)).toEqual(['KeyGenerated', 'KeyUpdated', 'KeyUpdated']);
    expect(events[0].data).toMatchObject({ permissions: ['payments:*'] });
    expect(events[1].data).toMatchObject({
      changes: { permissions: ['refunds:read'], metadata: { team: 'refunds' }, externalId: 'merchant-7' },
    });
    expect(events[2].data).toMatchObject({ changes: { permissions: [], externalId: '' } });
  });

  it('refuses bad permissions, metadata and external ids with a problem that does not repeat them', async () => {
    const o = await owner();
    const cases: [Schema<'GenerateKeyDto'>, number, string][] = [
      [{ kind: 'api', permissions: ['payments:write', 'PAYMENTS:SECRETVALUE'] }, 400, 'INVALID_PERMISSIONS'],
      [{ kind: 'signing', permissions: ['payments:write'] }, 422, 'PERMISSIONS_NOT_APPLICABLE'],
      [{ kind: 'api', metadata: { stripe: 'sk_live_SECRETVALUE' } }, 422, 'SECRET_IN_METADATA'],
      [{ kind: 'api', metadata: { blob: 'SECRETVALUE'.repeat(400) } }, 400, 'INVALID_METADATA'],
      [{ kind: 'api', metadata: invalid(['SECRETVALUE']) }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'api', externalId: 'SECRETVALUE'.repeat(12) }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'api', permissions: invalid('SECRETVALUE') }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const res = problem(await o.generate(body), status);
      expect(res.body).toMatchObject({ code });
      expect(res.text).not.toContain('SECRETVALUE');
    }
    const { key } = ok(await o.generate({ kind: 'api' }), 201).body;
    const res = problem(await o.update(key.id, { metadata: { nested: { token: 'whsec_SECRETVALUE' } } }), 422);
    expect(res.body).toMatchObject({ code: 'SECRET_IN_METADATA' });
    expect(res.text).not.toContain('SECRETVALUE');
    expect(ok(await o.history(key.id), 200).body.events).toHaveLength(1);
  });

  it('verify refuses malformed required permissions with 400, without repeating them', async () => {
    const o = await owner();
    const { secret } = ok(await o.generate({ kind: 'api' }), 201).body;
    for (const permissions of [['Payments:SECRETVALUE'], 'SECRETVALUE', [7]]) {
      const res = problem(await verify({ key: secret, permissions: invalid(permissions) }), 400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'permissions' })] });
      expect(res.text).not.toContain('SECRETVALUE');
    }
  });
});
