import { createHash, randomUUID } from 'node:crypto';
import { keyStreamId, type KeyCommand } from '@cs/domain';
import { SqliteEventStore } from '@cs/event-store';
import { MemoryValidityIndex } from '@cs/validity';
import { ExpiryWarner } from './expiry-warner';
import { KeyCommandExecutor, type CommandContext } from './key-command-executor';

// The warner on a real (SQLite) store and index, with a controllable clock: paging through many
// coming expiries (more than a page, many at the same instant), one warning per secret and lead.

const HOUR = 3600;
const DAY = 86400;
const context: CommandContext = { actor: { type: 'user', sub: 'tester', acct: 'acct_1', roles: [] } };
const sealed = { kid: 'test', alg: 'A256GCM' as const, iv: 'iv', ciphertext: 'ct', tag: 'tag' };
const material = () => ({ hash: createHash('sha256').update(randomUUID()).digest('hex'), start: 'sk_test_abc123', sealed });

describe('ExpiryWarner', () => {
  let store: SqliteEventStore;
  let index: MemoryValidityIndex;
  let executor: KeyCommandExecutor;
  let now: number;
  const accountId = 'acct_warn';

  beforeEach(() => {
    store = new SqliteEventStore({ path: ':memory:' });
    index = new MemoryValidityIndex();
    now = Date.parse('2025-03-10T12:00:00.000Z');
    executor = new KeyCommandExecutor(store, index, () => new Date(now));
  });
  afterEach(async () => {
    await index.close();
    await store.close();
  });

  async function keyExpiringAt(expiresAt: number): Promise<string> {
    const keyId = `key_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const run = (command: KeyCommand) => executor.execute(keyId, accountId, () => ({ command, result: null }), context);
    const generate: KeyCommand = {
      type: 'GenerateKey',
      keyId,
      accountId,
      kind: 'api',
      name: 'k',
      allowedIps: [],
      webhookFormat: 'single',
      secret: material(),
    };
    expect((await run(generate)).ok).toBe(true);
    expect((await run({ type: 'SetExpiry', slot: 'current', expiresAt: new Date(expiresAt) })).ok).toBe(true);
    return keyId;
  }
  const warnings = async (keyId: string) =>
    (await store.readStream(keyStreamId(keyId))).filter((e) => e.type === 'KeyExpiryWarned').map((e) => e.data.leadSeconds);

  it('warns every secret in the window once, paging past full pages of one instant', async () => {
    const sameInstant = now + 2 * HOUR * 1000;
    const crowd = [];
    for (let i = 0; i < 7; i++) crowd.push(await keyExpiringAt(sameInstant));
    const later = await keyExpiringAt(now + 3 * DAY * 1000);
    const outside = await keyExpiringAt(now + 8 * DAY * 1000);
    const warner = new ExpiryWarner(index, executor, { leadsSeconds: [7 * DAY, DAY], batch: 3, clock: () => now });

    expect(await warner.sweep()).toBe(8);
    for (const keyId of crowd) expect(await warnings(keyId)).toEqual([DAY]);
    expect(await warnings(later)).toEqual([7 * DAY]);
    expect(await warnings(outside)).toEqual([]);

    // Again: nothing new, from this process (it remembers) or a fresh one (the decider knows).
    expect(await warner.sweep()).toBe(0);
    const fresh = new ExpiryWarner(index, executor, { leadsSeconds: [7 * DAY, DAY], batch: 3, clock: () => now });
    expect(await fresh.sweep()).toBe(0);

    // Two days on, the later key comes within a day; the one outside within a week.
    now += 2 * DAY * 1000 + 1000;
    expect(await fresh.sweep()).toBe(2);
    expect(await warnings(later)).toEqual([7 * DAY, DAY]);
    expect(await warnings(outside)).toEqual([7 * DAY]);
  });

  it('records nothing when no lead is configured', async () => {
    const keyId = await keyExpiringAt(now + HOUR * 1000);
    const warner = new ExpiryWarner(index, executor, { leadsSeconds: [], clock: () => now });
    expect(warner.enabled).toBe(false);
    expect(await warner.sweep()).toBe(0);
    expect(await warnings(keyId)).toEqual([]);
  });
});
