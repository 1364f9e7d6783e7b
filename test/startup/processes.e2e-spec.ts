/**
 * PROCESSES=2 on the built service (dist/), as an operator runs it (README, "Running on every core"):
 * two worker processes answer on one HTTP port (each labels its /metrics with cs_worker_info, which
 * is how a connection's worker is told here); a key revoked through one worker reads REVOKED at once
 * through the other (the revocation fence, through the shared Redis index); a worker that is killed
 * is replaced while the service keeps answering; SIGTERM stops them all. Without a Redis index,
 * PROCESSES=2 is a configuration error (exit 78) that starts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_SECRETS } from '../support';
import { actorToken } from '../support/tokens';

const ROOT = resolve(__dirname, '../..');
const SERVICE_MAIN = join(ROOT, 'dist/apps/credential-service/src/main.js');
const ACCOUNT = 'acct_processes';

interface Answer {
  status: number;
  body: string;
}

/** One request on `agent` (a pinned connection) or on a fresh connection of its own. */
function call(
  port: number,
  method: string,
  path: string,
  options: { agent?: Agent; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  return new Promise((done, fail) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: options.agent ?? false,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.end(body);
  });
}

const SERVICE = { authorization: `Bearer ${TEST_SECRETS.SERVICE_TOKEN}` };

/** The pid of the worker that answers on this connection, from its /metrics (cs_worker_info). */
async function workerPid(port: number, agent?: Agent): Promise<number> {
  const { status, body } = await call(port, 'GET', '/metrics', { agent, headers: SERVICE });
  expect(status).toBe(200);
  const match = /^cs_worker_info\{worker="\d+",pid="(\d+)"\} 1$/m.exec(body);
  if (!match) throw new Error('no cs_worker_info line in /metrics');
  return Number(match[1]);
}

/** A kept-alive connection per worker pid: opens connections until `count` different workers answered. */
async function connectionPerWorker(port: number, count: number): Promise<Map<number, Agent>> {
  const byPid = new Map<number, Agent>();
  for (let attempt = 0; attempt < 40 && byPid.size < count; attempt++) {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const pid = await workerPid(port, agent);
    if (byPid.has(pid)) agent.destroy();
    else byPid.set(pid, agent);
  }
  return byPid;
}

