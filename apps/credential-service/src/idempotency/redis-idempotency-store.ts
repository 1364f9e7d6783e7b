/**
 * The production IdempotencyStore: one Redis key per idempotency key, `<ns>:idem:<hash>`, where
 * `<ns>` is the deployment's namespace as the validity index spells it (`{ns}` on Redis Cluster:
 * redisKeyNamespace). Each script touches that one key only, so any slot serves it. `begin` is SET
 * NX of the in-flight marker (with its expiry) or a read of what holds the key, in one script;
 * `complete` swaps the marker for the answer only if it is still this request's marker.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@cs/validity';
import { IdempotencyStoreUnavailableError, type BeginOutcome, type IdempotencyStore, type StoredEntry } from './idempotency-store';

const BEGIN_LUA = `
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

const COMPLETE_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

export class RedisIdempotencyStore implements IdempotencyStore {
  private waiting: Promise<void> | null = null;

  /** `namespace`: the deployment's key prefix, hash-tagged on a cluster (redisKeyNamespace). */
  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: string,
    private readonly readyTimeoutMs = 2000,
  ) {}

  async begin(key: string, fingerprint: string, ttlMs: number): Promise<BeginOutcome> {
    const claim = randomUUID();
    const marker = JSON.stringify({ f: fingerprint, claim } satisfies StoredEntry);
    const held = await this.call(() => this.redis.eval(BEGIN_LUA, 1, this.keyOf(key), marker, String(ttlMs)));
    if (typeof held !== 'string') return { state: 'started', claim };
    const entry = JSON.parse(held) as StoredEntry;
    if (entry.f !== fingerprint) return { state: 'mismatch' };
    if (entry.answer === undefined) return { state: 'in-flight' };
    return { state: 'completed', answer: entry.answer };
  }

  async complete(key: string, claim: string, answer: string, ttlMs: number): Promise<boolean> {
    // The marker is compared as written by begin: the same fingerprint and claim, in the same order.
    const held = await this.call(() => this.redis.get(this.keyOf(key)));
    if (held === null) return false;
    const entry = JSON.parse(held) as StoredEntry;
    if (entry.claim !== claim) return false;
    const marker = JSON.stringify({ f: entry.f, claim } satisfies StoredEntry);
    const stored = JSON.stringify({ f: entry.f, answer } satisfies StoredEntry);
    return (await this.call(() => this.redis.eval(COMPLETE_LUA, 1, this.keyOf(key), marker, stored, String(ttlMs)))) === 1;
  }

  close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }

  private keyOf(key: string): string {
    return `${this.namespace}:idem:${key}`;
  }

  /** A command once the client is connected (it queues nothing offline), or IdempotencyStoreUnavailableError. */
  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      if (this.redis.status !== 'ready') await this.ready();
      return await command();
    } catch (error) {
      throw error instanceof IdempotencyStoreUnavailableError ? error : new IdempotencyStoreUnavailableError(error);
    }
  }

  /** One wait for the connection, shared by the calls that arrive meanwhile. */
  private ready(): Promise<void> {
    this.waiting ??= new Promise<void>((resolve, reject) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        reject(new IdempotencyStoreUnavailableError('Redis is not connected'));
      }, this.readyTimeoutMs);
      this.redis.once('ready', onReady);
    }).finally(() => {
      this.waiting = null;
    });
    return this.waiting;
  }
}
