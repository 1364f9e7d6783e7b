/**
 * RedisValidityIndex on a real Redis Cluster (three masters, `scripts/services.sh start-cluster`; the
 * `cluster` tier of scripts/test.sh). The whole conformance suite, then what is particular to a cluster:
 * one slot per namespace, trust that follows the node serving that slot (a slot that moves, a node that
 * restarts empty), and the swap of a rebuild seen at once by another instance.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import IORedis, { type Cluster, type Redis } from 'ioredis';
import { KeyStory, describeValidityIndexConformance } from '../testing/validity-index.conformance';
import { testRedisClusterNodes, useTestRedisCluster } from '../testing/test-redis';
import { IndexUnavailableError } from '../index-trust';
import { clusterKeySlot } from './redis-client';
import { DEFAULT_POSITION_CHECKPOINT, RedisValidityIndex, type RedisValidityIndexOptions } from './redis-validity-index';

const cluster = useTestRedisCluster('cluster');
const ROOT = join(__dirname, '../../../..');

/** Built (empty, at position 0) and revalidated against a store head of 0, as a running service has it. */
async function trusted(index: RedisValidityIndex, namespace: string): Promise<RedisValidityIndex> {
  if ((await cluster.client.get(`{${namespace}}:gen`)) === null) {
    await index.replaceAll([], { name: DEFAULT_POSITION_CHECKPOINT, position: 0n });
  }
  await index.trust.probe();
  index.trust.revalidate(0n);
  return index;
}

const createIndex = async (options: RedisValidityIndexOptions = {}) => {
  const namespace = cluster.namespace();
  return trusted(new RedisValidityIndex(cluster.client, { namespace, ...options }), namespace);
};

/** Every key under a pattern, with the master that holds it. */
async function keysByNode(pattern: string): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const node of cluster.client.nodes('master')) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) found.set(address(node), [...(found.get(address(node)) ?? []), ...keys]);
      cursor = next;
    } while (cursor !== '0');
  }
  return found;
}

const address = (node: Redis): string => `${node.options.host}:${node.options.port}`;

