/**
 * HistoryStore on the service's Redis (production). Per generation and account, under the hash tag
 * `{<accountId>}` (every key of one account is in one slot, so on a Redis Cluster an account's write is
 * one MULTI and its reads never cross slots, while accounts spread over the cluster):
 *
 *   <ns>:history:<gen>:{<acct>}:e           hash: zero-padded position -> the row (JSON)
 *   <ns>:history:<gen>:{<acct>}:all         sorted set (all scores 0, ordered by member): every position
 *   <ns>:history:<gen>:{<acct>}:t:<type>    the same, per event type
 *   <ns>:history:<gen>:{<acct>}:k:<keyId>   per key
 *   <ns>:history:<gen>:{<acct>}:a:<actor>   per actor key (user:<sub>, system:<name>)
 *
 * plus `<ns>:history:gen` (the current generation) and `<ns>:history:cp:<gen>` (its checkpoint).
 * A page reads the most selective sorted set that fits the filter (key, actor, one type, else all)
 * from the cursor with ZRANGEBYLEX … LIMIT, then the rows with HMGET: O(log n + page) when the set
 * answers the whole filter. Filters the set does not answer (several types, a second filter, the time
 * window) are checked on the rows read; a page then reads at most SCAN_BUDGET rows and may end early
 * with a cursor (HistoryPage.next).
 */
import { isCluster, type RedisClient } from '../redis/redis-client';
import {
  actorKey,
  decodeHistoryRow,
  encodeHistoryRow,
  HistoryRewoundError,
  matchesHistoryFilter,
  paddedPosition,
  type HistoryPage,
  type HistoryPageRequest,
  type HistoryRow,
  type HistoryStore,
} from './history.port';

/** Rows a page may read past those it answers, when filters match sparsely. */
const SCAN_BUDGET = 10_000;

export interface RedisHistoryStoreOptions {
  /** The deployment's namespace (REDIS_NAMESPACE); default 'cs'. Never hash-tagged: the account is. */
  namespace?: string;
  /** Whether close() quits the client; default false (the caller's client). */
  ownsClient?: boolean;
  /** Rows a page may read past those it answers; default 10,000. */
  scanBudget?: number;
}

/** KEYS[1] the checkpoint; ARGV[1] the new position, ARGV[2] the expected one ('' = none). 1 if set, 0 if not. */
const CHECKPOINT_CAS_LUA = `
local current = redis.call('GET', KEYS[1])
if ARGV[2] == '' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;

/**
 * The rows of one account: KEYS[1] its row hash; ARGV[1] its keys' prefix (`…:{<accountId>}:`), ARGV[2]
 * the number of rows n, then n pairs (member: the zero-padded position, row JSON); then groups of
 * (set suffix, m, m members) for the sorted sets (`all`, `t:<type>`, `k:<keyId>`, `a:<actor>`). One
 * HSET and one ZADD per set, each with many members: Redis's cost is per command more than per member.
 * The sets' keys are derived here, in the slot of KEYS[1] (the account's hash tag), as the validity
 * index's scripts do.
 */
const WRITE_ROWS_LUA = `
local p = ARGV[1]
local n = tonumber(ARGV[2])
-- unpack() is bounded by Lua's stack (a few thousand values): commands of at most CHUNK members each.
local CHUNK = 1000
local last = 2 + 2 * n
for from = 3, last, 2 * CHUNK do
  redis.call('HSET', KEYS[1], unpack(ARGV, from, math.min(from + 2 * CHUNK - 1, last)))
