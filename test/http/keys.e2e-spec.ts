/**
 * The management API over HTTP (docs/api.md, "Routes"), call by call, as a client sees it: answers,
 * problems, and what verify says right after each change. Written with the typed client generated
 * from docs/openapi.json (@cs/client), so a change of the contract breaks this suite at compile time.
 */
import type { CredentialClient, Schema } from '@cs/client';
import {
  actorToken,
  invalid,
  ok,
  problem,
  randomKeyId,
  startTestApp,
  TEST_SECRETS,
  typedClient,
  uniqueAccount,
  type Answer,
  type TestApp,
} from '../support';

const KEY_ID = /^key_[0-9A-Za-z]{24}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

type Problem = Schema<'Problem'>;
type HistoryEntry = Schema<'HistoryEntryAnswer'>;

/** The key routes of one actor, through the typed client. */
function keysApi(client: CredentialClient) {
  const on = (accountId: string, keyId: string) => ({ params: { path: { accountId, keyId } } });
  return {
    generate: (accountId: string, body: Schema<'GenerateKeyDto'>) =>
      client.POST('/v1/accounts/{accountId}/keys', { params: { path: { accountId } }, body }),
    list: (accountId: string) => client.GET('/v1/accounts/{accountId}/keys', { params: { path: { accountId } } }),
    get: (accountId: string, keyId: string) => client.GET('/v1/accounts/{accountId}/keys/{keyId}', on(accountId, keyId)),
    regenerate: (accountId: string, keyId: string, body: Schema<'RegenerateKeyDto'>) =>
      client.POST('/v1/accounts/{accountId}/keys/{keyId}/regenerate', { ...on(accountId, keyId), body }),
    setExpiry: (accountId: string, keyId: string, body: Schema<'SetExpiryDto'>) =>
      client.POST('/v1/accounts/{accountId}/keys/{keyId}/expiry', { ...on(accountId, keyId), body }),
    reveal: (accountId: string, keyId: string, body?: Schema<'RevealKeyDto'>) =>
      client.POST('/v1/accounts/{accountId}/keys/{keyId}/reveal', { ...on(accountId, keyId), ...(body ? { body } : {}) }),
    update: (accountId: string, keyId: string, body: Schema<'UpdateKeyDto'>) =>
      client.PATCH('/v1/accounts/{accountId}/keys/{keyId}', { ...on(accountId, keyId), body }),
    revoke: (accountId: string, keyId: string) => client.DELETE('/v1/accounts/{accountId}/keys/{keyId}', on(accountId, keyId)),
    history: (accountId: string, keyId: string) => client.GET('/v1/accounts/{accountId}/keys/{keyId}/history', on(accountId, keyId)),
  };
}
type KeysApi = ReturnType<typeof keysApi>;

