/**
 * RateLimits when its Redis is unreachable or hangs: requests are neither failed nor held beyond
 * the command timeout, and the limits still hold, counted in memory by the insurance limiter.
 */
import { Logger } from '@nestjs/common';
import { createServer, type Server, type Socket } from 'node:net';
import { loadConfig, ServiceMetrics } from '@cs/composition';
import { ProblemException } from '../http/problem';
import { RateLimits } from './rate-limits';

const SECRETS = {
  AUTH_JWT_SECRET: 'a-jwt-secret-that-is-long-enough-0123456789',
  SERVICE_TOKEN: 'a-service-token-0123456789abcdef',
  MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
};

/** RATE_LIMIT_REDIS_TIMEOUT_MS for these tests: not the default (100), so the setting is seen to apply. */
const REDIS_TIMEOUT_MS = 150;

const limitsWith = (redisUrl: string): RateLimits =>
  new RateLimits(
    loadConfig({
      ...SECRETS,
      REDIS_URL: redisUrl,
      RATE_LIMIT_VERIFY_PER_SECOND: '1000',
      RATE_LIMIT_MANAGEMENT_PER_MINUTE: '3',
      RATE_LIMIT_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
    }),
    new ServiceMetrics(),
  );

/** The outcome of one check and how long it took. */
async function timed(check: () => void | Promise<void>): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  let status = 200;
  try {
    await check();
  } catch (error) {
    if (!(error instanceof ProblemException)) throw error;
    status = error.status;
  }
  return { ms: performance.now() - started, status };
}

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

describe('RateLimits without a working Redis', () => {
  let limits: RateLimits | null = null;
  let server: Server | null = null;
  const sockets = new Set<Socket>();

  beforeAll(() => Logger.overrideLogger(false));
  afterEach(async () => {
    limits?.onApplicationShutdown();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    limits = null;
    server = null;
  });

  it('Redis refusing connections: answers at once from memory, and the limit still holds', async () => {
    server = createServer();
    const port = await listen(server);
    await new Promise((resolve) => server!.close(resolve));
    server = null;
    limits = limitsWith(`redis://127.0.0.1:${port}`);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await timed(() => limits!.actor('user_1')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    for (const answer of answers) expect(answer.ms).toBeLessThan(50);
    for (let i = 0; i < 200; i++) expect((await timed(() => limits!.service('verify'))).status).toBe(200);
  });

  it('Redis that hangs: a check waits at most the command timeout, then counts in memory for a while', async () => {
    // Answers the ready check (INFO), then never answers again: a stuck server or a black-holed link.
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', (chunk) => {
        if (/info/i.test(chunk.toString())) {
          const info = '# Server\r\nloading:0\r\n';
          socket.write(`$${Buffer.byteLength(info)}\r\n${info}\r\n`);
        }
      });
    });
    const port = await listen(server);
    limits = limitsWith(`redis://127.0.0.1:${port}`);
    // Connected and "ready" (its ready check answered): polled, not a fixed 200 ms.
    const client = (limits as unknown as { redis: { status: string } }).redis;
    for (const deadline = Date.now() + 10_000; client.status !== 'ready';) {
      if (Date.now() > deadline) throw new Error(`the Redis client did not become ready (status ${client.status})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const first = await timed(() => limits!.actor('user_2'));
    expect(first.status).toBe(200);
    expect(first.ms).toBeGreaterThanOrEqual(REDIS_TIMEOUT_MS - 5);
    expect(first.ms).toBeLessThan(REDIS_TIMEOUT_MS + 150);
    const rest = [];
    for (let i = 0; i < 4; i++) rest.push(await timed(() => limits!.actor('user_2')));
    expect(rest.map((a) => a.status)).toEqual([200, 200, 429, 429]);
    for (const answer of rest) expect(answer.ms).toBeLessThan(50);
  });
});
