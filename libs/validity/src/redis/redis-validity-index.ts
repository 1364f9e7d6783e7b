/**
 * The shared ValidityIndex: Redis, so every instance of the service answers verify from the same
 * read model. Layout (ns = namespace, g = generation):
 *
 *   <ns>:gen              current generation id (absent = '0')
 *   <ns>:<g>:h:<hash>     JSON ValidityEntry: the hot path, one GET
 *   <ns>:<g>:k:<keyId>    JSON KeyRecord
 *   <ns>:<g>:a:<account>  set of keyIds
 *   <ns>:<g>:exp          zset `keyId:secretVersion` scored by due-at ms
 *   <ns>:cp:<name>        checkpoints, outside generations: one position per subscription whatever
 *                         the generation; replaceAll sets it in the same step as the swap
 *   <ns>:gens:building    zset of generations being built, scored by last progress; one without
 *                         progress for `abandonedBuildMs` (a crashed rebuild) is swept. Every live
 *                         write also goes to each of them (see WRITE_LUA), so none is lost at a swap
 *   <ns>:gens:dead        set of generations to delete (swapped out, failed or abandoned builds);
 *                         whoever runs replaceAll next finishes deletions a crash interrupted
 *
 * Generations make replaceAll atomic for readers: a new one is built beside the live one, then the
 * pointer moves. Readers cache the generation id and read it back in the same round trip as their data
 * (MGET pointer + entry, or MULTI for multi-step reads); when it moved they refresh and re-read. We chose
 * this over pub/sub: it is exact (no window where another process still reads a swapped-out
 * generation that is being deleted), needs no second connection, and has nothing to lose on reconnect.
 * Writes re-check the pointer inside their script (see redis-validity-index.lua.ts).
 *
 * The client must not use ioredis `keyPrefix` (SCAN patterns and returned keys would not agree);
 * use `namespace`.
 *
 * Redis Cluster (an ioredis `Cluster` client): every key above starts with `{<ns>}` instead of `<ns>`,
 * a hash tag, so the whole namespace is in ONE slot. That is what keeps everything above true on a
 * cluster: the scripts touch keys of one slot only (also the building-generation keys the write script
 * derives from the namespace without declaring them, which Redis allows within the script's slot), the
 * MGET and MULTI reads are single-slot, the generation swap is still one script on one node (atomic for
 * readers), and index trust has one position and one identity: the master serving that slot
 * (redis-cluster-shard.ts; a failover or a moved slot is an incident). A standalone Redis keeps the
 * untagged layout, so an existing index stays valid. The cost: one namespace is served by one master, so
 * a cluster scales the index out by namespaces (REDIS_NAMESPACE per deployment, e.g. per account group or
 * region), not within one; sharding one index by key would need a generation pointer and a position per
 * slot.
 */
import { randomBytes } from 'node:crypto';
import type { ChainableCommander, Cluster, Redis, RedisOptions } from 'ioredis';
import { IndexRewoundError, IndexUnavailableError, TrustTracker, type IndexHealth, type IndexTrust } from '../index-trust';
import { pendingExpiries, validityEntries, type KeyRecord, type ValidityEntry } from '../key-record';
import type { Checkpoint, DueExpiry, ReplaceAllOptions, ValidityIndex, WriteOutcome } from '../validity-index.port';
import { BULK_LUA, FIXUP_LUA, SAVE_CHECKPOINT_LUA, SWAP_LUA, WRITE_LUA } from './redis-validity-index.lua';
import { createRedisClient, isCluster, withNodeCause, type RedisClient, type RedisTarget } from './redis-client';
import { ClusterShard, nodeKey } from './redis-cluster-shard';

/** The checkpoint that says how far the index has applied the store: read with every answer (index trust). */
export const DEFAULT_POSITION_CHECKPOINT = 'validity-projection';

/**
 * The prefix of every key of a namespace: the namespace itself on a standalone Redis, `{namespace}` (a
 * hash tag: one slot for all of it) on Redis Cluster. Other keys of a deployment that must share the
 * index's slot, or that are simply grouped with it (leader leases), use it too.
 */
export function redisKeyNamespace(namespace: string, cluster: boolean): string {
  if (!cluster) return namespace;
  if (/[{}]/.test(namespace))
    throw new Error('RedisValidityIndex: on Redis Cluster the namespace is hash-tagged for you; give it without braces');
  return `{${namespace}}`;
}

