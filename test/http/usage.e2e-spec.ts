/**
 * Key usage over HTTP (README, "Key usage"): verify counts per key and UTC day, valid and refused by
 * code, written by the background flusher (flushed here through the app's infrastructure instead of
 * waiting USAGE_FLUSH_MS); lastUsedAt in key views; the per-day usage of a key; the unused-keys report.
 */
import { randomBytes } from 'node:crypto';
import type { CredentialClient, Schema } from '@cs/client';
import { formatKey } from '@cs/domain';
import { DAY_MS, emptyRefused, epochDay, type UsageStore } from '@cs/validity';
import {
  actorToken,
  bearer,
  ok,
  problem,
  randomKeyId,
  request,
  startTestApp,
  TEST_SECRETS,
  typedClient,
  uniqueAccount,
  type TestApp,
} from '../support';

const today = (): string => new Date().toISOString().slice(0, 10);

/** A call expected to answer 503 USAGE_UNAVAILABLE with Retry-After (the typed client refuses every 5xx). */
async function expectUsageUnavailable(url: string, path: string, token: string): Promise<void> {
  const res = await request(url, 'GET', path, { headers: bearer(token), allowServerError: true });
  expect({ status: res.status, code: (res.body as { code?: string }).code }).toEqual({ status: 503, code: 'USAGE_UNAVAILABLE' });
  expect(res.headers.get('retry-after')).toBe('5');
}

