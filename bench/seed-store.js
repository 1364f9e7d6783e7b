#!/usr/bin/env node
'use strict';
/**
 * Seeds a SQLite event store (the service's DATA_DIR layout: <dir>/events.sqlite) with many keys,
 * for bench/rebuild.bench.js (bench/README.md, "bench:rebuild"). The events are the real thing:
 * each key's commands go through the domain's decider (decide/evolve), are encoded with the key
 * event codec, get their command-derived ids and metadata as KeyCommandExecutor gives them, and the
 * secrets are in the real key format (hash = hashKey, start = keyStart, sealed with a bench master
 * key). What differs from the service: rows are inserted straight into the store's table in large
 * transactions with synchronous=OFF (the adapter's own append is one fsync'd transaction per
 * command), and each key's events are contiguous in the log.
 *
 * Nothing in the store is plaintext (events hold hashes and sealed copies). The secrets are derived
 * from a per-store random seed (HMAC-SHA256(seed, key index and secret version)), kept with the
 * store in seed.json, so the bench can re-derive a sample of keys to send to verify without any
 * file of plaintext keys living beside the store: `writeSample` puts one in the bench's temp dir.
 * seed.json therefore unlocks every key of the store (as does the bench master key its sealed
 * copies): a bench store is for benchmarks only.
 *
 *   node bench/seed-store.js --dir /tmp/store [--keys 1000000 | --events 1000000]
 *   node bench/seed-store.js --help
 *
 * The mix, per key (decided from a hash of the run's random value and the key's index, so the bench can tell
 * what each key should be without reading the store), is KEY_MIX below; independently 10% of keys
 * are IP-restricted and 10% are signing keys. Averages 1.72 events per key.
 */
const { createHash, createHmac, randomBytes, randomUUID } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, writeFileSync, openSync, writeSync, closeSync } = require('node:fs');
const { join } = require('node:path');

const DIST = join(__dirname, '..', 'dist');

/** Categories of key, with their share (sums to 100) and the commands after GenerateKey. */
const KEY_MIX = [
  { name: 'plain', percent: 50, about: 'generated, nothing else (active)' },
  { name: 'updated', percent: 5, about: 'renamed (KeyUpdated)' },
  { name: 'revealed', percent: 5, about: 'revealed once (KeyRevealed)' },
  { name: 'grace', percent: 10, about: 'regenerated, previous secret valid 7 more days' },
  { name: 'twice', percent: 5, about: 'regenerated twice: first secret superseded, second in its grace' },
  { name: 'expiring', percent: 5, about: 'expiry set 30 days ahead (pending expiry)' },
  { name: 'revoked', percent: 8, about: 'revoked' },
  { name: 'rotated-revoked', percent: 2, about: 'regenerated, then revoked' },
  { name: 'expired', percent: 5, about: 'expiry set in the past: KeyExpirySet + KeyExpired' },
  { name: 'grace-over', percent: 5, about: 'regenerated with an old-secret expiry already passed (KeyRotated + KeyExpired)' },
];
const IP_RESTRICTED_PERCENT = 10;
const SIGNING_PERCENT = 10;
const KEYS_PER_ACCOUNT = 10;
const DAY_MS = 24 * 60 * 60 * 1000;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function loadDist() {
  try {
    return {
      domain: require(join(DIST, 'libs/domain/src/index.js')),
      eventStore: require(join(DIST, 'libs/event-store/src/index.js')),
      application: require(join(DIST, 'libs/application/src/index.js')),
    };
  } catch (error) {
    throw new Error(`dist/ is missing or stale (${error.message}): run \`npm run build\` first`, { cause: error });
  }
}

