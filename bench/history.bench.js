'use strict';
/**
 * Account history at scale (issue 15; bench/README.md, "npm run bench:history"): page latency and export
 * throughput of a running service over a store seeded with a long history per key, e.g.
 *
 *   node bench/seed-store.js --dir /var/tmp/cs-history --keys 10000 --events-per-key 100 --keys-per-account 100
 *   DATA_DIR=/var/tmp/cs-history REDIS_URL=... npm start        # see bench/README.md
 *   BENCH_STORE=/var/tmp/cs-history BENCH_URL=http://127.0.0.1:3000 AUTH_JWT_SECRET=... node bench/history.bench.js
 *
 * For BENCH_ACCOUNTS accounts of the store: every page of the account's history, newest first, 100
 * events a page, following nextCursor to the end (the latency of each), then one page per filter
 * (a type, a key, an actor, oldest first), then the whole account as NDJSON and as CSV (events/s).
 * Fails (exit 1) only on a wrong answer: a non-200, a page out of order or of the wrong size, a filtered
 * row that does not match, an export whose line count is not the number of events paging found.
 */
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const seeding = require('./seed-store');

const USAGE = `usage: BENCH_STORE=<seeded dir> BENCH_URL=<service> AUTH_JWT_SECRET=<secret> node bench/history.bench.js

environment:
  BENCH_STORE        the seeded store the service runs on (its seed.json names the accounts and keys)
  BENCH_URL          the service (default http://127.0.0.1:3000)
  AUTH_JWT_SECRET    the service's HS256 secret: the bench signs in as each account's auditor
  BENCH_ACCOUNTS     accounts measured (default 5)
  BENCH_LIMIT        events per page (default 100)
`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const die = (message) => {
  process.stderr.write(`bench:history: ${message}\n\n${USAGE}`);
  process.exit(2);
};
const whole = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) die(`${name} must be a whole number >= 1`);
  return Number(raw);
};
if (!process.env.BENCH_STORE) die('BENCH_STORE is not set');
if (!process.env.AUTH_JWT_SECRET) die('AUTH_JWT_SECRET is not set');
const settings = {
  store: process.env.BENCH_STORE,
  url: (process.env.BENCH_URL || 'http://127.0.0.1:3000').replace(/\/$/, ''),
  accounts: whole('BENCH_ACCOUNTS', 5),
  limit: whole('BENCH_LIMIT', 100),
};

const out = (text) => process.stdout.write(text);
const n = (value) => Math.round(value).toLocaleString('en-US');
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
let wrong = 0;
const fail = (what) => {
  wrong++;
  if (wrong <= 10) out(`  WRONG: ${what}\n`);
};

function tokenFor(accountId) {
  return execFileSync(
    process.execPath,
    [join(__dirname, '..', 'scripts', 'token.js'), '--account', accountId, '--role', 'auditor', '--ttl', '7200'],
    {
      encoding: 'utf8',
      env: process.env,
    },
  ).trim();
}

