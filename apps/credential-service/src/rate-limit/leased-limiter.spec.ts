import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { LeasedLimiter } from './leased-limiter';

/** Runs `count` takes one after another; returns the answers (0: admitted, else ms to wait). */
async function takeMany(limiter: LeasedLimiter, key: string, count: number): Promise<number[]> {
  const answers: number[] = [];
  for (let i = 0; i < count; i++) answers.push(await limiter.take(key));
  return answers;
}

const admitted = (answers: number[]): number => answers.filter((a) => a === 0).length;

describe('LeasedLimiter', () => {
  afterEach(() => jest.useRealTimers());

  it('with blocks of 1 admits exactly the limit per window, then says how long to wait', async () => {
    const limiter = new LeasedLimiter(new RateLimiterMemory({ points: 5, duration: 60 }), 5, 1);
    const answers = await takeMany(limiter, 'a', 8);
    expect(answers.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    for (const wait of answers.slice(5)) {
      expect(wait).toBeGreaterThan(55_000);
      expect(wait).toBeLessThanOrEqual(60_000);
    }
    // Another key has its own count.
    expect(await limiter.take('b')).toBe(0);
  });

  it('spends a block from memory: one consume per block, synchronously in between', async () => {
    const store = new RateLimiterMemory({ points: 1000, duration: 60 });
    const consume = jest.spyOn(store, 'consume');
    const limiter = new LeasedLimiter(store, 1000, LeasedLimiter.blockFor(1000));
    expect(limiter.block).toBe(10);
    expect(await limiter.take('k')).toBe(0);
    for (let i = 0; i < 9; i++) expect(limiter.take('k')).toBe(0);
    expect(consume).toHaveBeenCalledTimes(1);
    expect(await limiter.take('k')).toBe(0);
    expect(consume).toHaveBeenCalledTimes(2);
  });

  it('concurrent takes on a spent key wait for one consume, not one each', async () => {
    const store = new RateLimiterMemory({ points: 100, duration: 60 });
    const consume = jest.spyOn(store, 'consume');
    const limiter = new LeasedLimiter(store, 100, 5);
    const answers = await Promise.all(Array.from({ length: 5 }, async () => limiter.take('k')));
    expect(answers).toEqual([0, 0, 0, 0, 0]);
    expect(consume).toHaveBeenCalledTimes(1);
  });

  it('instances sharing one counter never admit more than the limit together, and lose at most a block each', async () => {
    const shared = new RateLimiterMemory({ points: 100, duration: 60 });
    const a = new LeasedLimiter(shared, 100, 7);
    const b = new LeasedLimiter(shared, 100, 7);
    const answers = await Promise.all([takeMany(a, 'k', 80), takeMany(b, 'k', 80)]);
    const total = admitted(answers[0]) + admitted(answers[1]);
    expect(total).toBeLessThanOrEqual(100);
    expect(total).toBeGreaterThanOrEqual(100 - 2 * 7);
    // Once refused, an instance refuses from memory until the window ends.
    expect(a.take('k')).toBeGreaterThan(0);
  });

  it('counts afresh when the window is over', async () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    const limiter = new LeasedLimiter(new RateLimiterMemory({ points: 3, duration: 1 }), 3, 1);
    expect(await takeMany(limiter, 'k', 4)).toEqual([0, 0, 0, expect.any(Number)]);
    jest.advanceTimersByTime(1001);
    expect(await limiter.take('k')).toBe(0);
  });

  it('admits when the store fails and nothing stands in for it: a limiter fault never refuses service', async () => {
    const failing = { duration: 1, consume: () => Promise.reject(new Error('store down')) } as unknown as RateLimiterAbstract;
    const limiter = new LeasedLimiter(failing, 10, 1);
    expect(await takeMany(limiter, 'k', 3)).toEqual([0, 0, 0]);
  });
});
