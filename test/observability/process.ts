/**
 * The built service (dist/, `npm run build`) in a child process, as operators run it, and a tiny
 * OTLP/HTTP receiver: what the observability tests need that an in-process app cannot show (the
 * OpenTelemetry SDK starts before any instrumented module loads; stdout holds every log line).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_SECRETS } from '../support';

const ROOT = resolve(__dirname, '../..');
export const SERVICE_MAIN = join(ROOT, 'dist/apps/credential-service/src/main.js');
export const PROJECTOR_MAIN = join(ROOT, 'dist/apps/projector/src/main.js');

export interface ServiceProcess {
  url: string;
  stdout: string[];
  stderr: string[];
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<number | null>;
}

/** Starts `main` with the test secrets and `env`; resolves once it logs `ready on http://…` (or `health on :port`). */
export async function startProcess(main: string, env: Record<string, string>, timeoutMs = 20_000): Promise<ServiceProcess> {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first (scripts/test.sh does)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'cs-obs-'));
  const child: ChildProcess = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      DATA_DIR: dataDir,
      PORT: '0',
      GRPC_PORT: '0',
      HOST: '127.0.0.1',
      ...TEST_SECRETS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (into: string[]) => {
    let rest = '';
    return (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      into.push(...lines.filter((line) => line !== ''));
    };
  };
  child.stdout!.on('data', collect(stdout));
  child.stderr!.on('data', collect(stderr));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`not ready within ${timeoutMs} ms:\n${[...stdout, ...stderr].join('\n')}`)), timeoutMs);
    const poll = setInterval(() => {
      const line = stdout.find((l) => /ready on http:\/\/|health on :\d+/.test(l));
      if (!line) return;
      clearInterval(poll);
      clearTimeout(timer);
      const ready = /ready on (http:\/\/[0-9.]+:\d+)/.exec(line);
      done(ready ? ready[1] : `http://127.0.0.1:${/health on :(\d+)/.exec(line)![1]}`);
    }, 25);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      fail(new Error(`exited with ${code} before it was ready:\n${[...stdout, ...stderr].join('\n')}`));
    });
  });
  return {
    url,
    stdout,
    stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** A port free right now on 127.0.0.1 (for GRPC_PORT, which the test must know). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createTcpServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

export interface OtlpReceiver {
  url: string;
  spans: OtlpSpan[];
  requests: number;
  close(): Promise<void>;
}

/** Collects POST /v1/traces (OTLP/HTTP JSON); answers 200 {} to everything. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver: OtlpReceiver = { url: '', spans: [], requests: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.requests++;
      if (req.url === '/v1/traces' && /json/.test(req.headers['content-type'] ?? '')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
        };
        for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) receiver.spans.push(...(ss.spans ?? []));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  receiver.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  receiver.close = () => new Promise((done) => server.close(() => done()));
  return receiver;
}

export const attribute = (span: OtlpSpan, key: string): unknown => {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};
