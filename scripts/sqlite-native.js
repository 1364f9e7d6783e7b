#!/usr/bin/env node
// better-sqlite3 12 (kept for Node 20: 13 needs Node 22) on Node 24.19+.
//
// Node 24.19.0 backported cleanup hooks into node::ObjectWrap, which is header-only (node_object_wrap.h):
// an addon compiled against those headers calls RemoveEnvironmentCleanupHook from its destructor, and when V8
// collects such an object while no context is entered, Node aborts the whole process
// ("Assertion failed: (env) != nullptr", nodejs/node#65446, open). better-sqlite3 12's Statement is such an
// object: built from source against Node 24.19 headers, any process that lets a statement be garbage
// collected dies with SIGABRT (jest did, in the e2e tier). A build against headers without those hooks (as
// every Node 24 before 24.19 had, and better-sqlite3's own prebuilt binaries have) runs cleanly on 24.19.
//
//   node scripts/sqlite-native.js headers DIR   copy this Node's headers to DIR with the two hook calls taken
//                                              out of node_object_wrap.h; prints DIR (use it as
//                                              npm_config_nodedir for the install that compiles better-sqlite3),
//                                              or nothing when this Node's headers need no change
//   node scripts/sqlite-native.js check         exit 0 when better-sqlite3 (resolved from the current directory)
//                                              survives 200000 statements being garbage collected; a bad build
//                                              aborts (exit 134)
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const HOOK_CALLS = ['    AddCleanupHook();\n', '    RemoveCleanupHook();\n'];

/** The nodedir to compile addons against (a patched copy of this Node's headers in dest), or null if none is needed. */
function addonHeaders(dest) {
  const include = path.resolve(process.execPath, '..', '..', 'include', 'node');
  const header = path.join(include, 'node_object_wrap.h');
  if (!fs.existsSync(header)) return null; // headers not installed with this Node: node-gyp fetches its own
  const text = fs.readFileSync(header, 'utf8');
  if (!HOOK_CALLS.some((call) => text.includes(call))) return null;
  const target = path.join(dest, 'include', 'node');
  const patched = HOOK_CALLS.reduce((t, call) => t.split(call).join(''), text);
  const done = path.join(dest, '.complete');
  if (fs.existsSync(done) && fs.readFileSync(done, 'utf8') === process.version) return dest;
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  fs.cpSync(include, target, { recursive: true });
  fs.writeFileSync(path.join(target, 'node_object_wrap.h'), patched);
  fs.writeFileSync(done, process.version);
  return dest;
}

function check() {
  const Database = require(require.resolve('better-sqlite3', { paths: [process.cwd()] }));
  const db = new Database(':memory:');
  let junk = [];
  for (let i = 0; i < 200000; i++) {
    db.prepare('SELECT ? AS x').get(i); // each statement is garbage at once
    if (i % 1000 === 0) junk = [];
    junk.push(new Array(10).fill(i));
  }
  // and once more from a timer, where GC runs outside any JavaScript call
  setTimeout(() => {
    for (let i = 0; i < 100000; i++) junk.push({ i });
    db.close();
    process.stdout.write(`better-sqlite3 statements collected without abort on Node ${process.versions.node}\n`);
  }, 50);
}

module.exports = { addonHeaders };

if (require.main === module) {
  const [command, dir] = process.argv.slice(2);
  if (command === 'headers' && dir) {
    const nodedir = addonHeaders(path.resolve(dir));
    if (nodedir) process.stdout.write(`${nodedir}\n`);
  } else if (command === 'check') {
    check();
  } else {
    process.stderr.write('usage: node scripts/sqlite-native.js headers DIR | check\n');
    process.exit(2);
  }
}
