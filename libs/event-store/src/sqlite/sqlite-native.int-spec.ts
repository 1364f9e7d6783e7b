import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// The SQLite driver is a native addon built for the Node running it. On Node 24.19+, a better-sqlite3 12
// compiled against that Node's own headers aborts the process when a statement is garbage collected
// (nodejs/node#65446); scripts/sqlite-native.js explains how the build avoids it. This runs its check in a
// child process of the same Node, so a bad build fails this test instead of killing the test runner.
const ROOT = resolve(__dirname, '../../../..');

describe('better-sqlite3 on this Node', () => {
  it(`lets 200000 statements be garbage collected without aborting (Node ${process.versions.node})`, () => {
    const child = spawnSync(process.execPath, ['scripts/sqlite-native.js', 'check'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    if (child.status !== 0) {
      throw new Error(
        `the check ended with ${child.signal ?? `exit ${child.status}`}:\n${(child.stderr ?? '').split('\n').slice(0, 8).join('\n')}`,
      );
    }
    expect(child.stdout).toContain(`collected without abort on Node ${process.versions.node}`);
  });
});
