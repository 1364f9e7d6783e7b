/**
 * GET /v1/accounts/{a}/keys with filters and pages (docs/api.md, "Lists"): every key exactly once
 * across the pages, the filters, and malformed input as 400 problem+json that never repeats it.
 */
import { Client, startTestApp, uniqueAccount, type TestApp } from '../support';

describe('listing keys over HTTP: filters and pages', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const owner = (acct: string): Promise<Client> => Client.actor(app.url, { acct, sub: 'user_lister', roles: ['owner'] });
  const page = (client: Client, acct: string, query: string) => client.call('GET', `/v1/accounts/${acct}/keys${query}`);

  async function allPages(client: Client, acct: string, filters: string, limit: number): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res = await page(client, acct, `?limit=${limit}${filters}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.keys.length).toBeLessThanOrEqual(limit);
      pages.push(res.body.keys.map((k: { id: string }) => k.id));
      cursor = res.body.nextCursor;
    } while (cursor !== null && pages.length < 20);
    return pages;
  }

  it('pages 7 keys by 3: 3, 3, 1, every key once, oldest first, nextCursor null at the end', async () => {
    const acct = uniqueAccount();
    const client = await owner(acct);
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await client.generate(acct, { kind: 'api', name: `key ${i}` })).body.key.id);
    const pages = await allPages(client, acct, '', 3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(made);
    // Without a limit: 50 at most, and here all of them on one page.
    const first = await client.list(acct);
    expect(first.body.keys.map((k: { id: string }) => k.id)).toEqual(made);
    expect(first.body.nextCursor).toBeNull();
  });

  it('lists every key that exists throughout once, while keys are added and revoked between pages', async () => {
    const acct = uniqueAccount();
    const client = await owner(acct);
    const made: string[] = [];
    for (let i = 0; i < 6; i++) made.push((await client.generate(acct, { kind: 'api' })).body.key.id);
    const first = await page(client, acct, '?limit=2');
    await client.generate(acct, { kind: 'api' });
    expect((await client.revoke(acct, made[0])).status).toBe(200);
    expect((await client.revoke(acct, made[3])).status).toBe(200);
    const seen: string[] = first.body.keys.map((k: { id: string }) => k.id);
    let cursor: string | null = first.body.nextCursor;
    while (cursor !== null) {
      const next = await page(client, acct, `?limit=2&cursor=${cursor}`);
      seen.push(...next.body.keys.map((k: { id: string }) => k.id));
      cursor = next.body.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of made) expect(seen).toContain(id);
  });

  it('filters by status and kind, and pages within the filter', async () => {
    const acct = uniqueAccount();
    const client = await owner(acct);
    const api1 = (await client.generate(acct, { kind: 'api' })).body.key.id;
    const api2 = (await client.generate(acct, { kind: 'api' })).body.key.id;
    const sig1 = (await client.generate(acct, { kind: 'signing' })).body.key.id;
    const sig2 = (await client.generate(acct, { kind: 'signing' })).body.key.id;
    await client.revoke(acct, api2);
    await client.revoke(acct, sig1);
    // Sorted: two keys made in the same millisecond are in key-id order, not creation order.
    const ids = async (query: string): Promise<string[]> =>
      (await page(client, acct, query)).body.keys.map((k: { id: string }) => k.id).sort();
    expect(await ids('?status=revoked')).toEqual([api2, sig1].sort());
    expect(await ids('?status=active')).toEqual([api1, sig2].sort());
    expect(await ids('?kind=signing')).toEqual([sig1, sig2].sort());
    expect(await ids('?kind=api&status=active')).toEqual([api1]);
    expect(await ids('?status=expired')).toEqual([]);
    expect((await allPages(client, acct, '&kind=api', 1)).flat().sort()).toEqual([api1, api2].sort());
  });

  it.each([
    ['status', '?status=ak_live_SECRETVALUE'],
    ['kind', '?kind=ak_live_SECRETVALUE'],
    ['limit', '?limit=0'],
    ['limit', '?limit=201'],
    ['limit', '?limit=ak_live_SECRETVALUE'],
    ['status', '?status=active&status=revoked'],
    ['cursor', '?cursor=ak_live_SECRETVALUE'],
    ['cursor', `?cursor=${Buffer.from('["x"]').toString('base64url')}`],
  ])('refuses a malformed %s (%s) with 400 VALIDATION_FAILED, not repeating it', async (field, query) => {
    const acct = uniqueAccount();
    const res = await page(await owner(acct), acct, query);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    expect(res.text).not.toContain('SECRETVALUE');
  });
});
