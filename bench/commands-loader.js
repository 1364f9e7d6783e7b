'use strict';
/**
 * The load generator and the fence checker of commands.bench.js, each run as its own child process
 * (forked with an IPC channel) so that neither shares an event loop with a service under test.
 *
 *   parent -> { type: 'load', ... }    child -> { type: 'loaded', result }   (see runLoad)
 *   parent -> { type: 'fence', ... }   child -> { type: 'fencing' }; then on { type: 'stop' } -> { type: 'fenced', result }
 *
 * HTTP through node:http with one keep-alive agent per target, as many sockets as workers: each
 * worker has one command in flight at a time, so "concurrency N" is N commands in flight.
 * Secrets travel only between this process and the services: they are never printed nor sent to
 * the parent (only key ids are).
 */
const http = require('node:http');
const { SignJWT } = require('jose');

const KEY_ID = /^key_[0-9A-Za-z]{24}$/;

// ---------------------------------------------------------------- HTTP

const agents = new Map();
function agentFor(origin, sockets) {
  let agent = agents.get(origin);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
    agents.set(origin, agent);
  }
  return agent;
}

/** One request; resolves { status, body (parsed JSON or null), text } or rejects on a network error / timeout. */
function request(base, method, path, headers, body, sockets = 64) {
  const url = new URL(path, base);
  const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        agent: agentFor(url.origin, sockets),
        headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
        timeout: 30_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: parsed stays null, the caller reports the status
          }
          resolve({ status: res.statusCode, body: parsed, text });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout after 30 s')));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

async function mint(jwtSecret, accountId) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ acct: accountId, roles: ['owner'], auth_time: now })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench_user')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(Buffer.from(jwtSecret, 'utf8'));
}

/** Tokens per account, minted again when older than STEP_UP_MAX_AGE (300 s) would allow: every 200 s. */
function tokenCache(jwtSecret) {
  const cache = new Map();
  return async (account) => {
    const hit = cache.get(account);
    if (hit && Date.now() - hit.at < 200_000) return hit.token;
    const token = await mint(jwtSecret, account);
    cache.set(account, { token, at: Date.now() });
    return token;
  };
}

// ---------------------------------------------------------------- the commands

/** What a command's answer is checked against; a string is a problem (wrong answer), null is fine. */
function checkSecretAnswer(res, expectedId) {
  const b = res.body;
  if (!b || !b.key || typeof b.secret !== 'string') return 'no key or secret in the answer';
  if (!KEY_ID.test(b.key.id) || (expectedId && b.key.id !== expectedId)) return 'another key id in the answer';
  if (!/^ak_[a-z]+_/.test(b.secret)) return 'the secret is not an API key';
  return null;
}

function makeClient(config, sockets) {
  const token = tokenCache(config.jwtSecret);
  const service = { authorization: `Bearer ${config.serviceToken}` };
  const as = async (account) => ({ authorization: `Bearer ${await token(account)}` });
  return {
    generate: async (url, account, name) =>
      request(url, 'POST', `/v1/accounts/${account}/keys`, await as(account), { kind: 'api', name }, sockets),
    regenerate: async (url, account, keyId) =>
      request(url, 'POST', `/v1/accounts/${account}/keys/${keyId}/regenerate`, await as(account), { oldKeyExpiresIn: 'now' }, sockets),
    revoke: async (url, account, keyId) =>
      request(url, 'DELETE', `/v1/accounts/${account}/keys/${keyId}`, await as(account), { reason: 'bench' }, sockets),
    verify: (url, key) => request(url, 'POST', '/v1/verify', service, { key }, sockets),
  };
}

// ---------------------------------------------------------------- load

/**
 * msg: { url, verifyUrl, command: generate|regenerate|revoke|mixed, concurrency, seconds (0: until
 *        `count` commands), count, accounts, regenerateKeys [[account, keyId]], revokeKeys [[account, keyId]],
 *        jwtSecret, serviceToken, label }
 * Each worker has one command in flight. Regenerate keys are split between workers (worker w takes
 * every concurrency-th key) so no two commands race on one key; revoke keys are taken once each.
 * After every regenerate the new secret is verified at verifyUrl right away: it must be VALID.
 */
