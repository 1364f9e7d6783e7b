/**
 * Where the validity index lives on a Redis Cluster, for index trust (index-trust.ts).
 *
 * Every key of a namespace is hash-tagged (`{ns}:...`, see redis-validity-index.ts), so the whole index
 * is in one slot, served by one master at a time. The index's identity is that master: its address and
 * its run_id (a restart gives a new one). On a standalone Redis a reconnection is an incident; here the
 * equivalents are:
 *
 * - the client loses its connection to that master (ioredis ends a cluster node's connection instead of
 *   reconnecting it, `-node`): the node may have restarted, possibly without its data;
 * - the slot is routed to another node: a failover to a replica (which may lag), or a slot migration.
 *   ioredis follows a MOVED silently and updates its slot map before it retries the command, so after
 *   every read that answers a caller `moved()` compares the slot's master with the one the identity was
 *   established for; an answer served by another node is never used before a revalidation.
 *
 * Both are incidents: no answer until the trust monitor has revalidated against the store head, and the
 * position check then applies to the new node.
 */
import type { Cluster, Redis } from 'ioredis';
import { clusterKeySlot } from './redis-client';

export const nodeKey = (node: Redis): string => `${node.options.host}:${node.options.port}`;

export class ClusterShard {
  readonly slot: number;
  /** The master the identity was last established for (by `identity()`); null before that. */
  private trustedOwner: string | null = null;
  private probedNode: Redis | null = null;
  private runId = 'unknown';

  constructor(
    private readonly cluster: Cluster,
    /** Any key of the index: they all hash to the same slot. */
    key: string,
  ) {
    this.slot = clusterKeySlot(key);
  }

  /** The node ("host:port") the client routes the slot to now; null while it knows none. */
  owner(): string | null {
    return this.cluster.slots[this.slot]?.[0] ?? null;
  }

  /** Whether `node` is the one the identity was established for. */
  isTrustedOwner(node: Redis): boolean {
    return this.trustedOwner !== null && nodeKey(node) === this.trustedOwner;
  }

  /**
   * The identity of the master serving the slot: one INFO on it when it is not the connection asked
   * last time (another node, or the same address reconnected). Throws when no known node serves the slot.
   */
  async identity(): Promise<string> {
    const owner = this.owner();
    const node = owner === null ? undefined : this.cluster.nodes('master').find((n) => nodeKey(n) === owner);
    if (!node) throw new Error(`no node of the cluster is known to serve slot ${this.slot}`);
    if (node !== this.probedNode) {
      const info = await node.info('server');
      this.runId = /run_id:(\w+)/.exec(info)?.[1] ?? 'unknown';
      this.probedNode = node;
    }
    this.trustedOwner = owner;
    return `redis cluster node ${owner} run_id ${this.runId}, slot ${this.slot}`;
  }

  /** After a read: why its answer may not be used (the slot is served by another node now), or null. */
  moved(): string | null {
    const owner = this.owner();
    if (owner !== null && owner === this.trustedOwner) return null;
    return `the index's slot ${this.slot} moved from ${this.trustedOwner ?? 'an unvalidated node'} to ${owner ?? 'no known node'}`;
  }
}
