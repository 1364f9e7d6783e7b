/**
 * The account history read model over HTTP (README, "Account history"): cursor pages in three orders,
 * each filter, bad inputs as 400s that do not echo the value, paging newest first while events are
 * appended, and the NDJSON and CSV exports.
 */
import { Client, startTestApp, uniqueAccount, type HttpResponse, type TestApp } from '../support';

type Entry = { id: string; keyId: string; type: string; time: string; actor: { type: string; sub?: string; name?: string } };

describe('account history (read model) over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  /** An account with two keys and 7 events: a generated, b generated, a updated, a revealed… */
  async function account() {
    const acct = uniqueAccount('hist');
    const owner = await Client.actor(app.url, { acct, roles: ['owner'], sub: 'alice' });
    const other = await Client.actor(app.url, { acct, roles: ['admin'], sub: 'bob' });
    const a = (await owner.generate(acct, { kind: 'api', name: 'a' })).body.key.id as string;
    const b = (await other.generate(acct, { kind: 'api', name: 'b' })).body.key.id as string;
    await owner.update(acct, a, { name: 'a2' });
    await other.update(acct, b, { name: 'b2' });
    await owner.regenerate(acct, a, { oldKeyExpiresIn: 'now' });
    await other.revoke(acct, b);
    const auditor = await Client.actor(app.url, { acct, roles: ['auditor'] });
    const get = (query = '', headers: Record<string, string> = {}) =>
      auditor.call('GET', `/v1/accounts/${acct}/history${query}`, { headers });
    return { acct, owner, a, b, auditor, get };
  }
  const rows = (res: HttpResponse) => (res.body.events as Entry[]).map((e) => [e.keyId, e.type]);

  /** Follows nextCursor from `query` to the end; every page at most `limit`. */
  async function everyPage(get: (q: string) => Promise<HttpResponse>, query: string, limit: number): Promise<Entry[]> {
    const seen: Entry[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const res: HttpResponse = await get(`?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.events.length).toBeLessThanOrEqual(limit);
      seen.push(...res.body.events);
      cursor = res.body.nextCursor;
      if (cursor === null) return seen;
    }
    throw new Error('paging did not end');
  }

  it('pages with a cursor in each order; the default (latest) is the answer before paging existed', async () => {
    const { a, b, get } = await account();
    const all = [
      [a, 'KeyGenerated'],
      [b, 'KeyGenerated'],
      [a, 'KeyUpdated'],
      [b, 'KeyUpdated'],
      [a, 'KeyRotated'],
      [a, 'KeyExpired'],
      [b, 'KeyRevoked'],
    ];
    const whole = await get();
    expect(rows(whole)).toEqual(all);
    expect(whole.body.nextCursor).toBeNull();
    expect(whole.headers.get('history-caught-up')).toBe('true');
    expect(whole.headers.get('history-position')).toMatch(/^\d+$/);

    const latest = await get('?limit=3');
    expect(rows(latest)).toEqual(all.slice(4));
    const back = await get(`?limit=3&cursor=${latest.body.nextCursor}`);
    expect(rows(back)).toEqual(all.slice(1, 4));
    const first = await get(`?limit=3&cursor=${back.body.nextCursor}`);
    expect([rows(first), first.body.nextCursor]).toEqual([all.slice(0, 1), null]);

    const oldest = await everyPage(get, 'order=oldest', 2);
    expect(oldest.map((e) => [e.keyId, e.type])).toEqual(all);
    const newest = await everyPage(get, 'order=newest', 2);
    expect(newest.map((e) => [e.keyId, e.type])).toEqual([...all].reverse());
  });

  it('filters by type (one or several), key, actor and time window', async () => {
    const { a, b, get } = await account();
    expect(rows(await get('?type=KeyUpdated'))).toEqual([
      [a, 'KeyUpdated'],
      [b, 'KeyUpdated'],
    ]);
    expect(rows(await get('?type=KeyRevoked,KeyExpired'))).toEqual([
      [a, 'KeyExpired'],
      [b, 'KeyRevoked'],
    ]);
    expect(rows(await get(`?keyId=${b}`))).toEqual([
      [b, 'KeyGenerated'],
      [b, 'KeyUpdated'],
      [b, 'KeyRevoked'],
    ]);
    const bob = await get('?actor=bob');
    expect(rows(bob)).toEqual(rows(await get('?actor=user:bob')));
    expect((bob.body.events as Entry[]).every((e) => e.actor.sub === 'bob')).toBe(true);
    expect(bob.body.events).toHaveLength(3);
    expect((await get('?actor=system:expiry-scheduler')).body.events).toEqual([]);
    // The time window: from the third event's time (inclusive) to the fifth's (exclusive).
    const times = ((await get()).body.events as Entry[]).map((e) => e.time);
    const windowed = await get(`?from=${encodeURIComponent(times[2])}&to=${encodeURIComponent(times[4])}&order=oldest`);
    expect((windowed.body.events as Entry[]).every((e) => e.time >= times[2] && e.time < times[4])).toBe(true);
    expect(windowed.body.events.length).toBeGreaterThanOrEqual(1);
    expect((await get(`?to=${encodeURIComponent(times[0])}`)).body.events).toEqual([]);
    // Filters page too: a cursor of a filtered query goes on with the same filter.
    const paged = await everyPage((q) => get(q), `keyId=${a}&order=newest`, 1);
    expect(paged.map((e) => e.type)).toEqual(['KeyExpired', 'KeyRotated', 'KeyUpdated', 'KeyGenerated']);
  });

  it('paging newest first while events are appended neither skips nor repeats one', async () => {
    const { acct, owner, a, get } = await account();
    const before = ((await get('?order=oldest')).body.events as Entry[]).map((e) => e.id);
    const seen: string[] = [];
    let page = await get('?order=newest&limit=2');
    seen.push(...(page.body.events as Entry[]).map((e) => e.id));
    while (page.body.nextCursor) {
      await owner.update(acct, a, { name: `n${seen.length}` }); // a new event on top, each page
      page = await get(`?order=newest&limit=2&cursor=${page.body.nextCursor}`);
      seen.push(...(page.body.events as Entry[]).map((e) => e.id));
    }
    expect(seen).toEqual([...before].reverse());
  });

  it('refuses every bad input with a 400 problem naming the field, never echoing the value', async () => {
    const { a, get, acct } = await account();
    const cursor = (await get('?limit=1')).body.nextCursor as string;
    const cases: [string, string][] = [
      ['?limit=0', 'limit'],
      ['?limit=10001', 'limit'],
      ['?limit=abc%3Cscript%3E', 'limit'],
      ['?order=sideways%3Cx%3E', 'order'],
      ['?type=KeyHacked%3Cx%3E', 'type'],
      ['?type=', 'type'],
      ['?keyId=not-a-key%3Cx%3E', 'keyId'],
      ['?actor=%01evil', 'actor'],
      ['?from=yesterday%3Cx%3E', 'from'],
      ['?to=2026-13-01T00:00:00Z', 'to'],
      ['?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'to'],
      ['?cursor=%3Cscript%3E', 'cursor'],
      ['?cursor=eyJ2IjoyfQ', 'cursor'],
      [`?cursor=${cursor}&type=KeyRevoked`, 'cursor'],
      [`?cursor=${cursor}&order=oldest`, 'cursor'],
      [`?cursor=${cursor}&keyId=${a}`, 'cursor'],
      ['?format=xml%3Cx%3E', 'format'],
      ['?limit=1&limit=2', 'limit'],
    ];
    for (const [query, field] of cases) {
      const res = await get(query);
      expect([query, res.status, res.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
      expect(res.contentType).toContain('application/problem+json');
      expect([query, res.body.errors[0].field]).toEqual([query, field]);
      for (const echoed of ['<script>', '<x>', 'sideways', 'KeyHacked', 'yesterday', 'evil', 'xml'])
        expect([query, res.text.includes(echoed)]).toEqual([query, false]);
    }
    // Another account's cursor is not this one's.
    const stranger = uniqueAccount('hist');
    const other = await Client.actor(app.url, { acct: stranger, roles: ['auditor'] });
    const res = await other.call('GET', `/v1/accounts/${stranger}/history?limit=1&cursor=${cursor}`);
    expect([res.status, res.body.errors[0].field]).toEqual([400, 'cursor']);
    expect(acct).not.toBe(stranger);
  });

  it('exports NDJSON (format or Accept): every stored event with its metadata, an attachment, no secret', async () => {
    const { acct, a, b, get, owner } = await account();
    const secret = (await owner.regenerate(acct, a, { oldKeyExpiresIn: 'now' })).body.secret as string;
    for (const res of [await get('?format=ndjson'), await get('', { accept: 'application/x-ndjson' })]) {
      expect(res.status).toBe(200);
      expect(res.contentType).toBe('application/x-ndjson');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="history-${acct}.ndjson"`);
      expect(res.headers.get('history-caught-up')).toBe('true');
      expect(res.text.endsWith('\n')).toBe(true);
      const lines = res.text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines.map((l) => l.type)).toEqual([
        'KeyGenerated',
        'KeyGenerated',
        'KeyUpdated',
        'KeyUpdated',
        'KeyRotated',
        'KeyExpired',
        'KeyRevoked',
        'KeyRotated',
        'KeyExpired',
      ]);
      const first = lines[0];
      expect(Object.keys(first)).toEqual([
        'position',
        'streamId',
        'revision',
        'id',
        'type',
        'data',
        'secretDigest',
        'metadata',
        'recordedAt',
        'keyId',
      ]);
      // The digest that stands for the secret's hash and sealed copy in the hash chain, not either of them.
      expect(first.secretDigest).toMatch(/^[0-9a-f]{64}$/);
      expect(first).toMatchObject({ streamId: `key-${a}`, revision: 0, keyId: a, data: { keyId: a, accountId: acct, name: 'a' } });
      expect(first.position).toMatch(/^\d+$/);
      expect(first.metadata).toMatchObject({ actor: { type: 'user', sub: 'alice' }, schemaVersion: 1 });
      expect(typeof first.metadata.occurredAt).toBe('string');
      expect(first.data.secret).toEqual({ version: 1, start: expect.any(String) });
      expect(lines.map((l) => BigInt(l.position))).toEqual([...lines.map((l) => BigInt(l.position))].sort((x, y) => (x < y ? -1 : 1)));
      expect(res.text).not.toContain(secret);
      expect(res.text).not.toMatch(/"hash"|"sealed"|ciphertext/);
      expect(lines.some((l) => l.keyId === b)).toBe(true);
    }
    // The same filters and order as pages; `limit` caps an export.
    const revoked = await get('?format=ndjson&type=KeyRevoked');
    expect(
      revoked.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).keyId),
    ).toEqual([b]);
    const newest2 = await get('?format=ndjson&order=newest&limit=2');
    expect(
      newest2.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    ).toEqual(['KeyExpired', 'KeyRotated']);
    expect((await get('?format=ndjson&order=latest')).status).toBe(400);
  });

  it('exports CSV: RFC 4180 quoting, a header row, data and metadata as JSON text that reads back whole', async () => {
    const { acct, a, get, owner } = await account();
    // A name with a quote and a comma in it (and a formula: inside the JSON cell, which starts with `{`).
    await owner.update(acct, a, { name: '=HYPERLINK("x",1)' });
    const res = await get('?keyId=' + a, { accept: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="history-${acct}.csv"`);
    const lines = res.text.split('\r\n');
    expect(lines[0]).toBe('position,streamId,revision,id,type,data,secretDigest,metadata,recordedAt,keyId');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(1 + 5 + 1);
    const updated = lines[5];
    // The data cell is JSON text, quoted (it has commas and quotes), quotes doubled.
    expect(updated).toContain(',KeyUpdated,"{""keyId"":""' + a + '""');
    expect(updated).toContain('""name"":""=HYPERLINK(\\""x\\"",1)""');
    expect(updated.endsWith(`,${a}`)).toBe(true);
    const cells = parseCsv(res.text);
    expect(cells[5][4]).toBe('KeyUpdated');
    expect(JSON.parse(cells[5][5])).toMatchObject({ keyId: a, changes: { name: '=HYPERLINK("x",1)' } });
    // No secret material in an update: its secretDigest cell is empty; a generate's has the digest.
    expect(cells[5][6]).toBe('');
    expect(cells[1][4]).toBe('KeyGenerated');
    expect(cells[1][6]).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(cells[5][7])).toMatchObject({ actor: { sub: 'alice' } });
    expect(cells.slice(1).every((row) => row.length === 10)).toBe(true);
  });

  it('a role without history is refused (403); another account’s auditor learns nothing (404)', async () => {
    const { acct } = await account();
    const viewer = await Client.actor(app.url, { acct, roles: ['viewer'] });
    expect((await viewer.call('GET', `/v1/accounts/${acct}/history?format=ndjson`)).status).toBe(403);
    const stranger = await Client.actor(app.url, { acct: uniqueAccount(), roles: ['auditor'] });
    const refused = await stranger.call('GET', `/v1/accounts/${acct}/history?format=csv`);
    expect([refused.status, refused.contentType]).toEqual([404, expect.stringContaining('application/problem+json')]);
  });
});

describe('account history when its read model fails', () => {
  it('answers 503 HISTORY_UNAVAILABLE with Retry-After (pages and exports), never a 500, while keys still work', async () => {
    const app = await startTestApp();
    try {
      const acct = uniqueAccount('hist');
      const owner = await Client.actor(app.url, { acct, roles: ['owner'] });
      const made = await owner.generate(acct, { kind: 'api' });
      expect((await owner.call('GET', `/v1/accounts/${acct}/history`)).status).toBe(200);
      await app.service.infra.history.close(); // its store gone: every read of it fails
      for (const query of ['', '?format=ndjson', '?format=csv&order=newest']) {
        const res = await owner.call('GET', `/v1/accounts/${acct}/history${query}`, { allowServerError: true });
        expect([query, res.status, res.body.code]).toEqual([query, 503, 'HISTORY_UNAVAILABLE']);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(res.contentType).toContain('application/problem+json');
      }
      expect((await owner.get(acct, made.body.key.id)).status).toBe(200);
      expect((await owner.history(acct, made.body.key.id)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

/** A small RFC 4180 reader for the test: quoted cells, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let cell = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return records;
}
