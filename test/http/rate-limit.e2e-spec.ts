/**
 * Rate limits over HTTP, with low limits configured: per service credential on verify and on
 * signing (per second), per actor and per account on management calls (per minute). A refusal is
 * 429 problem+json, code RATE_LIMITED, with Retry-After in seconds. In production mode
 * (E2E_STACK=production) two instances sharing Redis share the counts.
 */
import { Client, eventually, request, STACK, startTestApp, uniqueAccount, type HttpResponse, type TestApp } from '../support';

const LIMITS = {
  RATE_LIMIT_VERIFY_PER_SECOND: '3',
  RATE_LIMIT_SIGNING_PER_SECOND: '3',
  RATE_LIMIT_MANAGEMENT_PER_MINUTE: '4',
  RATE_LIMIT_ACCOUNT_PER_MINUTE: '6',
  // These tests count against Redis in the production stack. With the default 100 ms, a command
  // delayed by a busy test machine (a GC pause, a slow event loop) fails over to the per-instance
  // count, and the instances stop sharing: the fail-over is tested in rate-limits.spec.ts, not here.
  RATE_LIMIT_REDIS_TIMEOUT_MS: '2000',
};

/** A 429 as the contract says: problem+json (checked by `request`), RATE_LIMITED, Retry-After within the window. */
function expectRateLimited(response: HttpResponse, windowSeconds: number): void {
  expect(response.status).toBe(429);
  expect(response.contentType).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status: 429, code: 'RATE_LIMITED', type: '/problems/rate-limited' });
  const retryAfter = response.headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(windowSeconds);
}

const statuses = (responses: HttpResponse[]): number[] => responses.map((r) => r.status);

/** The first refusal among calls made one after another, or null when all `max` were admitted. */
async function firstRefusal(call: () => Promise<HttpResponse>, max: number): Promise<{ admitted: number; refusal: HttpResponse | null }> {
  for (let i = 0; i < max; i++) {
    const response = await call();
    if (response.status === 429) return { admitted: i, refusal: response };
    expect(response.status).toBe(200);
  }
  return { admitted: max, refusal: null };
}

