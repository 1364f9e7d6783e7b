/**
 * The split deployment of docker/compose.yml without Docker: the credential service only serves
 * (WORKERS=none) and apps/projector runs the workers on the same EventStoreDB, Redis and Kafka.
 * The projector's scheduler records expiries, its relay publishes notifications, and the service
 * still answers verify from the shared Redis index at once (inline projection). Every message consumed
 * is checked against docs/asyncapi.yaml.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { loadConfig } from '@cs/composition';
import { startProjector, type Projector } from '../../apps/projector/src/bootstrap';
import { startEsdbDouble, type EsdbDouble } from '../doubles/eventstoredb/esdb-double';
import { eventually, startTestApp, TEST_SECRETS, uniqueAccount, type TestApp } from '../support/app';
import { Client } from '../support/http';
import { CapturingLogger } from '../support/logger';
import { notificationConformance, type NotificationConformance } from '../support/notification-conformance';
import { testRedisEnv } from '../support/redis-stack';

// REDIS_URL_TEST, or REDIS_CLUSTER_NODES_TEST with E2E_REDIS=cluster (test/support/redis-stack.ts)
const redisEnv = testRedisEnv();
const brokers = process.env.KAFKA_BROKERS_TEST;
if (!brokers) throw new Error('the projector e2e needs KAFKA_BROKERS_TEST (run `npm test`)');

describe('apps/projector beside a serving-only credential service', () => {
  let double: EsdbDouble | null = null;
  let service: TestApp;
  let projector: Projector;
  const received: KafkaMessage[] = [];
  const kafka = new Kafka({ clientId: 'e2e-projector', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `e2e-${randomUUID()}` });
  let conformance: NotificationConformance;

  beforeAll(async () => {
    conformance = await notificationConformance();
    const env = {
      EVENTSTORE_URL: process.env.EVENTSTORE_URL ?? (double = await startEsdbDouble()).url,
      ...redisEnv,
      REDIS_NAMESPACE: `e2e-proj-${randomUUID().slice(0, 8)}`,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC: `credentials.e2e.projector.${randomUUID().slice(0, 8)}`,
      EXPIRY_SWEEP_INTERVAL_MS: '200',
      ...TEST_SECRETS,
    };
    service = await startTestApp({ ...env, WORKERS: 'none' });
    projector = await startProjector(loadConfig({ ...env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: service.dataDir }), {
      logger: new CapturingLogger(),
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: env.KAFKA_TOPIC, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    await consumer.connect();
    await consumer.subscribe({ topic: env.KAFKA_TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        received.push(message);
        conformance.check(message, partition);
      },
    });
  }, 60000);

  afterEach(() => conformance?.assertAllConform());

  afterAll(async () => {
    await consumer.disconnect();
    await projector?.close();
    await service?.close();
    await double?.stop();
    conformance?.assertAllConform();
  });

  it('the service alone runs no workers; the projector reports healthy with its relay and checkpoint', async () => {
    expect(service.service.infra.config.workers).toBe('none');
    const health = (await (await fetch(`${projector.url}/health`)).json()) as {
      status: string;
      info: { projector: Record<string, unknown> };
    };
    expect(health.status).toBe('ok');
    expect(health.info.projector).toHaveProperty('relay');
  });

  it('verify is in force at once through the shared index; the projector records the expiry and publishes everything', async () => {
    const acct = uniqueAccount();
    const owner = await Client.actor(service.url, { acct, roles: ['owner'] });
    const verifier = Client.service(service.url);
    const generated = await owner.generate(acct, { kind: 'api' });
    const id = generated.body.key.id as string;
    const rotated = await owner.regenerate(acct, id, { oldKeyExpiresIn: 'PT1S' });
    expect((await verifier.verify({ key: rotated.body.secret })).body.code).toBe('VALID');

    // Recorded by the projector's scheduler, not the service's (it has none).
    const history = await eventually(async () => {
      const res = await owner.history(acct, id);
      return res.body.events.some((e: { type: string }) => e.type === 'KeyExpired') ? res : null;
    }, 15000);
    const expired = history.body.events.find((e: { type: string }) => e.type === 'KeyExpired');
    expect(expired.actor).toEqual({ type: 'system', name: 'expiry-scheduler' });
    expect((await verifier.verify({ key: generated.body.secret })).body.code).toBe('EXPIRED');

    await owner.revoke(acct, id);
    expect((await verifier.verify({ key: rotated.body.secret })).body.code).toBe('REVOKED');

    const types = await eventually(async () => {
      const mine = received.filter((m) => m.key?.toString() === acct).map((m) => m.headers?.ce_type?.toString());
      return mine.length >= 4 ? mine : null;
    }, 20000);
    expect(types).toEqual(['credentials.key.generated', 'credentials.key.rotated', 'credentials.key.expired', 'credentials.key.revoked']);
  }, 40000);
});
