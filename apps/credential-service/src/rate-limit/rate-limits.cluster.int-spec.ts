/**
 * Rate limits counted on a real Redis Cluster (the `cluster` tier): two instances configured with
 * REDIS_CLUSTER_NODES share one count per key, as they do on one Redis.
 */
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { loadConfig, ServiceMetrics } from '@cs/composition';
import { testRedisClusterNodes } from '../../../../libs/validity/src/testing/test-redis';
import { ProblemException } from '../http/problem';
import { RateLimits } from './rate-limits';

const SECRETS = {
  AUTH_JWT_SECRET: 'a-jwt-secret-that-is-long-enough-0123456789',
  SERVICE_TOKEN: 'a-service-token-0123456789abcdef',
  MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
};

const status = async (check: () => void | Promise<void>): Promise<number> => {
  try {
    await check();
    return 200;
  } catch (error) {
    if (error instanceof ProblemException) return error.status;
    throw error;
  }
};

describe('RateLimits on Redis Cluster', () => {
  const instances: RateLimits[] = [];
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => {
    for (const limits of instances) limits.onApplicationShutdown();
  });

  it('shares the count of a key between instances', async () => {
    const nodes = testRedisClusterNodes()
      .map(({ host, port }) => `${host}:${port}`)
      .join(',');
    const env = {
      ...SECRETS,
      REDIS_CLUSTER_NODES: nodes,
      REDIS_NAMESPACE: `cstest-rl-${randomUUID().slice(0, 8)}`,
      RATE_LIMIT_MANAGEMENT_PER_MINUTE: '3',
    };
    const [a, b] = [new RateLimits(loadConfig(env), new ServiceMetrics()), new RateLimits(loadConfig(env), new ServiceMetrics())];
    instances.push(a, b);
    for (const limits of [a, b]) {
      const client = (limits as unknown as { redis: { status: string; once(event: string, listener: () => void): void } }).redis;
      if (client.status !== 'ready') await new Promise<void>((resolve) => client.once('ready', resolve));
    }
    const user = `user-${randomUUID()}`;
    // 3 a minute for this user, whichever instance answers: a count per instance would admit 6.
    const answers = [await status(() => a.actor(user)), await status(() => b.actor(user)), await status(() => a.actor(user))];
    answers.push(await status(() => b.actor(user)), await status(() => a.actor(user)));
    expect(answers).toEqual([200, 200, 200, 429, 429]);
  });
});
