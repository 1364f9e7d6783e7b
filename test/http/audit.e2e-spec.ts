/**
 * What auditors ask (README, "A walk-through with curl": history and validity-at): was key K valid from IP X at time
 * T — answered by replaying the recorded history — and what happened to every key of an account.
 */
import { Client, randomKeyId, startTestApp, uniqueAccount, type TestApp } from '../support';

describe('audit queries over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const between = (a: string, b: string): string => new Date((Date.parse(a) + Date.parse(b)) / 2).toISOString();
  const validity = (client: Client, acct: string, id: string, query: string) =>
    client.call('GET', `/v1/accounts/${acct}/keys/${id}/validity?${query}`);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('replays a key to any instant: before it existed, active, in a grace period, revoked', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct, roles: ['owner'] });
    const auditor = await Client.actor(app.url, { acct, roles: ['auditor'] });
    const generated = await owner.generate(acct, { kind: 'api', allowedIps: ['10.0.0.0/8'] });
    const id = generated.body.key.id as string;
    await sleep(20);
    await owner.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' });
    await sleep(20);
    await owner.revoke(acct, id);
    const times = (await owner.history(acct, id)).body.events.map((e: { time: string }) => e.time) as string[];
    expect(times).toHaveLength(3);
    const [createdAt, rotatedAt, revokedAt] = times;

    const before = await validity(
      auditor,
      acct,
      id,
      `at=${encodeURIComponent(new Date(Date.parse(createdAt) - 1000).toISOString())}&ip=10.1.1.1`,
    );
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ keyId: id, status: null, secrets: [], asOfEvent: null });

    const active = await validity(auditor, acct, id, `at=${between(createdAt, rotatedAt)}&ip=10.1.1.1`);
    expect(active.body.status).toBe('active');
    expect(active.body.secrets).toEqual([expect.objectContaining({ version: 1, valid: true, code: 'VALID' })]);
    expect(active.body.asOfEvent.type).toBe('KeyGenerated');

    const outside = await validity(auditor, acct, id, `at=${between(createdAt, rotatedAt)}&ip=11.0.0.1`);
    expect(outside.body.secrets).toEqual([expect.objectContaining({ version: 1, valid: false, code: 'IP_NOT_ALLOWED' })]);

    const grace = await validity(auditor, acct, id, `at=${between(rotatedAt, revokedAt)}&ip=10.1.1.1`);
    expect(grace.body.secrets.map((s: { version: number; code: string }) => [s.version, s.code])).toEqual([
      [2, 'VALID'],
      [1, 'VALID'],
    ]);

    const after = await validity(auditor, acct, id, `at=${new Date(Date.parse(revokedAt) + 1000).toISOString()}&ip=10.1.1.1`);
    expect(after.body.status).toBe('revoked');
    expect(after.body.secrets.map((s: { code: string }) => s.code)).toEqual(['REVOKED', 'REVOKED']);
    // The view shows starts, never a secret or a hash.
    expect(JSON.stringify(after.body)).not.toContain(generated.body.secret);
    expect(JSON.stringify(after.body)).not.toMatch(/[0-9a-f]{64}/);
  });

  it('answers the grace end exactly: the old secret is valid just before its expiry and expired at it', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct, roles: ['owner'] });
    const id = (await owner.generate(acct, { kind: 'signing' })).body.key.id as string;
    const rotated = await owner.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' });
    const ends = rotated.body.key.previous.expiresAt as string;
    const justBefore = await validity(owner, acct, id, `at=${new Date(Date.parse(ends) - 1).toISOString()}`);
    expect(justBefore.body.secrets.map((s: { code: string }) => s.code)).toEqual(['VALID', 'VALID']);
    const atEnd = await validity(owner, acct, id, `at=${ends}`);
    expect(atEnd.body.secrets.map((s: { code: string }) => s.code)).toEqual(['VALID', 'EXPIRED']);
  });

  it('refuses bad input, other roles and other accounts', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct, roles: ['owner'] });
    const id = (await owner.generate(acct, { kind: 'api' })).body.key.id as string;
    expect((await validity(owner, acct, id, '')).status).toBe(400);
    expect((await validity(owner, acct, id, 'at=yesterday')).status).toBe(400);
    expect((await validity(owner, acct, id, 'at=2026-01-01T00:00:00Z&ip=not-an-ip')).status).toBe(400);
    const viewer = await Client.actor(app.url, { acct, roles: ['viewer'] });
    expect((await validity(viewer, acct, id, 'at=2026-01-01T00:00:00Z')).status).toBe(403);
    const stranger = await Client.actor(app.url, { acct: uniqueAccount(), roles: ['auditor'] });
    const foreign = await validity(stranger, acct, id, 'at=2026-01-01T00:00:00Z');
    expect(foreign.status).toBe(404);
    const own = await Client.actor(app.url, { acct, roles: ['auditor'] });
    expect((await validity(own, acct, randomKeyId(), 'at=2026-01-01T00:00:00Z')).status).toBe(404);
  });

  it('lists the whole account history in order, with key ids and no secrets', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct, roles: ['owner'] });
    const a = await owner.generate(acct, { kind: 'api' });
    const b = await owner.generate(acct, { kind: 'signing' });
    await owner.regenerate(acct, a.body.key.id, { oldKeyExpiresIn: 'now' });
    await owner.revoke(acct, b.body.key.id);
    await owner.generate(uniqueAccount(), { kind: 'api' }).catch(() => undefined);

    const auditor = await Client.actor(app.url, { acct, roles: ['auditor'] });
    const history = await auditor.call('GET', `/v1/accounts/${acct}/history`);
    expect(history.status).toBe(200);
    const rows = history.body.events.map((e: { keyId: string; type: string }) => [e.keyId, e.type]);
    expect(rows).toEqual([
      [a.body.key.id, 'KeyGenerated'],
      [b.body.key.id, 'KeyGenerated'],
      [a.body.key.id, 'KeyRotated'],
      [a.body.key.id, 'KeyExpired'],
      [b.body.key.id, 'KeyRevoked'],
    ]);
    for (const secret of [a.body.secret, b.body.secret]) expect(history.text).not.toContain(secret);
    const last = await auditor.call('GET', `/v1/accounts/${acct}/history?limit=2`);
    expect(last.body.events.map((e: { type: string }) => e.type)).toEqual(['KeyExpired', 'KeyRevoked']);
    expect((await auditor.call('GET', `/v1/accounts/${acct}/history?limit=0`)).status).toBe(400);
    const viewer = await Client.actor(app.url, { acct, roles: ['viewer'] });
    expect((await viewer.call('GET', `/v1/accounts/${acct}/history`)).status).toBe(403);
  });
});
