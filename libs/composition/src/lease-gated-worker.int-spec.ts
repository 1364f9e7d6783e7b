/**
 * With several instances on one Redis, exactly one runs a lease-gated worker (the Kafka relay), and
 * another takes over when it stops or loses the lease. Against real Redis (REDIS_URL_TEST).
 */
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { LeaseGatedWorker } from './lease-gated-worker';
import { RedisLeaderLease } from './redis-leader-lease';

const url = process.env.REDIS_URL_TEST;
if (!url) throw new Error('REDIS_URL_TEST is not set: run `npm test`, which starts a real Redis');

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function instance(redis: Redis, key: string) {
  const runs = { starts: 0, stops: 0, running: false };
  const worker = new LeaseGatedWorker(
    'relay',
    {
      name: 'relay',
      start: async () => void ((runs.starts += 1), (runs.running = true)),
      stop: async () => void ((runs.stops += 1), (runs.running = false)),
    },
    new RedisLeaderLease(redis, key, 600),
    150,
    quiet,
  );
  return { worker, runs };
}

describe('LeaseGatedWorker on real Redis', () => {
  const redis = new Redis(url);
  afterAll(() => redis.disconnect());

  it('runs on exactly one instance, and hands over when that one stops', async () => {
    const key = `test:lease:${randomUUID()}`;
    const [a, b, c] = [instance(redis, key), instance(redis, key), instance(redis, key)];
    await Promise.all([a.worker.start(), b.worker.start(), c.worker.start()]);
    await sleep(500);
    const leaders = [a, b, c].filter((i) => i.runs.running);
    expect(leaders).toHaveLength(1);
    const [leader] = leaders;
    const others = [a, b, c].filter((i) => i !== leader);

    await leader.worker.stop();
    expect(leader.runs.running).toBe(false);
    await sleep(500);
    expect(others.filter((i) => i.runs.running)).toHaveLength(1);
    await Promise.all(others.map((i) => i.worker.stop()));
    expect([a, b, c].every((i) => !i.runs.running)).toBe(true);
  });

  it('stops a leader whose lease was taken, at its next renewal', async () => {
    const key = `test:lease:${randomUUID()}`;
    const a = instance(redis, key);
    await a.worker.start();
    expect(a.runs.running).toBe(true);
    await redis.set(key, 'someone-else', 'PX', 5000);
    await sleep(400);
    expect(a.runs.running).toBe(false);
    expect(a.runs.stops).toBe(1);
    await a.worker.stop();
  });
});