describe('rate limits (HTTP)', () => {
  let app: TestApp;
  let service: Client;

  beforeAll(async () => {
    app = await startTestApp(LIMITS);
    service = Client.service(app.url);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('verify: past RATE_LIMIT_VERIFY_PER_SECOND for the service credential, 429 with Retry-After; admitted again after it', async () => {
    const burst = await Promise.all(Array.from({ length: 12 }, () => service.verify({ key: 'ak_live_not_a_key' })));
    expect(statuses(burst).every((s) => s === 200 || s === 429)).toBe(true);
    const refused = burst.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const response of refused) expectRateLimited(response, 1);
    expect(burst.filter((r) => r.status === 200).every((r) => r.body.code === 'MALFORMED')).toBe(true);
    await eventually(async () => (await service.verify({ key: 'ak_live_not_a_key' })).status === 200, 5000, 250);
  });

  it('signing: past RATE_LIMIT_SIGNING_PER_SECOND, 429 on sign and on signature verification', async () => {
    const acct = uniqueAccount();
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0 ? service.verifySignature(acct, { payload: 'hello', header: 't=1,v1=00' }) : service.sign(acct, { payload: 'hello' }),
      ),
    );
    // Admitted calls answer as usual (this account has no signing key: 200 NO_SIGNING_KEY or 409).
    expect(statuses(burst).every((s) => s === 200 || s === 409 || s === 429)).toBe(true);
    const refused = burst.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const response of refused) expectRateLimited(response, 1);
  });

  it("per actor: one user's limit leaves another user of the same account alone", async () => {
    const acct = uniqueAccount();
    const alice = await Client.actor(app.url, { acct, sub: `alice_${acct}` });
    const bob = await Client.actor(app.url, { acct, sub: `bob_${acct}` });
    const { admitted, refusal } = await firstRefusal(() => alice.list(acct), 10);
    expect(admitted).toBe(4);
    expectRateLimited(refusal as HttpResponse, 60);
    expect((refusal as HttpResponse).body.detail).toMatch(/by this user/);
    // Still refused for alice, on any management route; bob is admitted.
    expectRateLimited(await alice.generate(acct), 60);
    expect((await bob.list(acct)).status).toBe(200);
  });

  it("per account: the limit holds across actors, and only the account's own actors count against it", async () => {
    const acct = uniqueAccount();
    const other = uniqueAccount();
    const users = await Promise.all([1, 2, 3, 4].map((n) => Client.actor(app.url, { acct, sub: `user${n}_${acct}` })));
    // Six calls by three users (two each, each under the per-actor limit of 4) use up the account's six.
    for (const user of users.slice(0, 3)) {
      expect((await user.list(acct)).status).toBe(200);
      expect((await user.call('GET', `/v1/accounts/${acct}/history`)).status).toBe(200);
    }
    const refusal = await users[3].list(acct);
    expectRateLimited(refusal, 60);
    expect(refusal.body.detail).toMatch(/on this account/);
    // Another tenant's user is refused as before (404, not counted against this account) and keeps its own budget.
    const outsider = await Client.actor(app.url, { acct: other, sub: `outsider_${other}` });
    expect((await outsider.list(acct)).status).toBe(404);
    expect((await outsider.list(other)).status).toBe(200);
  });

  it('an invalid token is refused as before (401), without counting against anyone', async () => {
    const acct = uniqueAccount();
    for (let i = 0; i < 6; i++)
      expect((await request(app.url, 'GET', `/v1/accounts/${acct}/keys`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const owner = await Client.actor(app.url, { acct, sub: `owner_${acct}` });
    expect((await owner.list(acct)).status).toBe(200);
  });

  it('0 turns a limit off', async () => {
    const unlimited = await startTestApp({ ...LIMITS, RATE_LIMIT_VERIFY_PER_SECOND: '0', RATE_LIMIT_MANAGEMENT_PER_MINUTE: '0' });
    try {
      const svc = Client.service(unlimited.url);
      const burst = await Promise.all(Array.from({ length: 12 }, () => svc.verify({ key: 'ak_live_not_a_key' })));
      expect(statuses(burst)).toEqual(Array(12).fill(200));
      const acct = uniqueAccount();
      const user = await Client.actor(unlimited.url, { acct, sub: `user_${acct}` });
      // Only the account limit (6) applies now.
      const { admitted } = await firstRefusal(() => user.list(acct), 10);
      expect(admitted).toBe(6);
    } finally {
      await unlimited.close();
    }
  });

  if (STACK === 'production') {
    describe('two instances sharing Redis', () => {
      let second: TestApp;

      beforeAll(async () => {
        // The same event store and Redis namespace as `app`: another instance of the same deployment.
        second = await startTestApp({
          ...LIMITS,
          EVENTSTORE_URL: app.env.EVENTSTORE_URL,
          REDIS_NAMESPACE: app.env.REDIS_NAMESPACE,
          KAFKA_TOPIC: app.env.KAFKA_TOPIC,
        });
      }, 60000);
      afterAll(async () => {
        await second?.close();
      });

      it('share the per-actor and per-account counts', async () => {
        const acct = uniqueAccount();
        const onFirst = await Client.actor(app.url, { acct, sub: `shared_${acct}` });
        const onSecond = await Client.actor(second.url, { acct, sub: `shared_${acct}` });
        expect(
          statuses([await onFirst.list(acct), await onSecond.list(acct), await onFirst.list(acct), await onSecond.list(acct)]),
        ).toEqual([200, 200, 200, 200]);
        expectRateLimited(await onSecond.list(acct), 60);
        expectRateLimited(await onFirst.list(acct), 60);
        // The account: two more calls by another user (6 in all), then anyone on either instance is refused.
        const colleague = await Client.actor(second.url, { acct, sub: `colleague_${acct}` });
        expect(statuses([await colleague.list(acct), await colleague.list(acct)])).toEqual([200, 200]);
        expectRateLimited(await (await Client.actor(app.url, { acct, sub: `third_${acct}` })).list(acct), 60);
      });

      it('share the verify count of the service credential', async () => {
        const other = Client.service(second.url);
        // Use up the second's limit on the first instance, then ask the second at once. A window
        // boundary between the two can let the second through: then try again (a few times at most).
        let shared = false;
        for (let attempt = 0; attempt < 5 && !shared; attempt++) {
          await eventually(async () => (await service.verify({ key: 'ak_live_not_a_key' })).status === 200, 5000, 100);
          const { refusal } = await firstRefusal(() => service.verify({ key: 'ak_live_not_a_key' }), 10);
          expect(refusal).not.toBeNull();
          const answer = await other.verify({ key: 'ak_live_not_a_key' });
          if (answer.status === 429) {
            expectRateLimited(answer, 1);
            shared = true;
          }
        }
        expect(shared).toBe(true);
      });
    });
  }
});
