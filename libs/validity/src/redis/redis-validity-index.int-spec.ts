import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { KeyStory, describeValidityIndexConformance } from '../testing/validity-index.conformance';
import { IndexRewoundError, IndexUnavailableError } from '../index-trust';
import { DEFAULT_POSITION_CHECKPOINT, RedisValidityIndex, type RedisValidityIndexOptions } from './redis-validity-index';

// Integration tier: a real Redis is required. Never skip silently, a skipped adapter suite reads as green.
const url = process.env.REDIS_URL_TEST;
if (!url) {
  throw new Error(
    'REDIS_URL_TEST is not set: start Redis (`bash scripts/services.sh start`, then `eval "$(bash scripts/services.sh env)"`)',
  );
}

// Every index gets its own namespace under this run's prefix; cleanup deletes only that prefix.
const runPrefix = `cstest-${randomUUID().slice(0, 8)}`;
let nsCount = 0;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  await redis.connect().catch((error: Error) => {
    throw new Error(`cannot reach Redis at REDIS_URL_TEST=${url}: ${error.message}`);
  });
});

afterAll(async () => {
  await deleteMatching(`${runPrefix}-*`);
  await redis?.quit();
});

async function deleteMatching(pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

const newNamespace = () => `${runPrefix}-${++nsCount}`;

/**
 * An index as a running service has it: built (here from nothing, at position 0) and revalidated
 * against the store head (0: these tests have no store), so reads are answered.
 */
async function trusted(index: RedisValidityIndex): Promise<RedisValidityIndex> {
  if ((await redis.get(`${(index as unknown as { ns: string }).ns}:gen`)) === null) {
    await index.replaceAll([], { name: DEFAULT_POSITION_CHECKPOINT, position: 0n });
  }
  await index.trust.probe();
  index.trust.revalidate(0n);
  return index;
}

const createIndex = (options: RedisValidityIndexOptions = {}) =>
  trusted(new RedisValidityIndex(redis, { namespace: newNamespace(), ...options }));

// A small batch size so replaceAll's build spans many pipelines while the conformance readers run.
describeValidityIndexConformance('redis', {
  create: async () => createIndex({ batchSize: 100 }),
  cleanup: () => deleteMatching(`${runPrefix}-*`),
});

// The same contract with the clients a service has: connect() opens a writer and an auto-pipelined
// reader (concurrent reads leave together), with their own timeouts.
describeValidityIndexConformance('redis, own clients', {
  create: async () => {
    const index = RedisValidityIndex.connect(url, { namespace: newNamespace(), batchSize: 100 });
    // Its clients refuse commands until connected (no offline queue): wait for both, as a service does.
    await reachable(index);
    await until(() =>
      index.loadCheckpoint(DEFAULT_POSITION_CHECKPOINT).then(
        () => true,
        () => false,
      ),
    );
    return trusted(index);
  },
  cleanup: () => deleteMatching(`${runPrefix}-*`),
});

describe('RedisValidityIndex specifics', () => {
  const indexes: RedisValidityIndex[] = [];
  const track = (index: RedisValidityIndex) => (indexes.push(index), index);
  afterEach(async () => {
    for (const index of indexes.splice(0)) await index.close();
  });

  it('answers a lookup with one command once warm', async () => {
    const index = track(await createIndex());
    const key = new KeyStory();
    await index.write(key.record);
    await index.lookup(key.record.current.hash);
    // The build in trusted() drops the initial generation in the background (ending with an SREM on the
    // shared client): let that finish first, or it lands among the commands counted here.
    await index.drain();
    const send = jest.spyOn(redis, 'sendCommand');
    try {
      expect(await index.lookup(key.record.current.hash)).not.toBeNull();
      expect(send.mock.calls.map(([command]) => command.name)).toEqual(['mget']);
    } finally {
      send.mockRestore();
    }
  });

  it('gives hash entries a TTL of retention after their end, and none while active without expiry', async () => {
    const retentionMs = 60 * 60_000;
    const namespace = newNamespace();
    const index = track(await trusted(new RedisValidityIndex(redis, { namespace, retentionMs })));
    const entryKey = async (hash: string) => `${namespace}:${(await redis.get(`${namespace}:gen`)) ?? '0'}:h:${hash}`;
    const key = new KeyStory();
    await index.write(key.record);
    expect(await redis.pttl(await entryKey(key.record.current.hash))).toBe(-1);

    const expiresAt = Date.now() + 10 * 60_000;
    await index.write(key.setExpiry('current', expiresAt));
    const ttl = await redis.pttl(await entryKey(key.record.current.hash));
    expect(Math.abs(Date.now() + ttl - (expiresAt + retentionMs))).toBeLessThan(2000);

    await index.write(key.setExpiry('current', null));
    expect(await redis.pttl(await entryKey(key.record.current.hash))).toBe(-1);

    const revokedAt = Date.now();
    await index.write(key.revoke());
    const revokedTtl = await redis.pttl(await entryKey(key.record.current.hash));
    expect(Math.abs(Date.now() + revokedTtl - (revokedAt + retentionMs))).toBeLessThan(2000);
  });

  it('lets an entry disappear by itself once the retention window has passed', async () => {
    // Present while the window runs, then gone with no write. A look that answered after the window
    // ended proves nothing either way (a loaded machine): then it is not judged, and a longer window
    // is tried; the disappearance is polled for, not slept for.
    for (const retentionMs of [200, 1000, 5000]) {
      const index = track(await createIndex({ retentionMs }));
      const key = new KeyStory();
      const written = Date.now(); // the window ends no earlier than written + retentionMs
      await index.write(key.setExpiry('current', written));
      const seen = await index.lookup(key.record.current.hash);
      if (Date.now() >= written + retentionMs) continue;
      expect(seen).toMatchObject({ status: 'active' });
      await until(async () => (await index.lookup(key.record.current.hash)) === null, retentionMs + 10_000);
      expect(await index.getKey(key.keyId)).toEqual(key.record); // the record itself stays
      return;
    }
    throw new Error('could not look at the entry within even a 5 s retention window');
  });

  it('keeps an entry whose expiry was set in the past for the window from when that was recorded', async () => {
    const index = track(await createIndex({ retentionMs: 60_000 }));
    const key = new KeyStory();
    await index.write(key.setExpiry('current', Date.parse('2000-01-01T00:00:00Z')));
    // Still there to say why (EXPIRED), rather than vanishing at once as "never existed".
    expect(await index.lookup(key.record.current.hash)).toMatchObject({ expiresAt: Date.parse('2000-01-01T00:00:00Z') });
  });

  it('makes another instance follow a replaceAll at once, for reads and for writes', async () => {
    const namespace = newNamespace();
    const a = track(await trusted(new RedisValidityIndex(redis, { namespace })));
    const b = track(await trusted(new RedisValidityIndex(redis, { namespace })));
    const gone = new KeyStory();
    await a.write(gone.record);
    expect(await b.lookup(gone.record.current.hash)).not.toBeNull(); // b has cached the generation

    const fresh = new KeyStory();
    await a.replaceAll([fresh.record], { name: 'cp', position: 1n });
    expect(await b.lookup(gone.record.current.hash)).toBeNull();
    expect(await b.lookup(fresh.record.current.hash)).not.toBeNull();

    const later = new KeyStory();
    const c = track(await trusted(new RedisValidityIndex(redis, { namespace })));
    await c.lookup(later.record.current.hash); // c caches the new generation...
    await a.replaceAll([], { name: 'cp', position: 2n }); // ...which moves again
    expect(await c.write(later.record)).toBe('written'); // and the write still lands in the live one
    expect(await a.getKey(later.keyId)).toEqual(later.record);
  });

  it('deletes the replaced generation and abandoned builds, keeping only the live one', async () => {
    const namespace = newNamespace();
    const index = track(await trusted(new RedisValidityIndex(redis, { namespace, batchSize: 10, abandonedBuildMs: 60_000 })));
    for (let i = 0; i < 30; i++) await index.write(new KeyStory().record);
    // A rebuild that crashed long ago left keys behind.
    await redis.zadd(`${namespace}:gens:building`, Date.now() - 120_000, 'gcrashed');
    await redis.set(`${namespace}:gcrashed:h:abc`, '{}');

    const kept = Array.from({ length: 25 }, () => new KeyStory().record);
    await index.replaceAll(kept, { name: 'cp', position: 9n });
    await index.drain();

    const live = await redis.get(`${namespace}:gen`);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, page] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
      keys.push(...page);
      cursor = next;
    } while (cursor !== '0');
    const outside = keys.filter((k) => !k.startsWith(`${namespace}:${live}:`)).sort();
    expect(outside).toEqual([`${namespace}:cp:cp`, `${namespace}:cp:${DEFAULT_POSITION_CHECKPOINT}`, `${namespace}:gen`]);
    expect(keys.filter((k) => k.includes(':h:'))).toHaveLength(25);
  });

  it('lets Redis errors reach the caller', async () => {
    const namespace = newNamespace();
    const index = track(await trusted(new RedisValidityIndex(redis, { namespace })));
    const key = new KeyStory();
    await redis.set(`${namespace}:${await redis.get(`${namespace}:gen`)}:a:${key.accountId}`, 'not a set');
    await expect(index.write(key.record)).rejects.toThrow(/WRONGTYPE/);
    await expect(index.unguarded().listKeys(key.accountId)).rejects.toThrow(/WRONGTYPE/);
    // A read that answers a caller turns any failure into "unavailable", and stops trusting the index.
    await expect(index.listKeys(key.accountId)).rejects.toBeInstanceOf(IndexUnavailableError);
    expect(index.trust.health()).toMatchObject({ trusted: false, incident: true });
  });

  it('quits only a client it owns', async () => {
    const owned = RedisValidityIndex.connect(url, { namespace: newNamespace() });
    await reachable(owned);
    await owned.unguarded().lookup('00');
    await owned.close();
    const shared = await createIndex();
    await shared.close();
    expect(await redis.ping()).toBe('PONG');
  });
});

