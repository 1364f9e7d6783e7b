#!/usr/bin/env node
'use strict';
/**
 * Does a big heap alone slow a Node process down? (bench/README.md, "bench/heap-size.js"; issue 12:
 * embedded verify at a million keys.) No service, no HTTP: a child process fills a plain Map with N
 * objects shaped like the in-process index's entries and records (MemoryValidityIndex), then runs the
 * same fixed loop of verify-like work over the same 500 of them: parse a small JSON body, SHA-256 a
 * string, one Map.get, build an answer's JSON, count a use. Only N differs, so any difference in the
 * loop's time is the heap's size. Rounds alternate the two sizes, each in a fresh process with the
 * service's Node flags. Prints each run's time and GC time, and the median ratio; asserts nothing.
 *
 *   node bench/heap-size.js                 (BENCH_ROUNDS=3 BENCH_BIG=1000000 BENCH_SMALL=1000 BENCH_LOOPS=1500000)
 */
const { fork } = require('node:child_process');
const { createHash } = require('node:crypto');
const { SERVICE_NODE_FLAGS, wholeFromEnv } = require('./common');

const USAGE = `usage: node bench/heap-size.js

environment:
  BENCH_BIG     entries in the big Map (default 1000000)
  BENCH_SMALL   entries in the small Map (default 1000)
  BENCH_LOOPS   verify-like iterations per run (default 1500000)
  BENCH_ROUNDS  rounds, each running both sizes in fresh processes (default 3)
  BENCH_SHAPE   spread (default): the 500 entries looked up spread over the whole Map, as the
                verify bench's keys are; near: the Map's first ones; ballast: a Map of 1,000 entries and
                the rest of the objects in an array (the same heap, a small Map)
`;

const SAMPLE = 500;
const SHAPES = ['spread', 'near', 'ballast'];

function entryOf(i, hash) {
  return {
    keyId: `key_${i.toString(36).padStart(24, '0')}`,
    accountId: `acct_${i % 100000}`,
    kind: 'api',
    status: 'active',
    expiresAt: null,
    allowedIps: i % 10 ? [] : ['10.0.0.0/8'],
    secretVersion: 1,
    version: 0,
    permissions: [],
    metadata: {},
    externalId: null,
    webhookFormat: 'single',
    hash,
  };
}

function child(size, loops, shape) {
  const byHash = new Map();
  const records = new Map();
  const ballast = [];
  const sample = [];
  // spread: the sample spread over the whole Map; near: its first entries; ballast: only the first
  // 1,000 entries in the Map, the rest kept in an array (the same heap, a small Map).
  const every = shape === 'spread' ? Math.max(1, Math.floor(size / SAMPLE)) : 1;
  for (let i = 0; i < size; i++) {
    const hash = createHash('sha256').update(`k${i}`).digest('hex');
    const entry = entryOf(i, hash);
    if (shape !== 'ballast' || i < 1000) byHash.set(hash, entry);
    else ballast.push(entry);
    const sealed = { kid: 'k1', alg: 'A256GCM', iv: 'x'.repeat(16), ciphertext: 'c'.repeat(76), tag: 't'.repeat(22) };
    records.set(entry.keyId, { ...entry, secret: { hash, start: 'ak_live_abcdef', sealed, version: 1 }, retired: [] });
    if (i % every === 0 && sample.length < SAMPLE) sample.push(hash);
  }
  global.gc?.();
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  const usage = new Map();
  let valid = 0;
  const faultsBefore = process.resourceUsage();
  const started = performance.now();
  for (let r = 0; r < loops; r++) {
    const hash = sample[r % sample.length];
    const body = JSON.parse(`{"key":"ak_live_${r}","ip":"10.1.2.3"}`);
    createHash('sha256').update(body.key).digest('hex');
    const entry = byHash.get(hash);
    if (entry && entry.status === 'active') valid++;
    JSON.stringify({ valid: true, keyId: entry.keyId, accountId: entry.accountId, permissions: entry.permissions });
    usage.set(entry.keyId, (usage.get(entry.keyId) ?? 0) + 1);
  }
  const ms = performance.now() - started;
  const faultsAfter = process.resourceUsage();
  const faults = {
    minor: faultsAfter.minorPageFault - faultsBefore.minorPageFault,
    major: faultsAfter.majorPageFault - faultsBefore.majorPageFault,
  };
  // GC entries reach the observer asynchronously, after the loop.
  setTimeout(() => {
    observer.disconnect();
    const heap = process.memoryUsage().heapUsed;
    // Transparent huge pages backing the process (Linux): fewer TLB misses over a big heap.
    let hugeMb = null;
    try {
      const rollup = require('node:fs').readFileSync('/proc/self/smaps_rollup', 'utf8');
      const kb = /AnonHugePages:\s+(\d+) kB/.exec(rollup);
      if (kb) hugeMb = Math.round(Number(kb[1]) / 1024);
    } catch {
      // not Linux
    }
    process.send({ size, ms, gcMs, faults, hugeMb, valid, heapMb: Math.round(heap / 1048576), records: records.size });
    process.exit(0);
  }, 500);
}

