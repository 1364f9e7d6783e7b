/**
 * The account as it was at an instant (README, "Audit"): GET /v1/accounts/{a}/keys?at=<instant>
 * replays each key's events up to then through the same projection as validity-at, so an auditor
 * sees the list as it was: keys made later left out, the statuses, expiries, IPs and names of then.
 */
import { Client, startTestApp, uniqueAccount, type TestApp } from '../support';

describe('the keys of an account at an instant (HTTP)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** An instant strictly between what was done before and what is done after it. */
  const instant = async (): Promise<string> => {
    await sleep(15);
    const at = new Date().toISOString();
    await sleep(15);
    return at;
  };
  const listAt = (client: Client, acct: string, query: string) => client.call('GET', `/v1/accounts/${acct}/keys?${query}`);
  type View = { id: string; status: string; allowedIps: string[]; name: string | null; previous: unknown; lastUsedAt?: unknown };
  const ids = (keys: View[]) => keys.map((k) => k.id);

  it('answers the list as it was: before the first key, after it, and after later changes', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct, roles: ['owner'] });
    const before = await instant();
    const first = (await owner.generate(acct, { kind: 'api', name: 'first', allowedIps: ['10.0.0.0/8'] })).body.key as View;
    const afterFirst = await instant();
    expect((await owner.update(acct, first.id, { name: 'renamed', allowedIps: ['192.168.0.0/16'] })).status).toBe(200);
    expect((await owner.regenerate(acct, first.id, { oldKeyExpiresIn: 'PT1H' })).status).toBe(201);
    const second = (await owner.generate(acct, { kind: 'signing' })).body.key as View;
    expect((await owner.revoke(acct, second.id)).status).toBe(200);
    const afterAll_ = await instant();

    const empty = await listAt(owner, acct, `at=${before}`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ keys: [], nextCursor: null });

    const then = await listAt(owner, acct, `at=${encodeURIComponent(afterFirst)}`);
    expect(ids(then.body.keys)).toEqual([first.id]);
    expect(then.body.keys[0]).toMatchObject({ name: 'first', status: 'active', allowedIps: ['10.0.0.0/8'], version: 0, previous: null });
    expect(then.body.keys[0]).not.toHaveProperty('lastUsedAt');

    // Up to now, the replay gives what the live list shows (which adds lastUsedAt).
    const live = (await owner.list(acct)).body.keys as View[];
    const replayed = (await listAt(owner, acct, `at=${afterAll_}`)).body.keys as View[];
    expect(replayed).toEqual(live.map(({ lastUsedAt: _lastUsed, ...view }) => view));
    expect(replayed.map((k) => [k.id, k.status, k.name])).toEqual([
      [first.id, 'active', 'renamed'],
      [second.id, 'revoked', 'Signing key'],
    ]);
    expect(replayed[0].previous).toEqual(expect.objectContaining({ expiresAt: expect.any(String) }));
  });

  it('filters and pages at an instant like the live list', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct, roles: ['owner'] });
    const made = [];
    for (let n = 0; n < 3; n++) made.push(((await owner.generate(acct, { kind: 'api' })).body.key as View).id);
    await owner.revoke(acct, made[1]);
    const at = await instant();
    await owner.revoke(acct, made[0]);

    const active = await listAt(owner, acct, `at=${at}&status=active`);
    expect(ids(active.body.keys)).toEqual([made[0], made[2]]);
    const first = await listAt(owner, acct, `at=${at}&limit=2`);
    expect(ids(first.body.keys)).toEqual(made.slice(0, 2));
    const rest = await listAt(owner, acct, `at=${at}&limit=2&cursor=${first.body.nextCursor as string}`);
    expect(ids(rest.body.keys)).toEqual([made[2]]);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('an auditor may list the keys at an instant (a read of history), not the live list (403)', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct, roles: ['owner'] });
    const made = ((await owner.generate(acct, { kind: 'api' })).body.key as View).id;
    const at = await instant();
    const auditor = await Client.actor(app.url, { acct, roles: ['auditor'] });
    const then = await listAt(auditor, acct, `at=${at}`);
    expect(then.status).toBe(200);
    expect(ids(then.body.keys)).toEqual([made]);
    expect((await auditor.list(acct)).status).toBe(403);
    expect((await listAt(auditor, acct, 'at=')).status).toBe(403);
    const viewer = await Client.actor(app.url, { acct, roles: ['viewer'] });
    expect((await listAt(viewer, acct, `at=${at}`)).status).toBe(403);
    const stranger = await Client.actor(app.url, { acct: uniqueAccount(), roles: ['auditor'] });
    expect((await listAt(stranger, acct, `at=${at}`)).status).toBe(404);
  });

  it.each([
    ['not an instant', 'at=ak_live_NOTANINSTANT', 'must be an ISO-8601 date-time'],
    ['an instant without a time zone', 'at=2026-01-01T00:00:00', 'must be an ISO-8601 date-time'],
    ['an instant in the future', `at=${new Date(Date.now() + 3_600_000).toISOString()}`, 'must not be in the future'],
  ])('refuses %s: 400 VALIDATION_FAILED naming `at`, never the value', async (_what, query, message) => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct, roles: ['owner'] });
    const refused = await listAt(owner, acct, query);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'at', message: expect.stringContaining(message) }] });
    expect(refused.text).not.toContain(decodeURIComponent(query.slice(3)));
  });
});