end
local i = last + 1
while i <= #ARGV do
  local key, m = p .. ARGV[i], tonumber(ARGV[i + 1])
  for from = 1, m, CHUNK do
    local scored = {}
    for j = from, math.min(from + CHUNK - 1, m) do
      scored[#scored + 1] = 0
      scored[#scored + 1] = ARGV[i + 1 + j]
    end
    redis.call('ZADD', key, unpack(scored))
  end
  i = i + 2 + m
end
return n`;

type HistoryClient = RedisClient & {
  csHistoryWrite(rowsKey: string, prefix: string, ...rows: (string | number)[]): Promise<number>;
};

export class RedisHistoryStore implements HistoryStore {
  private readonly ns: string;
  private readonly scanBudget: number;
  private readonly client: HistoryClient;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: RedisHistoryStoreOptions = {},
  ) {
    this.ns = `${options.namespace ?? 'cs'}:history`;
    this.scanBudget = options.scanBudget ?? SCAN_BUDGET;
    // defineCommand is idempotent per name: a shared client gets the same script (EVALSHA, EVAL once).
    redis.defineCommand('csHistoryWrite', { lua: WRITE_ROWS_LUA, numberOfKeys: 1 });
    this.client = redis as HistoryClient;
  }

  private accountKey(generation: number, accountId: string, suffix: string): string {
    return `${this.ns}:${generation}:{${accountId}}:${suffix}`;
  }

  async page({ accountId, filter, direction, after, limit }: HistoryPageRequest): Promise<HistoryPage> {
    const generation = await this.currentGeneration();
    const types = filter.types ?? [];
    const set =
      filter.keyId !== undefined
        ? `k:${filter.keyId}`
        : filter.actor !== undefined
          ? `a:${filter.actor}`
          : types.length === 1
            ? `t:${types[0]}`
            : 'all';
    // Whether the set answers the whole filter: then every row read matches and a page reads limit + 1.
    const exact = filter.from === undefined && filter.to === undefined && this.setAnswers(set, filter);
    const rowsKey = this.accountKey(generation, accountId, 'e');
    const setKey = this.accountKey(generation, accountId, set);
    const matches: HistoryRow[] = [];
    let cursor = after;
    let scanned = 0;
    for (;;) {
      const chunk = exact ? limit + 1 - matches.length : Math.min(1000, Math.max(2 * (limit + 1), 100));
      const members =
        direction === 'oldest'
          ? await this.redis.zrangebylex(setKey, cursor === undefined ? '-' : `(${paddedPosition(cursor)}`, '+', 'LIMIT', 0, chunk)
          : await this.redis.zrevrangebylex(setKey, cursor === undefined ? '+' : `(${paddedPosition(cursor)}`, '-', 'LIMIT', 0, chunk);
      if (members.length === 0) return { rows: matches, next: null };
      const texts = await this.redis.hmget(rowsKey, ...members);
      for (const text of texts) {
        if (text === null) continue; // a row of a write that did not complete: its MULTI never ran
        const row = decodeHistoryRow(text);
        if (matchesHistoryFilter(row, filter)) matches.push(row);
        if (matches.length > limit) return { rows: matches.slice(0, limit), next: matches[limit - 1].position };
      }
      scanned += members.length;
      cursor = BigInt(members[members.length - 1]);
      if (members.length < chunk) return { rows: matches, next: null };
      if (scanned >= this.scanBudget) return { rows: matches, next: cursor };
    }
  }

  private setAnswers(set: string, filter: HistoryPageRequest['filter']): boolean {
    const types = filter.types ?? [];
    const others = [filter.keyId !== undefined, filter.actor !== undefined, types.length > 0].filter(Boolean).length;
    if (set === 'all') return others === 0;
    return others === 1;
  }

  async position(): Promise<bigint | undefined> {
    return this.checkpoint(await this.currentGeneration());
  }

  async currentGeneration(): Promise<number> {
    return Number((await this.redis.get(`${this.ns}:gen`)) ?? 0);
  }

  async write(generation: number, rows: readonly HistoryRow[], checkpoint?: bigint, base?: bigint | null): Promise<void> {
    const byAccount = new Map<string, { pairs: string[]; sets: Map<string, string[]> }>();
    for (const row of rows) {
      let account = byAccount.get(row.accountId);
      if (!account) byAccount.set(row.accountId, (account = { pairs: [], sets: new Map() }));
      const member = paddedPosition(row.position);
      account.pairs.push(member, encodeHistoryRow(row));
      for (const set of ['all', `t:${row.type}`, `k:${row.keyId}`, `a:${actorKey(row.metadata.actor)}`]) {
        const members = account.sets.get(set);
        if (members) members.push(member);
        else account.sets.set(set, [member]);
      }
    }
    // One script call per account (one slot): an account's rows and their set entries land together or
    // not at all. All of them at once: ioredis writes the calls of one tick in one go.
    await Promise.all(
      [...byAccount].map(([accountId, { pairs, sets }]) => {
        const args: (string | number)[] = [pairs.length / 2, ...pairs];
        for (const [set, members] of sets) args.push(set, members.length, ...members);
        return this.client.csHistoryWrite(this.accountKey(generation, accountId, 'e'), this.accountKey(generation, accountId, ''), ...args);
      }),
    );
    if (checkpoint === undefined) return;
    const key = `${this.ns}:cp:${generation}`;
    if (base === undefined) {
      await this.redis.set(key, checkpoint.toString());
      return;
    }
    // Compare and set, in one step: the checkpoint moves only from the one the writer knows.
    const set = await this.redis.eval(CHECKPOINT_CAS_LUA, 1, key, checkpoint.toString(), base === null ? '' : base.toString());
    if (set !== 1) throw new HistoryRewoundError(base);
  }

  async checkpoint(generation: number): Promise<bigint | undefined> {
    const value = await this.redis.get(`${this.ns}:cp:${generation}`);
    return value === null ? undefined : BigInt(value);
  }

  async newGeneration(): Promise<number> {
    const current = await this.currentGeneration();
    let next = await this.redis.incr(`${this.ns}:next-gen`);
    // A counter lost (or never there while a generation was current): never hand out the current one again.
    if (next <= current) {
      await this.redis.set(`${this.ns}:next-gen`, current + 1);
      next = current + 1;
    }
    return next;
  }

  async activate(generation: number): Promise<number> {
    const previous = await this.redis.getset(`${this.ns}:gen`, String(generation));
    return Number(previous ?? 0);
  }

  async drop(generation: number): Promise<void> {
    if (generation === (await this.currentGeneration())) return;
    const nodes = isCluster(this.redis) ? this.redis.nodes('master') : [this.redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${this.ns}:${generation}:*`, 'COUNT', 1000);
        // One key per call: on a cluster the keys of one scan are in many slots.
        await Promise.all(keys.map((key) => node.unlink(key)));
        cursor = next;
      } while (cursor !== '0');
    }
    await this.redis.unlink(`${this.ns}:cp:${generation}`);
  }

  async close(): Promise<void> {
    if (this.options.ownsClient) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
