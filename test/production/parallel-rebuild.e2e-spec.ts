/**
 * `projection:rebuild` with worker threads (README, "Rebuild and scale"): each thread reads, folds
 * and writes one share of the key streams into the generation being built. What an operator relies
 * on: the index it builds is the one a single thread builds, key for key; a share that fails leaves
 * the live index as it was and nothing of the failed build behind; a bad --workers is refused
 * before anything runs. On the real Redis of the test command (on its cluster in the `cluster` tier).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RedisHistoryStore } from '@cs/validity';
import { TEST_SECRETS, runScript, type ScriptRun } from '../support';
import { scanKeys, testKeyPrefix, testRedisClient, testRedisEnv } from '../support/redis-stack';

const ROOT = resolve(__dirname, '../..');
const KEYS = 3000;

type Run = ScriptRun;
const run = (script: string, args: string[], env: Record<string, string> = {}): Promise<Run> => runScript(script, args, env, 120_000);

describe('projection:rebuild with worker threads', () => {
  const redis = testRedisClient();
  let dataDir: string;
  const namespaces: string[] = [];
  /** The history's keys are `<ns>:history:…`, never hash-tagged (the account is). */
  const historyNamespaces: string[] = [];
  const namespace = (label: string): string => {
    const ns = `prb${label}${randomBytes(3).toString('hex')}`;
    namespaces.push(ns);
    return ns;
  };
  const rebuild = (ns: string, workers: number, only: 'validity' | 'history' = 'validity'): Promise<Run> =>
    run('dist/scripts/rebuild-projection.js', [], {
      ...TEST_SECRETS,
      ...testRedisEnv(),
      DATA_DIR: dataDir,
      REDIS_NAMESPACE: ns,
      REBUILD_WORKERS: String(workers),
      REBUILD_ONLY: only,
    });

  /** The live generation's keys, without the generation's id, each with its value. */
  async function contents(ns: string): Promise<Map<string, string>> {
    const prefix = testKeyPrefix(ns);
    const generation = await redis.get(`${prefix}:gen`);
    expect(generation).not.toBeNull();
    const out = new Map<string, string>();
    for (const key of await scanKeys(redis, `${prefix}:${generation}:*`)) {
      const type = await redis.type(key);
      const value =
        type === 'string'
          ? await redis.get(key)
          : type === 'set'
            ? (await redis.smembers(key)).sort()
            : type === 'zset'
              ? await redis.zrange(key, 0, -1, 'WITHSCORES')
              : await redis.hgetall(key);
      out.set(key.slice(`${prefix}:${generation}:`.length), JSON.stringify(value));
    }
    return out;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cs-parallel-rebuild-'));
    // A store written through the real decider and codec, in the realistic mix of the benchmark.
    const seeded = await run('bench/seed-store.js', ['--dir', dataDir, '--keys', String(KEYS)], {});
    if (seeded.code !== 0) throw new Error(`seeding failed: ${seeded.stderr}`);
  }, 120_000);

  afterAll(async () => {
    for (const ns of namespaces) {
      const keys = await scanKeys(redis, `${testKeyPrefix(ns)}:*`);
      for (const key of keys) await redis.del(key);
    }
    for (const ns of historyNamespaces) for (const key of await scanKeys(redis, `${ns}:history:*`)) await redis.del(key);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('two and three threads build the index one thread builds, key for key, with the same checkpoint', async () => {
    const built = new Map<number, { contents: Map<string, string>; checkpoint: string | null }>();
    for (const workers of [1, 2, 3]) {
      const ns = namespace(`w${workers}`);
      const result = await rebuild(ns, workers);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(workers === 1 ? 'with 1 thread' : `with ${workers} worker threads`);
      expect(result.stdout).toMatch(new RegExp(`rebuilt the validity index: ${KEYS} keys in`));
      built.set(workers, { contents: await contents(ns), checkpoint: await redis.get(`${testKeyPrefix(ns)}:cp:validity-projection`) });
    }
    const one = built.get(1)!;
    const records = [...one.contents.keys()].filter((key) => key.startsWith('k:'));
    expect(records).toHaveLength(KEYS);
    const seeded = JSON.parse(readFileSync(join(dataDir, 'seed.json'), 'utf8')) as { events: number };
    expect(one.checkpoint).toBe(String(seeded.events));
    for (const workers of [2, 3]) {
      const other = built.get(workers)!;
      expect(other.checkpoint).toBe(one.checkpoint);
      expect(other.contents.size).toBe(one.contents.size);
      const differing = [...one.contents].filter(([key, value]) => other.contents.get(key) !== value).map(([key]) => key);
      expect(differing).toEqual([]);
    }
  }, 180_000);

  it('two threads write the account history one thread writes, account for account, with the same checkpoint', async () => {
    const seeded = JSON.parse(readFileSync(join(dataDir, 'seed.json'), 'utf8')) as { events: number; accounts: number };
    const built = new Map<number, { rows: string[]; checkpoint: bigint | undefined }>();
    for (const workers of [1, 2]) {
      const ns = namespace(`h${workers}`);
      const result = await rebuild(ns, workers, 'history');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        workers === 1 ? 'rebuilding the account history with 1 thread' : `rebuilding the account history with ${workers} worker threads`,
      );
      expect(result.stdout).toContain(`rebuilt the account history: ${seeded.events} events in`);
      const history = new RedisHistoryStore(redis, { namespace: ns });
      const rows: string[] = [];
      for (let a = 0; a < seeded.accounts; a++) {
        const page = await history.page({ accountId: `acct_bench_${a}`, filter: {}, direction: 'oldest', limit: 10_000 });
        expect(page.next).toBeNull();
        rows.push(
          ...page.rows.map((row) => JSON.stringify(row, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))),
        );
      }
      built.set(workers, { rows, checkpoint: await history.position() });
      historyNamespaces.push(ns);
    }
    const one = built.get(1)!;
    expect(one.rows).toHaveLength(seeded.events);
    expect(one.checkpoint).toBe(BigInt(seeded.events));
    expect(built.get(2)!.checkpoint).toBe(one.checkpoint);
    expect(built.get(2)!.rows).toEqual(one.rows);
  }, 180_000);

  it('a share that fails stops the rebuild (exit 1, naming it); the live index stays, nothing of the failed build is left', async () => {
    const ns = namespace('fail');
    const prefix = testKeyPrefix(ns);
    expect((await rebuild(ns, 1)).code).toBe(0);
    const live = await redis.get(`${prefix}:gen`);
    const before = await contents(ns);

    // Another rebuild sweeps this one's generation as abandoned while its threads are still folding:
    // their first write finds it is no longer being built.
    const child = spawn(process.execPath, [join(ROOT, 'dist/scripts/rebuild-projection.js')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...TEST_SECRETS,
        ...testRedisEnv(),
        DATA_DIR: dataDir,
        REDIS_NAMESPACE: ns,
        REBUILD_WORKERS: '2',
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    let swept: string | undefined;
    for (const deadline = Date.now() + 60_000; !swept && Date.now() < deadline;) {
      const [building] = await redis.zrange(`${prefix}:gens:building`, 0, -1);
      if (building && (await redis.zrem(`${prefix}:gens:building`, building)) === 1) swept = building;
      else await new Promise((wait) => setTimeout(wait, 5));
    }
    expect(swept).toBeDefined();
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/^rebuild failed: rebuild share [12] of 2 failed: validity index generation \S+ is not being built/m);
    expect(stderr).not.toMatch(/^\s+at /m);

    expect(await redis.get(`${prefix}:gen`)).toBe(live);
    expect(await contents(ns)).toEqual(before);
    expect(await scanKeys(redis, `${prefix}:${swept}:*`)).toEqual([]);
  }, 180_000);

  it.each([
    [['--workers', '0'], '--workers must be a whole number from 1 to 64'],
    [['--workers', '65'], '--workers must be a whole number from 1 to 64'],
    [['--workers=two'], '--workers must be a whole number from 1 to 64'],
    [['--workers'], '--workers needs a number'],
    [['--only', 'everything'], '--only must be validity or history'],
  ])('refuses %j before building or touching anything (exit 2, the value not repeated)', async (args, message) => {
    const result = await run('scripts/projection-rebuild.js', args, {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`projection:rebuild: ${message}`);
    expect(result.stderr).toContain('usage: npm run projection:rebuild');
    if (args[0] === '--workers=two') expect(result.stderr).not.toContain('two');
  });
});
