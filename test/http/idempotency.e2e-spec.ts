/**
 * Idempotency-Key on generate and regenerate (README, "Idempotent requests"): a repeat answers the
 * first answer again and records nothing; another request under the key is 422; a repeat while the
 * first runs is 409; a malformed key is 400; keys belong to one account and one caller.
 */
import { randomUUID } from 'node:crypto';
import { Client, startTestApp, uniqueAccount, type HttpResponse, type TestApp } from '../support';

describe('Idempotency-Key over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const owner = (acct: string, sub = 'user_idem'): Promise<Client> => Client.actor(app.url, { acct, sub, roles: ['owner'] });
  const generate = (client: Client, acct: string, key: string, body: Record<string, unknown> = { kind: 'api', name: 'Checkout' }) =>
    client.call('POST', `/v1/accounts/${acct}/keys`, { json: body, headers: { 'idempotency-key': key } });
  const generatedEvents = async (client: Client, acct: string): Promise<number> => {
    const history = await client.call('GET', `/v1/accounts/${acct}/history`);
    return history.body.events.filter((e: { type: string }) => e.type === 'KeyGenerated').length;
  };

  it('a repeated generate answers the same key and secret, marked replayed, and makes no second key', async () => {
    const acct = uniqueAccount();
    const client = await owner(acct);
    const key = randomUUID();
    const first = await generate(client, acct, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await generate(client, acct, key, { name: 'Checkout', kind: 'api' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('cache-control')).toBe('no-store');
    expect(again.body).toEqual(first.body);
    expect(again.body.secret).toBe(first.body.secret);
    expect((await client.list(acct)).body.keys).toHaveLength(1);
    expect(await generatedEvents(client, acct)).toBe(1);
    // The replayed secret is the key's: it verifies.
    const verdict = await Client.service(app.url).verify({ key: again.body.secret });
    expect(verdict.body).toMatchObject({ valid: true, keyId: first.body.key.id });
  });

  it('the same key with another body is 422 IDEMPOTENCY_KEY_REUSED, and records nothing', async () => {
    const acct = uniqueAccount();
    const client = await owner(acct);
    const key = randomUUID();
    expect((await generate(client, acct, key)).status).toBe(201);
    const other = await generate(client, acct, key, { kind: 'api', name: 'Another' });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.contentType).toMatch(/^application\/problem\+json/);
    expect((await client.list(acct)).body.keys).toHaveLength(1);
  });

  it('two concurrent requests with one key: one 201, the other 409 IDEMPOTENCY_KEY_IN_USE or the same answer replayed', async () => {
    const acct = uniqueAccount();
    const client = await owner(acct);
    const key = randomUUID();
    const answers: HttpResponse[] = await Promise.all([generate(client, acct, key), generate(client, acct, key)]);
    const created = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null);
    expect(created).toHaveLength(1);
    const other = answers.find((a) => a !== created[0]) as HttpResponse;
    if (other.status === 409) expect(other.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    else expect(other.body).toEqual(created[0].body);
    expect((await client.list(acct)).body.keys).toHaveLength(1);
    expect(await generatedEvents(client, acct)).toBe(1);
  });

  it('keys belong to one caller: another user of the account with the same key gets a key of their own', async () => {
    const acct = uniqueAccount();
    const key = randomUUID();
    const alice = await generate(await owner(acct, 'user_alice'), acct, key);
    const bob = await generate(await owner(acct, 'user_bob'), acct, key);
    expect(bob.status).toBe(201);
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
    expect(bob.body.key.id).not.toBe(alice.body.key.id);
    expect(bob.body.secret).not.toBe(alice.body.secret);
  });

  it('a repeated regenerate rotates once and answers the same new secret', async () => {
    const acct = uniqueAccount();
    const client = await owner(acct);
    const made = (await client.generate(acct, { kind: 'api' })).body.key;
    const key = randomUUID();
    const regenerate = (body: Record<string, unknown>) =>
      client.call('POST', `/v1/accounts/${acct}/keys/${made.id}/regenerate`, { json: body, headers: { 'idempotency-key': key } });
    const first = await regenerate({ oldKeyExpiresIn: 'PT1H' });
    expect(first.status).toBe(201);
    const again = await regenerate({ oldKeyExpiresIn: 'PT1H' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.secret).toBe(first.body.secret);
    const history = await client.history(acct, made.id);
    expect(history.body.events.filter((e: { type: string }) => e.type === 'KeyRotated')).toHaveLength(1);
    expect((await regenerate({ oldKeyExpiresIn: 'now' })).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a business rejection is kept and replayed too', async () => {
    const acct = uniqueAccount();
    const client = await owner(acct);
    const made = (await client.generate(acct, { kind: 'api' })).body.key;
    expect((await client.revoke(acct, made.id)).status).toBe(200);
    const key = randomUUID();
    const regenerate = () =>
      client.call('POST', `/v1/accounts/${acct}/keys/${made.id}/regenerate`, {
        json: { oldKeyExpiresIn: 'now' },
        headers: { 'idempotency-key': key },
      });
    const first = await regenerate();
    expect(first.status).toBe(409);
    expect(first.body.code).toBe('KEY_REVOKED');
    const again = await regenerate();
    expect(again.status).toBe(409);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it.each([
    ['empty', ''],
    ['longer than 255 characters', 'k'.repeat(256)],
    ['non-printable', 'abc\tSECRETVALUE'],
  ])('refuses a key that is %s with 400 VALIDATION_FAILED, not repeating it, and records nothing', async (_name, value) => {
    const acct = uniqueAccount();
    const client = await owner(acct);
    const res = await generate(client, acct, value);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['Idempotency-Key']);
    expect(res.text).not.toContain('SECRETVALUE');
    expect((await client.list(acct)).body.keys).toHaveLength(0);
  });
});