export interface RedisValidityIndexOptions {
  /** Prefix of every key; default 'cs'. */
  namespace?: string;
  /** How long an expired or revoked hash entry outlives its end so verify can say why; default 30 days. */
  retentionMs?: number;
  /** Records per pipeline of bulk writes while replaceAll builds a generation; default 500. */
  batchSize?: number;
  /** A build with no progress for this long is taken as abandoned and swept; default 15 minutes. */
  abandonedBuildMs?: number;
  /**
   * Whether close() quits the client. Default false: a client passed in belongs to the caller, who
   * may share it. `RedisValidityIndex.connect()` creates its own client and sets this.
   */
  ownsClient?: boolean;
  /** Told about failures of background deletion of old generations (also rethrown by drain/close). */
  onBackgroundError?: (error: unknown) => void;
  /**
   * A second client for the reads that answer callers (lookup, getKey, listKeys, dueExpiries), with a
   * short command timeout; default: the main client. Writes and rebuilds use the main client. Both
   * standalone or both cluster clients.
   */
  reader?: RedisClient;
  /** The checkpoint whose position is the index's applied store position (index trust). */
  positionCheckpoint?: string;
}

/** Options of RedisValidityIndex.connect: its own two clients, bounded and never queueing offline. */
export interface RedisValidityIndexConnectOptions extends Omit<RedisValidityIndexOptions, 'ownsClient' | 'reader'> {
  /** Bound on each read that answers a caller (verify, key views): default 250 ms. */
  readTimeoutMs?: number;
  /** Bound on each write and rebuild command: default 2000 ms. */
  writeTimeoutMs?: number;
  /** Told about each client error (a listener is always attached, so ioredis never reports it as unhandled). */
  onClientError?: (error: Error) => void;
  redis?: RedisOptions;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const INITIAL_GENERATION = '0';
/** Bound on re-reads when the generation keeps moving under a reader: a storm of replaceAll calls. */
const MAX_GENERATION_RETRIES = 5;
const SCAN_COUNT = 1000;
/** Pipelines of bulk writes of replaceAll in flight at once: Redis runs one while the next is prepared. */
const BUILD_CALLS_IN_FLIGHT = 4;
/** A pipeline's MSET is also cut at this many arguments (records with many retired secrets). */
const BUILD_MAX_ARGS = 16_000;

type ScriptClient = RedisClient & {
  csValidityWrite(numKeys: number, ...args: (string | number)[]): Promise<string>;
  csValiditySwap(...args: string[]): Promise<string>;
  csValidityFixup(buildingKey: string, g: string, prefix: string): Promise<number>;
  csValiditySaveCheckpoint(key: string, position: string, base: string, rewind: string): Promise<string>;
};
type ScriptPipeline = ChainableCommander & {
  csValidityWrite(numKeys: number, ...args: (string | number)[]): ChainableCommander;
  csValidityBulk(buildingKey: string, ...args: (string | number)[]): ChainableCommander;
};

export class RedisValidityIndex implements ValidityIndex {
  private readonly redis: ScriptClient;
  private readonly reader: RedisClient;
  /** On Redis Cluster: the node serving the index's slot, which is the index's identity. */
  private readonly shard: ClusterShard | null;
  private readonly positionKey: string;
  private readonly tracker = new TrustTracker();
  readonly trust: IndexTrust;
  /** The same index without trust checks (for the projection that heals it). */
  private readonly raw: ValidityIndex;
  private readonly ns: string;
  private readonly retentionMs: number;
  private readonly batchSize: number;
  private readonly abandonedBuildMs: number;
  private readonly ownsClient: boolean;
  private readonly onBackgroundError?: (error: unknown) => void;
  /** Cached generation id; verified on every read, so a stale value costs one extra round trip. */
  private gen: string | undefined;
  private readonly background = new Set<Promise<void>>();
  private backgroundErrors: unknown[] = [];

  /**
   * Clients of its own, quit by close(): one for writes, one for the reads that answer callers, to one
   * Redis (a URL) or a Redis Cluster (its startup nodes). Both fail at once while disconnected (no offline
   * queue: a request never waits for a reconnection), bound every command, reconnect within half a
   * second, and have an error listener (redis-client.ts).
   */
  static connect(target: string | RedisTarget, options: RedisValidityIndexConnectOptions = {}): RedisValidityIndex {
    const client = (commandTimeout: number, autoPipelining = false): RedisClient =>
      createRedisClient(typeof target === 'string' ? { url: target } : target, {
        commandTimeout,
        autoPipelining,
        onError: (error) => options.onClientError?.(error),
        redis: options.redis,
      });
    const writer = client(options.writeTimeoutMs ?? 2000);
    // Auto-pipelining: the verify reads issued in one event-loop turn (a burst of requests) leave in one
    // socket write and come back in one read, instead of a syscall pair each.
    const reader = client(options.readTimeoutMs ?? 250, true);
    return new RedisValidityIndex(writer, { ...options, reader, ownsClient: true });
  }

