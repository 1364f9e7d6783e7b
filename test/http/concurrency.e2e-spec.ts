/**
 * Optimistic concurrency over HTTP (API.md, "Errors": a concurrent change to the same key is 409):
 * racing regenerates never lose a write and never leave two secrets valid after a "now".
 */
import { Client, startTestApp, uniqueAccount, type TestApp } from '../support';

describe('concurrent changes to one key', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('six concurrent regenerates with "now" on the same version (If-Match): one 201, five 409, exactly one returned secret valid', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const service = Client.service(app.url);
    const gen = await owner.generate(acct, { kind: 'api' });
    const id = gen.body.key.id as string;
    const original = gen.body.secret as string;

    const etag = (await owner.get(acct, id)).headers.get('etag') as string;
    expect(etag).toBe(`"${gen.body.key.version}"`);
    const answers = await Promise.all(Array.from({ length: 6 }, () => owner.regenerate(acct, id, { oldKeyExpiresIn: 'now' }, { 'if-match': etag })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    for (const lost of answers.filter((a) => a.status === 409)) expect(lost.body.code).toBe('CONCURRENT_CHANGE');

    const secrets = answers.filter((a) => a.status === 201).map((a) => a.body.secret as string);
    const verdicts = await Promise.all(secrets.map(async (key) => (await service.verify({ key })).body.code));
    expect(verdicts.filter((c) => c === 'VALID')).toHaveLength(1);
    expect((await service.verify({ key: original })).body.valid).toBe(false);

    const history = await owner.history(acct, id);
    expect(history.body.events.filter((e: any) => e.type === 'KeyRotated')).toHaveLength(1);
    const view = await owner.get(acct, id);
    expect(view.body.previous).toBeNull();
    expect(secrets[0].startsWith(view.body.start)).toBe(true);
  });

  it('six concurrent regenerates with "now" lose no write and leave exactly one returned secret valid', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const service = Client.service(app.url);
    const gen = await owner.generate(acct, { kind: 'api' });
    const id = gen.body.key.id as string;
    const answers = await Promise.all(Array.from({ length: 6 }, () => owner.regenerate(acct, id, { oldKeyExpiresIn: 'now' })));
    for (const answer of answers) expect([201, 409]).toContain(answer.status);
    const secrets = answers.filter((a) => a.status === 201).map((a) => a.body.secret as string);
    const verdicts = await Promise.all(secrets.map(async (key) => (await service.verify({ key })).body.code));
    expect(verdicts.filter((c) => c === 'VALID')).toHaveLength(1);
    expect((await service.verify({ key: gen.body.secret })).body.valid).toBe(false);
    // Every 201 is one recorded rotation: nothing was lost or doubled.
    const history = await owner.history(acct, id);
    expect(history.body.events.filter((e: any) => e.type === 'KeyRotated')).toHaveLength(secrets.length);
  });

  it('a change against a stale version is 409 and changes nothing; a malformed If-Match is 400', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const gen = await owner.generate(acct, { kind: 'api' });
    const id = gen.body.key.id as string;
    expect((await owner.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' }, { 'if-match': '"0"' })).status).toBe(201);
    const stale = await owner.regenerate(acct, id, { oldKeyExpiresIn: 'now' }, { 'if-match': '"0"' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('CONCURRENT_CHANGE');
    expect((await owner.get(acct, id)).body.previous).not.toBeNull();
    expect((await owner.regenerate(acct, id, { oldKeyExpiresIn: 'now' }, { 'if-match': 'yesterday' })).status).toBe(400);
  });

  it('racing revoke and regenerate: whatever wins, no secret of a revoked key verifies', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const service = Client.service(app.url);
    const gen = await owner.generate(acct, { kind: 'api' });
    const id = gen.body.key.id as string;
    const [revoke, regen] = await Promise.all([owner.revoke(acct, id), owner.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' })]);
    expect([200, 409]).toContain(revoke.status);
    expect([201, 409]).toContain(regen.status);
    const final = await owner.get(acct, id);
    if (final.body.status === 'revoked') {
      expect((await service.verify({ key: gen.body.secret })).body.code).toBe('REVOKED');
      if (regen.status === 201) expect((await service.verify({ key: regen.body.secret })).body.code).toBe('REVOKED');
    }
  });
});
