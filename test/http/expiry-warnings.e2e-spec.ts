/**
 * Expiry warnings: the scheduler records KeyExpiryWarned a lead time before a secret's expiry, once
 * per secret, expiry and lead (only the shortest lead that applies), as `system:expiry-warner`.
 * Warning passes run every 100 ms here; "not warned" is judged after many passes have run.
 */
import { Client, eventually, sleep, startTestApp, uniqueAccount, type TestApp } from '../support';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('expiry warnings', () => {
  let app: TestApp;
  let owner: Client;
  let acct: string;
  beforeAll(async () => {
    app = await startTestApp({ EXPIRY_SWEEP_INTERVAL_MS: '100', EXPIRY_WARNING_LEADS: 'P7D,P1D', EXPIRY_WARNING_INTERVAL_MS: '100' });
    acct = uniqueAccount();
    owner = await Client.actor(app.url, { acct });
  });
  afterAll(async () => {
    await app?.close();
  });

  const warnings = async (id: string) =>
    ((await owner.history(acct, id)).body.events as { type: string; data: Record<string, unknown>; actor: unknown }[]).filter(
      (e) => e.type === 'KeyExpiryWarned',
    );

  it('warns 7 days ahead, then 1 day ahead, each once, and again of a new expiry', async () => {
    const gen = await owner.generate(acct, { kind: 'api' });
    const id = gen.body.key.id as string;
    const far = new Date(Date.now() + 3 * DAY).toISOString();
    expect((await owner.setExpiry(acct, id, { expiresAt: far })).status).toBe(200);
    const [week] = await eventually(async () => ((await warnings(id)).length > 0 ? warnings(id) : null), 10_000);
    expect(week).toMatchObject({
      data: { slot: 'current', secretVersion: 1, expiresAt: far, leadSeconds: 7 * 86400 },
      actor: { type: 'system', name: 'expiry-warner' },
    });
    await sleep(1000); // ten passes more
    expect(await warnings(id)).toHaveLength(1);

    // Brought within a day: the 1-day warning, for the new expiry.
    const near = new Date(Date.now() + 12 * HOUR).toISOString();
    expect((await owner.setExpiry(acct, id, { expiresAt: near })).status).toBe(200);
    await eventually(async () => ((await warnings(id)).length === 2 ? true : null), 10_000);
    await sleep(1000);
    const all = await warnings(id);
    expect(all.map((e) => [e.data.expiresAt, e.data.leadSeconds])).toEqual([
      [far, 7 * 86400],
      [near, 86400],
    ]);
  }, 40_000);

  it('does not warn of an expiry farther than the longest lead, nor of a key without expiry', async () => {
    const later = (await owner.generate(acct, { kind: 'api' })).body.key.id as string;
    const never = (await owner.generate(acct, { kind: 'signing' })).body.key.id as string;
    expect((await owner.setExpiry(acct, later, { expiresAt: new Date(Date.now() + 10 * DAY).toISOString() })).status).toBe(200);
    // A key set in the same pass's window shows the warner is running meanwhile.
    const soon = (await owner.generate(acct, { kind: 'api' })).body.key.id as string;
    expect((await owner.setExpiry(acct, soon, { expiresAt: new Date(Date.now() + 2 * HOUR).toISOString() })).status).toBe(200);
    await eventually(async () => ((await warnings(soon)).length === 1 ? true : null), 10_000);
    await sleep(1000);
    expect(await warnings(later)).toEqual([]);
    expect(await warnings(never)).toEqual([]);
    expect((await warnings(soon))[0].data).toMatchObject({ leadSeconds: 86400 });
  }, 40_000);

  it("warns of a regenerated key's old secret before its grace ends", async () => {
    const id = (await owner.generate(acct, { kind: 'api' })).body.key.id as string;
    expect((await owner.regenerate(acct, id, { oldKeyExpiresIn: 'PT6H' })).status).toBe(201);
    const [grace] = await eventually(async () => ((await warnings(id)).length > 0 ? warnings(id) : null), 10_000);
    expect(grace.data).toMatchObject({ slot: 'previous', secretVersion: 1, leadSeconds: 86400 });
  }, 40_000);
});
