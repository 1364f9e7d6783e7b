/**
 * Index trust under real Redis faults: the service never answers a verify verdict (nor a key list,
 * view or account history) from a Redis index that is not proven current.
 *
 * Each scenario runs on its own private redis-server (test/support/redis-process.ts), its own event
 * store (SQLite in a temp DATA_DIR, or the EventStoreDB double) and two service instances sharing
 * both: A runs the workers, B is WORKERS=none (a pure reader and command taker). Sixteen verifier
 * loops hit both instances with every secret of the fixture while the fault happens; two reader
 * loops list/view keys and read the account history; a sampler reads /health/live and /health/ready.
 * Each scenario revokes one key through A and one through B (sigstop-idle-b: both through A). Faults:
 *
 *   sigstop       Redis stalled (SIGSTOP) ~3 s; both revokes sent during the stall; SIGCONT
 *   sigstop-idle-b the same, but B gets no traffic at all from just before the stall until SIGCONT
 *                 and both keys are revoked through A: B has no failed request of its own to make
 *                 it distrust the index, yet must not answer VALID for them once traffic returns
 *   kill9-empty   kill -9; both revokes sent while Redis is down (they must answer success); ~2 s
 *                 later Redis restarts empty on the same port
 *   rdb-rollback  SAVE + copy of dump.rdb; revokes (Redis up); kill -9 and restart from the copy,
 *                 i.e. an index from BEFORE the revokes
 *   flushall      revokes (Redis up), then FLUSHALL
 *
 * Asserted for every answer (every violation is collected; the test fails with all of them listed):
 *   - verify answers 200 with the correct verdict or 503 problem+json INDEX_UNAVAILABLE with
 *     Retry-After; nothing else (no 500, no NOT_FOUND for a key that exists, no hang);
 *   - no verify of a revoked key's secrets that started after its DELETE answered is VALID;
 *   - every verify completes within INDEX_TIMEOUT_MS + 750 ms;
 *   - key list / key view / account history: 200 with the correct content (never an empty list for
 *     an account that has keys, never a revoked key shown active after its DELETE answered) or 503
 *     INDEX_UNAVAILABLE (the account history, a read model of its own in the same Redis: 503
 *     HISTORY_UNAVAILABLE, its own code);
 *   - /health/live always 200; /health/ready only 200 or 503, 503 at some point on each instance
 *     during a stall or outage, 200 again after recovery;
 *   - kill9-empty: both DELETEs answered before Redis came back;
 *   - the fault was exercised: during a stall or outage some verifies answered INDEX_UNAVAILABLE;
 *   - recovery by itself (no restart of the service): within 15 s of the fault ending every
 *     instance verifies the active key VALID again and /health/ready is 200; after that every
 *     secret has its final verdict (active VALID, the others REVOKED) on every instance and the
 *     key list is 200.
 * A 503 while Redis was still healthy (before the fault) is reported, not failed: a loaded machine
 * can push a read past INDEX_TIMEOUT_MS, and 503 is always an allowed answer.
 *
 * Prints one line per scenario, e.g.
 *   [faults] sqlite/sigstop: recovery 412 ms (A 380, B 412), ready 450 ms, verify max 262 ms, ...
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startEsdbDouble, type EsdbDouble } from '../doubles/eventstoredb/esdb-double';
import { sleep, startTestApp, uniqueAccount, type TestApp } from '../support/app';
import { Client } from '../support/http';
import { RedisProcess } from '../support/redis-process';
import { actorToken, bearer, serviceAuth } from '../support/tokens';

const INDEX_TIMEOUT_MS = 250;
/** Every verify must complete within this (the index timeout plus a margin for a 2-core machine). */
const VERIFY_BOUND_MS = INDEX_TIMEOUT_MS + 750;
/** The service must be answering correctly again this long after the fault ended. */
const RECOVERY_BOUND_MS = 15_000;
/** A request without an answer after this long is recorded as a hang (and the loop goes on). */
const HANG_MS = 5_000;
const VERIFIERS = 16;
const READERS = 2;
const STALL_MS = 3_000;
const DOWN_MS = 2_000;

type Mode = 'sqlite' | 'esdb';
type Fault = 'sigstop' | 'sigstop-idle-b' | 'kill9-empty' | 'rdb-rollback' | 'flushall';
const now = (): number => performance.now();

