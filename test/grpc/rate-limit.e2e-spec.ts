/**
 * Rate limits over gRPC: the same limits as HTTP (they share the counts), answered with
 * RESOURCE_EXHAUSTED, `error-code: RATE_LIMITED` and `retry-after` (seconds) in the trailers.
 */
import { startTestApp, uniqueAccount, type TestApp } from '../support';
import { actorMetadata, failure, GrpcCallError, GrpcClients, Status } from './grpc-client';

function expectRateLimited(error: GrpcCallError, windowSeconds: number): void {
  expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
  expect(error.trailers['error-code']).toEqual(['RATE_LIMITED']);
  const retryAfter = Number(error.trailers['retry-after']?.[0]);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

/** Settles every call: the answer, or the GrpcCallError it failed with. */
const settle = (calls: Promise<unknown>[]): Promise<unknown[]> => Promise.all(calls.map((call) => call.catch((error: unknown) => error)));

describe('rate limits (gRPC)', () => {
  let app: TestApp;
  let grpc: GrpcClients;

  beforeAll(async () => {
    app = await startTestApp({
      RATE_LIMIT_VERIFY_PER_SECOND: '3',
      RATE_LIMIT_SIGNING_PER_SECOND: '3',
      RATE_LIMIT_MANAGEMENT_PER_MINUTE: '3',
      RATE_LIMIT_ACCOUNT_PER_MINUTE: '100',
      // Redis slowed by a busy test machine must not fail over to per-instance counts here (rate-limits.spec.ts tests that).
      RATE_LIMIT_REDIS_TIMEOUT_MS: '2000',
    });
    grpc = new GrpcClients(app.service.grpcUrl);
  });
  afterAll(async () => {
    grpc?.close();
    await app?.close();
  });

  it('VerifyKey past the limit of the service credential: RESOURCE_EXHAUSTED, RATE_LIMITED, retry-after', async () => {
    const answers = await settle(Array.from({ length: 12 }, () => grpc.verify('VerifyKey', { key: 'ak_live_not_a_key' })));
    const refused = answers.filter((a): a is GrpcCallError => a instanceof GrpcCallError);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) expectRateLimited(error, 1);
    for (const answer of answers.filter((a) => !(a instanceof GrpcCallError)))
      expect(answer).toMatchObject({ code: 'VERIFY_CODE_MALFORMED' });
  });

  it('Sign and VerifySignature share the signing limit', async () => {
    const accountId = uniqueAccount();
    const answers = await settle(
      Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0
          ? grpc.verify('VerifySignature', { accountId, payload: Buffer.from('hello'), header: 't=1,v1=00' })
          : grpc.verify('Sign', { accountId, payload: Buffer.from('hello') }),
      ),
    );
    const rateLimited = answers.filter((a): a is GrpcCallError => a instanceof GrpcCallError && a.code === Status.RESOURCE_EXHAUSTED);
    expect(rateLimited.length).toBeGreaterThan(0);
    for (const error of rateLimited) expectRateLimited(error, 1);
  });

  it('KeyService past the per-actor limit: RESOURCE_EXHAUSTED for that user only', async () => {
    const accountId = uniqueAccount();
    const alice = await actorMetadata({ acct: accountId, sub: `alice_${accountId}` });
    const bob = await actorMetadata({ acct: accountId, sub: `bob_${accountId}` });
    for (let i = 0; i < 3; i++) expect(await grpc.key('ListKeys', { accountId }, alice)).toEqual({ keys: [], nextPageToken: '' });
    expectRateLimited(await failure(grpc.key('ListKeys', { accountId }, alice)), 60);
    expectRateLimited(await failure(grpc.key('GenerateKey', { accountId, kind: 'KEY_KIND_API' }, alice)), 60);
    expect(await grpc.key('ListKeys', { accountId }, bob)).toEqual({ keys: [], nextPageToken: '' });
  });
});
