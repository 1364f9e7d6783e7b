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
/** Polls until `check` holds (a loaded machine takes longer, never fails for it); fails after 10 s. */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
/** A few renewal rounds (150 ms each) for a second leader to show itself, if there were one. */
const OBSERVE_MS = 3 * 150;

/** Every worker a test started, stopped after it even when it failed (else their timers keep jest alive). */
const started: LeaseGatedWorker[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((worker) => worker.stop()));
});

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
  started.push(worker);
  return { worker, runs };
}

describe('LeaseGatedWorker on real Redis', () => {
  const redis = new Redis(url);
  afterAll(() => redis.disconnect());

  it('runs on exactly one instance, and hands over when that one stops', async () => {
    const key = `test:lease:${randomUUID()}`;
    const [a, b, c] = [instance(redis, key), instance(redis, key), instance(redis, key)];
    await Promise.all([a.worker.start(), b.worker.start(), c.worker.start()]);
    await until(() => [a, b, c].some((i) => i.runs.running));
    await sleep(OBSERVE_MS);
    const leaders = [a, b, c].filter((i) => i.runs.running);
    expect(leaders).toHaveLength(1);
    const [leader] = leaders;
    const others = [a, b, c].filter((i) => i !== leader);

    await leader.worker.stop();
    expect(leader.runs.running).toBe(false);
    await until(() => others.some((i) => i.runs.running));
    await sleep(OBSERVE_MS);
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
    await until(() => !a.runs.running);
    expect(a.runs.stops).toBe(1);
    await a.worker.stop();
  });
});