function run(size, loops, shape) {
  return new Promise((resolve, reject) => {
    const proc = fork(__filename, ['--child', String(size), String(loops), shape], {
      execArgv: [...SERVICE_NODE_FLAGS, '--max-old-space-size=8192'],
    });
    proc.once('message', resolve);
    proc.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`child (${size}) exited with ${code}`))));
  });
}

async function main() {
  if (process.argv.includes('--help') || process.argv.includes('-h')) return void process.stdout.write(USAGE);
  const die = (message) => {
    process.stderr.write(`bench/heap-size: ${message}\n\n${USAGE}`);
    process.exit(2);
  };
  const big = wholeFromEnv(die, 'BENCH_BIG', 1_000_000, SAMPLE);
  const small = wholeFromEnv(die, 'BENCH_SMALL', 1_000, SAMPLE);
  const loops = wholeFromEnv(die, 'BENCH_LOOPS', 1_500_000, 1);
  const rounds = wholeFromEnv(die, 'BENCH_ROUNDS', 3, 1);
  const shape = process.env.BENCH_SHAPE || 'spread';
  if (!SHAPES.includes(shape)) die(`BENCH_SHAPE must be one of ${SHAPES.join(', ')}`);
  const n = (value) => value.toLocaleString('en-US');
  const out = (...parts) => process.stdout.write(`${parts.join('')}\n`);
  out(
    `heap-size (${shape}): ${n(loops)} verify-like iterations over ${SAMPLE} entries, `,
    `${n(small)} or ${n(big)} entries, node ${process.version}`,
  );
  const ratios = [];
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? [small, big] : [big, small];
    const results = {};
    for (const size of order) {
      const r = await run(size, loops, shape);
      if (r.valid !== loops) die(`a lookup failed (${r.valid} of ${loops})`);
      results[size] = r;
      const huge = r.hugeMb === null ? '' : ` (${r.hugeMb} MB in huge pages)`;
      out(
        `  round ${round}: ${n(size).padStart(9)} entries: ${Math.round(r.ms)} ms (${n(Math.round((loops / r.ms) * 1000))}/s), `,
        `GC ${Math.round(r.gcMs)} ms, page faults ${n(r.faults.minor)} minor ${r.faults.major} major, heap ${r.heapMb} MB${huge}`,
      );
    }
    ratios.push(results[small].ms / results[big].ms);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const each = ratios.map((r) => r.toFixed(2)).join(', ');
  out(`speed with ${n(big)} entries over ${n(small)}: x${median.toFixed(2)} (median of ${rounds}; per round ${each})`);
}

if (process.argv[2] === '--child') child(Number(process.argv[3]), Number(process.argv[4]), process.argv[5]);
else
  main().catch((error) => {
    process.stderr.write(`bench/heap-size: ${error.message}\n`);
    process.exit(1);
  });
