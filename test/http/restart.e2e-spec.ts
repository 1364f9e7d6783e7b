/**
 * State survives a restart: a new process on the same DATA_DIR answers list, get, verify and
 * history exactly as the old one did (the in-process read model is rebuilt from SQLite).
 */
import { Client, startTestApp, uniqueAccount, type TestApp } from '../support';

describe('restart on the same DATA_DIR', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps keys, rotations, revocations and history', async () => {
    const acct = uniqueAccount();
    let owner = await Client.actor(app.url, { acct });
    let service = Client.service(app.url);

    const rotated = await owner.generate(acct, { kind: 'api', name: 'rotated', allowedIps: ['10.0.0.0/8'] });
    const rotatedId = rotated.body.key.id as string;
    const regen = await owner.regenerate(acct, rotatedId, { oldKeyExpiresIn: 'P1D' });
    const revoked = await owner.generate(acct, { kind: 'api', name: 'revoked' });
    await owner.revoke(acct, revoked.body.key.id);
    const signing = await owner.generate(acct, { kind: 'signing', name: 'signing' });
    await owner.regenerate(acct, signing.body.key.id, { oldKeyExpiresIn: 'now' });

    const snapshot = async () => ({
      list: (await owner.list(acct)).body,
      get: (await owner.get(acct, rotatedId)).body,
      histories: await Promise.all(
        [rotatedId, revoked.body.key.id, signing.body.key.id].map(async (id) => (await owner.history(acct, id)).body),
      ),
      verdicts: await Promise.all(
        [
          { key: rotated.body.secret, ip: '10.0.0.1' },
          { key: regen.body.secret, ip: '10.0.0.1' },
          { key: regen.body.secret, ip: '192.0.2.1' },
          { key: revoked.body.secret },
          { key: signing.body.secret, kind: 'signing' },
        ].map(async (body) => (await service.verify(body)).body),
      ),
      sign: (await service.sign(acct, { payload: 'hello' })).body.keyIds,
    });

    type Snapshot = Awaited<ReturnType<typeof snapshot>>;
    const withoutView = ({ lastUsedAt: _lastUsedAt, ...view }: any) => view;
    const withoutUsage = (taken: Snapshot) => ({ ...taken, list: { keys: taken.list.keys.map(withoutView) }, get: withoutView(taken.get) });

    const before = await snapshot();
    expect(before.verdicts.map((v: any) => v.code)).toEqual(['VALID', 'VALID', 'IP_NOT_ALLOWED', 'REVOKED', 'EXPIRED']);

    const oldUrl = app.url;
    await app.restart();
    expect(app.url).not.toBe(oldUrl);
    expect((await fetch(`${oldUrl}/health`).catch(() => null))?.ok ?? false).toBe(false);
    owner = await Client.actor(app.url, { acct });
    service = Client.service(app.url);

    const after = await snapshot();
    // Key usage moved on: the first snapshot's verifies were written when the service stopped, and the
    // usage store (DATA_DIR/usage.sqlite, or Redis) kept them. Everything else is as it was.
    expect(before.get.lastUsedAt).toBeNull();
    expect(after.get.lastUsedAt).toEqual(expect.any(String));
    expect(withoutUsage(after)).toEqual(withoutUsage(before));
    expect(after.histories[0].events.map((e: any) => e.type)).toEqual(['KeyGenerated', 'KeyRotated']);
    expect(after.histories[1].events.map((e: any) => e.type)).toEqual(['KeyGenerated', 'KeyRevoked']);
    // And it keeps working: the grace secret can still be revealed, the key rotated again.
    expect((await owner.reveal(acct, rotatedId, { version: 'previous' })).body.secret).toBe(rotated.body.secret);
    const again = await owner.regenerate(acct, rotatedId, { oldKeyExpiresIn: 'now' });
    expect(again.status).toBe(201);
    expect((await service.verify({ key: again.body.secret, ip: '10.0.0.1' })).body.code).toBe('VALID');
    expect((await service.verify({ key: regen.body.secret, ip: '10.0.0.1' })).body).toMatchObject({
      valid: false,
      code: 'EXPIRED',
      keyId: rotatedId,
    });
  });
});