describe('key usage (HTTP)', () => {
  let app: TestApp;
  let service: CredentialClient;

  beforeAll(async () => {
    // A flush interval no test waits for: each test flushes when it needs the counts written.
    app = await startTestApp({ USAGE_FLUSH_MS: '600000' });
    service = typedClient(app.url, TEST_SECRETS.SERVICE_TOKEN);
  });
  afterAll(async () => {
    await app?.close();
  });

  const usage = () => {
    const keyUsage = app.service.infra.usage;
    if (!keyUsage) throw new Error('usage is on by default');
    return keyUsage;
  };
  const flush = async (): Promise<void> => {
    expect(await usage().flusher.flush()).toBe(true);
  };

  async function account() {
    const acct = uniqueAccount();
    const token = await actorToken({ acct, roles: ['developer'] });
    const client = typedClient(app.url, token);
    const path = { accountId: acct };
    const api = {
      generate: async (body: Schema<'GenerateKeyDto'>) =>
        ok(await client.POST('/v1/accounts/{accountId}/keys', { params: { path }, body }), 201).body,
      get: (keyId: string) => client.GET('/v1/accounts/{accountId}/keys/{keyId}', { params: { path: { ...path, keyId } } }),
      list: () => client.GET('/v1/accounts/{accountId}/keys', { params: { path } }),
      usage: (keyId: string, query: { from?: string; to?: string } = {}) =>
        client.GET('/v1/accounts/{accountId}/keys/{keyId}/usage', { params: { path: { ...path, keyId }, query } }),
      unused: (unusedForDays?: number) =>
        client.GET('/v1/accounts/{accountId}/usage', { params: { path, query: unusedForDays === undefined ? {} : { unusedForDays } } }),
    };
    return { acct, token, api };
  }

  const verify = async (key: string, ip?: string) =>
    ok(await service.POST('/v1/verify', { body: { key, ...(ip ? { ip } : {}) } }), 200).body;

  it('counts valid and refused verifies per key and day, and shows lastUsedAt once flushed', async () => {
    const { api } = await account();
    const used = await api.generate({ kind: 'api', allowedIps: ['10.0.0.0/8'] });
    const unused = await api.generate({ kind: 'api' });
    const before = Date.now();
    for (let i = 0; i < 3; i++) expect((await verify(used.secret, '10.1.2.3')).code).toBe('VALID');
    for (let i = 0; i < 2; i++) expect((await verify(used.secret, '192.0.2.1')).code).toBe('IP_NOT_ALLOWED');
    expect((await verify(formatKey('api', 'live', randomBytes(32)))).code).toBe('NOT_FOUND');
    await flush();

    const view = ok(await api.get(used.key.id), 200).body;
    expect(view.lastUsedAt).toEqual(expect.any(String));
    // lastUsedAt comes from the coarse clock: a 100 ms timer, which a loaded machine may delay by a few seconds
    expect(Date.parse(view.lastUsedAt as string)).toBeGreaterThanOrEqual(before - 5000);
    expect(Date.parse(view.lastUsedAt as string)).toBeLessThanOrEqual(Date.now());
    expect(ok(await api.get(unused.key.id), 200).body.lastUsedAt).toBeNull();
    const listed = ok(await api.list(), 200).body.keys;
    expect(Object.fromEntries(listed.map((k) => [k.id, k.lastUsedAt]))).toEqual({
      [used.key.id]: view.lastUsedAt,
      [unused.key.id]: null,
    });

    const report = ok(await api.usage(used.key.id), 200).body;
    expect(report).toMatchObject({ keyId: used.key.id, to: today(), lastUsedAt: view.lastUsedAt, total: { valid: 3, refused: 2 } });
    expect(report.days).toHaveLength(30);
    expect(report.days[0].day).toBe(report.from);
    expect(report.days[29]).toEqual({
      day: today(),
      valid: 3,
      refused: 2,
      refusedByCode: { REVOKED: 0, EXPIRED: 0, IP_NOT_ALLOWED: 2, SUSPENDED: 0, ORIGIN_NOT_ALLOWED: 0, INSUFFICIENT_PERMISSIONS: 0 },
    });
    expect(report.days.slice(0, 29).every((d) => d.valid === 0 && d.refused === 0)).toBe(true);

    // More verifies add up with what was already written.
    await verify(used.secret, '10.9.9.9');
    await flush();
    expect(ok(await api.usage(used.key.id, { from: today(), to: today() }), 200).body.days).toEqual([
      {
        day: today(),
        valid: 4,
        refused: 2,
        refusedByCode: { REVOKED: 0, EXPIRED: 0, IP_NOT_ALLOWED: 2, SUSPENDED: 0, ORIGIN_NOT_ALLOWED: 0, INSUFFICIENT_PERMISSIONS: 0 },
      },
    ]);
  });

  it("answers 404 for an unknown key or another account's, and 400 for a bad range", async () => {
    const { api } = await account();
    const other = await account();
    const theirs = await other.api.generate({ kind: 'api' });
    expect(problem(await api.usage(randomKeyId()), 404).body.code).toBe('KEY_NOT_FOUND');
    expect(problem(await api.usage(theirs.key.id), 404).body.code).toBe('KEY_NOT_FOUND');
    const mine = await api.generate({ kind: 'api' });
    for (const query of [
      { from: '2026-13-01' },
      { to: 'yesterday' },
      { from: '2026-02-01', to: '2026-01-31' },
      { from: '2024-01-01', to: '2025-06-01' },
    ]) {
      const refused = problem(await api.usage(mine.key.id, query), 400).body;
      expect(refused.code).toBe('VALIDATION_FAILED');
      expect(refused.detail).not.toContain('yesterday');
    }
    for (const days of [0, 3651, 1.5]) expect(problem(await api.unused(days), 400).body.code).toBe('VALIDATION_FAILED');
  });

  it('lists the keys unused for unusedForDays (default 90), not a used one', async () => {
    const { api } = await account();
    const used = await api.generate({ kind: 'api', name: 'used' });
    const stale = await api.generate({ kind: 'api', name: 'stale' });
    const fresh = await api.generate({ kind: 'api', name: 'fresh, never used' });
    await verify(used.secret);
    await flush();
    // The stale key was last used 100 days ago (written to the store as a flush would have).
    const longAgo = Date.now() - 100 * DAY_MS;
    await usage().store.apply([{ keyId: stale.key.id, day: epochDay(longAgo), valid: 1, refused: emptyRefused(), lastUsedAt: longAgo }]);

    const report = ok(await api.unused(), 200).body;
    expect(report.unusedForDays).toBe(90);
    expect(report.keys).toEqual([
      {
        keyId: stale.key.id,
        name: 'stale',
        kind: 'api',
        status: 'active',
        createdAt: stale.key.createdAt,
        lastUsedAt: new Date(longAgo).toISOString(),
      },
    ]);
    // Neither the used key, nor the never-used one created after the cutoff; with a longer period, not the stale one either.
    expect(ok(await api.unused(101), 200).body.keys).toEqual([]);
    // A command's answer carries no lastUsedAt (reads only).
    expect(fresh.key.lastUsedAt).toBeUndefined();
  });

  it('a key view does not fail when the usage store is down: lastUsedAt is null; the usage calls answer 503 USAGE_UNAVAILABLE', async () => {
    const { acct, token, api } = await account();
    const key = await api.generate({ kind: 'api' });
    await verify(key.secret);
    await flush();
    const store: UsageStore = usage().store;
    const lastUsed = jest.spyOn(store, 'lastUsed').mockRejectedValue(new Error('connection refused'));
    const daily = jest.spyOn(store, 'daily').mockRejectedValue(new Error('connection refused'));
    try {
      expect(ok(await api.get(key.key.id), 200).body.lastUsedAt).toBeNull();
      expect(ok(await api.list(), 200).body.keys[0].lastUsedAt).toBeNull();
      await expectUsageUnavailable(app.url, `/v1/accounts/${acct}/keys/${key.key.id}/usage`, token);
      await expectUsageUnavailable(app.url, `/v1/accounts/${acct}/usage?unusedForDays=30`, token);
    } finally {
      lastUsed.mockRestore();
      daily.mockRestore();
    }
    expect(ok(await api.get(key.key.id), 200).body.lastUsedAt).toEqual(expect.any(String));
  });
});

describe('key usage with USAGE=off', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ USAGE: 'off' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('records nothing: no aggregate, views show lastUsedAt null, the usage calls answer 503 USAGE_UNAVAILABLE', async () => {
    expect(app.service.infra.usage).toBeNull();
    const acct = uniqueAccount();
    const token = await actorToken({ acct, roles: ['admin'] });
    const client = typedClient(app.url, token);
    const path = { accountId: acct };
    const key = ok(await client.POST('/v1/accounts/{accountId}/keys', { params: { path }, body: { kind: 'api' } }), 201).body;
    const service = typedClient(app.url, TEST_SECRETS.SERVICE_TOKEN);
    expect(ok(await service.POST('/v1/verify', { body: { key: key.secret } }), 200).body.code).toBe('VALID');
    const view = ok(await client.GET('/v1/accounts/{accountId}/keys/{keyId}', { params: { path: { ...path, keyId: key.key.id } } }), 200);
    expect(view.body.lastUsedAt).toBeNull();
    await expectUsageUnavailable(app.url, `/v1/accounts/${acct}/keys/${key.key.id}/usage`, token);
    await expectUsageUnavailable(app.url, `/v1/accounts/${acct}/usage`, token);
  });
});