async function runLoad(msg) {
  const client = makeClient(msg, msg.concurrency);
  const latencies = { generate: [], regenerate: [], revoke: [] };
  const result = {
    ok: 0,
    errors: 0,
    non2xx: 0,
    wrong: 0,
    kinds: {},
    samples: [],
    generated: [],
    revoked: 0,
    regenerateChecks: 0,
    outOfKeys: false,
  };
  const problem = (kind, detail) => {
    result.kinds[kind] = (result.kinds[kind] ?? 0) + 1;
    if (result.samples.length < 5) result.samples.push(`${kind}${detail ? `: ${String(detail).slice(0, 200)}` : ''}`);
  };
  let revokeNext = 0;
  let generated = 0;
  const deadline = msg.seconds > 0 ? Date.now() + msg.seconds * 1000 : Infinity;
  // A fill (seconds 0, a count of keys to generate) gives up after many failures rather than loop for ever.
  const more = () =>
    Date.now() < deadline && (msg.count === undefined || (generated < msg.count && result.errors + result.non2xx + result.wrong < 50));

  const once = async (type, worker, n) => {
    const account = msg.accounts[(worker + n * msg.concurrency) % msg.accounts.length];
    let res;
    let keyId = null;
    const t0 = process.hrtime.bigint();
    try {
      if (type === 'generate') {
        res = await client.generate(msg.url, account, `bench ${worker}-${n}`);
      } else if (type === 'regenerate') {
        const pool = msg.regenerateKeys;
        const [owner, id] = pool[(worker + n * msg.concurrency) % pool.length];
        keyId = id;
        res = await client.regenerate(msg.url, owner, id);
      } else {
        if (revokeNext >= msg.revokeKeys.length) {
          result.outOfKeys = true;
          return false;
        }
        const [owner, id] = msg.revokeKeys[revokeNext++];
        keyId = id;
        res = await client.revoke(msg.url, owner, id);
      }
    } catch (error) {
      result.errors++;
      problem(`${type}: ${error.message}`);
      return true;
    }
    latencies[type].push(Number(process.hrtime.bigint() - t0) / 1e6);
    const expected = type === 'revoke' ? 200 : 201;
    if (res.status !== expected) {
      result.non2xx++;
      problem(`${type}: HTTP ${res.status} ${res.body && res.body.code ? res.body.code : ''}`.trim(), res.text);
      return true;
    }
    if (type === 'revoke') {
      result.revoked++;
      if (!res.body || res.body.id !== keyId || res.body.status !== 'revoked') {
        result.wrong++;
        problem('revoke: the answer is not the key with status "revoked"', res.text);
        return true;
      }
      result.ok++;
      return true;
    }
    const bad = checkSecretAnswer(res, keyId);
    if (bad) {
      result.wrong++;
      problem(`${type}: ${bad}`);
      return true;
    }
    if (type === 'generate') {
      generated++;
      result.generated.push([account, res.body.key.id]);
    } else {
      // The new secret must verify VALID as soon as the regenerate has answered.
      result.regenerateChecks++;
      let verdict;
      try {
        verdict = await client.verify(msg.verifyUrl, res.body.secret);
      } catch (error) {
        result.wrong++;
        problem(`regenerate check: verify failed: ${error.message}`);
        return true;
      }
      const v = verdict.body;
      if (verdict.status !== 200 || !v || v.valid !== true || v.keyId !== keyId) {
        result.wrong++;
        problem(`regenerate check: the new secret verifies HTTP ${verdict.status} ${v ? v.code : ''} (key ${keyId})`);
        return true;
      }
    }
    result.ok++;
    return true;
  };

  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  const types = msg.command === 'mixed' ? ['generate', 'regenerate', 'revoke'] : [msg.command];
  await Promise.all(
    Array.from({ length: msg.concurrency }, async (_, worker) => {
      for (let n = 0; more(); n++) {
        if (!(await once(types[(n + worker) % types.length], worker, n))) break;
      }
    }),
  );
  const elapsedMicros = Number(process.hrtime.bigint() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const pct = (values, p) => {
    if (values.length === 0) return null;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  };
  const all = [...latencies.generate, ...latencies.regenerate, ...latencies.revoke];
  result.commands = all.length + result.errors;
  result.taken = revokeNext;
  result.elapsedMicros = elapsedMicros;
  result.loaderCpuMicros = cpu.user + cpu.system;
  result.p50 = pct(all, 50);
  result.p99 = pct(all, 99);
  result.byType = Object.fromEntries(
    Object.entries(latencies)
      .filter(([, v]) => v.length > 0)
      .map(([type, v]) => [type, { count: v.length, p50: pct(v, 50), p99: pct(v, 99) }]),
  );
  return result;
}

// ---------------------------------------------------------------- fence

/**
 * msg: { urlA, urlsVerify: [{ name, url }], account, jwtSecret, serviceToken }
 * Until told to stop, on its own account, through instance A:
 *   generate -> verify everywhere (VALID expected; anything else is counted as stale, not a violation)
 *   regenerate (old secret ends now) -> the new secret must be VALID everywhere, the old one not valid
 *   revoke -> the secret must be REVOKED everywhere (exactly that code), the old one still refused
 * Every verify is sent right after the command's 2xx answer; any answer other than the one the fence
 * promises is a violation. Counts violations by kind with a few samples (key ids and codes only).
 */
function runFence(msg) {
  const client = makeClient(msg, 4);
  const result = { iterations: 0, verifies: 0, violations: 0, kinds: {}, samples: [], staleAfterGenerate: 0, commandFailures: 0 };
  const violation = (kind, detail) => {
    result.violations++;
    result.kinds[kind] = (result.kinds[kind] ?? 0) + 1;
    if (result.samples.length < 8) result.samples.push(`${kind}: ${detail}`);
  };
  const failure = (what, res) => {
    result.commandFailures++;
    const kind = `${what}: HTTP ${res.status} ${res.body && res.body.code ? res.body.code : ''}`.trim();
    result.kinds[kind] = (result.kinds[kind] ?? 0) + 1;
  };
  const verdicts = async (secret) =>
    Promise.all(
      msg.urlsVerify.map(async ({ name, url }) => {
        result.verifies++;
        try {
          const res = await client.verify(url, secret);
          return { name, status: res.status, valid: res.body && res.body.valid, code: res.body && res.body.code };
        } catch (error) {
          return { name, status: 0, valid: null, code: error.message };
        }
      }),
    );
  let stopping = false;
  const iteration = async () => {
    const generated = await client.generate(msg.urlA, msg.account, 'fence');
    if (generated.status !== 201) {
      failure('fence generate', generated);
      await new Promise((r) => setTimeout(r, 50));
      return;
    }
    const keyId = generated.body.key.id;
    for (const v of await verdicts(generated.body.secret)) if (v.valid !== true) result.staleAfterGenerate++;

    const regenerated = await client.regenerate(msg.urlA, msg.account, keyId);
    if (regenerated.status !== 201) {
      failure('fence regenerate', regenerated);
      return;
    }
    const [fresh, old] = await Promise.all([verdicts(regenerated.body.secret), verdicts(generated.body.secret)]);
    for (const v of fresh)
      if (v.status !== 200 || v.valid !== true)
        violation(`new secret not VALID after regenerate on ${v.name}`, `${keyId} HTTP ${v.status} ${v.code}`);
    for (const v of old)
      if (v.status !== 200 || v.valid !== false)
        violation(`old secret (expired now) not refused after regenerate on ${v.name}`, `${keyId} HTTP ${v.status} ${v.code}`);

    const revoked = await client.revoke(msg.urlA, msg.account, keyId);
    if (revoked.status !== 200) {
      failure('fence revoke', revoked);
      return;
    }
    const [afterNew, afterOld] = await Promise.all([verdicts(regenerated.body.secret), verdicts(generated.body.secret)]);
    for (const v of afterNew)
      if (v.status !== 200 || v.valid !== false || v.code !== 'REVOKED')
        violation(`secret not REVOKED after revoke on ${v.name}`, `${keyId} HTTP ${v.status} valid=${v.valid} ${v.code}`);
    // The previous secret had already expired: refused is what matters (REVOKED or EXPIRED).
    for (const v of afterOld)
      if (v.status !== 200 || v.valid !== false)
        violation(`previous secret not refused after revoke on ${v.name}`, `${keyId} HTTP ${v.status} valid=${v.valid} ${v.code}`);
    result.iterations++;
  };
  const done = (async () => {
    while (!stopping) {
      try {
        await iteration();
      } catch (error) {
        result.commandFailures++;
        const kind = `fence: ${error.message}`;
        result.kinds[kind] = (result.kinds[kind] ?? 0) + 1;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await done;
      return result;
    },
  };
}

// ---------------------------------------------------------------- IPC

let fence = null;
process.on('message', (msg) => {
  const fail = (error) => process.send({ type: 'failed', error: error && error.stack ? error.stack : String(error) });
  if (msg.type === 'load') {
    runLoad(msg).then((result) => process.send({ type: 'loaded', result }), fail);
  } else if (msg.type === 'fence') {
    fence = runFence(msg);
    process.send({ type: 'fencing' });
  } else if (msg.type === 'stop') {
    fence.stop().then((result) => process.send({ type: 'fenced', result }), fail);
  } else if (msg.type === 'close') {
    for (const agent of agents.values()) agent.destroy();
    process.send({ type: 'closed' });
    process.disconnect();
  } else {
    fail(new Error(`unknown message type ${msg.type}`));
  }
});
process.on('disconnect', () => process.exit(0));