/** What key `i` of the store with `seed` is: deterministic, so the bench can tell without reading events. */
function keyPlan(seed, i, keysPerAccount = KEYS_PER_ACCOUNT) {
  const h = createHash('sha256').update(`plan:${seed}:${i}`).digest();
  const pick = h.readUInt16BE(0) % 100;
  let sum = 0;
  let category = KEY_MIX[KEY_MIX.length - 1].name;
  for (const entry of KEY_MIX) {
    sum += entry.percent;
    if (pick < sum) {
      category = entry.name;
      break;
    }
  }
  let keyId = 'key_';
  for (let b = 2; keyId.length < 28; b++) keyId += BASE62[h[b] % 62];
  return {
    index: i,
    keyId,
    accountId: `acct_bench_${Math.floor(i / keysPerAccount)}`,
    kind: h.readUInt16BE(28) % 100 < SIGNING_PERCENT ? 'signing' : 'api',
    ipRestricted: h.readUInt16BE(30) % 100 < IP_RESTRICTED_PERCENT,
    category,
  };
}

/** The 32 random bytes of secret `version` of key `i`. */
const secretBytes = (seed, i, version) => createHmac('sha256', Buffer.from(seed, 'hex')).update(`secret:${i}:${version}`).digest();

/** The plaintext of secret `version` of key `i` (the bench's load; never printed). */
function secretOf(domain, seed, plan, version) {
  return domain.formatKey(plan.kind, 'live', secretBytes(seed, plan.index, version));
}

/**
 * What verify must find for key `i`'s secrets: [{version, status}] where status is what the index
 * entry of that secret says ('active', 'revoked', 'expired'). Written from the mix above, not from
 * the projection, so it checks the projection.
 */
function expectedSecrets(plan) {
  const c = plan.category;
  switch (c) {
    case 'plain':
    case 'updated':
    case 'revealed':
    case 'expiring':
      return [{ version: 1, status: 'active' }];
    case 'grace':
      return [
        { version: 1, status: 'active' },
        { version: 2, status: 'active' },
      ];
    case 'twice':
      return [
        { version: 1, status: 'expired' },
        { version: 2, status: 'active' },
        { version: 3, status: 'active' },
      ];
    case 'revoked':
      return [{ version: 1, status: 'revoked' }];
    case 'rotated-revoked':
      return [
        { version: 1, status: 'revoked' },
        { version: 2, status: 'revoked' },
      ];
    case 'expired':
      return [{ version: 1, status: 'expired' }];
    case 'grace-over':
      return [
        { version: 1, status: 'expired' },
        { version: 2, status: 'active' },
      ];
    default:
      throw new Error(`unknown category ${c}`);
  }
}

/**
 * A key good for the verify load: an API key (verify answers NOT_FOUND for a signing key unless
 * asked for that kind), active current secret, no IP restriction, no expiry.
 */
const loadable = (plan) =>
  plan.kind === 'api' && !plan.ipRestricted && (plan.category === 'plain' || plan.category === 'updated' || plan.category === 'revealed');

/**
 * Seeds `dir` (created; must not hold a store yet). Stops after `keys` keys, or once `events`
 * events are written (the last key's events complete, so up to 3 more). Returns the summary also
 * written to <dir>/seed.json.
 */
/** Events each category's commands add after GenerateKey (for --events-per-key). */
const CATEGORY_EVENTS = {
  plain: 0,
  updated: 1,
  revealed: 1,
  grace: 1,
  twice: 2,
  expiring: 1,
  revoked: 1,
  'rotated-revoked': 2,
  expired: 2,
  'grace-over': 2,
};

