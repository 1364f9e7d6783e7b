/**
 * Key usage when its Redis is down or stalled (README, "Key usage"), against a private redis-server
 * (test/support/redis-process.ts) that the test kills, restarts and stalls. The service runs in the
 * embedded mode (SQLite, in-process index) with its usage store on that Redis, so only usage is hit:
 *   - verify answers at once, with the right verdict, while the usage store is down or stalled;
 *   - the flusher keeps the counts and writes them when Redis is back, each once (after a kill: the
 *     counts of the outage, Redis having restarted empty; after a stall: also when writes that timed
 *     out land late, since a retry carries the same batch id);
 *   - one warning per failure streak, one line when writes work again;
 *   - key views answer 200 with lastUsedAt null meanwhile, the usage call 503 USAGE_UNAVAILABLE.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '@cs/composition';
import { createRedisClient, RedisUsageStore, type RedisClient } from '@cs/validity';
import { startCredentialService, type CredentialService } from '../../apps/credential-service/src/bootstrap';
import { eventually, sleep, TEST_SECRETS, uniqueAccount } from '../support/app';
import { Client } from '../support/http';
import { CapturingLogger } from '../support/logger';
import { RedisProcess } from '../support/redis-process';

const FLUSH_MS = 100;
const today = (): string => new Date().toISOString().slice(0, 10);

describe('key usage with its Redis down or stalled', () => {
  let redis: RedisProcess;
  let client: RedisClient;
  let service: CredentialService;
  let dataDir: string;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    redis = await RedisProcess.start();
    client = createRedisClient({ url: redis.url }, { commandTimeout: 300, onError: () => undefined });
    dataDir = mkdtempSync(join(tmpdir(), 'cs-usage-faults-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      GRPC_PORT: '0',
      HOST: '127.0.0.1',
      ...TEST_SECRETS,
      USAGE_FLUSH_MS: String(FLUSH_MS),
      // the bound of a usage read for a key view
      INDEX_TIMEOUT_MS: '300',
    });
    const store = new RedisUsageStore(client, { namespace: 'usage-faults', ownsClient: true });
    service = await startCredentialService(config, { overrides: { usage: store }, logger });
  });
  afterAll(async () => {
    await service?.close();
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const warnings = (): string[] =>
    logger.lines.filter((l) => l.level === 'warn' && l.text.includes('key usage write failed')).map((l) => l.text);
  const recoveries = (): number => logger.lines.filter((l) => l.text.includes('key usage writes work again')).length;

  async function verifyTimed(verifier: Client, key: string, times: number): Promise<number> {
    let slowest = 0;
    for (let i = 0; i < times; i++) {
      const started = performance.now();
      const res = await verifier.verify({ key });
      slowest = Math.max(slowest, performance.now() - started);
      expect(res.body.code).toBe('VALID');
    }
    return slowest;
  }

  it('verify never waits on usage; the counts of the outage are written once Redis is back; one warning per streak', async () => {
    const acct = uniqueAccount();
    const actor = await Client.actor(service.url, { acct, roles: ['admin'] });
    const verifier = Client.service(service.url);
    const generated = await actor.generate(acct, { kind: 'api' });
    expect(generated.status).toBe(201);
    const { key, secret } = generated.body as { key: { id: string }; secret: string };
    const usagePath = `/v1/accounts/${acct}/keys/${key.id}/usage?from=${today()}`;
    /** Today's counts, or { valid: -1 } while the usage call answers 503 (Redis reconnecting). */
    const dayCounts = async (): Promise<{ valid: number }> => {
      const res = await actor.call('GET', usagePath, { allowServerError: true });
      if (res.status === 503) return { valid: -1 };
      expect(res.status).toBe(200);
      return res.body.days[0] as { valid: number };
    };

    // Up: counts reach Redis within a few flush intervals.
    await verifyTimed(verifier, secret, 3);
    await eventually(async () => (await dayCounts()).valid === 3);

    // Down (kill -9): verify answers as before; the flush fails and says so once.
    await redis.kill();
    const slowestDown = await verifyTimed(verifier, secret, 10);
    await sleep(FLUSH_MS * 5);
    expect(warnings()).toHaveLength(1);
    expect(service.infra.usage?.flusher.stats().failing).toBe(true);
    const metrics = await (
      await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${TEST_SECRETS.SERVICE_TOKEN}` } })
    ).text();
    expect(Number(/^cs_usage_write_failures_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^cs_usage_pending (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    // A key view does not fail for usage: lastUsedAt is null; the usage call is 503 USAGE_UNAVAILABLE.
    const view = await actor.get(acct, key.id);
    expect(view.status).toBe(200);
    expect(view.body.lastUsedAt).toBeNull();
    const down = await actor.call('GET', usagePath, { allowServerError: true });
    expect({ status: down.status, code: down.body.code }).toEqual({ status: 503, code: 'USAGE_UNAVAILABLE' });

    // Back (empty: no persistence): the 10 verifies of the outage are written, exactly once.
    await redis.restart();
    await eventually(async () => (await dayCounts()).valid === 10, 10_000);
    expect(recoveries()).toBe(1);
    expect(warnings()).toHaveLength(1);
    expect((await actor.get(acct, key.id)).body.lastUsedAt).toEqual(expect.any(String));

    // Stalled (SIGSTOP): writes hang until their bound, verify does not.
    redis.stall();
    let slowestStalled: number;
    try {
      slowestStalled = await verifyTimed(verifier, secret, 10);
      await sleep(600);
      expect(warnings()).toHaveLength(2);
    } finally {
      redis.resume();
    }
    // Writes that timed out during the stall land when Redis resumes, and so do their retries (same
    // batch id): each verify is counted once all the same.
    await eventually(async () => service.infra.usage?.flusher.stats().failing === false && (await dayCounts()).valid === 20, 10_000);
    await sleep(FLUSH_MS * 5);
    expect((await dayCounts()).valid).toBe(20);
    // Verify stayed far below the usage write bound (300 ms) plus its own work, down or stalled.
    expect(Math.max(slowestDown, slowestStalled)).toBeLessThan(250);
  });
});