// ---------------------------------------------------------------- the stack --------------------------------

interface Instance {
  name: 'A' | 'B';
  app: TestApp;
}

interface Stack {
  mode: Mode;
  redis: RedisProcess;
  double: EsdbDouble | null;
  namespace: string;
  instances: Instance[];
  close(): Promise<void>;
}

async function withTimeout<T>(work: Promise<T>, ms: number, label: string): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      console.warn(`[faults] ${label} did not finish within ${ms} ms; going on`);
      resolve(undefined);
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function startStack(mode: Mode): Promise<Stack> {
  const redis = await RedisProcess.start();
  const double = mode === 'esdb' ? await startEsdbDouble() : null;
  const namespace = `faults-${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = {
    REDIS_URL: redis.url,
    REDIS_NAMESPACE: namespace,
    // explicit, so an E2E_STACK=production environment cannot add another store or Kafka
    EVENTSTORE_URL: double ? double.url : '',
    KAFKA_BROKERS: '',
    INDEX_TIMEOUT_MS: String(INDEX_TIMEOUT_MS),
    EXPIRY_SWEEP_INTERVAL_MS: '1000',
  };
  const instances: Instance[] = [];
  const stack: Stack = {
    mode,
    redis,
    double,
    namespace,
    instances,
    async close() {
      // Services close cleanly only against a Redis that answers: bring it back first.
      if (redis.state === 'stalled') redis.resume();
      if (redis.state === 'killed') await redis.restart().catch(() => undefined);
      // B shares A's DATA_DIR: keep it until A closes.
      for (const instance of [...instances].reverse()) {
        await withTimeout(instance.app.close({ keepData: instance.name === 'B' }), 15_000, `closing instance ${instance.name}`);
      }
      await double?.stop();
      await redis.stop();
    },
  };
  try {
    const a = await startTestApp({ ...env, WORKERS: 'all' });
    instances.push({ name: 'A', app: a });
    // SQLite: the same DATA_DIR, so two SqliteEventStore connections on one events.sqlite (WAL).
    const b = await startTestApp({ ...env, WORKERS: 'none' }, { dataDir: a.dataDir });
    instances.push({ name: 'B', app: b });
  } catch (error) {
    await stack.close();
    throw error;
  }
  return stack;
}

// ---------------------------------------------------------------- raw HTTP ---------------------------------

interface Answer {
  status: number; // 0: no answer (hang or network error)
  code: string | null;
  body: any;
  retryAfter: string | null;
  contentType: string;
  error: string | null;
  start: number;
  end: number;
}

/** One call with a hard timeout; never throws (a hang or a refused connection is an answer too). */
async function call(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  json?: unknown,
  timeoutMs = HANG_MS,
): Promise<Answer> {
  const start = now();
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...headers, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return {
      status: response.status,
      code: typeof body?.code === 'string' ? body.code : null,
      body,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type') ?? '',
      error: null,
      start,
      end: now(),
    };
  } catch (error) {
    const name = (error as Error).name;
    const hang = name === 'TimeoutError' || name === 'AbortError';
    return {
      status: 0,
      code: null,
      body: undefined,
      retryAfter: null,
      contentType: '',
      error: hang ? `HANG>${timeoutMs}ms` : `NETWORK ${(error as Error).message}`,
      start,
      end: now(),
    };
  }
}

/** 'INDEX_UNAVAILABLE' (or `code`) only for the contract's exact shape: 503 problem+json, that code, a Retry-After. */
function isIndexUnavailable(answer: Answer, code = 'INDEX_UNAVAILABLE'): boolean {
  return (
    answer.status === 503 && answer.code === code && answer.retryAfter !== null && answer.contentType.startsWith('application/problem+json')
  );
}

function describeAnswer(answer: Answer): string {
  if (answer.error) return answer.error;
  if (answer.status === 503 && answer.code === 'INDEX_UNAVAILABLE' && !isIndexUnavailable(answer)) {
    return `503 INDEX_UNAVAILABLE malformed (retry-after ${answer.retryAfter}, content-type ${answer.contentType})`;
  }
  return `${answer.status}${answer.code ? ` ${answer.code}` : ''}`;
}

// ---------------------------------------------------------------- the fixture ------------------------------

interface Secret {
  label: string;
  keyId: string;
  secret: string;
}

interface Fixture {
  account: string;
  ownerHeaders: Record<string, string>;
  active: string;
  preRevoked: string;
  /** Revoked during the scenario: tA through instance A, tB through instance B. */
  targets: { keyId: string; via: Instance }[];
  allKeys: string[];
  secrets: Secret[];
}

/**
 * One account with four keys, each created or changed across both instances (so the shared store is
 * exercised: a key generated on one instance is rotated on the other, its history read back on the
 * first): `active` (stays active), `preRevoked` (revoked before the fault), and two targets, each
 * rotated with a one-hour grace so both its secrets verify until it is revoked.
 */
async function createFixture(stack: Stack): Promise<Fixture> {
  const [a, b] = stack.instances;
  const account = uniqueAccount('fault');
  const ownerHeaders = bearer(await actorToken({ acct: account, roles: ['owner'], ttl: 3600 }));
  const owner = (instance: Instance) => new Client(instance.app.url, ownerHeaders);
  const generate = async (on: Instance, label: string) => {
    const res = await owner(on).generate(account, { kind: 'api', name: label });
    expect(res.status).toBe(201);
    return { keyId: res.body.key.id as string, secret: res.body.secret as string };
  };
  const rotate = async (on: Instance, keyId: string) => {
    const res = await owner(on).regenerate(account, keyId, { oldKeyExpiresIn: 'PT1H' });
    expect(res.status).toBe(201);
    return res.body.secret as string;
  };
  const active = await generate(a, 'active');
  const pre = await generate(b, 'pre-revoked');
  expect((await owner(a).revoke(account, pre.keyId)).status).toBe(200);
  const tA = await generate(b, 'target-A');
  const tARotated = await rotate(a, tA.keyId);
  const tB = await generate(a, 'target-B');
  const tBRotated = await rotate(b, tB.keyId);
  // The store is shared: each instance reads the other's appends from its own connection.
  for (const [on, keyId] of [
    [a, tA.keyId],
    [b, tB.keyId],
    [b, pre.keyId],
  ] as const) {
    const history = await owner(on).history(account, keyId);
    expect(history.status).toBe(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(
      keyId === pre.keyId ? ['KeyGenerated', 'KeyRevoked'] : ['KeyGenerated', 'KeyRotated'],
    );
  }
  return {
    account,
    ownerHeaders,
    active: active.keyId,
    preRevoked: pre.keyId,
    targets: [
      { keyId: tA.keyId, via: a },
      { keyId: tB.keyId, via: b },
    ],
    allKeys: [active.keyId, pre.keyId, tA.keyId, tB.keyId].sort(),
    secrets: [
      { label: 'active', keyId: active.keyId, secret: active.secret },
      { label: 'pre-revoked', keyId: pre.keyId, secret: pre.secret },
      { label: 'target-A(old)', keyId: tA.keyId, secret: tA.secret },
      { label: 'target-A(current)', keyId: tA.keyId, secret: tARotated },
      { label: 'target-B(old)', keyId: tB.keyId, secret: tB.secret },
      { label: 'target-B(current)', keyId: tB.keyId, secret: tBRotated },
    ],
  };
}

// ---------------------------------------------------------------- one scenario -----------------------------

interface Revoke {
  via: Instance['name'];
  sentAt: number;
  answeredAt: number | null;
  answer: Answer | null;
}

class Violations {
  private readonly byKind = new Map<string, { count: number; samples: string[] }>();
  add(kind: string, sample: string): void {
    const entry = this.byKind.get(kind) ?? { count: 0, samples: [] };
    entry.count++;
    if (entry.samples.length < 3) entry.samples.push(sample);
    this.byKind.set(kind, entry);
  }
  get size(): number {
    return this.byKind.size;
  }
  lines(): string[] {
    return [...this.byKind].map(([kind, { count, samples }]) => `${kind}: ${count}x, e.g. ${samples.join(' | ')}`);
  }
}

const count = (map: Record<string, number>, key: string) => void (map[key] = (map[key] ?? 0) + 1);
const fmtCounts = (map: Record<string, number>) =>
  `{${Object.entries(map)
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')}}`;
const ms = (value: number | null) => (value === null ? 'none' : `${Math.round(value)} ms`);

async function runScenario(mode: Mode, fault: Fault): Promise<void> {
  const label = `${mode}/${fault}`;
  const stack = await startStack(mode);
  const [A, B] = stack.instances;
  const violations = new Violations();
  const revokes = new Map<string, Revoke>();
  const verifyCounts: Record<string, number> = {};
  const readCounts: Record<string, number> = {};
  /** Not contract violations, but worth seeing: 503s while Redis was still healthy (e.g. a loaded machine). */
  const informational: Record<string, number> = {};
  const verifyDurations: number[] = [];
  let readMax = 0;
  let faultStart = Infinity;
  let faultEnd = Infinity;
  let stopped = false;
  const t0 = now();
  const at = (t: number) => `t+${Math.round(t - t0)}ms`;

  try {
    const fx = await createFixture(stack);
    const serviceHeaders = serviceAuth();

    /** The verdicts that are correct for a verify of `keyId` running from `start` to `end`. */
    const allowedVerdicts = (keyId: string, start: number, end: number): string[] => {
      if (keyId === fx.active) return ['VALID'];
      if (keyId === fx.preRevoked) return ['REVOKED'];
      const revoke = revokes.get(keyId);
      if (!revoke || end < revoke.sentAt) return ['VALID'];
      if (revoke.answeredAt !== null && revoke.answer?.status === 200 && start > revoke.answeredAt) return ['REVOKED'];
      return ['VALID', 'REVOKED'];
    };
    /** The key status a read may show for `keyId` from `start` to `end`. */
    const allowedStatuses = (keyId: string, start: number, end: number): string[] =>
      allowedVerdicts(keyId, start, end).map((v) => (v === 'VALID' ? 'active' : 'revoked'));
    const revokedBefore = (keyId: string, start: number): boolean => {
      const revoke = revokes.get(keyId);
      return !!revoke && revoke.answeredAt !== null && revoke.answer?.status === 200 && start > revoke.answeredAt;
    };

    /** One verify, recorded and checked against the contract. */
    const verifyOnce = async (instance: Instance, secret: Secret): Promise<Answer> => {
      const answer = await call(instance.app.url, 'POST', '/v1/verify', serviceHeaders, { key: secret.secret });
      const duration = answer.end - answer.start;
      verifyDurations.push(duration);
      const where = `${instance.name} ${secret.label} ${at(answer.start)}..${at(answer.end)}`;
      if (duration > VERIFY_BOUND_MS)
        violations.add(`verify slower than ${VERIFY_BOUND_MS} ms`, `${where}: ${Math.round(duration)} ms -> ${describeAnswer(answer)}`);
      if (answer.status === 200 && answer.code) {
        count(verifyCounts, answer.code);
        const allowed = allowedVerdicts(secret.keyId, answer.start, answer.end);
        if (!allowed.includes(answer.code)) {
          const kind =
            answer.code === 'VALID' && revokedBefore(secret.keyId, answer.start)
              ? 'VALID for a revoked key after its DELETE answered'
              : answer.code === 'NOT_FOUND'
                ? 'NOT_FOUND for a key that exists'
                : 'wrong verdict';
          violations.add(kind, `${where}: ${answer.code} (correct: ${allowed.join('/')})`);
        }
      } else if (isIndexUnavailable(answer)) {
        count(verifyCounts, 'INDEX_UNAVAILABLE');
        if (answer.end < faultStart) count(informational, 'verify 503 before the fault');
      } else {
        count(verifyCounts, describeAnswer(answer));
        violations.add(
          'verify answered neither a verdict nor 503 INDEX_UNAVAILABLE',
          `${where}: ${describeAnswer(answer)} ${answer.body ? JSON.stringify(answer.body).slice(0, 200) : ''}`,
        );
      }
      return answer;
    };

    /** One management read (list / view / account history), checked for stale or empty content. */
    const readOnce = async (instance: Instance, op: 'list' | 'view' | 'account-history', keyId: string): Promise<void> => {
      const path =
        op === 'list'
          ? `/v1/accounts/${fx.account}/keys`
          : op === 'view'
            ? `/v1/accounts/${fx.account}/keys/${keyId}`
            : `/v1/accounts/${fx.account}/history`;
      const answer = await call(instance.app.url, 'GET', path, fx.ownerHeaders);
      readMax = Math.max(readMax, answer.end - answer.start);
      const where = `${instance.name} ${op} ${at(answer.start)}..${at(answer.end)}`;
      // The account history answers from its own read model (in the same Redis), failing closed with its own code.
      const unavailable = op === 'account-history' ? 'HISTORY_UNAVAILABLE' : 'INDEX_UNAVAILABLE';
      if (isIndexUnavailable(answer, unavailable)) {
        count(readCounts, `${op} ${unavailable}`);
        if (answer.end < faultStart) count(informational, 'read 503 before the fault');
        return;
      }
      count(readCounts, `${op} ${describeAnswer(answer)}`);
      if (answer.status !== 200) {
        violations.add(`${op} answered neither 200 nor 503 ${unavailable}`, `${where}: ${describeAnswer(answer)}`);
        return;
      }
      const wrong = (what: string) => violations.add(`${op} answered 200 with stale or missing content`, `${where}: ${what}`);
      if (op === 'list') {
        const keys = (answer.body?.keys ?? []) as { id: string; status: string }[];
        if (keys.length === 0) {
          violations.add('list answered an EMPTY list for an account that has keys', where);
          return;
        }
        const ids = keys.map((k) => k.id).sort();
        if (JSON.stringify(ids) !== JSON.stringify(fx.allKeys)) return wrong(`ids ${ids.join(',')} (expected ${fx.allKeys.join(',')})`);
        for (const key of keys) {
          const allowed = allowedStatuses(key.id, answer.start, answer.end);
          if (!allowed.includes(key.status)) wrong(`${key.id} ${key.status} (correct: ${allowed.join('/')})`);
        }
      } else if (op === 'view') {
        const allowed = allowedStatuses(keyId, answer.start, answer.end);
        if (answer.body?.id !== keyId || !allowed.includes(answer.body?.status))
          wrong(`${answer.body?.id} ${answer.body?.status} (correct: ${allowed.join('/')})`);
      } else {
        const events = (answer.body?.events ?? []) as { keyId: string; type: string }[];
        const ids = [...new Set(events.map((e) => e.keyId))].sort();
        if (JSON.stringify(ids) !== JSON.stringify(fx.allKeys))
          return wrong(`events of ${ids.length} keys (expected ${fx.allKeys.length})`);
        for (const { keyId: target } of fx.targets) {
          if (revokedBefore(target, answer.start) && !events.some((e) => e.keyId === target && e.type === 'KeyRevoked'))
            wrong(`no KeyRevoked for ${target}`);
        }
      }
    };

    const revoke = async (target: { keyId: string; via: Instance }): Promise<Revoke> => {
      const record: Revoke = { via: target.via.name, sentAt: now(), answeredAt: null, answer: null };
      revokes.set(target.keyId, record);
      const answer = await call(
        target.via.app.url,
        'DELETE',
        `/v1/accounts/${fx.account}/keys/${target.keyId}`,
        fx.ownerHeaders,
        undefined,
        15_000,
      );
      record.answer = answer;
      record.answeredAt = answer.end;
      if (answer.status !== 200 || answer.body?.status !== 'revoked') {
        violations.add(
          'DELETE did not answer its normal success (200, status revoked)',
          `via ${target.via.name} ${at(answer.start)}..${at(answer.end)}: ${describeAnswer(answer)}`,
        );
      }
      return record;
    };
    const revokeBoth = () => Promise.all(fx.targets.map(revoke));

    // Warm-up: both instances serve verdicts from the index before anything is measured.
    for (const instance of stack.instances) {
      let last: Answer | null = null;
      const ok = await pollUntil(
        async () =>
          (last = await call(instance.app.url, 'POST', '/v1/verify', serviceHeaders, { key: fx.secrets[0].secret })).code === 'VALID',
        RECOVERY_BOUND_MS,
      );
      if (ok === null) {
        throw new Error(
          `${label}: instance ${instance.name} never verified the active key VALID before the fault; last answer ${describeAnswer(last!)} ${JSON.stringify(last!.body)}`,
        );
      }
    }

    // The load: verifier loops over both instances and every secret, readers, the health sampler.
    // sigstop-idle-b: while `idleB`, every request goes to A; `inFlightB` lets the stall wait for B's last one.
    let idleB = false;
    let inFlightB = 0;
    let bDuringFault = 0;
    const onInstance = async <T>(n: number, work: (instance: Instance) => Promise<T>): Promise<T> => {
      const instance = idleB ? A : stack.instances[n % 2];
      if (instance === B) inFlightB++;
      if (instance === B && now() >= faultStart && now() < faultEnd) bDuringFault++;
      try {
        return await work(instance);
      } finally {
        if (instance === B) inFlightB--;
      }
    };
    const verifiers = Array.from({ length: VERIFIERS }, async (_, i) => {
      for (let n = i; !stopped; n++) {
        await onInstance(n, (instance) => verifyOnce(instance, fx.secrets[Math.floor(n / 2) % fx.secrets.length]));
      }
    });
    const ops = ['list', 'view', 'account-history'] as const;
    const readers = Array.from({ length: READERS }, async (_, i) => {
      for (let n = i; !stopped; n++) {
        await onInstance(n, (instance) => readOnce(instance, ops[Math.floor(n / 2) % ops.length], fx.targets[Math.floor(n / 6) % 2].keyId));
      }
    });
    const health: { instance: string; path: string; answer: Answer }[] = [];
    const sampler = (async () => {
      while (!stopped) {
        await Promise.all(
          stack.instances.flatMap((instance) =>
            ['/health/live', '/health/ready'].map(async (path) => {
              const answer = await call(instance.app.url, 'GET', path, {});
              health.push({ instance: instance.name, path, answer });
            }),
          ),
        );
        await sleep(100);
      }
    })();

    await sleep(400); // healthy baseline under load

    // The fault.
    let snapshot: string | null = null;
    let revoking: Promise<Revoke[]> = Promise.resolve([]);
    switch (fault) {
      case 'sigstop': {
        faultStart = now();
        stack.redis.stall();
        await sleep(500);
        revoking = revokeBoth(); // sent during the stall; awaited after SIGCONT at the latest
        await sleep(STALL_MS - 500);
        stack.redis.resume();
        faultEnd = now();
        break;
      }
      case 'sigstop-idle-b': {
        idleB = true;
        if ((await pollUntil(async () => inFlightB === 0, HANG_MS)) === null)
          violations.add('harness: B still had requests in flight before the stall', `${inFlightB}`);
        faultStart = now();
        stack.redis.stall();
        await sleep(500);
        revoking = Promise.all(fx.targets.map((target) => revoke({ ...target, via: A })));
        await sleep(STALL_MS - 500);
        stack.redis.resume();
        faultEnd = now();
        idleB = false; // B's first requests since before the stall: it must not trust what it cached
        break;
      }
      case 'kill9-empty': {
        faultStart = now();
        await stack.redis.kill();
        revoking = revokeBoth();
        // While Redis is down the DELETEs must answer from the event store alone.
        await Promise.race([revoking, sleep(DOWN_MS)]);
        const down = now() - faultStart;
        if (down < DOWN_MS) await sleep(DOWN_MS - down);
        const restartAt = now();
        for (const target of fx.targets) {
          const r = revokes.get(target.keyId)!;
          if (r.answeredAt === null || r.answeredAt > restartAt) {
            violations.add(
              'DELETE did not answer while Redis was down',
              `via ${target.via.name}: sent ${at(r.sentAt)}, Redis restarted ${at(restartAt)}`,
            );
          }
        }
        await stack.redis.restart(); // empty
        faultEnd = now();
        break;
      }
      case 'rdb-rollback': {
        snapshot = await stack.redis.snapshot(); // the index BEFORE the revokes
        await revokeBoth();
        await sleep(300);
        faultStart = now();
        await stack.redis.restart({ from: snapshot });
        faultEnd = now();
        break;
      }
      case 'flushall': {
        await revokeBoth();
        await sleep(200);
        faultStart = now();
        await stack.redis.flushAll();
        faultEnd = now();
        break;
      }
    }
    await revoking;
    if (fault === 'sigstop-idle-b' && bDuringFault > 0)
      violations.add('harness: B got traffic during the stall it should have been idle in', `${bDuringFault} requests`);

    // Recovery: by itself, within the bound, on every instance.
    const recovery: Record<string, number | null> = {};
    const readiness: Record<string, number | null> = {};
    await Promise.all(
      stack.instances.map(async (instance) => {
        const activeSecret = fx.secrets.find((s) => s.label === 'active')!;
        recovery[instance.name] = await pollUntil(
          async () => (await verifyOnce(instance, activeSecret)).code === 'VALID',
          RECOVERY_BOUND_MS,
          faultEnd,
        );
        readiness[instance.name] = await pollUntil(
          async () => (await call(instance.app.url, 'GET', '/health/ready', {})).status === 200,
          RECOVERY_BOUND_MS,
          faultEnd,
        );
      }),
    );
    for (const instance of stack.instances) {
      if (recovery[instance.name] === null)
        violations.add(`no recovery within ${RECOVERY_BOUND_MS} ms`, `instance ${instance.name} never verified the active key VALID again`);
      if (readiness[instance.name] === null)
        violations.add(
          `not ready within ${RECOVERY_BOUND_MS} ms of the fault ending`,
          `instance ${instance.name}: /health/ready never 200`,
        );
    }

    await sleep(300); // steady state after recovery, still under load
    stopped = true;
    await Promise.all([...verifiers, ...readers, sampler]);

    // After recovery: every secret has its final verdict on every instance, the lists are right.
    for (const instance of stack.instances) {
      for (const secret of fx.secrets) {
        const answer = await verifyOnce(instance, secret);
        const expected = secret.keyId === fx.active ? 'VALID' : 'REVOKED';
        if (answer.code !== expected)
          violations.add(
            'after recovery, a verdict is not the final one',
            `${instance.name} ${secret.label}: ${describeAnswer(answer)} (expected ${expected})`,
          );
      }
      await readOnce(instance, 'list', fx.targets[0].keyId);
      const list = await call(instance.app.url, 'GET', `/v1/accounts/${fx.account}/keys`, fx.ownerHeaders);
      if (list.status !== 200) violations.add('after recovery, the key list is not 200', `${instance.name}: ${describeAnswer(list)}`);
    }

    // Health: live always 200; ready only 200/503, and 503 at some point during a stall or outage.
    for (const { instance, path, answer } of health) {
      if (path === '/health/live' && answer.status !== 200)
        violations.add('/health/live not 200 while the process is up', `${instance} ${at(answer.start)}: ${describeAnswer(answer)}`);
      if (path === '/health/ready' && answer.status !== 200 && answer.status !== 503)
        violations.add('/health/ready answered neither 200 nor 503', `${instance} ${at(answer.start)}: ${describeAnswer(answer)}`);
      if (path === '/health/ready' && answer.status === 503 && answer.end < faultStart) count(informational, 'ready 503 before the fault');
    }
    if (fault === 'sigstop' || fault === 'sigstop-idle-b' || fault === 'kill9-empty') {
      for (const instance of stack.instances) {
        const during = health.filter(
          (h) => h.instance === instance.name && h.path === '/health/ready' && h.answer.start >= faultStart && h.answer.end <= faultEnd,
        );
        if (!during.some((h) => h.answer.status === 503)) {
          violations.add(
            '/health/ready never 503 during the outage',
            `${instance.name}: ${during.length} samples, ${fmtCounts(during.reduce<Record<string, number>>((m, h) => (count(m, describeAnswer(h.answer)), m), {}))}`,
          );
        }
      }
      // The harness's own check that the fault bit: with Redis stalled or down, 503s must be seen.
      if (!verifyCounts.INDEX_UNAVAILABLE)
        violations.add('no INDEX_UNAVAILABLE at all during the outage (was the fault exercised?)', fmtCounts(verifyCounts));
    }

    // The figures, in a form the lead can quote.
    const sorted = [...verifyDurations].sort((x, y) => x - y);
    const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
    const worst = (m: Record<string, number | null>) =>
      Object.values(m).some((v) => v === null) ? null : Math.max(...(Object.values(m) as number[]));
    const perInstance = (m: Record<string, number | null>) =>
      Object.entries(m)
        .map(([k, v]) => `${k} ${v === null ? 'none' : Math.round(v)}`)
        .join(', ');
    const deletes = fx.targets.map((t) => {
      const r = revokes.get(t.keyId)!;
      return `via ${r.via} ${r.answer ? describeAnswer(r.answer) : 'no answer'} in ${ms(r.answeredAt === null ? null : r.answeredAt - r.sentAt)}`;
    });
    console.log(
      `[faults] ${label}: recovery ${ms(worst(recovery))} (${perInstance(recovery)}), ready ${ms(worst(readiness))} (${perInstance(readiness)}), ` +
        `verify max ${ms(sorted[sorted.length - 1] ?? 0)} (p99 ${ms(p99)}, ${sorted.length} verifies), answers ${fmtCounts(verifyCounts)}, ` +
        `reads ${fmtCounts(readCounts)} (max ${ms(readMax)}), DELETE ${deletes.join('; ')}, fault ${ms(faultEnd - faultStart)}, ` +
        `before the fault ${fmtCounts(informational)}, violations ${violations.size}`,
    );
  } finally {
    stopped = true;
    await stack.close();
  }
  const errors = stack.instances.flatMap((i) =>
    i.app.logger.lines.filter((l) => l.level === 'error' || l.level === 'fatal').map((l) => `${i.name}: ${l.text.split('\n')[0]}`),
  );
  if (violations.size > 0 && errors.length > 0) violations.add('(context) service error log lines', errors.slice(-3).join(' || '));
  expect(violations.lines()).toEqual([]);
}

/** Polls `check` until true; returns ms since `since` (default: now) or null after `timeoutMs`. */
async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, since = now()): Promise<number | null> {
  const deadline = since + timeoutMs;
  for (;;) {
    if (await check()) return now() - since;
    if (now() > deadline) return null;
    await sleep(50);
  }
}

// ---------------------------------------------------------------- the suite ---------------------------------

describe('redis-process harness', () => {
  it('stalls, kills, restarts empty or from an earlier snapshot, flushes; persists nothing by itself', async () => {
    const redis = await RedisProcess.start();
    const port = redis.port;
    const pids: number[] = [];
    try {
      expect(await redis.command('CONFIG', 'GET', 'save')).toEqual(['save', '']);
      expect(await redis.command('CONFIG', 'GET', 'appendonly')).toEqual(['appendonly', 'no']);
      await redis.command('SET', 'before', '1');
      const snapshot = await redis.snapshot();
      await redis.command('SET', 'after', '2');

      redis.stall();
      const stalledAt = now();
      expect(await redis.ping(300)).toBe(false);
      expect(now() - stalledAt).toBeGreaterThanOrEqual(250);
      redis.resume();
      expect(await redis.ping()).toBe(true);
      expect(await redis.command('GET', 'after')).toBe('2');

      pids.push(redis.pid!);
      await redis.restart({ from: snapshot }); // kill -9, then from the copy
      pids.push(redis.pid!);
      expect(redis.port).toBe(port);
      expect(await redis.command('GET', 'before')).toBe('1');
      expect(await redis.command('GET', 'after')).toBeNull();

      redis.stall();
      await redis.kill(); // kill -9 of a stopped process
      expect(redis.state).toBe('killed');
      expect(await redis.ping(300)).toBe(false);
      await redis.restart(); // empty, though a dump.rdb was written earlier
      pids.push(redis.pid!);
      expect(await redis.command('DBSIZE')).toBe(0);

      await redis.command('SET', 'x', '1');
      await redis.flushAll();
      expect(await redis.command('DBSIZE')).toBe(0);
      expect(redis.launches).toBe(3);
    } finally {
      await redis.stop();
    }
    expect(existsSync(redis.dir)).toBe(false);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});

const SCENARIOS: Fault[] = ['sigstop', 'sigstop-idle-b', 'kill9-empty', 'rdb-rollback', 'flushall'];

describe.each<Mode>(['sqlite', 'esdb'])(
  'index trust under Redis faults: %s store, real Redis, instances A (workers) + B (WORKERS=none)',
  (mode) => {
    it.each(SCENARIOS)(
      `%s: verify never answers from an index not proven current; recovers by itself`,
      async (fault) => {
        await runScenario(mode, fault);
      },
      120_000,
    );
  },
);
