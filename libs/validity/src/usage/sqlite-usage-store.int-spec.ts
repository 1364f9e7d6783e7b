import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeUsageStoreConformance } from './testing/usage-store.conformance';
import { SqliteUsageStore } from './sqlite-usage-store';
import { DAY_MS, emptyRefused, epochDay } from './usage.port';

const dir = mkdtempSync(join(tmpdir(), 'cs-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeUsageStoreConformance('sqlite', { create: async () => SqliteUsageStore.open(join(dir, `usage-${++n}.sqlite`)) });

describe('SqliteUsageStore', () => {
  it('keeps its counts across a reopen of the file (a restart of the embedded service)', async () => {
    const file = join(dir, 'reopen.sqlite');
    const day = epochDay(Date.now());
    const first = SqliteUsageStore.open(file);
    await first.apply([{ keyId: 'key_a', day, valid: 2, refused: emptyRefused(), lastUsedAt: day * DAY_MS + 9 }]);
    await first.close();
    const second = SqliteUsageStore.open(file);
    expect((await second.daily('key_a', day, day))[0].valid).toBe(2);
    expect(await second.lastUsed(['key_a'])).toEqual(new Map([['key_a', day * DAY_MS + 9]]));
    await second.close();
  });
});
