/**
 * The management API over HTTP (docs/api.md, "Routes"), call by call, as a client sees it: answers,
 * problems, and what verify says right after each change.
 */
import { Client, randomKeyId, startTestApp, uniqueAccount, type HttpResponse, type TestApp } from '../support';

const KEY_ID = /^key_[0-9A-Za-z]{24}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('key management over HTTP', () => {
  let app: TestApp;
  let service: Client;

  beforeAll(async () => {
    app = await startTestApp();
    service = Client.service(app.url);
  });
  afterAll(async () => {
    await app?.close();
  });

  const owner = (acct: string, sub = 'user_owner'): Promise<Client> => Client.actor(app.url, { acct, sub, roles: ['owner'] });
  const verify = async (key: string, ip?: string): Promise<Record<string, any>> => {
    const res = await service.verify(ip === undefined ? { key } : { key, ip });
    expect(res.status).toBe(200);
    return res.body;
  };
  const fieldsOf = (res: HttpResponse): string[] => ((res.body.errors ?? []) as Array<{ field: string }>).map((e) => e.field);

  async function newKey(body: Record<string, unknown> = { kind: 'api' }) {
    const acct = uniqueAccount();
    const client = await owner(acct);
    const res = await client.generate(acct, body);
    expect(res.status).toBe(201);
    return { acct, client, id: res.body.key.id as string, secret: res.body.secret as string, key: res.body.key };
  }

  describe('generate', () => {
    it('returns 201 with the KeyView and the secret once, marked no-store, and the key verifies', async () => {
      const acct = uniqueAccount();
      const client = await owner(acct, 'user_gen');
      const res = await client.generate(acct, { kind: 'api', name: 'Checkout widget' });
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const { key, secret } = res.body;
      expect(secret).toMatch(/^ak_live_[0-9A-Za-z]{49}$/);
      expect(key).toMatchObject({
        kind: 'api',
        name: 'Checkout widget',
        status: 'active',
        createdBy: 'user_gen',
        expiresAt: null,
        previous: null,
        allowedIps: [],
        webhookFormat: 'single',
      });
      expect(key.id).toMatch(KEY_ID);
      expect(key.createdAt).toMatch(ISO);
      expect(typeof key.version).toBe('number');
      expect(secret.startsWith(key.start)).toBe(true);
      expect(key.start.length).toBeLessThan(secret.length / 2);
      expect(JSON.stringify(key)).not.toContain(secret);
      expect(await verify(secret)).toMatchObject({ valid: true, code: 'VALID', keyId: key.id, accountId: acct, kind: 'api' });
    });

    it('names keys by kind when no name is given', async () => {
      const { key } = await newKey({ kind: 'api' });
      expect(key.name).toBe('API key');
      const { key: signing } = await newKey({ kind: 'signing' });
      expect(signing.name).toBe('Signing key');
    });

    it('generates signing keys with a sig_ prefix and the chosen webhook format', async () => {
      const { key, secret } = await newKey({ kind: 'signing', webhookFormat: 'multiple' });
      expect(secret).toMatch(/^sig_live_[0-9A-Za-z]{49}$/);
      expect(key).toMatchObject({ kind: 'signing', webhookFormat: 'multiple', status: 'active' });
    });

    it('canonicalises allowedIps (trimmed, IPv4-mapped to IPv4, IPv6 compressed, duplicates dropped)', async () => {
      const { key } = await newKey({
        kind: 'api',
        allowedIps: [' 203.0.113.7 ', '10.0.0.0/8', '2001:0db8:0000:0000::/32', '::ffff:198.51.100.1', '203.0.113.7'],
      });
      expect(key.allowedIps).toEqual(['203.0.113.7', '10.0.0.0/8', '2001:db8::/32', '198.51.100.1']);
    });

    it('refuses bad allowedIps with a message naming the entry by its index, never repeating it', async () => {
      const acct = uniqueAccount();
      const client = await owner(acct);
      const res = await client.generate(acct, { kind: 'api', allowedIps: ['10.0.0.1/8'] });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/10\.0\.0\.0\/8/);
      const bad = await client.generate(acct, { kind: 'api', allowedIps: ['not-an-ip'] });
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toMatch(/entry 0: not a valid/);
      expect(bad.text).not.toContain('not-an-ip');
      expect((await client.list(acct)).body.keys).toEqual([]);
    });

    it('refuses an unknown kind, webhook format, empty name with field errors', async () => {
      const acct = uniqueAccount();
      const client = await owner(acct);
      for (const [body, field] of [
        [{ kind: 'ssh' }, 'kind'],
        [{}, 'kind'],
        [{ kind: 'api', webhookFormat: 'xml' }, 'webhookFormat'],
        [{ kind: 'api', name: '' }, 'name'],
        [{ kind: 'api', name: 'x'.repeat(101) }, 'name'],
      ] as const) {
        const res = await client.generate(acct, body);
        expect(res.status).toBe(400);
        expect(fieldsOf(res)).toContain(field);
      }
    });
  });

  describe('list and get', () => {
    it("list shows only the actor's own account, never a secret", async () => {
      const a = uniqueAccount();
      const b = uniqueAccount();
      const ca = await owner(a);
      const cb = await owner(b);
      const a1 = await ca.generate(a, { kind: 'api', name: 'a1' });
      const a2 = await ca.generate(a, { kind: 'signing', name: 'a2' });
      const b1 = await cb.generate(b, { kind: 'api', name: 'b1' });
      const list = await ca.list(a);
      expect(list.status).toBe(200);
      expect(list.body.keys.map((k: any) => k.id).sort()).toEqual([a1.body.key.id, a2.body.key.id].sort());
      for (const secret of [a1.body.secret, a2.body.secret, b1.body.secret]) expect(list.text).not.toContain(secret);
      const listB = await cb.list(b);
      expect(listB.body.keys.map((k: any) => k.id)).toEqual([b1.body.key.id]);
      // The other account's list is not reachable with this token.
      expect((await ca.list(b)).status).toBe(404);
    });

    it('an account with no keys lists []', async () => {
      const acct = uniqueAccount();
      const res = await (await owner(acct)).list(acct);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ keys: [] });
    });

    it('get returns the KeyView without the secret; an unknown id is 404', async () => {
      const { acct, client, id, secret, key } = await newKey({ kind: 'api', name: 'get me' });
      const res = await client.get(acct, id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, name: 'get me', start: key.start, status: 'active', version: key.version });
      expect(res.text).not.toContain(secret);
      const missing = await client.get(acct, randomKeyId());
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('KEY_NOT_FOUND');
    });
  });

  describe('regenerate', () => {
    it('with "now": the old secret is not valid at once, the new one is', async () => {
      const { acct, client, id, secret: old } = await newKey();
      const res = await client.regenerate(acct, id, { oldKeyExpiresIn: 'now' });
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const fresh = res.body.secret as string;
      expect(fresh).not.toBe(old);
      expect(res.body.key).toMatchObject({ id, status: 'active', previous: null });
      expect(fresh.startsWith(res.body.key.start)).toBe(true);
      // Recorded expired by the regenerate itself (KeyExpired, slot previous): EXPIRED, never NOT_FOUND.
      expect(await verify(old)).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
      expect(await verify(fresh)).toMatchObject({ valid: true, code: 'VALID', keyId: id });
    });

    it('with "PT1H": both secrets are valid and previous shows the old start and its expiry', async () => {
      const { acct, client, id, secret: old, key } = await newKey();
      const before = Date.now();
      const res = await client.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' });
      expect(res.status).toBe(201);
      const view = res.body.key;
      expect(view.previous.start).toBe(key.start);
      const expiresAt = Date.parse(view.previous.expiresAt);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
      expect(await verify(old)).toMatchObject({ valid: true, code: 'VALID', keyId: id });
      expect(await verify(res.body.secret)).toMatchObject({ valid: true, code: 'VALID', keyId: id });
      const got = await client.get(acct, id);
      expect(got.body.previous).toEqual(view.previous);
      expect(got.body.expiresAt).toBeNull();
    });

    it('with oldKeyExpiresAt: the old secret expires at that time', async () => {
      const { acct, client, id, secret: old } = await newKey();
      const at = new Date(Date.now() + 2 * 86400_000);
      at.setUTCMilliseconds(0);
      const res = await client.regenerate(acct, id, { oldKeyExpiresAt: at.toISOString().replace('.000Z', 'Z') });
      expect(res.status).toBe(201);
      expect(Date.parse(res.body.key.previous.expiresAt)).toBe(at.getTime());
      expect((await verify(old)).code).toBe('VALID');
      // A past time ends the old secret now.
      const again = await client.regenerate(acct, id, { oldKeyExpiresAt: '2020-01-01T00:00:00+02:00' });
      expect(again.status).toBe(201);
      expect(again.body.key.previous).toBeNull();
      expect(await verify(res.body.secret)).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
      expect((await verify(again.body.secret)).code).toBe('VALID');
    });

    it('regenerating during a grace ends the older grace at once: at most two secrets valid', async () => {
      const { acct, client, id, secret: first } = await newKey();
      const second = (await client.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' })).body.secret as string;
      const res = await client.regenerate(acct, id, { oldKeyExpiresIn: 'P1D' });
      expect(res.status).toBe(201);
      const third = res.body.secret as string;
      expect(await verify(first)).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
      expect((await verify(second)).code).toBe('VALID');
      expect((await verify(third)).code).toBe('VALID');
      expect(res.body.key.previous.start).toBe(second.slice(0, res.body.key.previous.start.length));
      const history = await client.history(acct, id);
      const superseded = history.body.events.filter((e: any) => e.type === 'KeyExpired');
      expect(superseded).toHaveLength(1);
      expect(superseded[0].data).toMatchObject({ slot: 'previous', secretVersion: 1, reason: 'superseded' });
    });

    it.each([
      [{ oldKeyExpiresIn: 'soon' }, 'oldKeyExpiresIn'],
      [{ oldKeyExpiresIn: 'P1Y' }, 'oldKeyExpiresIn'],
      [{ oldKeyExpiresIn: 'P2M' }, 'oldKeyExpiresIn'],
      [{ oldKeyExpiresIn: 'P400D' }, 'oldKeyExpiresIn'],
      [{ oldKeyExpiresIn: 3600 }, 'oldKeyExpiresIn'],
      [{ oldKeyExpiresIn: 'PT1H', oldKeyExpiresAt: '2030-01-01T00:00:00Z' }, 'oldKeyExpiresIn'],
      [{}, 'oldKeyExpiresIn'],
      [{ oldKeyExpiresAt: '2030-01-01' }, 'oldKeyExpiresAt'],
      [{ oldKeyExpiresAt: '2030-01-01T00:00:00' }, 'oldKeyExpiresAt'],
      [{ oldKeyExpiresIn: 'now', extra: 1 }, '(unknown)'],
    ])('refuses %j with 400 and a field error on %s, changing nothing', async (body, field) => {
      const { acct, client, id, secret, key } = await newKey();
      const res = await client.regenerate(acct, id, body);
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toContain(field);
      expect((await client.get(acct, id)).body.version).toBe(key.version);
      expect((await verify(secret)).code).toBe('VALID');
    });

    it('an unknown key is 404', async () => {
      const acct = uniqueAccount();
      const res = await (await owner(acct)).regenerate(acct, randomKeyId(), { oldKeyExpiresIn: 'now' });
      expect(res.status).toBe(404);
    });
  });

  describe('set expiry', () => {
    it('a future expiry keeps the key valid and shows in the view; null removes it', async () => {
      const { acct, client, id, secret } = await newKey();
      const at = new Date(Date.now() + 3 * 86400_000).toISOString();
      const res = await client.setExpiry(acct, id, { expiresAt: at });
      expect(res.status).toBe(200);
      expect(Date.parse(res.body.expiresAt)).toBe(Date.parse(at));
      expect(await verify(secret)).toMatchObject({ code: 'VALID' });
      expect(Date.parse((await verify(secret)).expiresAt)).toBe(Date.parse(at));
      const cleared = await client.setExpiry(acct, id, { expiresAt: null });
      expect(cleared.status).toBe(200);
      expect(cleared.body.expiresAt).toBeNull();
      expect((await verify(secret)).code).toBe('VALID');
    });

    it('a past expiry ends the key at once: verify says EXPIRED, the view says expired', async () => {
      const { acct, client, id, secret } = await newKey();
      const res = await client.setExpiry(acct, id, { expiresAt: '2001-01-01T00:00:00Z' });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('expired');
      expect(await verify(secret)).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
      // An expired key cannot be brought back.
      const revive = await client.setExpiry(acct, id, { expiresAt: null });
      expect(revive.status).toBe(409);
    });

    it('sets the previous secret’s expiry during a grace; in the past it ends the grace at once', async () => {
      const { acct, client, id, secret: old } = await newKey();
      const fresh = (await client.regenerate(acct, id, { oldKeyExpiresIn: 'P1D' })).body.secret as string;
      const at = new Date(Date.now() + 3600_000).toISOString();
      const res = await client.setExpiry(acct, id, { expiresAt: at, version: 'previous' });
      expect(res.status).toBe(200);
      expect(Date.parse(res.body.previous.expiresAt)).toBe(Date.parse(at));
      expect(res.body.expiresAt).toBeNull();
      expect((await verify(old)).code).toBe('VALID');
      const end = await client.setExpiry(acct, id, { expiresAt: new Date(Date.now() - 1000).toISOString(), version: 'previous' });
      expect(end.status).toBe(200);
      expect(end.body.previous).toBeNull();
      expect(await verify(old)).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
      expect((await verify(fresh)).code).toBe('VALID');
    });

    it('previous without a grace period is 409; previous with null is 400', async () => {
      const { acct, client, id } = await newKey();
      const none = await client.setExpiry(acct, id, { expiresAt: '2030-01-01T00:00:00Z', version: 'previous' });
      expect(none.status).toBe(409);
      expect(none.body.code).toBe('NO_PREVIOUS_SECRET');
      await client.regenerate(acct, id, { oldKeyExpiresIn: 'now' });
      const afterNow = await client.setExpiry(acct, id, { expiresAt: '2030-01-01T00:00:00Z', version: 'previous' });
      expect(afterNow.status).toBe(409);
      await client.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' });
      const nullPrevious = await client.setExpiry(acct, id, { expiresAt: null, version: 'previous' });
      expect(nullPrevious.status).toBe(400);
    });

    it.each([
      [{}, 'expiresAt'],
      [{ expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ expiresAt: 12 }, 'expiresAt'],
      [{ expiresAt: '2030-01-01T00:00:00' }, 'expiresAt'],
      [{ expiresAt: null, version: 'older' }, 'version'],
      [{ expiresAt: null, foo: true }, '(unknown)'],
    ])('refuses %j with 400 naming %s', async (body, field) => {
      const { acct, client, id } = await newKey();
      const res = await client.setExpiry(acct, id, body);
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toContain(field);
    });
  });

  describe('reveal', () => {
    it('returns the same secret as generated, no-store, and records KeyRevealed in history', async () => {
      const { acct, client, id, secret } = await newKey({ kind: 'signing' });
      const res = await client.reveal(acct, id);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toEqual({ secret });
      const history = await client.history(acct, id);
      const revealed = history.body.events.filter((e: any) => e.type === 'KeyRevealed');
      expect(revealed).toHaveLength(1);
      expect(revealed[0].actor).toMatchObject({ type: 'user', sub: 'user_owner', acct });
      expect(revealed[0].data).toMatchObject({ slot: 'current', secretVersion: 1 });
      expect(history.text).not.toContain(secret);
    });

    it('reveals the previous secret during a grace, and refuses it without one (409)', async () => {
      const { acct, client, id, secret: old } = await newKey();
      expect((await client.reveal(acct, id, { version: 'previous' })).status).toBe(409);
      const fresh = (await client.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' })).body.secret;
      expect((await client.reveal(acct, id, { version: 'previous' })).body).toEqual({ secret: old });
      expect((await client.reveal(acct, id)).body).toEqual({ secret: fresh });
      const bad = await client.reveal(acct, id, { version: 'oldest' });
      expect(bad.status).toBe(400);
    });

    it('an unknown key is 404 and records nothing', async () => {
      const acct = uniqueAccount();
      const res = await (await owner(acct)).reveal(acct, randomKeyId());
      expect(res.status).toBe(404);
    });
  });

  describe('update', () => {
    it('changes name, allowedIps and webhookFormat; the IP restriction is in force on verify at once', async () => {
      const { acct, client, id, secret } = await newKey({ kind: 'api' });
      expect((await verify(secret, '192.0.2.1')).code).toBe('VALID');
      const res = await client.update(acct, id, { name: 'renamed', allowedIps: ['198.51.100.0/24'], webhookFormat: 'multiple' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'renamed', allowedIps: ['198.51.100.0/24'], webhookFormat: 'multiple' });
      expect((await verify(secret, '192.0.2.1')).code).toBe('IP_NOT_ALLOWED');
      expect((await verify(secret, '198.51.100.77')).code).toBe('VALID');
      expect((await verify(secret)).code).toBe('IP_NOT_ALLOWED');
      // An empty list lifts the restriction.
      const lifted = await client.update(acct, id, { allowedIps: [] });
      expect(lifted.body.allowedIps).toEqual([]);
      expect((await verify(secret, '192.0.2.1')).code).toBe('VALID');
      expect((await verify(secret)).code).toBe('VALID');
      const history = await client.history(acct, id);
      expect(history.body.events.filter((e: any) => e.type === 'KeyUpdated')).toHaveLength(2);
    });

    it('an empty body is 400; bad IPs are 400 with a message; unknown fields and wrong types are 400', async () => {
      const { acct, client, id } = await newKey();
      const empty = await client.update(acct, id, {});
      expect(empty.status).toBe(400);
      expect(empty.body.detail).toBe('give at least one of name, allowedIps, webhookFormat');
      const ips = await client.update(acct, id, { allowedIps: ['300.1.1.1'] });
      expect(ips.status).toBe(400);
      expect(ips.body.detail).toMatch(/entry 0: /);
      expect(ips.text).not.toContain('300.1.1.1');
      expect(ips.body.detail).toMatch(/not a valid/);
      const typed = await client.update(acct, id, { allowedIps: '10.0.0.1' });
      expect(typed.status).toBe(400);
      expect(fieldsOf(typed)).toContain('allowedIps');
      const unknown = await client.update(acct, id, { kind: 'signing' });
      expect(unknown.status).toBe(400);
      expect(fieldsOf(unknown)).toContain('kind');
      expect((await client.get(acct, id)).body.allowedIps).toEqual([]);
    });

    it('works on an unknown id with 404', async () => {
      const acct = uniqueAccount();
      expect((await (await owner(acct)).update(acct, randomKeyId(), { name: 'x' })).status).toBe(404);
    });
  });

  describe('revoke', () => {
    it('verify says REVOKED when the DELETE returns; revoking again and regenerating are 409', async () => {
      const { acct, client, id, secret } = await newKey();
      const res = await client.revoke(acct, id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, status: 'revoked' });
      expect(await verify(secret)).toMatchObject({ valid: false, code: 'REVOKED', keyId: id });
      const again = await client.revoke(acct, id);
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('KEY_REVOKED');
      const regen = await client.regenerate(acct, id, { oldKeyExpiresIn: 'now' });
      expect(regen.status).toBe(409);
      expect((await client.reveal(acct, id)).status).toBe(409);
      expect((await client.setExpiry(acct, id, { expiresAt: null })).status).toBe(409);
      expect((await client.get(acct, id)).body.status).toBe('revoked');
      expect((await client.list(acct)).body.keys[0].status).toBe('revoked');
    });

    it('revoking during a grace ends both secrets', async () => {
      const { acct, client, id, secret: old } = await newKey();
      const fresh = (await client.regenerate(acct, id, { oldKeyExpiresIn: 'P1D' })).body.secret;
      expect((await client.revoke(acct, id)).status).toBe(200);
      expect((await verify(old)).code).toBe('REVOKED');
      expect((await verify(fresh)).code).toBe('REVOKED');
    });

    it('an unknown key is 404', async () => {
      const acct = uniqueAccount();
      expect((await (await owner(acct)).revoke(acct, randomKeyId())).status).toBe(404);
    });
  });

  describe('history', () => {
    it('lists every event in order with type, time, actor and data, never a secret or hash', async () => {
      const acct = uniqueAccount();
      const alice = await Client.actor(app.url, { acct, sub: 'alice', roles: ['owner'] });
      const bob = await Client.actor(app.url, { acct, sub: 'bob', roles: ['developer'] });
      const gen = await alice.generate(acct, { kind: 'signing', name: 'hooks' });
      const id = gen.body.key.id;
      const secrets = [gen.body.secret];
      secrets.push((await bob.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' })).body.secret);
      await alice.reveal(acct, id);
      await bob.update(acct, id, { name: 'webhooks' });
      await alice.setExpiry(acct, id, { expiresAt: new Date(Date.now() + 86400_000).toISOString() });
      await bob.revoke(acct, id);

      const auditor = await Client.actor(app.url, { acct, sub: 'carol', roles: ['auditor'] });
      const res = await auditor.history(acct, id);
      expect(res.status).toBe(200);
      const events = res.body.events as any[];
      expect(events.map((e) => e.type)).toEqual(['KeyGenerated', 'KeyRotated', 'KeyRevealed', 'KeyUpdated', 'KeyExpirySet', 'KeyRevoked']);
      expect(events.map((e) => e.actor.sub)).toEqual(['alice', 'bob', 'alice', 'bob', 'alice', 'bob']);
      expect(events.every((e) => e.actor.type === 'user' && e.actor.acct === acct)).toBe(true);
      const times = events.map((e) => Date.parse(e.time));
      expect(times.every((t) => Number.isFinite(t))).toBe(true);
      expect([...times].sort((x, y) => x - y)).toEqual(times);
      expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(events[0].data).toMatchObject({ keyId: id, accountId: acct, kind: 'signing', name: 'hooks' });
      expect(events[1].data.previousExpiresAt).toMatch(ISO);
      expect(events[3].data.changes).toEqual({ name: 'webhooks' });
      for (const secret of secrets) expect(res.text).not.toContain(secret);
      expect(res.text).not.toMatch(/"hash"|"sealed"|"ciphertext"/);
      expect(res.text).not.toMatch(/[0-9a-f]{64}/);
    });

    it('an unknown key is 404', async () => {
      const acct = uniqueAccount();
      expect((await (await owner(acct)).history(acct, randomKeyId())).status).toBe(404);
    });
  });
});
