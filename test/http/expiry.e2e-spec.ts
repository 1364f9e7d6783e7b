/**
 * Time: an expiry is in force at its instant on verify, whether or not the scheduler has run; and
 * the scheduler then records KeyExpired in history as `system:expiry-scheduler`.
 *
 * No fixed windows: what must hold before an instant is observed by `beforeTheInstant` (an attempt
 * whose observations did not all answer before the instant is discarded and run again with a longer
 * margin, never judged, so a loaded machine costs time, not a failure or a skipped check); what must
 * hold after it is checked once the clock has passed it (`passed`), or polled (`eventually`); and the
 * `?at=` replay pins the boundary to the millisecond.
 */
import { Client, eventually, sleep, startTestApp, uniqueAccount, type TestApp } from '../support';

const isScheduler = (actor: any): boolean => actor?.type === 'system' && actor?.name === 'expiry-scheduler';
/** Margins (ms) for the state before an instant: a loaded machine gets the next one. */
const MARGINS_MS = [2000, 5000, 12000];
const TIMEOUT_MS = 60_000;

/**
 * Runs `attempt(margin)`, which sets something to end `margin` ms ahead (returning that instant) and
 * observes what must hold before it, until the attempt's observations all answered before its
 * instant. Those, and only those, are then asserted by the caller.
 */
async function beforeTheInstant<T>(
  attempt: (marginMs: number) => Promise<{ instant: number; observed: T }>,
): Promise<{ instant: number; observed: T }> {
  for (const margin of MARGINS_MS) {
    const result = await attempt(margin);
    if (Date.now() < result.instant) return result;
  }
  throw new Error(`could not observe the state before the instant with a margin of ${MARGINS_MS.at(-1)} ms`);
}

/** Returns once the wall clock is past `instant`: waiting for an instant cannot be too short. */
async function passed(instant: number): Promise<void> {
  while (Date.now() <= instant) await sleep(instant - Date.now() + 1);
}

/** The `?at=` replay: each secret version's verdict at `at` (ms), from the recorded history. */
async function replayAt(owner: Client, acct: string, id: string, at: number): Promise<Record<number, string>> {
  const res = await owner.call('GET', `/v1/accounts/${acct}/keys/${id}/validity?at=${encodeURIComponent(new Date(at).toISOString())}`);
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.secrets.map((s: any) => [s.version, s.code]));
}

