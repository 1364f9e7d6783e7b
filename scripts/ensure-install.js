#!/usr/bin/env node
// `npm start` on a fresh clone: install dependencies first if they are missing or stale, so the
// README's run command works without a separate install step.
const { existsSync, statSync } = require('node:fs');
const { execSync } = require('node:child_process');
const { join } = require('node:path');

const { addonHeaders } = require('./sqlite-native');

const root = join(__dirname, '..');
// On Node 24.19+, a better-sqlite3 compiled from source must not use this Node's own node_object_wrap.h
// (scripts/sqlite-native.js): installs compile against a fixed copy of the headers when one is needed.
const installEnv = () => {
  const nodedir = addonHeaders(join(root, '.cache', `node-headers-${process.version}`));
  return nodedir ? { ...process.env, npm_config_nodedir: nodedir } : process.env;
};
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
let nativeOk = true;
try {
  require(join(root, 'node_modules', 'better-sqlite3'));
} catch {
  nativeOk = false;
}
if (stale) {
  process.stderr.write('installing dependencies (npm ci)...\n');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit', env: installEnv() });
}
if (stale || !nativeOk) {
  try {
    require(join(root, 'node_modules', 'better-sqlite3'));
  } catch {
    process.stderr.write('building the SQLite driver (better-sqlite3)...\n');
    execSync('npm rebuild better-sqlite3', { cwd: root, stdio: 'inherit', env: installEnv() });
  }
}
