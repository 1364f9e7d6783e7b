/**
 * One active expiry scheduler among several instances: a Redis lease (SET NX PX), renewed by its
 * holder with a compare-and-extend script. If the holder dies, the lease lapses after `ttlMs` and
 * another instance takes over; two holders at once would only repeat no-op ExpireSecret commands.
 * A standalone or a cluster client: each script touches its one declared key, so it runs on a cluster
 * as it is, in whatever slot the key is.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@cs/validity';
import type { LeaderLease } from '@cs/application';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisLeaderLease implements LeaderLease {
  private readonly holder = randomUUID();

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly ttlMs = 10_000,
  ) {}

  async tryLead(): Promise<boolean> {
    if ((await this.redis.eval(RENEW, 1, this.key, this.holder, String(this.ttlMs))) === 1) return true;
    return (await this.redis.set(this.key, this.holder, 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.holder);
  }
}