describe('expiry is in force at its instant, before any sweep', () => {
  let app: TestApp;
  beforeAll(async () => {
    // The scheduler's first sweep runs at start-up; the next one not within this test's life.
    app = await startTestApp({ EXPIRY_SWEEP_INTERVAL_MS: '3600000' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it(
    'a key with an expiry ahead is VALID before and EXPIRED after, with no KeyExpired recorded',
    async () => {
      const acct = uniqueAccount();
      const owner = await Client.actor(app.url, { acct });
      const service = Client.service(app.url);
      const { instant, observed } = await beforeTheInstant(async (margin) => {
        const gen = await owner.generate(acct, { kind: 'api' });
        const at = Date.now() + margin;
        expect((await owner.setExpiry(acct, gen.body.key.id, { expiresAt: new Date(at).toISOString() })).status).toBe(200);
        const before = (await service.verify({ key: gen.body.secret })).body;
        return { instant: at, observed: { id: gen.body.key.id as string, secret: gen.body.secret as string, before } };
      });
      const { id, secret } = observed;
      expect(observed.before).toMatchObject({ valid: true, code: 'VALID', keyId: id });

      await passed(instant);
      expect((await service.verify({ key: secret })).body).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
      expect((await owner.get(acct, id)).body.status).toBe('expired');
      const history = await owner.history(acct, id);
      expect(history.body.events.map((e: any) => e.type)).toEqual(['KeyGenerated', 'KeyExpirySet']);
      // The replay puts the end exactly at the instant.
      expect(await replayAt(owner, acct, id, instant - 1)).toEqual({ 1: 'VALID' });
      expect(await replayAt(owner, acct, id, instant)).toEqual({ 1: 'EXPIRED' });
    },
    TIMEOUT_MS,
  );

  it(
    'a grace period ends at its instant: the old secret says EXPIRED, the new one stays VALID',
    async () => {
      const acct = uniqueAccount();
      const owner = await Client.actor(app.url, { acct });
      const service = Client.service(app.url);
      const { instant, observed } = await beforeTheInstant(async (margin) => {
        const gen = await owner.generate(acct, { kind: 'api' });
        const rotated = await owner.regenerate(acct, gen.body.key.id, { oldKeyExpiresIn: `PT${margin / 1000}S` });
        expect(rotated.status).toBe(201);
        const before = [
          (await service.verify({ key: gen.body.secret })).body.code,
          (await service.verify({ key: rotated.body.secret })).body.code,
        ];
        const ends = Date.parse(rotated.body.key.previous.expiresAt);
        return {
          instant: ends,
          observed: { id: gen.body.key.id as string, original: gen.body.secret as string, fresh: rotated.body.secret as string, before },
        };
      });
      const { id, original, fresh } = observed;
      expect(observed.before).toEqual(['VALID', 'VALID']);

      await passed(instant);
      expect((await service.verify({ key: original })).body).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
      expect((await service.verify({ key: fresh })).body.code).toBe('VALID');
      expect((await owner.get(acct, id)).body.previous).toBeNull();
      expect(await replayAt(owner, acct, id, instant - 1)).toEqual({ 1: 'VALID', 2: 'VALID' });
      expect(await replayAt(owner, acct, id, instant)).toEqual({ 1: 'EXPIRED', 2: 'VALID' });
    },
    TIMEOUT_MS,
  );

  it(
    'when the current secret expires during a grace, the older secret stops too: for verify and for signing',
    async () => {
      const service = Client.service(app.url);
      const signatures = async (acct: string) => service.call('POST', `/v1/accounts/${acct}/signatures`, { json: { payload: 'x' } });
      const { instant, observed } = await beforeTheInstant(async (margin) => {
        // A fresh account per attempt: a discarded attempt's signing key must not sign in the next one.
        const acct = uniqueAccount();
        const owner = await Client.actor(app.url, { acct });
        const api = await owner.generate(acct, { kind: 'api' });
        const apiRotated = await owner.regenerate(acct, api.body.key.id, { oldKeyExpiresIn: 'P1D' });
        const signing = await owner.generate(acct, { kind: 'signing' });
        await owner.regenerate(acct, signing.body.key.id, { oldKeyExpiresIn: 'P1D' });
        const ends = new Date(Date.now() + margin).toISOString();
        const graceShown: (string | null)[] = [];
        for (const id of [api.body.key.id, signing.body.key.id]) {
          expect((await owner.setExpiry(acct, id, { expiresAt: ends })).status).toBe(200);
          graceShown.push((await owner.get(acct, id)).body.previous?.expiresAt ?? null);
        }
        const before = {
          graceShown,
          verify: (await service.verify({ key: api.body.secret })).body.code,
          signatures: (await signatures(acct)).body.signatures,
        };
        return {
          instant: Date.parse(ends),
          observed: {
            acct,
            owner,
            apiId: api.body.key.id as string,
            original: api.body.secret as string,
            rotated: apiRotated.body.secret as string,
            before,
          },
        };
      });
      const { acct, owner, apiId, original, rotated } = observed;
      // The grace shown ends with the key, not a day later.
      expect(observed.before).toEqual({
        graceShown: [new Date(instant).toISOString(), new Date(instant).toISOString()],
        verify: 'VALID',
        signatures: 2,
      });

      await passed(instant);
      expect((await service.verify({ key: original })).body.code).toBe('EXPIRED');
      expect((await service.verify({ key: rotated })).body.code).toBe('EXPIRED');
      const sign = await signatures(acct);
      expect(sign.status).toBe(409);
      expect(sign.body.code).toBe('NO_SIGNING_KEY');
      const reveal = await owner.reveal(acct, apiId, { version: 'previous' });
      expect(reveal.status).toBe(409);
      expect(reveal.body.code).toBe('KEY_EXPIRED');
      expect(await replayAt(owner, acct, apiId, instant - 1)).toEqual({ 1: 'VALID', 2: 'VALID' });
      expect(await replayAt(owner, acct, apiId, instant)).toEqual({ 1: 'EXPIRED', 2: 'EXPIRED' });
    },
    TIMEOUT_MS,
  );
});

describe('the expiry scheduler records KeyExpired', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ EXPIRY_SWEEP_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await app?.close();
  });

  const keyExpiredOf = async (owner: Client, acct: string, id: string): Promise<any[]> =>
    ((await owner.history(acct, id)).body.events as any[]).filter((e) => e.type === 'KeyExpired');

  it(
    'after a regenerate with PT2S, history shows KeyExpired for the previous secret by the scheduler, once',
    async () => {
      const acct = uniqueAccount();
      const owner = await Client.actor(app.url, { acct });
      const gen = await owner.generate(acct, { kind: 'api' });
      const id = gen.body.key.id;
      // PT2S is counted from the regenerate's own decision: the command can never record it itself.
      const rotated = await owner.regenerate(acct, id, { oldKeyExpiresIn: 'PT2S' });
      expect(rotated.status).toBe(201);
      const previousExpiresAt = rotated.body.key.previous.expiresAt as string;
      const [expired] = await eventually(async () => {
        const found = await keyExpiredOf(owner, acct, id);
        return found.length > 0 ? found : null;
      }, 20_000);
      expect(isScheduler(expired.actor)).toBe(true);
      expect(expired.data).toMatchObject({ keyId: id, slot: 'previous', secretVersion: 1, reason: 'expired' });
      expect(Date.parse(expired.data.expiredAt)).toBe(Date.parse(previousExpiresAt));
      expect(Date.parse(expired.time)).toBeGreaterThanOrEqual(Date.parse(previousExpiresAt));
      const service = Client.service(app.url);
      expect((await service.verify({ key: gen.body.secret })).body).toMatchObject({ valid: false, code: 'EXPIRED', keyId: id });
      expect((await service.verify({ key: rotated.body.secret })).body.code).toBe('VALID');

      // Recorded once, not at every sweep: a marker key due after this one is recorded only by a later
      // sweep, so once its KeyExpired is there, sweeps have run since (no fixed wait that a slow
      // scheduler could fall short of).
      const marker = await owner.generate(acct, { kind: 'api' });
      expect((await owner.regenerate(acct, marker.body.key.id, { oldKeyExpiresIn: 'PT1S' })).status).toBe(201);
      await eventually(async () => (await keyExpiredOf(owner, acct, marker.body.key.id)).length > 0, 20_000);
      expect(await keyExpiredOf(owner, acct, id)).toHaveLength(1);
    },
    TIMEOUT_MS,
  );

  it(
    'a current secret that expires is recorded too, and the key shows expired',
    async () => {
      const acct = uniqueAccount();
      const owner = await Client.actor(app.url, { acct });
      // The expiry must still be ahead when the command is decided, or the command records it itself.
      const { observed } = await beforeTheInstant(async (margin) => {
        const gen = await owner.generate(acct, { kind: 'signing' });
        const at = Date.now() + margin / 4;
        expect((await owner.setExpiry(acct, gen.body.key.id, { expiresAt: new Date(at).toISOString() })).status).toBe(200);
        return { instant: at, observed: { id: gen.body.key.id as string } };
      });
      const { id } = observed;
      const [expired] = await eventually(async () => {
        const found = await keyExpiredOf(owner, acct, id);
        return found.length > 0 ? found : null;
      }, 20_000);
      expect(isScheduler(expired.actor)).toBe(true);
      expect(expired.data).toMatchObject({ slot: 'current', secretVersion: 1, reason: 'expired' });
      expect((await owner.get(acct, id)).body.status).toBe('expired');
    },
    TIMEOUT_MS,
  );
});
