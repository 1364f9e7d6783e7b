/**
 * A private `redis-server` for fault-injection tests: its own loopback port and temp dir, no
 * automatic persistence (no RDB save points, no AOF), so a restart is empty unless a snapshot is
 * restored on purpose. It can be stalled (SIGSTOP / SIGCONT), killed with SIGKILL, restarted on
 * the same port (empty, or from an RDB file copied aside earlier with `snapshot()`), and flushed.
 *
 *   const redis = await RedisProcess.start();
 *   const snap = await redis.snapshot();        // SAVE, then copy dump.rdb aside
 *   redis.stall(); ...; redis.resume();          // SIGSTOP ... SIGCONT
 *   await redis.kill();                          // kill -9, waits for the exit
 *   await redis.restart({ from: snap });         // same port, from the copy (or empty without `from`)
 *   await redis.flushAll();
 *   await redis.stop();                          // afterAll: SIGCONT if stalled, SIGTERM, remove the dir
 *
 * Admin commands go over a fresh short-lived connection with a timeout, never through the
 * service's clients. Every process started here is SIGKILLed if the test process exits without
 * stopping it, so a crashed run leaves no redis-server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisProcessOptions {
  /** Executable; default `redis-server` from PATH (Debian's, installed by scripts/services.sh). */
  binary?: string;
  /** How long start/restart wait for PONG; default 10 s. */
  startTimeoutMs?: number;
}

/** Every live child, so a process exit (a crashed or interrupted run) kills them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

/** A free TCP port on 127.0.0.1 (bound and released; redis-server takes it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

type Reply = string | number | null | Reply[] | Error;

/** Parses one RESP reply from `buf` at `at`; returns [reply, next offset] or null when incomplete. */
function parseReply(buf: Buffer, at: number): [Reply, number] | null {
  if (at >= buf.length) return null;
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('utf8', at + 1, eol);
  switch (type) {
    case '+':
      return [line, eol + 2];
    case '-':
      return [new Error(line), eol + 2];
    case ':':
      return [Number(line), eol + 2];
    case '$': {
      const length = Number(line);
      if (length < 0) return [null, eol + 2];
      if (buf.length < eol + 2 + length + 2) return null;
      return [buf.toString('utf8', eol + 2, eol + 2 + length), eol + 2 + length + 2];
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return [null, eol + 2];
      const items: Reply[] = [];
      let offset = eol + 2;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, offset);
        if (!item) return null;
        items.push(item[0]);
        offset = item[1];
      }
      return [items, offset];
    }
    default:
      return [new Error(`unexpected RESP type ${JSON.stringify(type)}`), buf.length];
  }
}