  constructor(redis: RedisClient, options: RedisValidityIndexOptions = {}) {
    if (redis.options.keyPrefix || options.reader?.options.keyPrefix) {
      throw new Error('RedisValidityIndex: use the namespace option, not an ioredis keyPrefix');
    }
    const cluster = isCluster(redis);
    if (options.reader && isCluster(options.reader) !== cluster) {
      throw new Error('RedisValidityIndex: the reader and the main client must both be cluster clients, or neither');
    }
    this.ns = redisKeyNamespace(options.namespace ?? 'cs', cluster);
    this.retentionMs = options.retentionMs ?? 30 * DAY_MS;
    this.batchSize = options.batchSize ?? 500;
    this.abandonedBuildMs = options.abandonedBuildMs ?? 15 * 60 * 1000;
    this.ownsClient = options.ownsClient ?? false;
    this.onBackgroundError = options.onBackgroundError;
    // defineCommand is idempotent per name; a shared client gets the same scripts.
    redis.defineCommand('csValidityWrite', { lua: WRITE_LUA });
    redis.defineCommand('csValiditySwap', { lua: SWAP_LUA, numberOfKeys: 4 });
    redis.defineCommand('csValidityFixup', { lua: FIXUP_LUA, numberOfKeys: 1 });
    redis.defineCommand('csValidityBulk', { lua: BULK_LUA, numberOfKeys: 1 });
    redis.defineCommand('csValiditySaveCheckpoint', { lua: SAVE_CHECKPOINT_LUA, numberOfKeys: 1 });
    this.redis = redis as ScriptClient;
    this.reader = options.reader ?? redis;
    this.positionKey = this.cpKey(options.positionCheckpoint ?? DEFAULT_POSITION_CHECKPOINT);
    this.shard = isCluster(this.reader) ? new ClusterShard(this.reader, this.genKey) : null;
    this.trust = { ...bindTracker(this.tracker), probe: () => this.probe() };
    this.raw = this.unguardedView();
    this.watchConnections([...new Set([redis, this.reader])]);
  }

  unguarded(): ValidityIndex {
    return this.raw;
  }

  async lookup(hash: string): Promise<ValidityEntry | null> {
    const json = await this.guarded(() => this.readString((g) => this.key(g, 'h', hash), true));
    return json === null ? null : (JSON.parse(json) as ValidityEntry);
  }

  async getKey(keyId: string): Promise<KeyRecord | null> {
    const json = await this.guarded(() => this.readString((g) => this.key(g, 'k', keyId), true));
    return json === null ? null : (JSON.parse(json) as KeyRecord);
  }

  async listKeys(accountId: string): Promise<KeyRecord[]> {
    return this.guarded(() => this.listKeysAt(accountId, true));
  }

  async write(record: KeyRecord, checkpoint?: Checkpoint): Promise<WriteOutcome> {
    return this.withGeneration(async (g) => {
      const outcome = await this.redis.csValidityWrite(...this.writeArgs(g, g, record, checkpoint));
      if (outcome === 'rewound') throw new IndexRewoundError((checkpoint as Checkpoint).name);
      if (outcome.startsWith('gen:')) return { gen: outcome.slice(4), value: 'stale' as const };
      return { gen: g, value: outcome as WriteOutcome };
    });
  }

  async saveCheckpoint(checkpoint: Checkpoint): Promise<void> {
    const outcome = await this.redis.csValiditySaveCheckpoint(
      this.cpKey(checkpoint.name),
      checkpoint.position.toString(),
      checkpoint.base?.toString() ?? '',
      checkpoint.rewind ? '1' : '',
    );
    if (outcome === 'rewound') throw new IndexRewoundError(checkpoint.name);
  }

  async loadCheckpoint(name: string): Promise<bigint | undefined> {
    const value = await this.redis.get(this.cpKey(name));
    return value === null ? undefined : BigInt(value);
  }

  async dueExpiries(now: number, limit: number, from?: number): Promise<DueExpiry[]> {
    return this.guarded(() => this.dueExpiriesAt(now, limit, true, from));
  }

