/**
 * Optimistic concurrency over HTTP (README):
 * racing regenerates never lose a write and never leave two secrets valid after a "now".
 */
import { Client, sleep, startTestApp, uniqueAccount, type TestApp } from '../support';

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
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => owner.regenerate(acct, id, { oldKeyExpiresIn: 'now' }, { 'if-match': etag })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    for (const lost of answers.filter((a) => a.status === 409)) expect(lost.body.code).toBe('CONCURRENT_CHANGE');

    const secrets = answers.filter((a) => a.status === 201).map((a) => a.body.secret as string);
    const verdicts = await Promise.all(secrets.map(async (key) => (await service.verify({ key })).body.code));
    expect(verdicts.filter((c) => c === 'VALID')).toHaveLength(1);
    expect((await service.verify({ key: original })).body).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });

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
    // Without If-Match each regenerate reads whatever version is there: a 201, or a 409 for the one
    // whose append lost the race (CONCURRENT_CHANGE, never another refusal). At least one wins.
    for (const answer of answers) if (answer.status !== 201) expect([answer.status, answer.body.code]).toEqual([409, 'CONCURRENT_CHANGE']);
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(1);
    const secrets = answers.filter((a) => a.status === 201).map((a) => a.body.secret as string);
    const verdicts = await Promise.all(secrets.map(async (key) => (await service.verify({ key })).body.code));
    expect(verdicts.filter((c) => c === 'VALID')).toHaveLength(1);
    expect((await service.verify({ key: gen.body.secret })).body).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
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

  it('racing revoke and regenerate: whichever lands first, once both answered no secret of the key verifies and no regenerate follows the revoke', async () => {
    const service = Client.service(app.url);
    // Several rounds, so one run is likely to see more than one order; each round reads the order
    // from its key's history and asserts what must hold for it.
    for (let round = 0; round < 8; round++) {
      const acct = uniqueAccount();
      const client = await Client.actor(app.url, { acct });
      const gen = await client.generate(acct, { kind: 'api' });
      expect(gen.status).toBe(201);
      const id = gen.body.key.id as string;
      const original = gen.body.secret as string;
      // Which call is sent first alternates, and the second follows after 0-3 ms, so the rounds spread
      // over the orders; the assertions do not depend on it.
      const first = round % 2 === 0 ? 'revoke' : 'regenerate';
      const send = (call: string) =>
        call === 'revoke' ? client.revoke(acct, id) : client.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' });
      const firstCall = send(first);
      await sleep(round % 4);
      const secondCall = send(first === 'revoke' ? 'regenerate' : 'revoke');
      const [revoke, regen] =
        first === 'revoke' ? await Promise.all([firstCall, secondCall]) : (await Promise.all([firstCall, secondCall])).reverse();

      const types: string[] = (await client.history(acct, id)).body.events.map((e: any) => e.type);
      const rotatedAt = types.indexOf('KeyRotated');
      const revokedAt = types.indexOf('KeyRevoked');
      // Nothing is ever recorded after a revoke, and each call recorded at most once.
      if (revokedAt >= 0) expect(types.slice(revokedAt + 1)).toEqual([]);
      expect(types.filter((t) => t === 'KeyRotated').length).toBeLessThanOrEqual(1);

      if (rotatedAt >= 0 && revokedAt > rotatedAt) {
        // The regenerate landed first, then the revoke: both answered success, and the revoke covers
        // the secret the regenerate issued and the original one still in its grace period.
        expect(types).toEqual(['KeyGenerated', 'KeyRotated', 'KeyRevoked']);
        expect(regen.status).toBe(201);
        expect(revoke.status).toBe(200);
        expect(revoke.body.status).toBe('revoked');
        expect((await service.verify({ key: regen.body.secret })).body.code).toBe('REVOKED');
        expect((await service.verify({ key: original })).body.code).toBe('REVOKED');
      } else if (revokedAt >= 0) {
        // The revoke landed first: the regenerate was refused and issued nothing. (It is KEY_REVOKED
        // if it read the revoked stream, CONCURRENT_CHANGE if it read before the revoke and lost the
        // append: the history cannot tell those two apart, and both refuse.)
        expect(types).toEqual(['KeyGenerated', 'KeyRevoked']);
        expect(revoke.status).toBe(200);
        expect(revoke.body.status).toBe('revoked');
        expect(regen.status).toBe(409);
        expect(regen.body.secret).toBeUndefined();
        expect(['KEY_REVOKED', 'CONCURRENT_CHANGE']).toContain(regen.body.code);
        expect((await service.verify({ key: original })).body.code).toBe('REVOKED');
      } else {
        // The revoke lost the race to the regenerate (read before it, appended after): refused as a
        // concurrent change, nothing recorded. Both secrets are in force (the grace), until the revoke
        // is sent again, as a client told CONCURRENT_CHANGE would.
        expect(types).toEqual(['KeyGenerated', 'KeyRotated']);
        expect(regen.status).toBe(201);
        expect(revoke.status).toBe(409);
        expect(revoke.body.code).toBe('CONCURRENT_CHANGE');
        expect((await service.verify({ key: regen.body.secret })).body.code).toBe('VALID');
        expect((await service.verify({ key: original })).body.code).toBe('VALID');
        const again = await client.revoke(acct, id);
        expect(again.status).toBe(200);
        expect((await service.verify({ key: regen.body.secret })).body.code).toBe('REVOKED');
        expect((await service.verify({ key: original })).body.code).toBe('REVOKED');
      }

      // Whatever the order: the key is revoked, and a regenerate after the revoke is refused.
      expect((await client.get(acct, id)).body.status).toBe('revoked');
      const after = await client.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' });
      expect(after.status).toBe(409);
      expect(after.body.code).toBe('KEY_REVOKED');
      expect(after.body.secret).toBeUndefined();
      expect((await client.history(acct, id)).body.events.at(-1).type).toBe('KeyRevoked');
      expect((await service.verify({ key: original })).body.code).toBe('REVOKED');
      if (regen.status === 201) expect((await service.verify({ key: regen.body.secret })).body.code).toBe('REVOKED');
    }
  });
});
