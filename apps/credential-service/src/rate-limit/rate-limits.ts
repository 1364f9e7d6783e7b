/**
 * Rate limits (README, "Rate limits"): per service credential on verify and on signing, per actor
 * (JWT `sub`) and per account on management calls. Counted with rate-limiter-flexible: in Redis
 * when REDIS_URL or REDIS_CLUSTER_NODES is set, so every instance shares the count, in memory otherwise.
 * On Redis Cluster the counters are not hash-tagged: each limiter command touches one key, so they
 * spread over the cluster's slots instead of loading the node that serves the validity index. A refusal is
 * `429 RATE_LIMITED` with `Retry-After` (gRPC: RESOURCE_EXHAUSTED, see grpc-status.ts).
 *
 * The Redis client is this module's own: commands time out after RATE_LIMIT_REDIS_TIMEOUT_MS, are
 * refused at once while it is disconnected (no offline queue), and every failure falls back to
 * the library's insurance limiter, an in-memory count per instance. Redis trouble therefore costs
 * a verify at most that timeout, never an error; after a failure the store is left alone for
 * STORE_BACKOFF_MS. Counts are taken in blocks (leased-limiter.ts), so a verify does not pay a
 * Redis round trip.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createRedisClient, type RedisClient, type RedisTarget } from '@cs/validity';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, ServiceMetrics, type AppConfig, type RateLimitName } from '@cs/composition';
import { ProblemException } from '../http/problem';
import { LeasedLimiter, type PointSource } from './leased-limiter';

/** After a Redis failure, how long counts stay in memory before Redis is tried again. */
const STORE_BACKOFF_MS = 1000;

export type ServiceCall = 'verify' | 'signing';

/** The insurance limiter, noting when the store last failed over to it. */
class Insurance extends RateLimiterMemory {
  failedOverAt = 0;

  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }): Promise<RateLimiterRes> {
    this.failedOverAt = Date.now();
    return super.consume(key, points, options);
  }

  consumeDirectly(key: string, points: number): Promise<RateLimiterRes> {
    return super.consume(key, points);
  }
}

/** Takes points from Redis, or straight from the insurance limiter for a while after Redis failed. */
class RedisWithInsurance implements PointSource {
  private skipStoreUntil = 0;

  constructor(
    private readonly insurance: Insurance,
    private readonly onFailover: () => void,
  ) {}

  async take(limiter: RateLimiterAbstract, key: string, points: number): Promise<RateLimiterRes> {
    const started = Date.now();
    if (started < this.skipStoreUntil) return this.insurance.consumeDirectly(key, points);
    try {
      return await limiter.consume(key, points);
    } finally {
      if (this.insurance.failedOverAt >= started) {
        this.skipStoreUntil = Date.now() + STORE_BACKOFF_MS;
        this.onFailover();
      }
    }
  }
}

interface Limit {
  name: RateLimitName;
  limiter: LeasedLimiter;
  refusal: (retryAfterSeconds: number) => ProblemException;
}