/** One command over a fresh connection; rejects on a Redis error, a refused connection or the timeout. */
export function redisCommand(port: number, args: string[], timeoutMs = 2000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let buffer = Buffer.alloc(0);
    let settled = false;
    const finish = (error: Error | null, reply?: Reply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply as Reply);
    };
    const timer = setTimeout(() => finish(new Error(`redis :${port} ${args[0]}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error(`redis :${port} ${args[0]}: connection closed before an answer`)));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const parsed = parseReply(buffer, 0);
      if (!parsed) return;
      const [reply] = parsed;
      if (reply instanceof Error) finish(new Error(`redis :${port} ${args.join(' ')}: ${reply.message}`));
      else finish(null, reply);
    });
    socket.connect(port, '127.0.0.1', () => {
      const parts = [`*${args.length}\r\n`];
      for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
      socket.write(parts.join(''));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type RedisProcessState = 'running' | 'stalled' | 'killed' | 'stopped';

export class RedisProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private snapshots = 0;
  private _state: RedisProcessState = 'stopped';
  /** How many redis-server processes this harness started on the port (1 + restarts). */
  launches = 0;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly binary: string,
    private readonly startTimeoutMs: number,
  ) {}

  /** Starts an empty redis-server on a free loopback port and waits until it answers PING. */
  static async start(options: RedisProcessOptions = {}): Promise<RedisProcess> {
    installExitHook();
    const binary = options.binary ?? 'redis-server';
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const redis = new RedisProcess(port, mkdtempSync(join(tmpdir(), 'cs-redis-fault-')), binary, options.startTimeoutMs ?? 10_000);
      try {
        await redis.launch();
        return redis;
      } catch (error) {
        await redis.stop();
        // The free port may have been taken between our probe and redis-server's bind: try another.
        if (attempt >= 3) throw error;
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get state(): RedisProcessState {
    return this._state;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logFile(): string {
    return join(this.dir, 'redis.log');
  }

  /** The last lines of redis-server's own log, for failure messages. */
  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no redis log)';
    }
  }

  /** SIGSTOP: the process keeps its port (the kernel still accepts connections) but answers nothing. */
  stall(): void {
    this.requireState('running', 'stall');
    process.kill(this.child!.pid!, 'SIGSTOP');
    this._state = 'stalled';
  }

  /** SIGCONT after stall(). */
  resume(): void {
    this.requireState('stalled', 'resume');
    process.kill(this.child!.pid!, 'SIGCONT');
    this._state = 'running';
  }

  /** kill -9 (also from stalled) and wait for the exit: clients see the connection reset, nothing is saved. */
  async kill(): Promise<void> {
    if (this._state !== 'running' && this._state !== 'stalled') throw new Error(`redis :${this.port}: kill() while ${this._state}`);
    this.child!.kill('SIGKILL');
    await this.exited;
    this._state = 'killed';
  }

  /**
   * Starts redis-server again on the same port: empty, or loaded from `from` (a file from snapshot()).
   * Kills the running process first if there is one (kill -9, as a crash would).
   */
  async restart(options: { from?: string } = {}): Promise<void> {
    if (this._state === 'running' || this._state === 'stalled') await this.kill();
    const dump = join(this.dir, 'dump.rdb');
    if (existsSync(dump)) unlinkSync(dump);
    if (options.from) copyFileSync(options.from, dump);
    await this.launch();
  }

  /** SAVE (a synchronous RDB dump), then a copy of dump.rdb aside; returns the copy's path for restart({ from }). */
  async snapshot(): Promise<string> {
    await this.command('SAVE');
    const copy = join(this.dir, `snapshot-${++this.snapshots}.rdb`);
    copyFileSync(join(this.dir, 'dump.rdb'), copy);
    return copy;
  }

  async flushAll(): Promise<void> {
    const reply = await this.command('FLUSHALL');
    if (reply !== 'OK') throw new Error(`redis :${this.port}: FLUSHALL answered ${JSON.stringify(reply)}`);
  }

  /** One admin command over a fresh connection (fails fast when stalled or down). */
  command(...args: string[]): Promise<Reply> {
    return redisCommand(this.port, args);
  }

  async ping(timeoutMs = 500): Promise<boolean> {
    try {
      return (await redisCommand(this.port, ['PING'], timeoutMs)) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Keys in the namespace (SCAN, so it never blocks the server), for assertions on what the index holds. */
  async keys(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = (await this.command('SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000')) as [string, string[]];
      found.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return found;
  }

  /** Idempotent: resumes a stalled process, SIGTERM (SIGKILL after 5 s), then removes the dir. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && (this._state === 'running' || this._state === 'stalled')) {
      if (this._state === 'stalled') process.kill(child.pid!, 'SIGCONT');
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = await Promise.race([
        this.exited.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000))),
      ]);
      clearTimeout(timer);
      if (!killed) {
        child.kill('SIGKILL');
        await this.exited;
      }
    }
    this._state = 'stopped';
    this.child = null;
    rmSync(this.dir, { recursive: true, force: true });
  }

  // ---------------------------------------------------------------- internals

  private requireState(state: RedisProcessState, action: string): void {
    if (this._state !== state) throw new Error(`redis :${this.port}: ${action}() while ${this._state}`);
  }

  private async launch(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--dbfilename',
      'dump.rdb',
      '--save',
      '', // no automatic RDB snapshots: a restart is empty unless a file is restored
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--logfile',
      this.logFile,
      '--loglevel',
      'notice',
    ];
    const child = spawn(this.binary, args, { stdio: 'ignore', cwd: this.dir });
    this.child = child;
    this.launches++;
    live.add(child);
    // A field, not a local: TypeScript would narrow a local to null, not seeing the callbacks assign it.
    const exit: { reason: string | null } = { reason: null };
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exit.reason = signal ?? String(code);
        live.delete(child);
        resolve();
      });
      child.once('error', (error) => {
        exit.reason = error.message;
        live.delete(child);
        resolve();
      });
    });
    this._state = 'running';
    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (exit.reason !== null) {
        this._state = 'killed';
        throw new Error(`redis-server on :${this.port} exited during startup (${exit.reason}):\n${this.logTail()}`);
      }
      // While it loads an RDB file Redis answers -LOADING, which ping() counts as not ready.
      if (await this.ping(250)) return;
      if (Date.now() > deadline)
        throw new Error(`redis-server on :${this.port} did not answer PING within ${this.startTimeoutMs} ms:\n${this.logTail()}`);
      await sleep(20);
    }
  }
}
