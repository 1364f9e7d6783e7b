import { randomBytes } from 'node:crypto';
import { SecretSealer, type KeyView } from '@cs/application';
import { ProblemException } from '../http/problem';
import { Idempotency, type SecretAnswerBody } from './idempotency';
import { IdempotencyStoreUnavailableError, type BeginOutcome, type IdempotencyStore } from './idempotency-store';
import { MemoryIdempotencyStore } from './memory-idempotency-store';

const SECRET = 'ak_live_THEONESECRETSHOWNONCE';
const scope = { accountId: 'acct_1', principal: 'user_1' };
const request = { operation: 'generate' as const, body: { kind: 'api' } };
const answer: SecretAnswerBody = { key: { id: 'key_000000000000000000000001' } as KeyView, secret: SECRET };

/** A memory store that also shows what it was given to keep. */
class RecordingStore extends MemoryIdempotencyStore {
  readonly kept: string[] = [];
  override complete(key: string, claim: string, stored: string, ttlMs: number): Promise<boolean> {
    this.kept.push(stored);
    return super.complete(key, claim, stored, ttlMs);
  }
}

const failing: IdempotencyStore = {
  begin: (): Promise<BeginOutcome> => Promise.reject(new IdempotencyStoreUnavailableError(new Error('connection refused'))),
  complete: () => Promise.reject(new Error('unreachable')),
  close: () => Promise.resolve(),
};

async function problemOf(call: Promise<unknown>): Promise<ProblemException> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ProblemException) return error;
    throw error;
  }
  throw new Error('no problem');
}

describe('Idempotency', () => {
  const sealer = new SecretSealer(randomBytes(32));

  it('keeps the answer sealed: the stored text holds neither the secret nor the key id in clear', async () => {
    const store = new RecordingStore();
    const idempotency = new Idempotency(store, sealer);
    await idempotency.run('k1', scope, request, () => Promise.resolve(answer));
    expect(store.kept).toHaveLength(1);
    expect(store.kept[0]).not.toContain(SECRET);
    expect(store.kept[0]).not.toContain(answer.key.id);
    expect(JSON.parse(store.kept[0])).toMatchObject({ alg: 'A256GCM' });
    const replay = await idempotency.run('k1', scope, request, () => Promise.reject(new Error('must not run again')));
    expect(replay).toEqual({ answer, replayed: true });
  });

  it('a replayed answer opens only with the master key that sealed it', async () => {
    const store = new RecordingStore();
    await new Idempotency(store, sealer).run('k1', scope, request, () => Promise.resolve(answer));
    const other = new Idempotency(store, new SecretSealer(randomBytes(32)));
    await expect(other.run('k1', scope, request, () => Promise.resolve(answer))).rejects.toThrow(/master key/);
  });

  it('fails closed: an unreachable store is 503 IDEMPOTENCY_UNAVAILABLE and the request does not run', async () => {
    let ran = false;
    const problem = await problemOf(
      new Idempotency(failing, sealer).run('k1', scope, request, () => {
        ran = true;
        return Promise.resolve(answer);
      }),
    );
    expect(problem.status).toBe(503);
    expect(problem.code).toBe('IDEMPOTENCY_UNAVAILABLE');
    expect(problem.extras.headers).toEqual({ 'retry-after': '1' });
    expect(ran).toBe(false);
  });

  it('without a key, runs without touching the store', async () => {
    expect(await new Idempotency(failing, sealer).run(undefined, scope, request, () => Promise.resolve(answer))).toEqual({
      answer,
      replayed: false,
    });
  });

  it('a request that failed with a 5xx is kept: its repeat gets the same problem, not a second run', async () => {
    const idempotency = new Idempotency(new MemoryIdempotencyStore(), sealer);
    const unavailable = new ProblemException(503, 'STORE_UNAVAILABLE', 'Event store unavailable', 'the event store did not answer');
    await expect(idempotency.run('k1', scope, request, () => Promise.reject(unavailable))).rejects.toBe(unavailable);
    const replayed = await problemOf(idempotency.run('k1', scope, request, () => Promise.resolve(answer)));
    expect(replayed.body()).toEqual(unavailable.body());
    expect(replayed.extras.headers).toEqual({ 'idempotent-replayed': 'true' });
  });

  it('if the answer cannot be kept, it is still given', async () => {
    const store: IdempotencyStore = {
      begin: () => Promise.resolve({ state: 'started', claim: 'c' }),
      complete: () => Promise.reject(new Error('unreachable')),
      close: () => Promise.resolve(),
    };
    expect(await new Idempotency(store, sealer).run('k1', scope, request, () => Promise.resolve(answer))).toEqual({
      answer,
      replayed: false,
    });
  });
});