const tooMany =
  (detail: string) =>
  (retryAfterSeconds: number): ProblemException =>
    new ProblemException(429, 'RATE_LIMITED', 'Too many requests', `${detail}; retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
      headers: { 'retry-after': String(retryAfterSeconds) },
    });

/** A key of bounded length for an identifier taken from a token or a path. */
const keyOf = (id: string): string => (id.length <= 64 ? id : createHash('sha256').update(id).digest('hex'));

@Injectable()
export class RateLimits implements OnApplicationShutdown {
  private readonly logger = new Logger('rate-limits');
  private readonly redis: RedisClient | null = null;
  private readonly verifyLimit: Limit | null;
  private readonly signingLimit: Limit | null;
  private readonly actorLimit: Limit | null;
  private readonly accountLimit: Limit | null;
  /** The service credential's key: a fingerprint, never the token. */
  private readonly credential: string;
  private lastFailoverLog = 0;
  /** The longest a limiter's Redis command may add to a request before the in-memory count answers. */
  private readonly timeoutMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(ServiceMetrics) private readonly metrics: ServiceMetrics,
  ) {
    const limits = config.rateLimits;
    const anyLimit = [limits.verifyPerSecond, limits.signingPerSecond, limits.actorPerMinute, limits.accountPerMinute].some(
      (points) => points > 0,
    );
    this.timeoutMs = limits.redisTimeoutMs;
    if (config.redis && anyLimit) this.redis = this.connect(config.redis);
    const prefix = `${config.redisNamespace}:rl`;
    const make = (name: RateLimitName, points: number, seconds: number, detail: string): Limit | null =>
      points > 0 ? { name, limiter: this.limiter(`${prefix}:${name}`, points, seconds), refusal: tooMany(detail) } : null;
    this.verifyLimit = make(
      'verify',
      limits.verifyPerSecond,
      1,
      `more than ${limits.verifyPerSecond} verify calls in a second with this service credential`,
    );
    this.signingLimit = make(
      'signing',
      limits.signingPerSecond,
      1,
      `more than ${limits.signingPerSecond} signing calls in a second with this service credential`,
    );
    this.actorLimit = make(
      'actor',
      limits.actorPerMinute,
      60,
      `more than ${limits.actorPerMinute} management calls in a minute by this user`,
    );
    this.accountLimit = make(
      'account',
      limits.accountPerMinute,
      60,
      `more than ${limits.accountPerMinute} management calls in a minute on this account`,
    );
    this.credential = `svc-${createHash('sha256').update(config.serviceToken).digest('hex').slice(0, 16)}`;
  }

  /** Internal calls, per service credential. Throws 429 when over the limit. */
  service(call: ServiceCall): void | Promise<void> {
    return this.check(call === 'verify' ? this.verifyLimit : this.signingLimit, this.credential);
  }

  /** Management calls, per acting user (before authorization, so refused calls count too). */
  actor(sub: string): void | Promise<void> {
    return this.check(this.actorLimit, keyOf(sub));
  }

  /** Management calls, per account (once the actor is known to belong to it). */
  account(accountId: string): void | Promise<void> {
    return this.check(this.accountLimit, keyOf(accountId));
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }

  private check(limit: Limit | null, key: string): void | Promise<void> {
    if (!limit) return;
    const wait = limit.limiter.take(key);
    if (typeof wait === 'number') {
      if (wait > 0) this.refuse(limit, wait);
      return;
    }
    return wait.then((ms) => {
      if (ms > 0) this.refuse(limit, ms);
    });
  }

  private refuse(limit: Limit, waitMs: number): never {
    this.metrics.rateLimited(limit.name);
    throw limit.refusal(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  private limiter(keyPrefix: string, points: number, duration: number): LeasedLimiter {
    const block = LeasedLimiter.blockFor(points);
    if (!this.redis) return new LeasedLimiter(new RateLimiterMemory({ keyPrefix, points, duration }), points, block);
    const insurance = new Insurance({ keyPrefix, points, duration });
    const store = new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix,
      points,
      duration,
      // Not connected: straight to the insurance limiter, without sending anything.
      rejectIfRedisNotReady: true,
      insuranceLimiter: insurance,
    });
    return new LeasedLimiter(store, points, block, new RedisWithInsurance(insurance, () => this.failedOver()));
  }

  private connect(target: RedisTarget): RedisClient {
    let failing = false;
    const redis = createRedisClient(target, {
      commandTimeout: this.timeoutMs,
      onError: (error) => {
        if (failing) return;
        failing = true;
        this.logger.warn(`Redis: ${error.message}; limits are counted in memory on this instance until it is back`);
      },
    });
    redis.on('ready', () => {
      if (failing) this.logger.log('Redis is back: limits are shared again');
      failing = false;
    });
    return redis;
  }

  private failedOver(): void {
    const now = Date.now();
    if (now - this.lastFailoverLog < 30_000) return;
    this.lastFailoverLog = now;
    this.logger.warn(
      `Redis did not answer within ${this.timeoutMs} ms or is not connected; ` + 'limits are counted in memory on this instance for now',
    );
  }
}
