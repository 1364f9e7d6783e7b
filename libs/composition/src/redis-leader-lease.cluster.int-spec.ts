/**
 * Leader leases on a real Redis Cluster (the `cluster` tier): the compare-and-extend and release
 * scripts run on whatever node serves the lease's key, so one instance leads and another takes over
 * when it releases or stops renewing.
 */
import { randomUUID } from 'node:crypto';
import { createRedisClient, isCluster, redisKeyNamespace, type RedisClient } from '@cs/validity';
import { testRedisClusterNodes } from '../../validity/src/testing/test-redis';
import { RedisLeaderLease } from './redis-leader-lease';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisLeaderLease on Redis Cluster', () => {
  const clients: RedisClient[] = [];
  const client = (): RedisClient => {
    const created = createRedisClient({ clusterNodes: testRedisClusterNodes() }, { commandTimeout: 2000 });
    clients.push(created);
    return created;
  };
  afterAll(() => {
    for (const c of clients) c.disconnect();
  });

  it('lets one instance of several lead, and another once it released or its lease lapsed', async () => {
    const [a, b] = [client(), client()];
    await Promise.all([a, b].map((c) => new Promise((resolve) => c.once('ready', resolve))));
    expect(isCluster(a)).toBe(true);
    // As infrastructure.ts names it on a cluster: under the index's hash tag.
    const key = `${redisKeyNamespace(`cstest-lease-${randomUUID().slice(0, 8)}`, true)}:scheduler-lease`;
    const first = new RedisLeaderLease(a, key, 300);
    const second = new RedisLeaderLease(b, key, 300);
    expect(await first.tryLead()).toBe(true);
    expect(await second.tryLead()).toBe(false);
    expect(await first.tryLead()).toBe(true); // renewed
    await first.release();
    expect(await second.tryLead()).toBe(true);
    expect(await first.tryLead()).toBe(false);
    await sleep(400); // `second` stops renewing: its lease lapses
    expect(await first.tryLead()).toBe(true);
    await first.release();
  });
});
