/**
 * The built service (`npm run build`: dist/, the console in dist/console) in a child process, as `npm start`
 * runs it: a fresh DATA_DIR, the test secrets, a port chosen before the start (the embedded sign-in's
 * issuer URL is then known and stable), and its output kept for the failure message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_SECRETS } from '../../support/app';

export const ROOT = resolve(__dirname, '../../..');
export const SERVICE_MAIN = join(ROOT, 'dist/apps/credential-service/src/main.js');

export interface BuiltService {
  url: string;
  port: number;
  dataDir: string;
  /** The environment it runs with (DATA_DIR, secrets, ports, overrides): the user CLI needs the same. */
  env: Record<string, string>;
  output: string[];
  /** SIGTERM, wait for the exit, remove DATA_DIR. */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Starts dist/apps/credential-service/src/main.js; resolves once it logs its `ready on http://…` line. */
export async function startBuiltService(overrides: Record<string, string> = {}, timeoutMs = 30_000): Promise<BuiltService> {
  if (!existsSync(SERVICE_MAIN)) throw new Error(`${SERVICE_MAIN} is missing: run npm run build first (scripts/test.sh does)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'cs-browser-'));
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    GRPC_PORT: String(await freePort()),
    ...TEST_SECRETS,
    ...overrides,
  };
  const child: ChildProcess = spawn(process.execPath, [SERVICE_MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs);
      const poll = setInterval(() => {
        if (!output.some((line) => line.includes(`ready on ${url}`))) return;
        clearInterval(poll);
        clearTimeout(timer);
        done();
      }, 25);
      void exited.then((code) => {
        clearInterval(poll);
        clearTimeout(timer);
        fail(new Error(`exited with ${code} before it was ready`));
      });
    });
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}; its output:\n${output.join('\n')}`, { cause: error });
  }
  return {
    url,
    port,
    dataDir,
    env,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