class Service {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>) {
    if (!existsSync(SERVICE_MAIN)) throw new Error(`${SERVICE_MAIN} is missing: run npm run build first (scripts/test.sh does)`);
    this.child = spawn(process.execPath, [SERVICE_MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout, this.child.stderr])
      stream?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
  }

  /** Waits until the output matches `pattern` (from `from` on); returns the match. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000, from = 0): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.output.slice(from));
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`no ${pattern} in the service's output (exit ${this.child.exitCode}):\n${this.output.slice(-3000)}`);
      await new Promise((done) => setTimeout(done, 50));
    }
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('PROCESSES=2 (node:cluster workers on one port)', () => {
  const redisUrl = process.env.REDIS_URL_TEST;
  let dataDir: string;
  let service: Service;
  let port: number;
  let pids: number[];

  beforeAll(async () => {
    if (!redisUrl) throw new Error('needs REDIS_URL_TEST (npm test starts Redis)');
    dataDir = mkdtempSync(join(tmpdir(), 'cs-processes-'));
    service = new Service({
      ...TEST_SECRETS,
      PROCESSES: '2',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      GRPC_PORT: '0',
      REDIS_URL: redisUrl,
      REDIS_NAMESPACE: `processes-${process.pid}-${Date.now().toString(36)}`,
      INDEX_TIMEOUT_MS: '2000',
    });
    port = Number((await service.waitFor(/starting 2 worker processes on HTTP port (\d+)/))[1]);
    const ready = await service.waitFor(/2 workers ready \(pids (\d+), (\d+)\)/, 60_000);
    pids = [Number(ready[1]), Number(ready[2])];
  }, 90_000);

  afterAll(async () => {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGKILL');
      for (const pid of pids ?? []) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers from two worker processes, neither of them the primary', async () => {
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(service.child.pid);
    const seen = await connectionPerWorker(port, 2);
    for (const agent of seen.values()) agent.destroy();
    expect([...seen.keys()].sort()).toEqual([...pids].sort());
  });

  it('a key revoked through one worker reads REVOKED at once through the other', async () => {
    const workers = await connectionPerWorker(port, 2);
    try {
      expect(workers.size).toBe(2);
      const [first, second] = [...workers.values()];
      const owner = { authorization: `Bearer ${await actorToken({ acct: ACCOUNT })}` };
      const created = await call(port, 'POST', `/v1/accounts/${ACCOUNT}/keys`, {
        agent: first,
        headers: owner,
        body: { kind: 'api', name: 'processes' },
      });
      expect(created.status).toBe(201);
      const { key, secret } = JSON.parse(created.body) as { key: { id: string }; secret: string };
      const verify = async (agent: Agent): Promise<{ valid: boolean; code: string; keyId?: string }> => {
        const answer = await call(port, 'POST', '/v1/verify', { agent, headers: SERVICE, body: { key: secret } });
        expect(answer.status).toBe(200);
        return JSON.parse(answer.body) as { valid: boolean; code: string; keyId?: string };
      };
      expect(await verify(second)).toMatchObject({ valid: true, code: 'VALID', keyId: key.id });

      const revoked = await call(port, 'DELETE', `/v1/accounts/${ACCOUNT}/keys/${key.id}`, { agent: second, headers: owner });
      expect(revoked.status).toBeLessThan(300);
      // No wait: the next verify, on either worker, already reads the revocation.
      expect(await verify(first)).toMatchObject({ valid: false, code: 'REVOKED' });
      expect(await verify(second)).toMatchObject({ valid: false, code: 'REVOKED' });
    } finally {
      for (const agent of workers.values()) agent.destroy();
    }
  });

  it('a worker that is killed is replaced, and the service answers meanwhile', async () => {
    const victim = pids[0];
    const from = service.output.length;
    process.kill(victim, 'SIGKILL');
    const exited = await service.waitFor(
      /worker (\d+) \(pid (\d+)\) exited \(signal SIGKILL\); starting another in [\d.]+ s/,
      10_000,
      from,
    );
    expect(Number(exited[2])).toBe(victim);
    // The survivor answers while the replacement starts.
    const health = await call(port, 'GET', '/health/live');
    expect(health.status).toBe(200);
    const replaced = await service.waitFor(new RegExp(`worker ${exited[1]} \\(pid (\\d+)\\) ready`), 60_000, from);
    const replacement = Number(replaced[1]);
    expect(replacement).not.toBe(victim);
    expect(alive(victim)).toBe(false);
    pids = [replacement, pids[1]];
    const seen = await connectionPerWorker(port, 2);
    for (const agent of seen.values()) agent.destroy();
    expect([...seen.keys()].sort()).toEqual([...pids].sort());
  }, 90_000);

  it('SIGTERM to the primary stops every worker, then the primary, with exit code 0', async () => {
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  }, 40_000);
});

describe('PROCESSES without a shared index', () => {
  it.each([
    [
      '2',
      'no REDIS_URL',
      /^configuration error: PROCESSES: more than 1 needs a shared validity index \(set REDIS_URL or REDIS_CLUSTER_NODES\)/,
    ],
    ['many', 'not a number', /^configuration error: PROCESSES: must be a whole number from 1 to 64, or auto/],
  ])('PROCESSES=%s (%s) exits 78 with one line naming PROCESSES, starting nothing', async (value, _why, message) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cs-processes-'));
    try {
      const service = new Service({ ...TEST_SECRETS, PROCESSES: value, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', GRPC_PORT: '0' });
      const code = await service.exited;
      expect({ code, output: service.output }).toMatchObject({ code: 78 });
      expect(service.output.trim()).toMatch(message);
      expect(service.output.trim().split('\n')).toHaveLength(1);
      expect(service.output).not.toContain('many');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
