/**
 * What every IdempotencyStore adapter must do (memory: memory-idempotency-store.spec.ts; Redis:
 * redis-idempotency-store.int-spec.ts). `make` gives a fresh store; `keyOf` a key no other test uses.
 */
import { randomUUID } from 'node:crypto';
import type { IdempotencyStore } from '../idempotency-store';

export interface StoreUnderTest {
  store: IdempotencyStore;
  /** Lets `ms` pass for the store's expiries (real time, or a fake clock). */
  elapse(ms: number): Promise<void>;
}

export function describeIdempotencyStoreConformance(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`${name}: IdempotencyStore conformance`, () => {
    let subject: StoreUnderTest;
    beforeEach(async () => {
      subject = await make();
    });
    afterEach(async () => {
      await subject.store.close();
    });
    const key = (): string => `k-${randomUUID()}`;
    const DAY = 24 * 60 * 60 * 1000;

    it('claims a free key, then says in-flight to the same request and mismatch to another', async () => {
      const k = key();
      const first = await subject.store.begin(k, 'fp-1', DAY);
      expect(first.state).toBe('started');
      expect(await subject.store.begin(k, 'fp-1', DAY)).toEqual({ state: 'in-flight' });
      expect(await subject.store.begin(k, 'fp-2', DAY)).toEqual({ state: 'mismatch' });
    });

    it('completes with the answer: the same request gets it back, another is a mismatch', async () => {
      const k = key();
      const first = await subject.store.begin(k, 'fp-1', DAY);
      if (first.state !== 'started') throw new Error('not started');
      expect(await subject.store.complete(k, first.claim, 'sealed answer', DAY)).toBe(true);
      expect(await subject.store.begin(k, 'fp-1', DAY)).toEqual({ state: 'completed', answer: 'sealed answer' });
      expect(await subject.store.begin(k, 'fp-1', DAY)).toEqual({ state: 'completed', answer: 'sealed answer' });
      expect(await subject.store.begin(k, 'fp-2', DAY)).toEqual({ state: 'mismatch' });
    });

    it('keeps keys apart', async () => {
      const [a, b] = [key(), key()];
      const first = await subject.store.begin(a, 'fp-1', DAY);
      if (first.state !== 'started') throw new Error('not started');
      await subject.store.complete(a, first.claim, 'answer a', DAY);
      expect((await subject.store.begin(b, 'fp-2', DAY)).state).toBe('started');
    });

    it('only the claim that began may complete, and only once it holds the key', async () => {
      const k = key();
      const first = await subject.store.begin(k, 'fp-1', DAY);
      if (first.state !== 'started') throw new Error('not started');
      expect(await subject.store.complete(k, 'another claim', 'forged', DAY)).toBe(false);
      expect(await subject.store.begin(k, 'fp-1', DAY)).toEqual({ state: 'in-flight' });
      expect(await subject.store.complete(key(), first.claim, 'elsewhere', DAY)).toBe(false);
    });

    it('forgets a claim and an answer when they expire', async () => {
      const [k, done] = [key(), key()];
      expect((await subject.store.begin(k, 'fp-1', 200)).state).toBe('started');
      const first = await subject.store.begin(done, 'fp-1', DAY);
      if (first.state !== 'started') throw new Error('not started');
      expect(await subject.store.complete(done, first.claim, 'answer', 200)).toBe(true);
      await subject.elapse(400);
      expect((await subject.store.begin(k, 'fp-2', DAY)).state).toBe('started');
      expect((await subject.store.begin(done, 'fp-2', DAY)).state).toBe('started');
    });

    it('an expired claim cannot complete over the request that claimed the key after it', async () => {
      const k = key();
      const old = await subject.store.begin(k, 'fp-1', 200);
      if (old.state !== 'started') throw new Error('not started');
      await subject.elapse(400);
      const next = await subject.store.begin(k, 'fp-1', DAY);
      if (next.state !== 'started') throw new Error('not started');
      expect(await subject.store.complete(k, old.claim, 'late', DAY)).toBe(false);
      expect(await subject.store.complete(k, next.claim, 'on time', DAY)).toBe(true);
      expect(await subject.store.begin(k, 'fp-1', DAY)).toEqual({ state: 'completed', answer: 'on time' });
    });

    it('of concurrent begins of one key, exactly one starts', async () => {
      const k = key();
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => subject.store.begin(k, 'fp-1', DAY)));
      expect(outcomes.filter((o) => o.state === 'started')).toHaveLength(1);
      expect(outcomes.filter((o) => o.state === 'in-flight')).toHaveLength(9);
    });
  });
}
