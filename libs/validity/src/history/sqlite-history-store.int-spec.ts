import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeHistoryStoreConformance } from './testing/history-store.conformance';
import { SqliteHistoryStore } from './sqlite-history-store';

const dir = mkdtempSync(join(tmpdir(), 'cs-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeHistoryStoreConformance('sqlite', { create: async () => SqliteHistoryStore.open(join(dir, `history-${++n}.sqlite`)) });

describe('SqliteHistoryStore', () => {
  it('keeps its rows, checkpoint and generation across a reopen of the file (a restart of the embedded service)', async () => {
    const file = join(dir, 'reopen.sqlite');
    const first = SqliteHistoryStore.open(file);
    const generation = await first.newGeneration();
    const row = {
      position: 42n,
      streamId: 'key-key_a',
      revision: 0,
      id: 'e1',
      type: 'KeyGenerated',
      data: { keyId: 'key_a', accountId: 'acct_r' },
      metadata: { actor: { type: 'system', name: 'x' }, occurredAt: '2026-01-01T00:00:00.000Z' },
      recordedAt: '2026-01-01T00:00:00.001Z',
      keyId: 'key_a',
      accountId: 'acct_r',
    };
    await first.write(generation, [row], 42n);
    await first.activate(generation);
    await first.close();
    const second = SqliteHistoryStore.open(file);
    expect(await second.currentGeneration()).toBe(generation);
    expect(await second.position()).toBe(42n);
    expect((await second.page({ accountId: 'acct_r', filter: {}, direction: 'oldest', limit: 5 })).rows).toEqual([row]);
    await second.close();
  });
});
