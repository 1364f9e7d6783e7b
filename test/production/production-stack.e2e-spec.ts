/**
 * The production path end to end: events in EventStoreDB (the protocol-level double, or a real
 * server when EVENTSTORE_URL is set), the validity index in real Redis, notifications on real
 * Kafka. Generate, rotate with a grace, revoke; a consumer on the topic sees every notification in
 * order with no secret in it; a revoke is in force when the call returns; a rebuild of the Redis
 * index from the store gives the same index. Every message consumed is checked against the topic's
 * contract, docs/asyncapi.yaml.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { parseCredentialNotification } from '@cs/notifications';
import { startEsdbDouble, type EsdbDouble } from '../doubles/eventstoredb/esdb-double';
import { eventually, startTestApp, uniqueAccount, type TestApp } from '../support/app';
import { notificationConformance, type NotificationConformance } from '../support/notification-conformance';
import { startTestPartner, type TestPartner } from '../support/partner';
import { actorToken } from '../support/tokens';
import { testRedisEnv } from '../support/redis-stack';
import { TEST_SECRETS } from '../support/app';

// REDIS_URL_TEST, or REDIS_CLUSTER_NODES_TEST with E2E_REDIS=cluster (test/support/redis-stack.ts)
const redisEnv = testRedisEnv();
const brokers = process.env.KAFKA_BROKERS_TEST;
if (!brokers) {
  throw new Error('production-stack e2e needs KAFKA_BROKERS_TEST (run `npm test`, which starts real Redis and Kafka)');
}

describe('production stack: EventStoreDB + Redis + Kafka', () => {
  let double: EsdbDouble | null = null;
  let app: TestApp;
  let consumer: Consumer;
  const received: KafkaMessage[] = [];
  const topic = `credentials.e2e.${randomUUID()}`;
  let conformance: NotificationConformance;
  let partner: TestPartner;

  beforeAll(async () => {
    conformance = await notificationConformance();
    // A secret scanning partner (a local P-256 key pair), so a leak report can revoke a key here too.
    partner = await startTestPartner();
    const eventStoreUrl = process.env.EVENTSTORE_URL ?? (double = await startEsdbDouble()).url;
    console.log(
      `production-stack e2e: event store at ${process.env.EVENTSTORE_URL ? 'a real EventStoreDB (EVENTSTORE_URL)' : 'the protocol-level double'}`,
    );
    app = await startTestApp({
      EVENTSTORE_URL: eventStoreUrl,
      ...redisEnv,
      REDIS_NAMESPACE: `e2e-${randomUUID().slice(0, 8)}`,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC: topic,
      EXPIRY_SWEEP_INTERVAL_MS: '200',
      // Warnings on, a day ahead: every secret given an end here is warned of within a pass.
      EXPIRY_WARNING_LEADS: 'P1D',
      EXPIRY_WARNING_INTERVAL_MS: '200',
      SECRET_SCANNING_KEYS_URL: partner.keysUrl,
    });
    const kafka = new Kafka({ clientId: 'e2e-consumer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    consumer = kafka.consumer({ groupId: `e2e-${randomUUID()}` });
    await consumer.connect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        received.push(message);
        conformance.check(message, partition);
      },
    });
  }, 60000);

  // Every message consumed, whichever test caused it: a test fails when one consumed during it does not conform.
  afterEach(() => conformance?.assertAllConform());

  afterAll(async () => {
    await consumer?.disconnect();
    await app?.close();
    await double?.stop();
    await partner?.close();
    conformance?.assertAllConform();
  });

  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  /** Waits for the expiry warner to record KeyExpiryWarned on the key. */
  const warned = (account: string, keyId: string, owner: string, timeoutMs: number) =>
    eventually(async () => {
      const history = await call('GET', `/v1/accounts/${account}/keys/${keyId}/history`, undefined, owner);
      return history.body.events?.some((e: { type: string }) => e.type === 'KeyExpiryWarned') ? true : null;
    }, timeoutMs);
  const verify = async (key: string) => (await call('POST', '/v1/verify', { key }, TEST_SECRETS.SERVICE_TOKEN)).body;

  it('reports the production adapters in health', async () => {
    const health = (await (await fetch(`${app.url}/health`)).json()) as { info: { credentials: Record<string, unknown> } };
    expect(health.info.credentials).toMatchObject({ eventStore: 'eventstoredb', validityIndex: 'redis', notifications: 'kafka' });
  });

  it('generate, rotate with a grace, revoke: verify through Redis and notifications on Kafka', async () => {
    const account = uniqueAccount();
    const owner = await actorToken({ acct: account, roles: ['owner'] });
    const generated = await call('POST', `/v1/accounts/${account}/keys`, { kind: 'api', name: 'prod' }, owner);
    expect(generated.status).toBe(201);
    const keyId = generated.body.key.id as string;
    expect(await verify(generated.body.secret)).toMatchObject({ valid: true, code: 'VALID', keyId, accountId: account });

    const rotated = await call('POST', `/v1/accounts/${account}/keys/${keyId}/regenerate`, { oldKeyExpiresIn: 'PT1H' }, owner);
    expect(rotated.status).toBe(201);
    expect(await verify(generated.body.secret)).toMatchObject({ valid: true });
    expect(await verify(rotated.body.secret)).toMatchObject({ valid: true });
    // The old secret's hour of grace is within the day's lead: warned of at the next pass.
    await warned(account, keyId, owner, 20000);

    const revoked = await call('DELETE', `/v1/accounts/${account}/keys/${keyId}`, undefined, owner);
    expect(revoked.status).toBe(200);
    // The fence: in force when DELETE returned, for both secrets, with no wait.
    expect(await verify(rotated.body.secret)).toMatchObject({ valid: false, code: 'REVOKED' });
    expect(await verify(generated.body.secret)).toMatchObject({ valid: false, code: 'REVOKED' });

    const mine = await eventually(async () => {
      const messages = received.filter((m) => m.key?.toString() === account);
      return messages.length >= 4 ? messages : null;
    }, 20000);
    const types = mine.map((m) => m.headers?.ce_type?.toString());
    expect(types).toEqual(['credentials.key.generated', 'credentials.key.rotated', 'credentials.key.expiring', 'credentials.key.revoked']);
    for (const message of mine) {
      expect(message.headers?.ce_subject?.toString()).toBe(keyId);
      expect(message.headers?.ce_id?.toString()).toMatch(/^[0-9a-f-]{36}$/);
      expect(message.headers?.['content-type']?.toString()).toBe('application/json');
      const text = message.value!.toString() + JSON.stringify(message.headers, (_k, v) => (Buffer.isBuffer(v) ? v.toString() : v));
      expect(text).not.toContain(generated.body.secret);
      expect(text).not.toContain(rotated.body.secret);
    }
    const rotatedData = JSON.parse(mine[1].value!.toString());
    expect(rotatedData).toMatchObject({ accountId: account, keyId, kind: 'api' });
  }, 30000);

  it('every kind of key change is notified, each message as docs/asyncapi.yaml describes it', async () => {
    const account = uniqueAccount();
    const owner = await actorToken({ acct: account, roles: ['owner'] });
    const keys = `/v1/accounts/${account}/keys`;
    const generated = await call(
      'POST',
      keys,
      { kind: 'signing', name: 'webhooks', allowedIps: ['10.1.0.0/16'], webhookFormat: 'multiple' },
      owner,
    );
    expect(generated.status).toBe(201);
    const keyId = generated.body.key.id as string;
    expect((await call('PATCH', `${keys}/${keyId}`, { name: 'webhooks (eu)' }, owner)).status).toBe(200);
    expect((await call('POST', `${keys}/${keyId}/reveal`, {}, owner)).status).toBe(200);
    expect((await call('POST', `${keys}/${keyId}/suspend`, { reason: 'contract check' }, owner)).status).toBe(200);
    expect((await call('POST', `${keys}/${keyId}/resume`, {}, owner)).status).toBe(200);
    expect(
      (await call('POST', `${keys}/${keyId}/expiry`, { expiresAt: new Date(Date.now() + 86_400_000).toISOString() }, owner)).status,
    ).toBe(200);
    // An expiry a day ahead is within the default 1-day lead: the warner records it within a pass.
    await warned(account, keyId, owner, 20000);
    // `now`: the old secret ends at once, so the rotation is followed by its expiry.
    const regenerated = await call('POST', `${keys}/${keyId}/regenerate`, { oldKeyExpiresIn: 'now' }, owner);
    expect(regenerated.status).toBe(201);
    // The new secret found in public: a signed leak report revokes the key (the default policy).
    const leak = partner.signed([
      { token: regenerated.body.secret, type: 'credential_service_signing_key', url: 'https://example.com/leak' },
    ]);
    const reported = await fetch(`${app.url}/v1/secret-scanning/reports`, { method: 'POST', headers: leak.headers, body: leak.body });
    expect(reported.status).toBe(200);
    expect(((await reported.json()) as { label: string }[])[0].label).toBe('true_positive');

    const mine = await eventually(async () => {
      const messages = received.filter((m) => m.key?.toString() === account);
      return messages.length >= 11 ? messages : null;
    }, 20000);
    for (const message of mine) conformance.contract.assertConforms(message);
    const notifications = mine.map((m) => parseCredentialNotification(m));
    expect(notifications.map((n) => n.type)).toEqual([
      'credentials.key.generated',
      'credentials.key.updated',
      'credentials.key.revealed',
      'credentials.key.suspended',
      'credentials.key.resumed',
      'credentials.key.expiry-set',
      'credentials.key.expiring',
      'credentials.key.rotated',
      'credentials.key.expired',
      'credentials.key.leaked',
      'credentials.key.revoked',
    ]);
    // Each type the contract describes was published, and consumed as the contract says.
    expect(new Set(notifications.map((n) => n.type))).toEqual(new Set(conformance.contract.messageTypes));
    const sequences = notifications.map((n) => n.sequence);
    expect([...sequences].sort()).toEqual(sequences);
    expect(notifications.find((n) => n.type === 'credentials.key.updated')?.data).toMatchObject({
      changedFields: ['name'],
      changes: { name: 'webhooks (eu)' },
    });
    const leaked = notifications.find((n) => n.type === 'credentials.key.leaked')?.data as { reportId: string } | undefined;
    expect(leaked).toMatchObject({ action: 'revoked', secretVersion: 2, url: 'https://example.com/leak', source: null });
    expect(notifications.find((n) => n.type === 'credentials.key.revoked')?.data).toMatchObject({
      reason: `leaked: reported by secret scanning (${leaked?.reportId})`,
    });
    expect(notifications.find((n) => n.type === 'credentials.key.expiring')?.data).toMatchObject({
      slot: 'current',
      secretVersion: 1,
      leadSeconds: 86400,
      actor: { type: 'system', name: 'expiry-warner' },
    });
  }, 45000);

  it('a scheduled expiry is recorded by the scheduler and notified as expired', async () => {
    const account = uniqueAccount();
    const owner = await actorToken({ acct: account, roles: ['owner'] });
    const generated = await call('POST', `/v1/accounts/${account}/keys`, { kind: 'signing' }, owner);
    const keyId = generated.body.key.id as string;
    await call('POST', `/v1/accounts/${account}/keys/${keyId}/regenerate`, { oldKeyExpiresIn: 'PT5S' }, owner);
    // Warned of first (a pass runs every 200 ms, well within the 5 s), then recorded expired.
    await warned(account, keyId, owner, 5000);
    const expired = await eventually(async () => {
      const messages = received.filter(
        (m) => m.key?.toString() === account && m.headers?.ce_type?.toString() === 'credentials.key.expired',
      );
      return messages.length > 0 ? messages : null;
    }, 15000);
    expect(JSON.parse(expired[0].value!.toString())).toMatchObject({ keyId, slot: 'previous' });
    const history = await call('GET', `/v1/accounts/${account}/keys/${keyId}/history`, undefined, owner);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual([
      'KeyGenerated',
      'KeyRotated',
      'KeyExpiryWarned',
      'KeyExpired',
    ]);
  }, 30000);

  it('a rebuild of the Redis index from the event store gives the same index', async () => {
    const account = uniqueAccount();
    const owner = await actorToken({ acct: account, roles: ['owner'] });
    const secrets: string[] = [];
    const inGrace: string[] = [];
    for (let i = 0; i < 5; i++) {
      const generated = await call('POST', `/v1/accounts/${account}/keys`, { kind: 'api', allowedIps: [`10.0.${i}.0/24`] }, owner);
      secrets.push(generated.body.secret);
      if (i % 2 === 0)
        secrets.push(
          (await call('POST', `/v1/accounts/${account}/keys/${generated.body.key.id}/regenerate`, { oldKeyExpiresIn: 'P1D' }, owner)).body
            .secret,
        );
      if (i === 4) await call('DELETE', `/v1/accounts/${account}/keys/${generated.body.key.id}`, undefined, owner);
      else if (i % 2 === 0) inGrace.push(generated.body.key.id);
    }
    // A day's grace is within the warning lead: let those warnings land, so nothing changes the keys
    // between the two reads below but the rebuild.
    for (const keyId of inGrace) {
      await warned(account, keyId, owner, 20000);
    }
    const before = await call('GET', `/v1/accounts/${account}/keys`, undefined, owner);
    const verdictsBefore = await Promise.all(
      secrets.map(async (s) => (await call('POST', '/v1/verify', { key: s, ip: '10.0.2.9' }, TEST_SECRETS.SERVICE_TOKEN)).body),
    );

    await app.service.infra.projector.rebuild();

    const after = await call('GET', `/v1/accounts/${account}/keys`, undefined, owner);
    const verdictsAfter = await Promise.all(
      secrets.map(async (s) => (await call('POST', '/v1/verify', { key: s, ip: '10.0.2.9' }, TEST_SECRETS.SERVICE_TOKEN)).body),
    );
    expect(after.body).toEqual(before.body);
    expect(verdictsAfter).toEqual(verdictsBefore);
    expect(verdictsBefore.map((v) => v.code)).toEqual(expect.arrayContaining(['VALID', 'REVOKED', 'IP_NOT_ALLOWED']));
  }, 30000);

  it('the account history is its own read model in Redis: paged, rebuilt beside itself while the live projection goes on, exported', async () => {
    const account = uniqueAccount();
    const owner = await actorToken({ acct: account, roles: ['owner'] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await call('POST', `/v1/accounts/${account}/keys`, { kind: 'api', name: `h${i}` }, owner)).body.key.id);
    await call('DELETE', `/v1/accounts/${account}/keys/${ids[1]}`, undefined, owner);
    const page = async (query = '') => {
      const response = await fetch(`${app.url}/v1/accounts/${account}/history${query}`, { headers: { authorization: `Bearer ${owner}` } });
      return { status: response.status, headers: response.headers, text: await response.text() };
    };
    const rows = async (query = '') =>
      (JSON.parse((await page(query)).text).events as { keyId: string; type: string }[]).map((e) => [e.keyId, e.type]);
    const expected = [...ids.map((id) => [id, 'KeyGenerated']), [ids[1], 'KeyRevoked']];
    const first = await page();
    expect(first.status).toBe(200);
    expect(first.headers.get('history-caught-up')).toBe('true');
    expect(await rows()).toEqual(expected);
    const infra = app.service.infra;
    expect(infra.history.constructor.name).toBe('RedisHistoryStore');
    const before = await infra.history.currentGeneration();
    await infra.historyProjector.rebuild();
    expect(await infra.history.currentGeneration()).not.toBe(before);
    expect(await rows()).toEqual(expected);
    expect(await rows(`?keyId=${ids[1]}&order=newest`)).toEqual([
      [ids[1], 'KeyRevoked'],
      [ids[1], 'KeyGenerated'],
    ]);
    // After the rebuild the live projection goes on in the new generation.
    await call('PATCH', `/v1/accounts/${account}/keys/${ids[0]}`, { name: 'renamed' }, owner);
    expect((await rows()).at(-1)).toEqual([ids[0], 'KeyUpdated']);
    const exported = await page('?format=ndjson');
    expect(exported.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = exported.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => [l.keyId, l.type])).toEqual([...expected, [ids[0], 'KeyUpdated']]);
    expect(lines.every((l) => /^\d+$/.test(l.position) && l.metadata.actor.type === 'user')).toBe(true);
  }, 30000);
});
