#!/usr/bin/env node
/**
 * `npm run audit:verify`: reads its options first (so `--help` and a mistyped option neither install,
 * build nor touch any store), then makes sure dependencies and dist/ are current, then runs the check
 * (dist/scripts/audit-verify.js, from scripts/audit-verify.ts) with the same options.
 */
const { execSync, spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { parseOptions, USAGE } = require('./audit-verify-options');

const parsed = parseOptions(process.argv.slice(2));
if (parsed.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (parsed.error) {
  process.stderr.write(`audit:verify: ${parsed.error}\n\n${USAGE}`);
  process.exit(2);
}

const root = join(__dirname, '..');
execSync('node scripts/ensure-install.js && npm run -s build', { cwd: root, stdio: 'inherit' });
const child = spawnSync(process.execPath, [join(root, 'dist', 'scripts', 'audit-verify.js'), ...process.argv.slice(2)], {
  cwd: process.cwd(),
  stdio: 'inherit',
});
if (child.error) throw child.error;
process.exit(child.status ?? 3);