  private async dueExpiriesAt(now: number, limit: number, checked: boolean, from?: number): Promise<DueExpiry[]> {
    if (limit <= 0) return [];
    const flat = await this.withGeneration(async (g) => {
      const [gen, value] = await this.atGeneration(
        (tx) => tx.zrangebyscore(this.key(g, 'exp'), from ?? '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit),
        checked,
      );
      return { gen, value: value as string[] };
    });
    const due: DueExpiry[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const cut = flat[i].lastIndexOf(':'); // key ids may contain ':'; the version never does
      due.push({ keyId: flat[i].slice(0, cut), secretVersion: Number(flat[i].slice(cut + 1)), dueAt: Number(flat[i + 1]) });
    }
    return due;
  }

  /**
   * Registers a new generation as building (from then on every live write, from any instance, also
   * goes into it under the same guards), fills it with plain bulk writes (MSET, SET … PXAT, SADD, ZADD:
   * no script per record), `batchSize` records per pipeline and a few pipelines in flight, while the
   * current one keeps serving; then applies again, under the guards, the live writes that reached it
   * meanwhile (FIXUP_LUA: a bulk write may have landed over a newer one), runs `beforeSwap`, then swaps
   * pointer and checkpoint in one script, then deletes the old generation in the background. A key that
   * comes twice in `records` goes through the guarded write from its second time on. Nothing written
   * after the registration is lost at the swap; what was written before it and is not in `records` is
   * the caller's to apply in `beforeSwap`.
   */
  replaceAll(records: Iterable<KeyRecord>, checkpoint: Checkpoint, options: ReplaceAllOptions = {}): Promise<void> {
    return this.replaceAllBy((g) => this.fillGeneration(g, records).then(() => undefined), checkpoint, options);
  }

  /**
   * replaceAll whose records are written by `fill`, given the id of the generation being built: it
   * may hand that id to other processes or threads, each calling fillGeneration on its own
   * RedisValidityIndex of the same namespace (a parallel rebuild). `fill` must resolve only once
   * every write it caused has settled, and reject if any failed: the fixup, beforeSwap and swap
   * follow it, and on a failure the partial generation is deleted.
   */
  async replaceAllBy(fill: (generation: string) => Promise<void>, checkpoint: Checkpoint, options: ReplaceAllOptions = {}): Promise<void> {
    this.track(this.sweepAbandoned());
    const g = `g${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
    await this.redis.zadd(this.buildingKey, Date.now(), g);
    let old: string;
    const prefix = `${this.key(g)}:`;
    const writeToNew = (record: KeyRecord): Promise<WriteOutcome> => this.writeToBuild(g, record);
    try {
      await fill(g);
      await this.redis.csValidityFixup(this.buildingKey, g, prefix);
      const stored = (await options.beforeSwap?.(writeToNew)) ?? checkpoint;
      const keys = [this.genKey, this.buildingKey, this.deadKey, this.cpKey(stored.name)];
      old = await this.redis.csValiditySwap(...keys, g, stored.position.toString(), stored.rewind ? '1' : '');
    } catch (error) {
      await this.bury(g)
        .then(() => this.dropGeneration(g))
        .catch((cleanup: unknown) => {
          throw new AggregateError([error, cleanup], 'replaceAll failed, and so did deleting its partial generation');
        });
      throw error;
    }
    this.gen = g;
    // What the fixup applied again is no longer needed (live writes go to the published generation only).
    this.track(this.redis.unlink(`${prefix}touched`).then(() => undefined));
    this.track(this.dropGeneration(old));
  }

  /**
   * Writes records into a generation replaceAllBy is building (its `fill`), in pipelined bulk writes
   * without guards: the fixup that follows applies again, under the guards, every live write that
   * reached the generation meanwhile. A key's second record in `records` is written guarded, after
   * its first (`unique`: the caller vouches there is none, e.g. the values of a Map by key id, and
   * no set of the ids seen is kept). Resolves with the number of records once every write has landed;
   * on a failure, rejects once none is in flight any more. Refuses a generation that is not being
   * built (swapped, buried).
   */
  async fillGeneration(generation: string, records: Iterable<KeyRecord>, options: { unique?: boolean } = {}): Promise<number> {
    if ((await this.redis.zscore(this.buildingKey, generation)) === null) {
      throw new Error(`validity index generation ${generation} is not being built (finished, failed or abandoned)`);
    }
    const g = generation;
    const calls: Promise<unknown>[] = [];
    const prefix = `${this.key(g)}:`;
    const send = async (work: Promise<unknown>): Promise<void> => {
      work.catch(() => undefined); // handled: awaited below, or settled in the catch
      calls.push(work);
      if (calls.length >= BUILD_CALLS_IN_FLIGHT) await calls.shift();
    };
    let count = 0;
    // Every account's keys, sent once all records are: one SADD per account (per BUILD_MAX_ARGS of
    // them), however the records come (a stream-by-stream read has each account's keys far apart).
    const accounts = new Map<string, string[]>();
    try {
      const seen = options.unique ? null : new Set<string>();
      let batch = new BulkBatch(prefix);
      for (const record of records) {
        count++;
        if (seen?.has(record.keyId)) {
          // Sent after the batches before it on the same connection, so after the key's first record.
          if (batch.records > 0) await send(this.sendBatch(batch, g));
          batch = new BulkBatch(prefix);
          await send(this.writeToBuild(g, record));
          continue;
        }
        seen?.add(record.keyId);
        batch.add(record, validityEntries(record), pendingExpiries(record), (entry) => this.entryExpireAt(entry, record));
        const ids = accounts.get(record.accountId);
        if (ids) ids.push(record.keyId);
        else accounts.set(record.accountId, [record.keyId]);
        if (batch.records >= this.batchSize || batch.size >= BUILD_MAX_ARGS) {
          await send(this.sendBatch(batch, g));
          batch = new BulkBatch(prefix);
        }
      }
      if (batch.records > 0) await send(this.sendBatch(batch, g));
      let sets: (string | number)[] = [];
      let groups = 0;
      const sendSets = () => {
        const pipeline = this.redis.pipeline() as ScriptPipeline;
        pipeline.csValidityBulk(this.buildingKey, 0, groups, ...sets).zadd(this.buildingKey, 'XX', Date.now(), g);
        sets = [];
        groups = 0;
        return send(execOrThrow(pipeline));
      };
      for (const [account, ids] of accounts) {
        sets.push(`${prefix}a:${account}`, ids.length, ...ids);
        groups++;
        if (sets.length >= BUILD_MAX_ARGS) await sendSets();
      }
      if (groups > 0) await sendSets();
      while (calls.length > 0) await calls.shift();
    } catch (error) {
      await Promise.allSettled(calls); // no write may land after the caller deletes the generation
      throw error;
    }
    return count;
  }

  /**
   * One record into the generation `g` being built, under the write script's guards (revision, terminal
   * secrets), and the build's progress mark: for the records a bulk write cannot take (a key met again,
   * what beforeSwap folds in).
   */
  private async writeToBuild(g: string, record: KeyRecord): Promise<WriteOutcome> {
    const pipeline = this.redis.pipeline() as ScriptPipeline;
    pipeline.csValidityWrite(...this.writeArgs('', g, record)).zadd(this.buildingKey, 'XX', Date.now(), g);
    const results = await execOrThrow(pipeline);
    return results[0][1] as WriteOutcome;
  }

  private async sendBatch(batch: BulkBatch, g: string): Promise<void> {
    const pipeline = this.redis.pipeline() as ScriptPipeline;
    batch.writeTo(pipeline, this.buildingKey);
    pipeline.zadd(this.buildingKey, 'XX', Date.now(), g);
    await execOrThrow(pipeline);
  }

  /** Waits for background deletions; rethrows (once) what failed in them. */
  async drain(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
    const errors = this.backgroundErrors;
    this.backgroundErrors = [];
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'validity index background deletions failed');
  }

  async close(): Promise<void> {
    try {
      await this.drain();
    } finally {
      for (const stop of this.unwatch.splice(0)) stop();
      if (this.ownsClient) {
        await Promise.all([...new Set([this.redis, this.reader])].map((client) => client.quit().catch(() => client.disconnect())));
      }
    }
  }

  // ---------------------------------------------------------------- internals

  private get genKey(): string {
    return `${this.ns}:gen`;
  }

  private get buildingKey(): string {
    return `${this.ns}:gens:building`;
  }

  private get deadKey(): string {
    return `${this.ns}:gens:dead`;
  }

  private cpKey(name: string): string {
    return `${this.ns}:cp:${name}`;
  }

  private key(g: string, ...parts: string[]): string {
    return [this.ns, g, ...parts].join(':');
  }

  /**
   * The hot path: one MGET of the generation pointer, the index's position and the key, one round
   * trip unless the generation just moved. `checked`: the pointer and position go through the trust
   * tracker, which refuses the answer of an index that is empty or behind.
   */
  private readString(keyAt: (g: string) => string, checked: boolean): Promise<string | null> {
    return this.withGeneration(async (g) => {
      const [gen, position, value] = await this.reader.mget(this.genKey, this.positionKey, keyAt(g));
      if (checked) this.observe(gen, position);
      return { gen: gen ?? INITIAL_GENERATION, value };
    });
  }

  private async listKeysAt(accountId: string, checked: boolean): Promise<KeyRecord[]> {
    return this.withGeneration(async (g) => {
      const [gen, ids] = await this.atGeneration((tx) => tx.smembers(this.key(g, 'a', accountId)), checked);
      if (gen !== g || (ids as string[]).length === 0) return { gen, value: [] };
      const [seen, position, ...jsons] = await this.reader.mget(
        this.genKey,
        this.positionKey,
        ...(ids as string[]).map((id) => this.key(g, 'k', id)),
      );
      if (checked) this.observe(seen, position);
      const records = jsons.filter((j): j is string => j !== null).map((j) => JSON.parse(j) as KeyRecord);
      return { gen: seen ?? INITIAL_GENERATION, value: records.filter((r) => r.accountId === accountId) };
    });
  }

  /** One MULTI reading the pointer, the position and one more command, so all come from the same instant. */
  private async atGeneration(command: (tx: ChainableCommander) => void, checked: boolean): Promise<[string, unknown]> {
    const tx = this.reader.multi().get(this.genKey).get(this.positionKey);
    command(tx);
    const [[genErr, gen], [posErr, position], [err, value]] = (await tx.exec()) as [Error | null, unknown][];
    const failed = genErr ?? posErr ?? err;
    if (failed) throw failed;
    if (checked) this.observe(gen as string | null, position as string | null);
    return [(gen as string | null) ?? INITIAL_GENERATION, value];
  }

  /**
   * The generation and position read with an answer go through the trust tracker; on a cluster the
   * answer must also come from the node the index's identity was established for (one array lookup).
   */
  private observe(gen: string | null, position: string | null): void {
    this.tracker.observe(gen, position);
    const moved = this.shard?.moved();
    if (moved) {
      this.tracker.fail(new Error(moved));
      throw new IndexUnavailableError('the index moved to another node');
    }
  }

  /**
   * A read that answers a caller: refused at once while the index is not trusted (no round trip: the
   * breaker is open until the trust monitor revalidates), and any failure of the read itself — a
   * timeout, a refused connection — opens it.
   */
  private async guarded<T>(read: () => Promise<T>): Promise<T> {
    this.tracker.check();
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof IndexUnavailableError)) {
        this.tracker.fail(error);
        throw new IndexUnavailableError('a read failed');
      }
      throw error;
    }
  }

  /**
   * One bounded round trip: reachability, run_id on a new connection, generation and position. On a
   * cluster, the run_id is that of the master serving the index's slot (asked again when that changed).
   */
  private async probe(): Promise<IndexHealth> {
    try {
      if (this.reader.status !== 'ready') throw new Error(`not connected (${this.reader.status})`);
      let identity: string;
      if (this.shard) {
        identity = await this.shard.identity();
      } else {
        if (this.probedConnection !== this.connections) {
          const info = await (this.reader as Redis).info('server');
          const runId = /run_id:(\w+)/.exec(info)?.[1] ?? 'unknown';
          this.probedConnection = this.connections;
          this.runId = runId;
        }
        identity = `redis run_id ${this.runId}`;
      }
      const [gen, position] = await this.reader.mget(this.genKey, this.positionKey);
      // A new run_id is a restart or a failover, which a reconnection already reported; a moved
      // generation is a rebuild, which the monotonic position check covers without an incident. On a
      // cluster, another node serving the slot is a new identity, hence an incident.
      this.tracker.setIdentity(identity);
      try {
        this.tracker.observe(gen, position);
      } catch {
        // behind or empty: recorded in the tracker's state
      }
    } catch (error) {
      this.tracker.fail(error);
    }
    return this.tracker.health();
  }

  private connections = 0;
  private probedConnection = -1;
  private runId = 'unknown';

  /**
   * Every (re)connection is an incident: whatever is behind it may have lost writes (index-trust.ts).
   * On a cluster, so is a lost connection to the node serving the index's slot (redis-cluster-shard.ts).
   */
  private watchConnections(clients: RedisClient[]): void {
    const update = (): void => {
      if (clients.every((c) => c.status === 'ready')) this.tracker.connected();
    };
    for (const client of clients) {
      let lastError: string | null = null;
      const listeners: [string, (error: Error) => void][] = [
        [
          'ready',
          () => {
            lastError = null;
            this.connections++;
            update();
          },
        ],
        ['error', (error: Error) => void (lastError = withNodeCause(error).message)],
        ['close', () => this.tracker.disconnected(lastError ?? 'connection closed')],
        ['end', () => this.tracker.disconnected(lastError ?? 'connection ended')],
      ];
      for (const [event, listener] of listeners) client.on(event, listener);
      // A shared client outlives this index: its listeners go with close().
      this.unwatch.push(() => {
        for (const [event, listener] of listeners) client.off(event, listener);
      });
      const shard = this.shard;
      if (client === this.reader && shard) {
        const lost = (node: Redis): void => {
          if (shard.isTrustedOwner(node)) this.tracker.fail(new Error(`lost the connection to ${nodeKey(node)}, which serves the index`));
        };
        client.on('-node', lost);
        this.unwatch.push(() => void client.off('-node', lost));
      }
    }
    update();
  }

  private readonly unwatch: (() => void)[] = [];

  private unguardedView(): ValidityIndex {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return {
      get trust() {
        return self.trust;
      },
      unguarded: () => self.raw,
      lookup: async (hash) => {
        const json = await self.readString((g) => self.key(g, 'h', hash), false);
        return json === null ? null : (JSON.parse(json) as ValidityEntry);
      },
      getKey: async (keyId) => {
        const json = await self.readString((g) => self.key(g, 'k', keyId), false);
        return json === null ? null : (JSON.parse(json) as KeyRecord);
      },
      listKeys: (accountId) => self.listKeysAt(accountId, false),
      write: (record, checkpoint) => self.write(record, checkpoint),
      saveCheckpoint: (checkpoint) => self.saveCheckpoint(checkpoint),
      loadCheckpoint: (name) => self.loadCheckpoint(name),
      dueExpiries: (now, limit, from) => self.dueExpiriesAt(now, limit, false, from),
      replaceAll: (records, checkpoint, options) => self.replaceAll(records, checkpoint, options),
      replaceAllBy: (fill, checkpoint, options) => self.replaceAllBy(fill, checkpoint, options),
      fillGeneration: (generation, records, options) => self.fillGeneration(generation, records, options),
      close: () => self.close(),
    };
  }

  /** Runs `attempt` against the cached generation until the generation it observed is that one. */
  private async withGeneration<T>(attempt: (g: string) => Promise<{ gen: string; value: T }>): Promise<T> {
    let g = this.gen ?? (await this.reader.get(this.genKey)) ?? INITIAL_GENERATION;
    for (let tries = 0; tries < MAX_GENERATION_RETRIES; tries++) {
      const { gen, value } = await attempt(g);
      this.gen = gen;
      if (gen === g) return value;
      g = gen;
    }
    throw new Error(`validity index generation kept moving (${MAX_GENERATION_RETRIES} swaps during one call)`);
  }

  /** Arguments of the write script (see WRITE_LUA), numkeys first. */
  private writeArgs(expected: string, g: string, record: KeyRecord, checkpoint?: Checkpoint): [number, ...(string | number)[]] {
    const entries = [...validityEntries(record)];
    const due = pendingExpiries(record);
    const keys = [this.genKey, this.buildingKey, this.key(g, 'k', record.keyId), this.key(g, 'a', record.accountId), this.key(g, 'exp')];
    const args: (string | number)[] = [expected, JSON.stringify(record), record.keyId, record.version, entries.length, due.length];
    args.push(checkpoint ? `${checkpoint.position}/${checkpoint.base ?? ''}` : '', this.ns);
    for (const [hash] of entries) keys.push(this.key(g, 'h', hash));
    this.pushApplyArgs(args, record, entries, due);
    if (checkpoint) keys.push(this.cpKey(checkpoint.name));
    return [keys.length, ...keys, ...args];
  }

  /**
   * What the Lua apply reads after a record's header: one triple per hash entry
   * (entry JSON, status, PEXPIREAT ms or ''), then one pair per pending expiry (zset member, due-at ms).
   */
  private pushApplyArgs(
    args: (string | number)[],
    record: KeyRecord,
    entries: Iterable<[string, ValidityEntry]>,
    due: { keyId: string; secretVersion: number; dueAt: number }[],
  ): void {
    for (const [, entry] of entries) {
      const expireAt = this.entryExpireAt(entry, record);
      args.push(JSON.stringify(entry), entry.status, expireAt === null ? '' : expireAt);
    }
    for (const d of due) args.push(`${d.keyId}:${d.secretVersion}`, d.dueAt);
  }

  /**
   * When a hash entry may disappear: a retention window after the secret stopped being usable. Active
   * entries without expiry live until something changes them. For a revoked key the record's
   * updatedAt is the revocation (revoked is terminal, nothing is written after it). The window never
   * starts before the key's last recorded change: an expiry set retroactively (a past time) ended the
   * secret when it was recorded, and verify must still say EXPIRED, not NOT_FOUND, for the window.
   */
  private entryExpireAt(entry: ValidityEntry, record: KeyRecord): number | null {
    const updatedAt = Date.parse(record.updatedAt);
    let end: number | null = entry.expiresAt;
    if (entry.status === 'revoked') end = Math.min(entry.expiresAt ?? Infinity, updatedAt);
    else if (entry.status === 'expired') end = entry.expiresAt ?? updatedAt;
    return end === null ? null : Math.max(end, updatedAt) + this.retentionMs;
  }

  /** Deletes builds that stalled and dead generations whose deletion a crash interrupted. */
  private async sweepAbandoned(): Promise<void> {
    const stalled = await this.redis.zrangebyscore(this.buildingKey, '-inf', Date.now() - this.abandonedBuildMs);
    for (const g of stalled) await this.bury(g);
    const [current, dead] = await Promise.all([this.redis.get(this.genKey), this.redis.smembers(this.deadKey)]);
    for (const g of dead) if (g !== (current ?? INITIAL_GENERATION)) await this.dropGeneration(g);
  }

  /** Marks a build dead; out of `building`, its swap can no longer succeed (nor can progress re-add it). */
  private async bury(g: string): Promise<void> {
    await execOrThrow(this.redis.multi().zrem(this.buildingKey, g).sadd(this.deadKey, g));
  }

  /**
   * SCAN + UNLINK page by page: never one giant command, and UNLINK frees memory off the main thread.
   * On a cluster SCAN runs on every master (a cluster client would send it to any one node): only the
   * one serving the slot has keys, unless the slot is being migrated, when both sides have some.
   */
  private async dropGeneration(g: string): Promise<void> {
    const match = `${globEscape(`${this.ns}:${g}:`)}*`;
    const nodes: (Redis | Cluster)[] = isCluster(this.redis) ? this.redis.nodes('master') : [this.redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
        if (keys.length > 0) await this.redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
    await this.redis.srem(this.deadKey, g); // last: until done, a later sweep would finish the job
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => {
        this.backgroundErrors.push(error);
        this.onBackgroundError?.(error);
      })
      .finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }
}

/** The pipeline's replies; throws the first error among them. */
async function execOrThrow(pipeline: ChainableCommander): Promise<[Error | null, unknown][]> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err)?.[0];
  if (failed) throw failed;
  return results;
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function bindTracker(tracker: TrustTracker): Omit<IndexTrust, 'probe'> {
  return {
    health: () => tracker.health(),
    requirePosition: (position) => tracker.requirePosition(position),
    revalidate: (head) => tracker.revalidate(head),
    onChange: (listener) => tracker.onChange(listener),
  };
}

/**
 * The bulk writes of up to `batchSize` records of a build: their records and their hash entries without
 * expiry in one MSET, each entry with an expiry (`SET … PXAT`) in one call of BULK_LUA, one ZADD of
 * pending expiries. The account sets are fillGeneration's, once every record is sent. Only for keys the
 * build has not written yet; see replaceAll.
 */
class BulkBatch {
  records = 0;
  /** Arguments so far (bounds the MSET and the script's arguments). */
  size = 0;
  private readonly mset: string[] = [];
  private readonly expiring: (string | number)[] = [];
  private readonly dues: (string | number)[] = [];

  constructor(private readonly prefix: string) {}

  add(
    record: KeyRecord,
    entries: Map<string, ValidityEntry>,
    due: { keyId: string; secretVersion: number; dueAt: number }[],
    expireAt: (entry: ValidityEntry) => number | null,
  ): void {
    this.records++;
    this.mset.push(`${this.prefix}k:${record.keyId}`, JSON.stringify(record));
    for (const [hash, entry] of entries) {
      const at = expireAt(entry);
      if (at === null) this.mset.push(`${this.prefix}h:${hash}`, JSON.stringify(entry));
      else this.expiring.push(`${this.prefix}h:${hash}`, JSON.stringify(entry), at);
    }
    for (const d of due) this.dues.push(d.dueAt, `${d.keyId}:${d.secretVersion}`);
    this.size = this.mset.length + this.expiring.length + this.dues.length;
  }

  writeTo(pipeline: ScriptPipeline, buildingKey: string): void {
    if (this.mset.length > 0) pipeline.mset(this.mset);
    if (this.expiring.length > 0) pipeline.csValidityBulk(buildingKey, this.expiring.length / 3, ...this.expiring, 0);
    if (this.dues.length > 0) pipeline.zadd(`${this.prefix}exp`, ...this.dues);
  }
}
