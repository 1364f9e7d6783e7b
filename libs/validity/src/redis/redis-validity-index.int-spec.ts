import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { KeyStory, describeValidityIndexConformance } from '../testing/validity-index.conformance';
import { RedisValidityIndex, type RedisValidityIndexOptions } from './redis-validity-index';

// Integration tier: a real Redis is required. Never skip silently, a skipped adapter suite reads as green.
const url = process.env.REDIS_URL_TEST;
if (!url) {
  throw new Error('REDIS_URL_TEST is not set: start Redis (`bash scripts/services.sh start`, then `eval "$(bash scripts/services.sh env)"`)');
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
const createIndex = (options: RedisValidityIndexOptions = {}) =>
  new RedisValidityIndex(redis, { namespace: newNamespace(), ...options });

// A small batch size so replaceAll's build spans many pipelines while the conformance readers run.
describeValidityIndexConformance('redis', {
  create: async () => createIndex({ batchSize: 100 }),
  cleanup: () => deleteMatching(`${runPrefix}-*`),
});

describe('RedisValidityIndex specifics', () => {
  const indexes: RedisValidityIndex[] = [];
  const track = (index: RedisValidityIndex) => (indexes.push(index), index);
  afterEach(async () => {
    for (const index of indexes.splice(0)) await index.close();
  });

  it('answers a lookup with one command once warm', async () => {
    const index = track(createIndex());
    const key = new KeyStory();
    await index.write(key.record);
    await index.lookup(key.record.current.hash);
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
    const index = track(new RedisValidityIndex(redis, { namespace, retentionMs }));
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
    const index = track(createIndex({ retentionMs: 200 }));
    const key = new KeyStory();
    await index.write(key.setExpiry('current', Date.now()));
    expect(await index.lookup(key.record.current.hash)).toMatchObject({ status: 'active' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await index.lookup(key.record.current.hash)).toBeNull();
    expect(await index.getKey(key.keyId)).toEqual(key.record); // the record itself stays
  });

  it('keeps an entry whose expiry was set in the past for the window from when that was recorded', async () => {
    const index = track(createIndex({ retentionMs: 60_000 }));
    const key = new KeyStory();
    await index.write(key.setExpiry('current', Date.parse('2000-01-01T00:00:00Z')));
    // Still there to say why (EXPIRED), rather than vanishing at once as "never existed".
    expect(await index.lookup(key.record.current.hash)).toMatchObject({ expiresAt: Date.parse('2000-01-01T00:00:00Z') });
  });

  it('makes another instance follow a replaceAll at once, for reads and for writes', async () => {
    const namespace = newNamespace();
    const a = track(new RedisValidityIndex(redis, { namespace }));
    const b = track(new RedisValidityIndex(redis, { namespace }));
    const gone = new KeyStory();
    await a.write(gone.record);
    expect(await b.lookup(gone.record.current.hash)).not.toBeNull(); // b has cached the generation

    const fresh = new KeyStory();
    await a.replaceAll([fresh.record], { name: 'cp', position: 1n });
    expect(await b.lookup(gone.record.current.hash)).toBeNull();
    expect(await b.lookup(fresh.record.current.hash)).not.toBeNull();

    const later = new KeyStory();
    const c = track(new RedisValidityIndex(redis, { namespace }));
    await c.lookup(later.record.current.hash); // c caches the new generation...
    await a.replaceAll([], { name: 'cp', position: 2n }); // ...which moves again
    expect(await c.write(later.record)).toBe('written'); // and the write still lands in the live one
    expect(await a.getKey(later.keyId)).toEqual(later.record);
  });

  it('deletes the replaced generation and abandoned builds, keeping only the live one', async () => {
    const namespace = newNamespace();
    const index = track(new RedisValidityIndex(redis, { namespace, batchSize: 10, abandonedBuildMs: 60_000 }));
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
    expect(outside).toEqual([`${namespace}:cp:cp`, `${namespace}:gen`]);
    expect(keys.filter((k) => k.includes(':h:'))).toHaveLength(25);
  });

  it('lets Redis errors reach the caller', async () => {
    const namespace = newNamespace();
    const index = track(new RedisValidityIndex(redis, { namespace }));
    const key = new KeyStory();
    await redis.set(`${namespace}:0:a:${key.accountId}`, 'not a set');
    await expect(index.write(key.record)).rejects.toThrow(/WRONGTYPE/);
    await expect(index.listKeys(key.accountId)).rejects.toThrow(/WRONGTYPE/);
  });

  it('quits only a client it owns', async () => {
    const owned = RedisValidityIndex.connect(url, { namespace: newNamespace() });
    await owned.lookup('00');
    await owned.close();
    const shared = createIndex();
    await shared.close();
    expect(await redis.ping()).toBe('PONG');
  });
});
