/**
 * Start-up as an operator sees it: the ready line names both addresses (the real gRPC port when
 * GRPC_PORT=0); a port that is taken stops the built service (dist/) with one line naming PORT or
 * GRPC_PORT and no stack trace, and the projector with an error naming PORT; a not-ready /health is
 * an answer, not an error in the log.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@cs/composition';
import { startProjector } from '../../apps/projector/src/bootstrap';
import { startTestApp, TEST_SECRETS, type TestApp } from '../support';
import { CapturingLogger } from '../support/logger';
import { GrpcClients } from '../grpc/grpc-client';

const ROOT = resolve(__dirname, '../..');
const SERVICE_MAIN = join(ROOT, 'dist/apps/credential-service/src/main.js');

/** A port held by another listener for the duration of `use`. */
async function withBusyPort<T>(use: (port: number) => Promise<T>): Promise<T> {
  const holder: Server = createServer();
  await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
  const address = holder.address();
  try {
    return await use(typeof address === 'object' && address ? address.port : 0);
  } finally {
    await new Promise((done) => holder.close(done));
  }
}

/** The built service with `env`, until it exits (a start-up failure) or 20 s pass. */
async function runService(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(SERVICE_MAIN)) throw new Error(`${SERVICE_MAIN} is missing: run npm run build first (scripts/test.sh does)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'cs-startup-'));
  try {
    const result = await promisify(execFile)(process.execPath, [SERVICE_MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', GRPC_PORT: '0', ...TEST_SECRETS, ...env },
      timeout: 20_000,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number | string; stdout?: string; stderr?: string }) => ({
        code: typeof error.code === 'number' ? error.code : null,
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }),
    );
    return result;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('start-up', () => {
  describe('the ready line', () => {
    let app: TestApp;
    afterAll(async () => app?.close());

    it('names the HTTP and the gRPC address, with the port actually bound when GRPC_PORT=0', async () => {
      app = await startTestApp({ GRPC_PORT: '0' });
      const ready = app.logger.lines.filter((l) => l.text.startsWith('ready on '));
      expect(ready).toHaveLength(1);
      const grpcUrl = app.service.grpcUrl;
      expect(grpcUrl).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(grpcUrl.endsWith(':0')).toBe(false);
      expect(ready[0].text).toContain(`ready on ${app.url}, gRPC on ${grpcUrl} `);
      // ...and something answers there.
      const client = new GrpcClients(grpcUrl);
      try {
        expect(await client.unary(client.health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
      } finally {
        client.close();
      }
    });
  });

  describe('a port that is taken', () => {
    it.each(['GRPC_PORT', 'PORT'])('%s: the service stops with one line naming the variable, no stack trace', async (variable) => {
      const { code, stdout, stderr } = await withBusyPort((port) => runService({ [variable]: String(port) }));
      expect(code).toBe(1);
      const last = stderr.trim().split('\n').pop() ?? '';
      expect(last).toMatch(new RegExp(`^credential-service failed to start: ${variable}: 127\\.0\\.0\\.1:\\d+ is already in use`));
      expect(last).toContain(`set ${variable} to a free port`);
      expect(stderr).not.toMatch(/^\s+at /m);
      // Said once, by the service: no ERROR line from Nest or grpc-js before it.
      expect(`${stdout}${stderr}`.match(/EADDRINUSE/g)).toHaveLength(1);
      expect(stdout).not.toMatch(/ERROR/);
      expect(stderr).not.toContain('No address added');
    });

    it('in process, the error names the variable and the HTTP port bound before it is released', async () => {
      const httpPort = await withBusyPort(async (port) => port); // free again once returned
      await withBusyPort(async (port) => {
        const failed = startTestApp({ PORT: String(httpPort), GRPC_PORT: String(port) });
        await expect(failed).rejects.toMatchObject({ name: 'PortUnavailableError', variable: 'GRPC_PORT', reason: 'EADDRINUSE' });
      });
      const again: Server = createServer();
      await new Promise<void>((done, fail) => again.once('error', fail).listen(httpPort, '127.0.0.1', done));
      await new Promise((done) => again.close(done));
    });
  });

  describe('the projector', () => {
    it('a PORT that is taken stops it with an error naming PORT, its connections closed', async () => {
      const redisUrl = process.env.REDIS_URL_TEST;
      if (!redisUrl) throw new Error('needs REDIS_URL_TEST (npm test starts Redis)');
      const dataDir = mkdtempSync(join(tmpdir(), 'cs-startup-proj-'));
      try {
        await withBusyPort(async (port) => {
          const env = { ...TEST_SECRETS, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port), REDIS_URL: redisUrl };
          const started = startProjector(loadConfig({ ...env, REDIS_NAMESPACE: `startup-${port}` }), { logger: new CapturingLogger() });
          await expect(started).rejects.toMatchObject({ name: 'PortUnavailableError', variable: 'PORT', reason: 'EADDRINUSE' });
        });
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  describe('a not-ready /health', () => {
    let app: TestApp;
    afterAll(async () => app?.close());

    it('is a 503 answer and not an error in the log (no ERROR line, no stack trace)', async () => {
      app = await startTestApp();
      const before = app.logger.lines.length;
      app.service.infra.ready = false;
      try {
        for (const path of ['/health', '/health/ready', '/health', '/health/ready']) {
          const res = await fetch(`${app.url}${path}`);
          expect(res.status).toBe(503);
          expect(((await res.json()) as { code: string }).code).toBe('NOT_READY');
        }
      } finally {
        app.service.infra.ready = true;
      }
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      const logged = app.logger.lines.slice(before);
      expect(logged.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
      expect(logged.filter((l) => /\n\s+at /.test(l.text))).toEqual([]);
    });
  });
});