async function timed(url, token, accept = 'application/json') {
  const started = process.hrtime.bigint();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept } });
  const body = await response.text();
  return { status: response.status, body, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

async function main() {
  const summary = seeding.readSummary(settings.store);
  const accounts = Math.min(settings.accounts, summary.accounts);
  out(
    `bench:history ${new Date().toISOString()}  ${settings.url}  store: ${n(summary.events)} events, ${n(summary.keys)} keys, ` +
      `${n(summary.accounts)} accounts (${n(summary.events / summary.accounts)} events each on average)\n` +
      `${accounts} accounts, ${settings.limit} events a page, one request at a time\n\n`,
  );
  const latencies = { all: [], type: [], key: [], actor: [], oldest: [] };
  const exports = { ndjson: { events: 0, bytes: 0, seconds: 0 }, csv: { events: 0, bytes: 0, seconds: 0 } };
  let first = true;
  for (let a = 0; a < accounts; a++) {
    // Accounts spread over the store.
    const index = Math.floor((a * summary.accounts) / accounts);
    const accountId = `acct_bench_${index}`;
    const token = tokenFor(accountId);
    const base = `${settings.url}/v1/accounts/${accountId}/history`;
    // Every page, newest first.
    let cursor = null;
    let events = 0;
    // Newest first: each key's events come in falling revisions (pages carry no position to compare).
    const lastRevision = new Map();
    const seen = { types: new Set(), keyId: null, actor: null };
    for (;;) {
      const page = await timed(
        `${base}?order=newest&limit=${settings.limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        token,
      );
      if (page.status !== 200) {
        fail(`${accountId}: page answered ${page.status}: ${page.body.slice(0, 200)}`);
        break;
      }
      if (first) {
        first = false; // the first request warms the connection and the code paths: not counted
      } else latencies.all.push(page.ms);
      const { events: rows, nextCursor } = JSON.parse(page.body);
      for (const row of rows) {
        const before = lastRevision.get(row.keyId);
        if (before !== undefined && row.revision >= before) fail(`${accountId}: a key's events not newest first`);
        lastRevision.set(row.keyId, row.revision);
        seen.types.add(row.type);
        seen.keyId ??= row.keyId;
        seen.actor ??= row.actor;
      }
      events += rows.length;
      if (!nextCursor) break;
      if (rows.length !== settings.limit) fail(`${accountId}: a page of ${rows.length} with a next cursor`);
      cursor = nextCursor;
    }
    // One page per filter.
    const filtered = async (kind, query, matches) => {
      const page = await timed(`${base}?limit=${settings.limit}&${query}`, token);
      if (page.status !== 200) return fail(`${accountId}: ${kind} page answered ${page.status}`);
      latencies[kind].push(page.ms);
      for (const row of JSON.parse(page.body).events)
        if (!matches(row)) fail(`${accountId}: a ${kind} page holds a row that does not match`);
    };
    const rare = [...seen.types].find((type) => type !== 'KeyUpdated' && type !== 'KeyRevealed') ?? 'KeyGenerated';
    await filtered('type', `type=${rare}`, (row) => row.type === rare);
    await filtered('key', `keyId=${seen.keyId}`, (row) => row.keyId === seen.keyId);
    if (seen.actor && seen.actor.sub) {
      await filtered('actor', `actor=${encodeURIComponent(`user:${seen.actor.sub}`)}`, (row) => row.actor.sub === seen.actor.sub);
    }
    await filtered('oldest', 'order=oldest', () => true);
    // The whole account, as each export format.
    for (const format of ['ndjson', 'csv']) {
      const result = await timed(`${base}?format=${format}`, token, format === 'csv' ? 'text/csv' : 'application/x-ndjson');
      if (result.status !== 200) {
        fail(`${accountId}: ${format} export answered ${result.status}`);
        continue;
      }
      // CSV: a header row, and a cell may hold a line break only quoted (data and metadata are JSON text without raw ones).
      const lines = result.body.split(format === 'csv' ? '\r\n' : '\n').filter(Boolean).length - (format === 'csv' ? 1 : 0);
      if (lines !== events) fail(`${accountId}: the ${format} export has ${lines} events, paging found ${events}`);
      exports[format].events += lines;
      exports[format].bytes += Buffer.byteLength(result.body);
      exports[format].seconds += result.ms / 1000;
    }
    out(`  ${accountId}: ${n(events)} events, ${Math.ceil(events / settings.limit)} pages\n`);
  }
  out('\npage latency (ms)        pages   median     p95     p99     max\n');
  const labels = { all: 'every page, newest first', type: `one type`, key: 'one key', actor: 'one actor', oldest: 'oldest first' };
  for (const [kind, values] of Object.entries(latencies)) {
    if (values.length === 0) continue;
    const cell = (q) => quantile(values, q).toFixed(1).padStart(7);
    out(
      `${labels[kind].padEnd(24)} ${String(values.length).padStart(6)} ${cell(0.5)} ${cell(0.95)} ${cell(0.99)} ${Math.max(...values)
        .toFixed(1)
        .padStart(7)}\n`,
    );
  }
  out('\nexport        events   MB     events/s\n');
  for (const [format, e] of Object.entries(exports)) {
    const rate = n(e.events / Math.max(e.seconds, 1e-9));
    out(`${format.padEnd(10)} ${n(e.events).padStart(9)} ${(e.bytes / 1e6).toFixed(1).padStart(5)} ${rate.padStart(11)}\n`);
  }
  out(wrong === 0 ? '\nno wrong answer\n' : `\n${wrong} wrong answers\n`);
  return wrong === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`bench:history: ${error.message}\n`);
    process.exit(1);
  },
);