describe('key management over HTTP', () => {
  let app: TestApp;
  let service: CredentialClient;

  beforeAll(async () => {
    app = await startTestApp();
    service = typedClient(app.url, TEST_SECRETS.SERVICE_TOKEN);
  });
  afterAll(async () => {
    await app?.close();
  });

  const actor = async (acct: string, sub: string, roles: string[]): Promise<KeysApi> =>
    keysApi(typedClient(app.url, await actorToken({ acct, sub, roles })));
  const owner = (acct: string, sub = 'user_owner'): Promise<KeysApi> => actor(acct, sub, ['owner']);
  const verify = async (key: string, ip?: string): Promise<Schema<'VerifyAnswer'>> =>
    ok(await service.POST('/v1/verify', { body: ip === undefined ? { key } : { key, ip } }), 200).body;
  const fieldsOf = (res: Answer<Problem>): string[] => (res.body.errors ?? []).map((e) => e.field);
  const subOf = (event: HistoryEntry): string => (event.actor.type === 'user' ? event.actor.sub : event.actor.name);

  async function newKey(body: Schema<'GenerateKeyDto'> = { kind: 'api' }) {
    const acct = uniqueAccount();
    const client = await owner(acct);
    const res = ok(await client.generate(acct, body), 201);
    return { acct, client, id: res.body.key.id, secret: res.body.secret, key: res.body.key };
  }

  describe('generate', () => {
    it('returns 201 with the KeyView and the secret once, marked no-store, and the key verifies', async () => {
      const acct = uniqueAccount();
      const client = await owner(acct, 'user_gen');
      const res = ok(await client.generate(acct, { kind: 'api', name: 'Checkout widget' }), 201);
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
      const res = problem(await client.generate(acct, { kind: 'api', allowedIps: ['10.0.0.1/8'] }), 400);
      expect(res.body.detail).toMatch(/10\.0\.0\.0\/8/);
      const bad = problem(await client.generate(acct, { kind: 'api', allowedIps: ['not-an-ip'] }), 400);
      expect(bad.body.detail).toMatch(/entry 0: not a valid/);
      expect(bad.text).not.toContain('not-an-ip');
      expect(ok(await client.list(acct), 200).body.keys).toEqual([]);
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
        const res = problem(await client.generate(acct, invalid(body)), 400);
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
      const a1 = ok(await ca.generate(a, { kind: 'api', name: 'a1' }), 201);
      const a2 = ok(await ca.generate(a, { kind: 'signing', name: 'a2' }), 201);
      const b1 = ok(await cb.generate(b, { kind: 'api', name: 'b1' }), 201);
      const list = ok(await ca.list(a), 200);
      expect(list.body.keys.map((k) => k.id).sort()).toEqual([a1.body.key.id, a2.body.key.id].sort());
      for (const secret of [a1.body.secret, a2.body.secret, b1.body.secret]) expect(list.text).not.toContain(secret);
      const listB = ok(await cb.list(b), 200);
      expect(listB.body.keys.map((k) => k.id)).toEqual([b1.body.key.id]);
      // The other account's list is not reachable with this token.
      problem(await ca.list(b), 404);
    });

    it('an account with no keys lists []', async () => {
      const acct = uniqueAccount();
      const res = ok(await (await owner(acct)).list(acct), 200);
      expect(res.body).toEqual({ keys: [], nextCursor: null });
    });

    it('get returns the KeyView without the secret and its version as ETag; an unknown id is 404', async () => {
      const { acct, client, id, secret, key } = await newKey({ kind: 'api', name: 'get me' });
      const res = ok(await client.get(acct, id), 200);
      expect(res.body).toMatchObject({ id, name: 'get me', start: key.start, status: 'active', version: key.version });
      expect(res.headers.get('etag')).toBe(`"${key.version}"`);
      expect(res.text).not.toContain(secret);
      const missing = problem(await client.get(acct, randomKeyId()), 404);
      expect(missing.body.code).toBe('KEY_NOT_FOUND');
    });
  });

  describe('regenerate', () => {
    it('with "now": the old secret is not valid at once, the new one is', async () => {
      const { acct, client, id, secret: old } = await newKey();
      const res = ok(await client.regenerate(acct, id, { oldKeyExpiresIn: 'now' }), 201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const fresh = res.body.secret;
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
      const res = ok(await client.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' }), 201);
      const view = res.body.key;
      expect(view.previous?.start).toBe(key.start);
      const expiresAt = Date.parse(view.previous?.expiresAt ?? '');
      expect(expiresAt).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
      expect(await verify(old)).toMatchObject({ valid: true, code: 'VALID', keyId: id });
      expect(await verify(res.body.secret)).toMatchObject({ valid: true, code: 'VALID', keyId: id });
      const got = ok(await client.get(acct, id), 200);
      expect(got.body.previous).toEqual(view.previous);
      expect(got.body.expiresAt).toBeNull();
    });

    it('with oldKeyExpiresAt: the old secret expires at that time', async () => {
      const { acct, client, id, secret: old } = await newKey();
      const at = new Date(Date.now() + 2 * 86400_000);
      at.setUTCMilliseconds(0);
      const res = ok(await client.regenerate(acct, id, { oldKeyExpiresAt: at.toISOString().replace('.000Z', 'Z') }), 201);
      expect(Date.parse(res.body.key.previous?.expiresAt ?? '')).toBe(at.getTime());
      expect((await verify(old)).code).toBe('VALID');
      // A past time ends the old secret now.
      const again = ok(await client.regenerate(acct, id, { oldKeyExpiresAt: '2020-01-01T00:00:00+02:00' }), 201);
      expect(again.body.key.previous).toBeNull();
      expect(await verify(res.body.secret)).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
      expect((await verify(again.body.secret)).code).toBe('VALID');
    });

    it('regenerating during a grace ends the older grace at once: at most two secrets valid', async () => {
      const { acct, client, id, secret: first } = await newKey();
      const second = ok(await client.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' }), 201).body.secret;
      const res = ok(await client.regenerate(acct, id, { oldKeyExpiresIn: 'P1D' }), 201);
      const third = res.body.secret;
      expect(await verify(first)).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
      expect((await verify(second)).code).toBe('VALID');
      expect((await verify(third)).code).toBe('VALID');
      const previousStart = res.body.key.previous?.start ?? '';
      expect(previousStart).toBe(second.slice(0, previousStart.length));
      const history = ok(await client.history(acct, id), 200);
      const superseded = history.body.events.filter((e) => e.type === 'KeyExpired');
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
      const res = problem(await client.regenerate(acct, id, invalid(body)), 400);
      expect(fieldsOf(res)).toContain(field);
      expect(ok(await client.get(acct, id), 200).body.version).toBe(key.version);
      expect((await verify(secret)).code).toBe('VALID');
    });

    it('an unknown key is 404', async () => {
      const acct = uniqueAccount();
      problem(await (await owner(acct)).regenerate(acct, randomKeyId(), { oldKeyExpiresIn: 'now' }), 404);
    });
  });

  describe('set expiry', () => {
    it('a future expiry keeps the key valid and shows in the view; null removes it', async () => {
      const { acct, client, id, secret } = await newKey();
      const at = new Date(Date.now() + 3 * 86400_000).toISOString();
      const res = ok(await client.setExpiry(acct, id, { expiresAt: at }), 200);
      expect(Date.parse(res.body.expiresAt ?? '')).toBe(Date.parse(at));
      expect(await verify(secret)).toMatchObject({ code: 'VALID' });
      expect(Date.parse((await verify(secret)).expiresAt ?? '')).toBe(Date.parse(at));
      const cleared = ok(await client.setExpiry(acct, id, { expiresAt: null }), 200);
      expect(cleared.body.expiresAt).toBeNull();
      expect((await verify(secret)).code).toBe('VALID');
    });

    it('a past expiry ends the key at once: verify says EXPIRED, the view says expired', async () => {
      const { acct, client, id, secret } = await newKey();
      const res = ok(await client.setExpiry(acct, id, { expiresAt: '2001-01-01T00:00:00Z' }), 200);
      expect(res.body.status).toBe('expired');
      expect(await verify(secret)).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
      // An expired key cannot be brought back.
      problem(await client.setExpiry(acct, id, { expiresAt: null }), 409);
    });

    it('sets the previous secret’s expiry during a grace; in the past it ends the grace at once', async () => {
      const { acct, client, id, secret: old } = await newKey();
      const fresh = ok(await client.regenerate(acct, id, { oldKeyExpiresIn: 'P1D' }), 201).body.secret;
      const at = new Date(Date.now() + 3600_000).toISOString();
      const res = ok(await client.setExpiry(acct, id, { expiresAt: at, version: 'previous' }), 200);
      expect(Date.parse(res.body.previous?.expiresAt ?? '')).toBe(Date.parse(at));
      expect(res.body.expiresAt).toBeNull();
      expect((await verify(old)).code).toBe('VALID');
      const end = ok(await client.setExpiry(acct, id, { expiresAt: new Date(Date.now() - 1000).toISOString(), version: 'previous' }), 200);
      expect(end.body.previous).toBeNull();
      expect(await verify(old)).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
      expect((await verify(fresh)).code).toBe('VALID');
    });

    it('previous without a grace period is 409; previous with null is 400', async () => {
      const { acct, client, id } = await newKey();
      const none = problem(await client.setExpiry(acct, id, { expiresAt: '2030-01-01T00:00:00Z', version: 'previous' }), 409);
      expect(none.body.code).toBe('NO_PREVIOUS_SECRET');
      await client.regenerate(acct, id, { oldKeyExpiresIn: 'now' });
      problem(await client.setExpiry(acct, id, { expiresAt: '2030-01-01T00:00:00Z', version: 'previous' }), 409);
      await client.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' });
      problem(await client.setExpiry(acct, id, { expiresAt: null, version: 'previous' }), 400);
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
      const res = problem(await client.setExpiry(acct, id, invalid(body)), 400);
      expect(fieldsOf(res)).toContain(field);
    });
  });

  describe('reveal', () => {
    it('returns the same secret as generated, no-store, and records KeyRevealed in history', async () => {
      const { acct, client, id, secret } = await newKey({ kind: 'signing' });
      const res = ok(await client.reveal(acct, id), 200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toEqual({ secret });
      const history = ok(await client.history(acct, id), 200);
      const revealed = history.body.events.filter((e) => e.type === 'KeyRevealed');
      expect(revealed).toHaveLength(1);
      expect(revealed[0].actor).toMatchObject({ type: 'user', sub: 'user_owner', acct });
      expect(revealed[0].data).toMatchObject({ slot: 'current', secretVersion: 1 });
      expect(history.text).not.toContain(secret);
    });

    it('reveals the previous secret during a grace, and refuses it without one (409)', async () => {
      const { acct, client, id, secret: old } = await newKey();
      problem(await client.reveal(acct, id, { version: 'previous' }), 409);
      const fresh = ok(await client.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' }), 201).body.secret;
      expect(ok(await client.reveal(acct, id, { version: 'previous' }), 200).body).toEqual({ secret: old });
      expect(ok(await client.reveal(acct, id), 200).body).toEqual({ secret: fresh });
      problem(await client.reveal(acct, id, invalid({ version: 'oldest' })), 400);
    });

    it('an unknown key is 404 and records nothing', async () => {
      const acct = uniqueAccount();
      problem(await (await owner(acct)).reveal(acct, randomKeyId()), 404);
    });
  });

  describe('update', () => {
    it('changes name, allowedIps and webhookFormat; the IP restriction is in force on verify at once', async () => {
      const { acct, client, id, secret } = await newKey({ kind: 'api' });
      expect((await verify(secret, '192.0.2.1')).code).toBe('VALID');
      const res = ok(await client.update(acct, id, { name: 'renamed', allowedIps: ['198.51.100.0/24'], webhookFormat: 'multiple' }), 200);
      expect(res.body).toMatchObject({ name: 'renamed', allowedIps: ['198.51.100.0/24'], webhookFormat: 'multiple' });
      expect((await verify(secret, '192.0.2.1')).code).toBe('IP_NOT_ALLOWED');
      expect((await verify(secret, '198.51.100.77')).code).toBe('VALID');
      expect((await verify(secret)).code).toBe('IP_NOT_ALLOWED');
      // An empty list lifts the restriction.
      const lifted = ok(await client.update(acct, id, { allowedIps: [] }), 200);
      expect(lifted.body.allowedIps).toEqual([]);
      expect((await verify(secret, '192.0.2.1')).code).toBe('VALID');
      expect((await verify(secret)).code).toBe('VALID');
      const history = ok(await client.history(acct, id), 200);
      expect(history.body.events.filter((e) => e.type === 'KeyUpdated')).toHaveLength(2);
    });

    it('an empty body is 400; bad IPs are 400 with a message; unknown fields and wrong types are 400', async () => {
      const { acct, client, id } = await newKey();
      const empty = problem(await client.update(acct, id, {}), 400);
      expect(empty.body.detail).toBe(
        'give at least one of name, allowedIps, webhookFormat, permissions, metadata, externalId, allowedOrigins',
      );
      const ips = problem(await client.update(acct, id, { allowedIps: ['300.1.1.1'] }), 400);
      expect(ips.body.detail).toMatch(/entry 0: /);
      expect(ips.text).not.toContain('300.1.1.1');
      expect(ips.body.detail).toMatch(/not a valid/);
      const typed = problem(await client.update(acct, id, invalid({ allowedIps: '10.0.0.1' })), 400);
      expect(fieldsOf(typed)).toContain('allowedIps');
      const unknown = problem(await client.update(acct, id, invalid({ kind: 'signing' })), 400);
      expect(fieldsOf(unknown)).toContain('kind');
      expect(ok(await client.get(acct, id), 200).body.allowedIps).toEqual([]);
    });

    it('works on an unknown id with 404', async () => {
      const acct = uniqueAccount();
      problem(await (await owner(acct)).update(acct, randomKeyId(), { name: 'x' }), 404);
    });
  });

  describe('revoke', () => {
    it('verify says REVOKED when the DELETE returns; revoking again and regenerating are 409', async () => {
      const { acct, client, id, secret } = await newKey();
      const res = ok(await client.revoke(acct, id), 200);
      expect(res.body).toMatchObject({ id, status: 'revoked' });
      expect(await verify(secret)).toMatchObject({ valid: false, code: 'REVOKED', keyId: id });
      const again = problem(await client.revoke(acct, id), 409);
      expect(again.body.code).toBe('KEY_REVOKED');
      problem(await client.regenerate(acct, id, { oldKeyExpiresIn: 'now' }), 409);
      problem(await client.reveal(acct, id), 409);
      problem(await client.setExpiry(acct, id, { expiresAt: null }), 409);
      expect(ok(await client.get(acct, id), 200).body.status).toBe('revoked');
      expect(ok(await client.list(acct), 200).body.keys[0].status).toBe('revoked');
    });

    it('revoking during a grace ends both secrets', async () => {
      const { acct, client, id, secret: old } = await newKey();
      const fresh = ok(await client.regenerate(acct, id, { oldKeyExpiresIn: 'P1D' }), 201).body.secret;
      ok(await client.revoke(acct, id), 200);
      expect((await verify(old)).code).toBe('REVOKED');
      expect((await verify(fresh)).code).toBe('REVOKED');
    });

    it('an unknown key is 404', async () => {
      const acct = uniqueAccount();
      problem(await (await owner(acct)).revoke(acct, randomKeyId()), 404);
    });
  });

  describe('history', () => {
    it('lists every event in order with type, time, actor and data, never a secret or hash', async () => {
      const acct = uniqueAccount();
      const alice = await actor(acct, 'alice', ['owner']);
      const bob = await actor(acct, 'bob', ['developer']);
      const gen = ok(await alice.generate(acct, { kind: 'signing', name: 'hooks' }), 201);
      const id = gen.body.key.id;
      const secrets = [gen.body.secret];
      secrets.push(ok(await bob.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' }), 201).body.secret);
      await alice.reveal(acct, id);
      await bob.update(acct, id, { name: 'webhooks' });
      await alice.setExpiry(acct, id, { expiresAt: new Date(Date.now() + 86400_000).toISOString() });
      await bob.revoke(acct, id);

      const auditor = await actor(acct, 'carol', ['auditor']);
      const res = ok(await auditor.history(acct, id), 200);
      const events = res.body.events;
      expect(events.map((e) => e.type)).toEqual(['KeyGenerated', 'KeyRotated', 'KeyRevealed', 'KeyUpdated', 'KeyExpirySet', 'KeyRevoked']);
      expect(events.map(subOf)).toEqual(['alice', 'bob', 'alice', 'bob', 'alice', 'bob']);
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
      problem(await (await owner(acct)).history(acct, randomKeyId()), 404);
    });
  });
});
