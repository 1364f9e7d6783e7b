'use strict';
/**
 * Summary of a V8 .cpuprofile (as written by node --cpu-prof): self time by function and by
 * package / part of the service, and the inclusive (synchronous) time under a few functions that
 * matter to a command. Used by commands.bench.js; also runs alone:
 *
 *   node bench/commands-profile.js <file.cpuprofile> [commands]
 */
const { readFileSync } = require('node:fs');

/** Where a frame's code lives: a package, a part of the service, Node itself, or V8's own buckets. */
function placeOf(frame) {
  const url = frame.url || '';
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : `(native) ${frame.functionName || '(anonymous)'}`;
  // The bench's wrapper around better-sqlite3's calls: its self time is the time inside SQLite (native).
  if (/bench\/commands-target\.js$/.test(url)) return 'better-sqlite3 (native SQLite, fsync included)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const dist = /\/dist\/(apps\/[^/]+|libs\/[^/]+)\//.exec(url);
  if (dist) return `service ${dist[1]}`;
  if (url.startsWith('node:internal/')) return url.split('/').slice(0, 2).join('/');
  if (url.startsWith('node:')) return url;
  return url.replace(/^.*\//, '');
}

/** Functions whose inclusive time says where a command goes (synchronous parts: awaits cut stacks). */
const INCLUSIVE = [
  [
    'SQLite: append (BEGIN IMMEDIATE..COMMIT, fsync)',
    (f) => f.functionName === 'appendInTransaction' || /sqliteTransaction/.test(f.functionName),
  ],
  ['SQLite: every call (reads too)', (f) => f.functionName === 'timedSqlite'],
  ['sealing (AES-256-GCM)', (f) => f.functionName === 'seal' && /secret-sealer/.test(f.url)],
  ['secret issue (random, format, sha256, seal)', (f) => f.functionName === 'issue' && /secret-issuer/.test(f.url)],
  ['JWT verification (jose)', (f) => /jwtVerify|compactVerify|flattenedVerify/.test(f.functionName)],
  ['request validation (class-validator/transformer)', (f) => /node_modules\/class-(validator|transformer)/.test(f.url)],
  ['fold + decide + project (domain)', (f) => /\/libs\/domain\//.test(f.url)],
  ['validity index (libs/validity)', (f) => /\/libs\/validity\//.test(f.url)],
  ['ioredis', (f) => /node_modules\/ioredis/.test(f.url)],
  ['kafkajs', (f) => /node_modules\/kafkajs/.test(f.url)],
  ['JSON.stringify / parse', (f) => f.functionName === 'stringify' || f.functionName === 'parse'],
  ['garbage collector', (f) => f.functionName === '(garbage collector)'],
];

/**
 * `from` / `to`: a window in the profile's clock (microseconds, as process.hrtime in the profiled
 * process), so that start-up and set-up are left out; samples outside it are not counted.
 */
function summarizeProfile(path, { top = 15, from = -Infinity, to = Infinity } = {}) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  // Self time per node, from the samples and their time deltas (microseconds).
  const selfMicros = new Map();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from || at > to) continue;
    const id = profile.samples[i];
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
  const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const idle = [...idleIds].reduce((sum, id) => sum + (selfMicros.get(id) ?? 0), 0);
  const busy = total - idle;

  const byFunction = new Map();
  const byPlace = new Map();
  for (const [id, micros] of selfMicros) {
    if (idleIds.has(id)) continue;
    const f = nodes.get(id).callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/(node_modules|dist)\//, '')}:${f.lineNumber + 1}` : '';
    const name = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const place = placeOf(f);
    byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
  }
  // Inclusive: the self time of every sample with a matching frame on its stack (counted once per sample).
  const inclusive = new Map(INCLUSIVE.map(([label]) => [label, 0]));
  const stackCache = new Map();
  const stackOf = (id) => {
    let labels = stackCache.get(id);
    if (labels) return labels;
    labels = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const f = nodes.get(at).callFrame;
      for (const [label, match] of INCLUSIVE) if (match(f)) labels.add(label);
    }
    stackCache.set(id, labels);
    return labels;
  };
  for (const [id, micros] of selfMicros) for (const label of stackOf(id)) inclusive.set(label, inclusive.get(label) + micros);

  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    totalMicros: total,
    busyMicros: busy,
    idleMicros: idle,
    topFunctions: sorted(byFunction).slice(0, top),
    topPlaces: sorted(byPlace).slice(0, top),
    inclusive: sorted(inclusive).filter(([, v]) => v > 0),
  };
}

function formatSummary(summary, commands) {
  const per = (micros) => (commands ? `${(micros / commands).toFixed(0).padStart(5)} us/cmd` : '');
  const pct = (micros) => `${((100 * micros) / summary.busyMicros).toFixed(1).padStart(5)}%`;
  const lines = [
    `profiled ${(summary.totalMicros / 1e6).toFixed(1)} s of the main thread: busy ${(summary.busyMicros / 1e6).toFixed(1)} s, ` +
      `idle ${(summary.idleMicros / 1e6).toFixed(1)} s${commands ? `, ${commands} commands` : ''} (percentages: of busy time)`,
    'top self time by function:',
    ...summary.topFunctions.map(([name, micros]) => `  ${pct(micros)} ${per(micros)}  ${name}`),
    'self time by package / part of the service:',
    ...summary.topPlaces.map(([name, micros]) => `  ${pct(micros)} ${per(micros)}  ${name}`),
    'inclusive time (synchronous stacks) under:',
    ...summary.inclusive.map(([name, micros]) => `  ${pct(micros)} ${per(micros)}  ${name}`),
  ];
  return lines.join('\n');
}

module.exports = { summarizeProfile, formatSummary };

if (require.main === module) {
  const [path, commands] = process.argv.slice(2);
  if (!path || path === '--help' || path === '-h') {
    process.stdout.write('usage: node bench/commands-profile.js <file.cpuprofile> [commands]\n');
    process.exit(path ? 0 : 2);
  }
  process.stdout.write(`${formatSummary(summarizeProfile(path), commands ? Number(commands) : 0)}\n`);
}
