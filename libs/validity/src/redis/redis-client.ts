/**
 * One way to open the service's Redis, standalone (REDIS_URL) or Redis Cluster (REDIS_CLUSTER_NODES),
 * with the same guarantees either way: commands fail at once while disconnected (no offline queue,
 * so a request never waits for a reconnection), every command is bounded by `commandTimeout` (on a
 * cluster that bound covers the redirections and retries of one command too: ioredis starts its
 * timer once per command), reconnection is retried within half a second, and an error listener is
 * always attached (ioredis would otherwise report errors as unhandled).
 *
 * On a cluster every command goes to the master of its slot (`scaleReads: 'master'`): the validity
 * index's trust (position, identity) is that of the one node that accepted its writes. Reading from
 * replicas is possible in principle (README, "Redis Cluster") but weakens the revocation fence.
 */
import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';

export interface RedisClusterNode {
  host: string;
  port: number;
}

/**
 * Where the service's Redis is: one server (a redis:// or rediss:// URL, credentials in it) or the
 * startup nodes of a Redis Cluster, with the credentials every node takes (AUTH; an ACL user or the
 * default one).
 */
export type RedisTarget = { url: string } | { clusterNodes: readonly RedisClusterNode[]; username?: string; password?: string };

/** A standalone client or a cluster client: both have the same command API. */
export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  /** Bound on each command, its cluster redirections and retries included. */
  commandTimeout: number;
  /** Bound on opening a connection; default 2000 ms. */
  connectTimeout?: number;
  /**
   * ioredis auto-pipelining: commands issued in the same event-loop turn leave in one write (per node
   * on a cluster). Default false.
   */
  autoPipelining?: boolean;
  /** Told about each client error (the listener is always attached). */
  onError?: (error: Error) => void;
  /** More options for the connection(s) to each server; on a cluster, for every node's connection. */
  redis?: RedisOptions;
  /** More options for the cluster client (ignored for a standalone Redis). */
  cluster?: ClusterOptions;
}

const retryWithin500ms = (times: number): number => Math.min(times * 50, 500);

export function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

export function createRedisClient(target: RedisTarget, options: RedisClientOptions): RedisClient {
  const perConnection: RedisOptions = {
    commandTimeout: options.commandTimeout,
    connectTimeout: options.connectTimeout ?? 2000,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: options.autoPipelining ?? false,
    ...(options.redis ?? {}),
  };
  let client: RedisClient;
  if ('url' in target) {
    client = new Redis(target.url, { enableOfflineQueue: false, retryStrategy: retryWithin500ms, ...perConnection });
  } else {
    if (target.clusterNodes.length === 0) throw new Error('a Redis Cluster needs at least one startup node');
    client = new Cluster(
      target.clusterNodes.map(({ host, port }) => ({ host, port })),
      {
        enableOfflineQueue: false,
        enableAutoPipelining: options.autoPipelining ?? false,
        scaleReads: 'master',
        clusterRetryStrategy: retryWithin500ms,
        // A MOVED is followed at once (and the slot map refreshed); a node that went away or a cluster that
        // is down is retried after 100 ms: all within the command's own timeout.
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 100,
        slotsRefreshTimeout: Math.min(options.connectTimeout ?? 2000, 2000),
        // The slot map is also refreshed every 5 s without any error, so a failover is seen even while idle.
        slotsRefreshInterval: 5000,
        redisOptions: {
          ...perConnection,
          ...(target.password === undefined ? {} : { password: target.password }),
          ...(target.username === undefined ? {} : { username: target.username }),
        },
        ...(options.cluster ?? {}),
      },
    );
  }
  client.on('error', (error: Error) => options.onError?.(withNodeCause(error)));
  return client;
}

/**
 * A cluster client reports "Failed to refresh slots cache." when no startup node answered; why (a refused
 * connection, WRONGPASS, NOAUTH) is in its lastNodeError. The message says both, so a log line names the cause.
 */
export function withNodeCause(error: Error): Error {
  const last = (error as Error & { lastNodeError?: Error }).lastNodeError;
  if (!last || error.message.includes(last.message)) return error;
  return new Error(`${error.message} Last node error: ${last.message}`, { cause: error });
}

/**
 * The hash slot of a key (CRC16/XMODEM of the key, or of its `{hash tag}`, mod 16384), as Redis
 * Cluster computes it (CLUSTER KEYSLOT). The validity index uses it to know which node owns its data.
 */
export function clusterKeySlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(0x7b); // '{'
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1); // '}'
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i] << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
