/**
 * Starts the credential service in-process on an ephemeral port, with a temporary DATA_DIR, fixed
 * secrets and a capturing logger. `restart()` closes it and starts a new one on the same DATA_DIR.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@cs/composition';
import { startCredentialService, type CredentialService } from '../../apps/credential-service/src/bootstrap';
import { CapturingLogger } from './logger';
import { startEsdbDouble, type EsdbDouble } from '../doubles/eventstoredb/esdb-double';
import { testRedisEnv } from './redis-stack';

/**
 * Which stack the e2e suite runs on: `embedded` (SQLite + in-process index, the default) or
 * `production` (E2E_STACK=production: EventStoreDB — the protocol-level double, or a real server
 * when EVENTSTORE_URL is set — plus real Redis and real Kafka from REDIS_URL_TEST and
 * KAFKA_BROKERS_TEST; with E2E_REDIS=cluster, the Redis Cluster of REDIS_CLUSTER_NODES_TEST, see
 * redis-stack.ts). The same tests run on both.
 */
export type Stack = 'embedded' | 'production';
export const STACK: Stack = process.env.E2E_STACK === 'production' ? 'production' : 'embedded';

async function productionEnv(): Promise<{ env: Record<string, string>; double: EsdbDouble | null }> {
  const brokers = process.env.KAFKA_BROKERS_TEST;
  if (!brokers) throw new Error('E2E_STACK=production needs KAFKA_BROKERS_TEST (npm test starts real Redis and Kafka)');
  const redis = testRedisEnv();
  const double = process.env.EVENTSTORE_URL ? null : await startEsdbDouble();
  const id = randomUUID().slice(0, 8);
  return {
    double,
    env: {
      EVENTSTORE_URL: process.env.EVENTSTORE_URL ?? (double as EsdbDouble).url,
      ...redis,
      REDIS_NAMESPACE: `e2e-${id}`,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC: `credentials.e2e.${id}`,
    },
  };
}

export const TEST_SECRETS = {
  AUTH_JWT_SECRET: 'e2e-jwt-secret-0123456789-abcdefghijklmnop',
  SERVICE_TOKEN: 'e2e-service-token-0123456789abcdef',
  MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
} as const;

export const STEP_UP_MAX_AGE_SECONDS = 300;

export interface TestApp {
  service: CredentialService;
  url: string;
  dataDir: string;
  stack: Stack;
  logger: CapturingLogger;
  env: Record<string, string>;
  /** Closes the running service and starts a fresh one on the same DATA_DIR and environment. */
  restart(): Promise<void>;
  /** Closes the service (idempotent); removes DATA_DIR unless `keepData`. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export async function startTestApp(overrides: Record<string, string> = {}, options: { dataDir?: string } = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cs-e2e-'));
  const production = STACK === 'production' ? await productionEnv() : null;
  const env: Record<string, string> = {
    ...(production?.env ?? {}),
    DATA_DIR: dataDir,
    PORT: '0',
    GRPC_PORT: '0',
    HOST: '127.0.0.1',
    ...TEST_SECRETS,
    STEP_UP_MAX_AGE_SECONDS: String(STEP_UP_MAX_AGE_SECONDS),
    LOG_LEVEL: 'log',
    // Suites that are not about Redis latency must not flip index trust when the shared 2-core CI machine
    // (Kafka, Redis, Chromium, two jest runs) delays one Redis read past the 250 ms default: that read
    // answered 503 INDEX_UNAVAILABLE, correctly, in the middle of a concurrency test. test/faults sets its own.
    INDEX_TIMEOUT_MS: '2000',
    // Expiry warnings are recorded only where a suite asks for them (EXPIRY_WARNING_LEADS): with the
    // default leads a suite running past a warning pass would find KeyExpiryWarned in the middle of
    // histories it asserts whole, at a time that depends on the machine's speed.
    EXPIRY_WARNING_LEADS: 'off',
    ...overrides,
  };
  const logger = new CapturingLogger();
  const start = (): Promise<CredentialService> => startCredentialService(loadConfig(env), { logger });
  let service: CredentialService | null = await start();
  const app: TestApp = {
    service,
    url: service.url,
    dataDir,
    stack: STACK,
    logger,
    env,
    async restart() {
      if (service) await service.close();
      service = await start();
      app.service = service;
      app.url = service.url;
    },
    async close({ keepData = false } = {}) {
      if (service) await service.close();
      service = null;
      await production?.double?.stop();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return app;
}

let counter = 0;
/** A fresh account id per test, so tests sharing one app do not see each other's keys. */
export const uniqueAccount = (label = 'acct'): string => `${label}_${process.pid}_${Date.now().toString(36)}_${(counter++).toString(36)}`;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a truthy value or the time is up. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 5000, stepMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(stepMs);
  }
}