async function seedStore({ dir, keys, events, eventsPerKey, keysPerAccount = KEYS_PER_ACCOUNT, onProgress }) {
  const { domain, eventStore, application } = loadDist();
  const Database = require('better-sqlite3');
  const path = join(dir, 'events.sqlite');
  if (existsSync(path)) throw new Error(`${path} exists already: give a new directory`);
  mkdirSync(dir, { recursive: true });
  const seed = randomBytes(32).toString('hex');
  const masterKey = createHash('sha256').update(`bench-master-key:${seed}`).digest();
  const sealer = new application.SecretSealer(masterKey);

  // The adapter creates the schema (and WAL mode) exactly as the service would; then it is closed,
  // and rows go in over a raw connection without per-commit fsyncs.
  await eventStore.SqliteEventStore.open(path).close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // The two unique indexes (event id, stream + revision) take random inserts: keep them in memory.
  db.pragma('cache_size = -524288');
  const insert = db.prepare('INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const rows = [];
  const flush = db.transaction(() => {
    for (const row of rows) insert.run(row);
  });

  const maxKeys = keys ?? Number.POSITIVE_INFINITY;
  const maxEvents = events ?? Number.POSITIVE_INFINITY;
  // The last 20 days: the Redis index keeps a revoked or expired secret's entry 30 days after its end
  // (then verify says NOT_FOUND, not REVOKED), so the bench's lookups hold for a store used within 10 days.
  const base = Date.now() - 20 * DAY_MS;
  const span = 19 * DAY_MS;
  const total = Number.isFinite(maxKeys) ? maxKeys : Math.ceil(maxEvents / (eventsPerKey ?? 1.72));
  const counts = Object.fromEntries(KEY_MIX.map((m) => [m.name, 0]));
  const eventTypes = {};
  let ipRestricted = 0;
  let signing = 0;
  let written = 0;
  let i = 0;
  const started = Date.now();
  let lastReport = started;

  for (; i < maxKeys && written < maxEvents; i++) {
    const plan = keyPlan(seed, i, keysPerAccount);
    counts[plan.category]++;
    if (plan.ipRestricted) ipRestricted++;
    if (plan.kind === 'signing') signing++;
    const streamId = domain.keyStreamId(plan.keyId);
    const actor = { type: 'user', sub: `usr_bench_${Math.floor(i / keysPerAccount)}`, acct: plan.accountId, roles: ['owner'] };
    // Each event's metadata.chain links it to the one before it in its stream, as the service's
    // ChainedEventStore writes it (so audit:verify and the history see what a live store holds).
    let prev = null;
    // Each key lives in its own slice of those 20 days; its commands a few minutes apart.
    let now = new Date(base + Math.floor((i / total) * span));
    let state = domain.initialState();
    let revision = -1;
    const issue = (version) => {
      const secret = secretOf(domain, seed, plan, version);
      return {
        hash: domain.hashKey(secret),
        start: domain.keyStart(secret),
        sealed: sealer.seal(secret, { keyId: plan.keyId, secretVersion: version }),
      };
    };
    const run = (command) => {
      const decision = domain.decide(command, state, now);
      if (!decision.ok) throw new Error(`seed: ${command.type} on ${plan.category} refused: ${decision.rejection.code}`);
      const expected = revision < 0 ? 'no_stream' : revision;
      const metadata = { actor, correlationId: randomUUID(), causationId: null, occurredAt: now.toISOString() };
      decision.events.forEach((event, index) => {
        const { type, data, schemaVersion } = domain.encodeKeyEvent(event);
        const stored = eventStore.withCommandEventId(streamId, expected, index, { type, data, metadata: { ...metadata, schemaVersion } });
        revision++;
        const chained = { ...stored.metadata, chain: { v: eventStore.CHAIN_VERSION, prev } };
        const dataText = JSON.stringify(data);
        const metadataText = JSON.stringify(chained);
        prev = eventStore.eventHash({
          streamId,
          revision,
          id: stored.id,
          type,
          data: JSON.parse(dataText),
          metadata: JSON.parse(metadataText),
        });
        rows.push([streamId, revision, stored.id, type, dataText, metadataText, now.toISOString()]);
        eventTypes[type] = (eventTypes[type] ?? 0) + 1;
        state = domain.evolve(state, event);
      });
      now = new Date(now.getTime() + 5 * 60 * 1000);
    };
    run({
      type: 'GenerateKey',
      keyId: plan.keyId,
      accountId: plan.accountId,
      kind: plan.kind,
      name: `bench key ${i}`,
      allowedIps: plan.ipRestricted ? ['203.0.113.0/24', '2001:db8::/32'] : [],
      webhookFormat: 'single',
      secret: issue(1),
    });
    // A long history per key (--events-per-key): renames and reveals, before the category's commands.
    const extra = eventsPerKey === undefined ? 0 : Math.max(0, eventsPerKey - 1 - CATEGORY_EVENTS[plan.category]);
    for (let n = 1; n <= extra; n++) {
      if (n % 2 === 1) run({ type: 'UpdateKey', changes: { name: `bench key ${i} (name ${n})` } });
      else run({ type: 'RevealKey', slot: 'current' });
    }
    const graceEnd = new Date(Date.now() + 7 * DAY_MS);
    switch (plan.category) {
      case 'updated':
        run({ type: 'UpdateKey', changes: { name: `bench key ${i} (renamed)` } });
        break;
      case 'revealed':
        run({ type: 'RevealKey', slot: 'current' });
        break;
      case 'grace':
        run({ type: 'RegenerateKey', oldSecretExpiresAt: graceEnd, secret: issue(2) });
        break;
      case 'twice':
        run({ type: 'RegenerateKey', oldSecretExpiresAt: graceEnd, secret: issue(2) });
        run({ type: 'RegenerateKey', oldSecretExpiresAt: graceEnd, secret: issue(3) });
        break;
      case 'expiring':
        run({ type: 'SetExpiry', slot: 'current', expiresAt: new Date(Date.now() + 30 * DAY_MS) });
        break;
      case 'revoked':
        run({ type: 'RevokeKey', reason: 'bench' });
        break;
      case 'rotated-revoked':
        run({ type: 'RegenerateKey', oldSecretExpiresAt: graceEnd, secret: issue(2) });
        run({ type: 'RevokeKey', reason: 'bench' });
        break;
      case 'expired':
        run({ type: 'SetExpiry', slot: 'current', expiresAt: new Date(now.getTime() - 60 * 1000) });
        break;
      case 'grace-over':
        run({ type: 'RegenerateKey', oldSecretExpiresAt: new Date(now.getTime() - 60 * 1000), secret: issue(2) });
        break;
      default:
    }
    written = written + (revision + 1);
    if (rows.length >= 20000) {
      flush();
      rows.length = 0;
      if (onProgress && Date.now() - lastReport >= 2000) {
        lastReport = Date.now();
        onProgress({ keys: i + 1, events: written, total, seconds: (Date.now() - started) / 1000 });
      }
    }
  }
  if (rows.length > 0) flush();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const summary = {
    createdAt: new Date().toISOString(),
    seed,
    keys: i,
    events: written,
    accounts: Math.ceil(i / keysPerAccount),
    keysPerAccount,
    ...(eventsPerKey === undefined ? {} : { eventsPerKey }),
    chained: true,
    categories: counts,
    ipRestricted,
    signing,
    eventTypes,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(join(dir, 'seed.json'), `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o600 });
  return summary;
}

function readSummary(dir) {
  return JSON.parse(readFileSync(join(dir, 'seed.json'), 'utf8'));
}

/**
 * Up to `count` keys good for the verify load, spread over the whole store, as lines
 * `<key> <keyId>` in `file` (mode 0600; the caller deletes it). Returns how many.
 */
function writeSample(dir, file, count) {
  const { domain } = loadDist();
  const { seed, keys, keysPerAccount } = readSummary(dir);
  // Every stride-th key is tried, so the sample spans the log (and the index) evenly.
  const stride = Math.max(1, Math.floor(keys / (count * 2)));
  const fd = openSync(file, 'wx', 0o600);
  let n = 0;
  try {
    for (let start = 0; start < stride && n < count; start++) {
      for (let i = start; i < keys && n < count; i += stride) {
        const plan = keyPlan(seed, i, keysPerAccount);
        if (!loadable(plan)) continue;
        writeSync(fd, `${secretOf(domain, seed, plan, 1)} ${plan.keyId}\n`);
        n++;
      }
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

/**
 * `count` secrets to look up after a rebuild, spread over the store, each with the entry the index
 * must hold for it: [{hash, keyId, accountId, status, ipRestricted, category}] (hashes only).
 */
function expectedSample(dir, count) {
  const { domain } = loadDist();
  const { seed, keys, keysPerAccount } = readSummary(dir);
  const stride = Math.max(1, Math.floor(keys / count));
  const out = [];
  for (let i = 0; i < keys && out.length < count; i += stride) {
    const plan = keyPlan(seed, i, keysPerAccount);
    for (const { version, status } of expectedSecrets(plan)) {
      out.push({
        hash: domain.hashKey(secretOf(domain, seed, plan, version)),
        keyId: plan.keyId,
        accountId: plan.accountId,
        status,
        ipRestricted: plan.ipRestricted,
        category: plan.category,
        version,
      });
    }
  }
  return out;
}

module.exports = { KEY_MIX, IP_RESTRICTED_PERCENT, SIGNING_PERCENT, seedStore, readSummary, writeSample, expectedSample, keyPlan };

// ---------------------------------------------------------------- CLI

const USAGE = `usage: node bench/seed-store.js --dir <dir> [--keys <n> | --events <n>] [--events-per-key <n>] [--keys-per-account <n>]

Seeds <dir>/events.sqlite (a new SQLite event store, the service's DATA_DIR layout) with keys in
a realistic mix (bench/README.md, "bench:rebuild"), through the real decider and codec; writes
<dir>/seed.json (counts, and the random value the bench derives its sample keys from). Needs dist/.

options:
  --dir <dir>        where to create the store (must not hold one)
  --keys <n>         how many keys (default: as many as --events needs)
  --events <n>       stop once this many events are written (default 1000000 when --keys is not given)
  --events-per-key <n>
                     a long history per key: renames and reveals after GenerateKey until its stream
                     has <n> events with its category's (default: the mix alone, 1.72 per key on average)
  --keys-per-account <n>
                     keys per account (default ${KEYS_PER_ACCOUNT})
  -h, --help         this text
`;

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const options = {};
  for (let a = 0; a < args.length; a++) {
    const name = args[a];
    const value = args[a + 1];
    if (name === '--dir' && value) options.dir = value;
    else if ((name === '--keys' || name === '--events') && /^\d+$/.test(value ?? '') && Number(value) > 0)
      options[name.slice(2)] = Number(value);
    else if (name === '--events-per-key' && /^\d+$/.test(value ?? '') && Number(value) >= 3) options.eventsPerKey = Number(value);
    else if (name === '--keys-per-account' && /^\d+$/.test(value ?? '') && Number(value) >= 1) options.keysPerAccount = Number(value);
    else {
      const named = /^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(name) ? name : `at position ${a + 1}`;
      process.stderr.write(`seed-store: bad or unknown option ${named}\n\n${USAGE}`);
      process.exit(2);
    }
    a++;
  }
  if (!options.dir) {
    process.stderr.write(`seed-store: --dir is required\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.keys === undefined && options.events === undefined) options.events = 1_000_000;
  const num = (value) => Math.round(value).toLocaleString('en-US');
  (async () => {
    const summary = await seedStore({
      ...options,
      onProgress: ({ keys, events, total, seconds }) =>
        process.stdout.write(`  seeded ${num(keys)} of ~${num(total)} keys, ${num(events)} events, ${num(events / seconds)} events/s\n`),
    });
    const { seed: _seed, ...shown } = summary;
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  })().catch((error) => {
    process.stderr.write(`seed-store: ${error.message}\n`);
    process.exit(1);
  });
}