async function reachable(index: RedisValidityIndex): Promise<void> {
  await until(async () => (await index.trust.probe()).state !== 'unreachable');
}

/** Polls `check` every 20 ms until it holds; fails after `timeoutMs`. */
async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('RedisValidityIndex trust: answers only from an index proven current', () => {
  const indexes: RedisValidityIndex[] = [];
  const track = (index: RedisValidityIndex) => (indexes.push(index), index);
  afterEach(async () => {
    for (const index of indexes.splice(0)) await index.close();
  });

  it('refuses to answer from an index that was never built, and from one that is emptied under it', async () => {
    const namespace = newNamespace();
    const index = track(new RedisValidityIndex(redis, { namespace }));
    await index.trust.probe();
    index.trust.revalidate(0n);
    await expect(index.lookup('00')).rejects.toBeInstanceOf(IndexUnavailableError);
    expect(index.trust.health()).toMatchObject({ trusted: false, empty: true });

    await trusted(index);
    const key = new KeyStory();
    await index.write(key.record);
    expect(await index.lookup(key.record.current.hash)).toMatchObject({ status: 'active' });
    // FLUSHALL, or a restart without data: the generation pointer and position are gone.
    await redis.del(`${namespace}:gen`, `${namespace}:cp:${DEFAULT_POSITION_CHECKPOINT}`);
    await expect(index.lookup(key.record.current.hash)).rejects.toBeInstanceOf(IndexUnavailableError);
    await expect(index.listKeys(key.accountId)).rejects.toBeInstanceOf(IndexUnavailableError);
    await expect(index.getKey(key.keyId)).rejects.toBeInstanceOf(IndexUnavailableError);
    expect(index.trust.health()).toMatchObject({ trusted: false, empty: true, incident: true });
  });

  it('refuses to answer once the index position goes back, until it is past every position seen', async () => {
    const namespace = newNamespace();
    const index = track(await trusted(new RedisValidityIndex(redis, { namespace })));
    const other = track(await trusted(new RedisValidityIndex(redis, { namespace })));
    const key = new KeyStory();
    await index.write(key.record, { name: DEFAULT_POSITION_CHECKPOINT, position: 40n });
    expect(await index.lookup(key.record.current.hash)).toMatchObject({ status: 'active' });
    // The index comes back older (a snapshot, a lagging replica) without any reconnection.
    await redis.set(`${namespace}:cp:${DEFAULT_POSITION_CHECKPOINT}`, '12');
    await expect(index.lookup(key.record.current.hash)).rejects.toThrow('behind');
    expect(index.trust.health()).toMatchObject({ state: 'behind', position: 12n, required: 40n });
    // Another process that never saw 40 does not know better; this one does.
    expect(await other.lookup(key.record.current.hash)).toMatchObject({ status: 'active' });
    // The projection applies again what was lost: trusted again once at 40 or past it.
    await index.saveCheckpoint({ name: DEFAULT_POSITION_CHECKPOINT, position: 40n });
    expect(await index.lookup(key.record.current.hash)).toMatchObject({ status: 'active' });
  });

  it('does not trust the index past an appended event it could not write, until that position is applied', async () => {
    const index = track(await createIndex());
    const key = new KeyStory();
    await index.write(key.record, { name: DEFAULT_POSITION_CHECKPOINT, position: 5n });
    index.trust.requirePosition(9n); // an append at 9 whose inline write failed
    await expect(index.lookup(key.record.current.hash)).rejects.toThrow('behind');
    await index.write(key.revoke(), { name: DEFAULT_POSITION_CHECKPOINT, position: 9n });
    expect(await index.lookup(key.record.current.hash)).toMatchObject({ status: 'revoked' });
  });

  it('fails fast after a failed read until revalidated against the store head, then needs that head applied', async () => {
    const namespace = newNamespace();
    const index = track(await trusted(new RedisValidityIndex(redis, { namespace })));
    const key = new KeyStory();
    await index.write(key.record, { name: DEFAULT_POSITION_CHECKPOINT, position: 3n });
    const gen = await redis.get(`${namespace}:gen`);
    await redis.set(`${namespace}:${gen}:a:broken`, 'not a set');
    await expect(index.listKeys('broken')).rejects.toBeInstanceOf(IndexUnavailableError);
    const send = jest.spyOn(redis, 'sendCommand');
    try {
      // The breaker is open: no round trip at all.
      await expect(index.lookup(key.record.current.hash)).rejects.toThrow('not yet revalidated');
      expect(send).not.toHaveBeenCalled();
    } finally {
      send.mockRestore();
    }
    index.trust.revalidate(7n); // the store head, read once the index answered again
    await expect(index.lookup(key.record.current.hash)).rejects.toThrow('behind');
    await index.saveCheckpoint({ name: DEFAULT_POSITION_CHECKPOINT, position: 7n });
    expect(await index.lookup(key.record.current.hash)).toMatchObject({ status: 'active' });
  });

  it('reports a lost connection as unreachable at once and answers nothing until revalidated', async () => {
    const owned = track(RedisValidityIndex.connect(url, { namespace: newNamespace(), readTimeoutMs: 200 }));
    await reachable(owned);
    await owned.replaceAll([], { name: DEFAULT_POSITION_CHECKPOINT, position: 0n });
    await owned.trust.probe();
    owned.trust.revalidate(0n);
    expect(await owned.lookup('00')).toBeNull();
    const reader = (owned as unknown as { reader: Redis }).reader;
    expect(owned.trust.health().incident).toBe(false);
    await redis.client('KILL', 'ID', String(await reader.client('ID')));
    // Once the client has seen its connection close (polled: no fixed wait), nothing is answered.
    await until(() => owned.trust.health().incident);
    await expect(owned.lookup('00')).rejects.toBeInstanceOf(IndexUnavailableError);
    await reachable(owned);
    expect(owned.trust.health()).toMatchObject({ trusted: false, incident: true });
    owned.trust.revalidate(0n);
    expect(await owned.lookup('00')).toBeNull();
  });
});

describe('RedisValidityIndex checkpoints: forward only, and a base that catches an index gone back', () => {
  it('refuses a write or save whose base is ahead of the stored checkpoint, writing nothing', async () => {
    const index = await createIndex();
    const key = new KeyStory();
    await index.write(key.record, { name: 'p', position: 20n });
    const next = key.update({ name: 'lost' });
    await expect(index.write(next, { name: 'p', position: 21n, base: 30n })).rejects.toBeInstanceOf(IndexRewoundError);
    expect((await index.getKey(key.keyId))?.name).toBe('test key');
    await expect(index.saveCheckpoint({ name: 'p', position: 31n, base: 30n })).rejects.toBeInstanceOf(IndexRewoundError);
    expect(await index.loadCheckpoint('p')).toBe(20n);
    await index.close();
  });
});
