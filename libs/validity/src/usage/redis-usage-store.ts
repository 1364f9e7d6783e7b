/**
 * UsageStore on the service's Redis (production). Per key and UTC day one hash
 * `<ns>:usage:<keyId>:<YYYY-MM-DD>` (fields valid and one per refusal code; HINCRBY), expiring
 * USAGE_RETENTION_DAYS after its day; per key a string `<ns>:usage-last:<keyId>` (epoch ms) that only
 * moves forward (a Lua compare), expiring USAGE_RETENTION_DAYS after the last use. `<ns>` is the
 * validity index's namespace (redisKeyNamespace), `{ns}` on a Redis Cluster: every key is in one slot,
 * so one script writes a whole batch and MGET reads many keys.
 */
import { isCluster, type RedisClient } from '../redis/redis-client';
import { redisKeyNamespace } from '../redis/redis-validity-index';
import {
  DAY_MS,
  dailyUsage,
  dayString,
  emptyRefused,
  USAGE_REFUSED_CODES,
  USAGE_BATCH_MEMORY_MS,
  USAGE_RETENTION_DAYS,
  type DailyUsage,
  type UsageDelta,
  type UsageStore,
} from './usage.port';

/** Deltas per script call. */
const BATCH = 200;
const RETENTION_MS = USAGE_RETENTION_DAYS * DAY_MS;

// KEYS: the batch marker, then per delta its day hash and its last-use key (all in the namespace's slot).
// ARGV: per delta, valid, one count per refusal code (USAGE_REFUSED_CODES, in order), lastUsedAt,
// day hash's expiry (epoch ms);
// then the retention and how long the marker is kept (ms; 0: no batch id, no marker). A batch whose
// marker exists was applied before: nothing is done, 0 is returned.
const COUNT_FIELDS = ['valid', ...USAGE_REFUSED_CODES];
const APPLY = `
local retention = tonumber(ARGV[#ARGV - 1])
if ARGV[#ARGV] ~= '0' and not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[#ARGV]) then return 0 end
local fields = { ${COUNT_FIELDS.map((f) => `'${f}'`).join(', ')} }
local stride = #fields + 2
for i = 1, (#KEYS - 1) / 2 do
  local day, last, a = KEYS[2 * i], KEYS[2 * i + 1], (i - 1) * stride
  for f = 1, #fields do
    local n = tonumber(ARGV[a + f])
    if n > 0 then redis.call('HINCRBY', day, fields[f], n) end
  end
  redis.call('PEXPIREAT', day, ARGV[a + #fields + 2])
  local at = tonumber(ARGV[a + #fields + 1])
  local current = tonumber(redis.call('GET', last) or '0')
  if at > current then
    redis.call('SET', last, ARGV[a + #fields + 1], 'PX', retention)
  end
end
return (#KEYS - 1) / 2
`;

export interface RedisUsageStoreOptions {
  /** The deployment's namespace (REDIS_NAMESPACE), hash-tagged here on a cluster; default 'cs'. */
  namespace?: string;
  /** Whether close() quits the client; default false (the caller's client). */
  ownsClient?: boolean;
  now?: () => number;
}

export class RedisUsageStore implements UsageStore {
  private readonly ns: string;
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: RedisUsageStoreOptions = {},
  ) {
    this.ns = redisKeyNamespace(options.namespace ?? 'cs', isCluster(redis));
    this.now = options.now ?? Date.now;
  }

  private dayKey(keyId: string, day: number): string {
    return `${this.ns}:usage:${keyId}:${dayString(day)}`;
  }

  private lastKey(keyId: string): string {
    return `${this.ns}:usage-last:${keyId}`;
  }

  async apply(deltas: readonly UsageDelta[], batchId?: string): Promise<void> {
    const oldest = Math.floor(this.now() / DAY_MS) - USAGE_RETENTION_DAYS;
    const kept = deltas.filter((delta) => delta.day >= oldest);
    for (let start = 0; start < kept.length; start += BATCH) {
      // Each part of a batch has its own marker: a retry applies the parts that did not land.
      const keys: string[] = [`${this.ns}:usage-batch:${batchId ?? 'none'}:${start}`];
      const args: (string | number)[] = [];
      for (const delta of kept.slice(start, start + BATCH)) {
        keys.push(this.dayKey(delta.keyId, delta.day), this.lastKey(delta.keyId));
        args.push(
          delta.valid,
          ...USAGE_REFUSED_CODES.map((code) => delta.refused[code]),
          delta.lastUsedAt,
          (delta.day + 1) * DAY_MS + RETENTION_MS,
        );
      }
      args.push(RETENTION_MS, batchId === undefined ? 0 : USAGE_BATCH_MEMORY_MS);
      await this.redis.eval(APPLY, keys.length, ...keys, ...args);
    }
  }

  async lastUsed(keyIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    if (keyIds.length === 0) return found;
    const values = await this.redis.mget(...keyIds.map((keyId) => this.lastKey(keyId)));
    keyIds.forEach((keyId, i) => {
      const value = values[i];
      if (value !== null && value !== undefined) found.set(keyId, Number(value));
    });
    return found;
  }

  async daily(keyId: string, fromDay: number, toDay: number): Promise<DailyUsage[]> {
    const days: number[] = [];
    for (let day = fromDay; day <= toDay; day++) days.push(day);
    if (days.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const day of days) pipeline.hgetall(this.dayKey(keyId, day));
    const replies = (await pipeline.exec()) ?? [];
    const usage: DailyUsage[] = [];
    replies.forEach(([error, hash], i) => {
      if (error) throw error;
      const fields = hash as Record<string, string>;
      if (Object.keys(fields).length === 0) return;
      const refused = emptyRefused();
      for (const code of USAGE_REFUSED_CODES) refused[code] = Number(fields[code] ?? 0);
      usage.push(dailyUsage(days[i], Number(fields.valid ?? 0), refused));
    });
    return usage;
  }

  async close(): Promise<void> {
    if (this.options.ownsClient) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