/** The master that owns a slot according to the cluster itself (CLUSTER SLOTS), not the client's cache. */
async function slotOwner(slot: number): Promise<string> {
  const ranges = await cluster.client.cluster('SLOTS');
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (!range) throw new Error(`no node serves slot ${slot}`);
  return `${range[2][0]}:${range[2][1]}`;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeValidityIndexConformance('redis cluster', {
  // A small batch size so replaceAll's build spans many pipelines while the conformance readers run.
  create: () => createIndex({ batchSize: 100 }),
  cleanup: () => cluster.cleanup(),
});

describe('RedisValidityIndex on Redis Cluster', () => {
  const indexes: RedisValidityIndex[] = [];
  const track = (index: RedisValidityIndex) => (indexes.push(index), index);
  afterEach(async () => {
    for (const index of indexes.splice(0)) await index.close();
  });

  it('computes hash slots as the cluster does', async () => {
    for (const key of ['{cs}:gen', 'cs:rl:verify:svc-1', '{}x', 'a{}{b}', '{a}{b}', 'ключ{é}', 'x'.repeat(300)]) {
      expect([key, clusterKeySlot(key)]).toEqual([key, await cluster.client.cluster('KEYSLOT', key)]);
    }
  });

  it('keeps every key of a namespace in one slot on one master, builds in progress included', async () => {
    const namespace = cluster.namespace();
    const index = track(await trusted(new RedisValidityIndex(cluster.client, { namespace, batchSize: 10 }), namespace));
    const keys = Array.from({ length: 40 }, () => new KeyStory());
    for (const key of keys) await index.write(key.record, { name: DEFAULT_POSITION_CHECKPOINT, position: 1n });
    await index.write(keys[0].setExpiry('current', Date.now() + 60_000));
    // A live write while a rebuild is building: the write script also writes the building generation,
    // whose key names it derives itself (undeclared keys). They must land in the same slot too.
    let liveDuringBuild: KeyStory | undefined;
    await index.replaceAll(
      keys.map((k) => k.record),
      { name: DEFAULT_POSITION_CHECKPOINT, position: 2n },
      {
        beforeSwap: async () => {
          liveDuringBuild = new KeyStory();
          expect(await index.write(liveDuringBuild.record)).toBe('written');
        },
      },
    );
    expect(await index.lookup(liveDuringBuild!.record.current.hash)).toMatchObject({ status: 'active' });

    const byNode = await keysByNode(`{${namespace}}:*`);
    expect([...byNode.keys()]).toEqual([await slotOwner(clusterKeySlot(`{${namespace}}`))]);
    const all = [...byNode.values()].flat();
    expect(all.length).toBeGreaterThan(80);
    expect(new Set(all.map(clusterKeySlot))).toEqual(new Set([clusterKeySlot(`{${namespace}}:gen`)]));
    // Nothing of it outside the hash tag.
    expect([...(await keysByNode(`${namespace}*`)).values()].flat()).toEqual([]);
  });

  it('deletes the swapped-out generation from the master that holds it', async () => {
    const namespace = cluster.namespace();
    const index = track(await trusted(new RedisValidityIndex(cluster.client, { namespace, batchSize: 10 }), namespace));
    for (let i = 0; i < 30; i++) await index.write(new KeyStory().record);
    const kept = Array.from({ length: 25 }, () => new KeyStory().record);
    await index.replaceAll(kept, { name: 'cp', position: 9n });
    await index.drain();
    const live = await cluster.client.get(`{${namespace}}:gen`);
    const keys = [...(await keysByNode(`{${namespace}}:*`)).values()].flat();
    expect(keys.filter((k) => !k.startsWith(`{${namespace}}:${live}:`)).sort()).toEqual(
      [`{${namespace}}:cp:cp`, `{${namespace}}:cp:${DEFAULT_POSITION_CHECKPOINT}`, `{${namespace}}:gen`].sort(),
    );
    expect(keys.filter((k) => k.includes(':h:'))).toHaveLength(25);
  });

  it('makes another instance (its own cluster clients) follow a rebuild at once', async () => {
    const namespace = cluster.namespace();
    const nodes = testRedisClusterNodes();
    const a = track(RedisValidityIndex.connect({ clusterNodes: nodes }, { namespace }));
    await until(async () => (await a.trust.probe()).state !== 'unreachable');
    await trusted(a, namespace);
    const b = track(RedisValidityIndex.connect({ clusterNodes: nodes }, { namespace }));
    await until(async () => (await b.trust.probe()).state !== 'unreachable');
    await trusted(b, namespace);
    const gone = new KeyStory();
    await a.write(gone.record);
    expect(await b.lookup(gone.record.current.hash)).not.toBeNull();
    const fresh = new KeyStory();
    await a.replaceAll([fresh.record], { name: 'cp', position: 1n });
    expect(await b.lookup(gone.record.current.hash)).toBeNull();
    expect(await b.lookup(fresh.record.current.hash)).toMatchObject({ status: 'active' });
  });

  it('names the master serving its slot, with that server run_id, as its identity', async () => {
    const namespace = cluster.namespace();
    const index = track(await trusted(new RedisValidityIndex(cluster.client, { namespace }), namespace));
    const owner = await slotOwner(clusterKeySlot(`{${namespace}}`));
    const node = cluster.client.nodes('master').find((n) => address(n) === owner) as Redis;
    const runId = /run_id:(\w+)/.exec(await node.info('server'))?.[1];
    expect(index.trust.health().identity).toBe(`redis cluster node ${owner} run_id ${runId}, slot ${clusterKeySlot(`{${namespace}}`)}`);
  });
});

/**
 * Moves a slot with its keys to another master, as `redis-cli --cluster reshard` does: IMPORTING on the
 * target, MIGRATING on the source, MIGRATE of every key, then the new owner announced to every master.
 */
async function migrateSlot(client: Cluster, slot: number, from: Redis, to: Redis): Promise<void> {
  const [fromId, toId] = [await from.cluster('MYID'), await to.cluster('MYID')];
  await to.cluster('SETSLOT', slot, 'IMPORTING', fromId);
  await from.cluster('SETSLOT', slot, 'MIGRATING', toId);
  for (;;) {
    const keys = await from.cluster('GETKEYSINSLOT', slot, 100);
    if (keys.length === 0) break;
    await from.migrate(to.options.host as string, to.options.port as number, '', 0, 5000, 'KEYS', ...keys);
  }
  for (const node of [to, from, ...client.nodes('master').filter((n) => n !== from && n !== to)]) {
    await node.cluster('SETSLOT', slot, 'NODE', toId);
  }
}

describe('RedisValidityIndex trust on Redis Cluster: the index is that of one node', () => {
  const indexes: RedisValidityIndex[] = [];
  afterEach(async () => {
    for (const index of indexes.splice(0)) await index.close();
  });

  /** A service's index on the cluster, trusted, holding one active key written at `position`. */
  async function trustedWithOneKey(position: bigint) {
    const namespace = cluster.namespace();
    const index = RedisValidityIndex.connect({ clusterNodes: testRedisClusterNodes() }, { namespace, readTimeoutMs: 1000 });
    indexes.push(index);
    await until(async () => (await index.trust.probe()).state !== 'unreachable');
    await trusted(index, namespace);
    const key = new KeyStory();
    await index.write(key.record, { name: DEFAULT_POSITION_CHECKPOINT, position });
    expect(await index.lookup(key.record.current.hash)).toMatchObject({ status: 'active' });
    return { namespace, index, key, before: index.trust.health().identity as string };
  }

  it('answers nothing from a slot that moved to another node until revalidated, then the same data from there', async () => {
    const { namespace, index, key, before } = await trustedWithOneKey(3n);

    const slot = clusterKeySlot(`{${namespace}}`);
    const owner = await slotOwner(slot);
    const masters = cluster.client.nodes('master');
    const from = masters.find((n) => address(n) === owner) as Redis;
    const to = masters.find((n) => address(n) !== owner) as Redis;
    await migrateSlot(cluster.client, slot, from, to);
    expect(await slotOwner(slot)).toBe(address(to));

    // The index's client still routes the slot to the old node, which answers MOVED; ioredis follows it.
    // The answer came from a node the index was never validated on: refused, and an incident.
    await expect(index.lookup(key.record.current.hash)).rejects.toBeInstanceOf(IndexUnavailableError);
    expect(index.trust.health()).toMatchObject({ trusted: false, incident: true });
    expect(index.trust.health().reason).toMatch(new RegExp(`slot ${slot} moved from ${owner} to ${address(to)}`));
    await expect(index.lookup(key.record.current.hash)).rejects.toThrow('not yet revalidated');

    // What the trust monitor does: probe (a new identity: the node now serving the slot), revalidate.
    expect((await index.trust.probe()).identity).toMatch(new RegExp(`^redis cluster node ${address(to)} run_id \\w+, slot ${slot}$`));
    expect(index.trust.health().identity).not.toBe(before);
    index.trust.revalidate(3n);
    expect(await index.lookup(key.record.current.hash)).toMatchObject({ status: 'active' });
  });

  it('refuses answers once the node serving its slot restarts empty, and heals with a rebuild and a revalidation', async () => {
    const { namespace, index, key, before } = await trustedWithOneKey(5n);

    const owner = await slotOwner(clusterKeySlot(`{${namespace}}`));
    const node = cluster.client.nodes('master').find((n) => address(n) === owner) as Redis;
    await node.shutdown('NOSAVE').catch(() => undefined); // the connection drops with the reply
    try {
      await until(() => index.trust.health().incident);
      await expect(index.lookup(key.record.current.hash)).rejects.toBeInstanceOf(IndexUnavailableError);
    } finally {
      // Back on the same address with its id and slots (nodes.conf), without data: as after a crash.
      await promisify(execFile)('bash', [join(ROOT, 'scripts/services.sh'), 'start-cluster'], { cwd: ROOT });
    }
    // Reachable again, but empty and a new run_id: nothing is answered; then the rebuild the trust
    // monitor would run, and a revalidation against the store head.
    await until(async () => (await index.trust.probe()).empty, 20_000);
    expect(index.trust.health()).toMatchObject({ trusted: false, incident: true, empty: true });
    expect(index.trust.health().identity).toMatch(new RegExp(`^redis cluster node ${owner} run_id \\w+`));
    expect(index.trust.health().identity).not.toBe(before);
    await expect(index.lookup(key.record.current.hash)).rejects.toBeInstanceOf(IndexUnavailableError);
    // Retried as the trust monitor retries a rebuild: a master without replicas that was down may leave
    // the cluster refusing commands (CLUSTERDOWN) for a moment after it is back.
    await until(() =>
      index
        .unguarded()
        .replaceAll([key.record], { name: DEFAULT_POSITION_CHECKPOINT, position: 5n })
        .then(
          () => true,
          () => false,
        ),
    );
    // (close() would rethrow the background clean-ups that failed with those attempts.)
    await index.drain().catch(() => undefined);
    await index.trust.probe();
    index.trust.revalidate(5n);
    expect(await index.lookup(key.record.current.hash)).toMatchObject({ status: 'active' });
  }, 60_000);
});

describe('RedisValidityIndex on a Redis Cluster that asks for AUTH (REDIS_CLUSTER_USERNAME, REDIS_CLUSTER_PASSWORD)', () => {
  const username = `cs-test-${randomUUID().slice(0, 8)}`;
  const password = randomBytes(18).toString('base64url');
  /** On every node of the test cluster, each over a connection of its own (ACL users are per node). */
  async function onEveryNode(...command: string[]): Promise<void> {
    for (const { host, port } of testRedisClusterNodes()) {
      const node = new IORedis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await node.connect();
        await node.call(command[0], ...command.slice(1));
      } finally {
        node.disconnect();
      }
    }
  }
  beforeAll(() => onEveryNode('ACL', 'SETUSER', username, 'on', `>${password}`, '~*', '&*', '+@all'));
  afterAll(() => onEveryNode('ACL', 'DELUSER', username));

  it('works as that ACL user on every node it talks to, and a wrong password is refused', async () => {
    const namespace = cluster.namespace();
    const index = RedisValidityIndex.connect(
      { clusterNodes: testRedisClusterNodes(), username, password },
      { namespace, readTimeoutMs: 1000 },
    );
    try {
      await until(async () => (await index.trust.probe()).state !== 'unreachable');
      await trusted(index, namespace);
      const key = new KeyStory();
      await index.write(key.record, { name: DEFAULT_POSITION_CHECKPOINT, position: 1n });
      expect(await index.lookup(key.record.current.hash)).toMatchObject({ status: 'active', keyId: key.keyId });
      // The connections the index opened are that user's (the default user would have worked too).
      const owner = await slotOwner(clusterKeySlot(`{${namespace}}`));
      const node = cluster.client.nodes('master').find((n) => address(n) === owner) as Redis;
      expect(String(await node.call('CLIENT', 'LIST'))).toContain(`user=${username} `);
    } finally {
      await index.close();
    }

    const errors: string[] = [];
    const refused = RedisValidityIndex.connect(
      { clusterNodes: testRedisClusterNodes(), username, password: 'not-the-password' },
      { namespace, onClientError: (error) => errors.push(error.message) },
    );
    try {
      await until(() => errors.some((message) => /WRONGPASS|invalid username-password/i.test(message)));
      expect((await refused.trust.probe()).state).toBe('unreachable');
      expect(errors.join(' ')).not.toContain(password);
    } finally {
      await refused.close();
    }
  });
});
