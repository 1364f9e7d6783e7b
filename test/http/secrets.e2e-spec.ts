/**
 * Secrets never leak (README, "What it does": shown once): after generating, rotating, revealing and
 * signing with several keys — and after requests that fail with a secret in them — no secret
 * appears in the events, in the SQLite files' raw bytes, in the logs (at debug level), or in any
 * history, list or get answer.
 */
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT_STREAM_PREFIX, KEY_STREAM_PREFIX } from '@cs/domain';
import type { RecordedEvent } from '@cs/event-store';
import { bearer, Client, eventually, request, startTestApp, uniqueAccount, type HttpResponse, type TestApp } from '../support';
import { notificationConformance, type NotificationConformance } from '../support/notification-conformance';

const json = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** The secret itself and its random body (without prefix and checksum), so a partial copy is caught too. */
const needles = (secret: string): string[] => {
  const body = secret.slice(secret.indexOf('_', secret.indexOf('_') + 1) + 1, -6);
  expect(body.length).toBe(43);
  return [secret, body];
};

describe('secrets never leak', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ LOG_LEVEL: 'debug', EXPIRY_SWEEP_INTERVAL_MS: '100' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('not in events, SQLite bytes, logs, or history/list/get answers', async () => {
    const secrets = new Set<string>();
    const reads: HttpResponse[] = [];
    const service = Client.service(app.url);
    const accounts = [uniqueAccount('leak'), uniqueAccount('leak')];

    for (const acct of accounts) {
      const owner = await Client.actor(app.url, { acct });
      for (const kind of ['api', 'signing', 'api', 'signing']) {
        const gen = await owner.generate(acct, { kind, name: `${kind} key`, allowedIps: kind === 'api' ? ['10.0.0.0/8'] : [] });
        expect(gen.status).toBe(201);
        const id = gen.body.key.id as string;
        secrets.add(gen.body.secret);
        const grace = await owner.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' });
        secrets.add(grace.body.secret);
        const previous = await owner.reveal(acct, id, { version: 'previous' });
        expect(previous.body.secret).toBe(gen.body.secret);
        const current = await owner.reveal(acct, id);
        secrets.add(current.body.secret);
        const now = await owner.regenerate(acct, id, { oldKeyExpiresIn: 'now' });
        secrets.add(now.body.secret);
        const short = await owner.regenerate(acct, id, { oldKeyExpiresIn: 'PT1S' }); // expires during the test: the scheduler records it
        secrets.add(short.body.secret);
        await owner.update(acct, id, { name: 'renamed' });
        await owner.setExpiry(acct, id, { expiresAt: new Date(Date.now() + 86400_000).toISOString() });
        for (const key of [gen.body.secret, grace.body.secret, now.body.secret, short.body.secret]) {
          await service.verify({ key, ip: '10.1.2.3' });
        }
      }
      const signed = await service.sign(acct, { payload: 'payload' });
      expect(signed.status).toBe(200);
      await service.signRaw(acct, Buffer.from('raw payload'));
      await service.verifySignature(acct, { payload: 'payload', header: signed.body.header });
      // Failures with a secret in the request must not echo or log it.
      const aSecret = [...secrets][0];
      await request(app.url, 'POST', '/v1/verify', { json: { key: aSecret }, headers: bearer('wrong-service-token-0000000000') });
      await service.call('POST', '/v1/verify', { raw: `{"key":"${aSecret}"`, contentType: 'application/json' });
      await service.call('POST', '/v1/verify', { json: { key: aSecret, ip: 'nope' } });
      await service.call('POST', '/v1/verify', { json: { key: aSecret, extra: aSecret } });
      await owner.call('POST', `/v1/accounts/${acct}/keys`, { json: { kind: 'api', name: aSecret, admin: aSecret } });
      await owner.call('POST', `/v1/accounts/${acct}/keys`, {
        raw: `{"kind":"api","name":"${aSecret}${'x'.repeat(300 * 1024)}"}`,
        contentType: 'application/json',
      });
    }

    for (const acct of accounts) {
      const owner = await Client.actor(app.url, { acct });
      const list = await owner.list(acct);
      reads.push(list);
      for (const key of list.body.keys) {
        reads.push(await owner.get(acct, key.id));
        // Each 1 s grace ends and the scheduler records it: polled for, not slept for.
        const history = await eventually(async () => {
          const res = await owner.history(acct, key.id);
          return res.body.events.some((e: any) => e.type === 'KeyExpired' && e.actor.type === 'system') ? res : null;
        }, 20_000);
        reads.push(history);
      }
    }
    expect(secrets.size).toBe(accounts.length * 4 * 4);
    const all = [...secrets].flatMap(needles);

    // (1) every event, as stored
    const events: RecordedEvent[] = [];
    for await (const event of app.service.infra.store.readAll()) events.push(event);
    expect(events.length).toBeGreaterThan(accounts.length * 4 * 8);
    const eventText = json(events);
    for (const needle of all) expect(eventText).not.toContain(needle);
    // The sealed copies are there, as ciphertext.
    expect(eventText).toContain('"alg":"A256GCM"');

    // (4) every history, list and get answer
    for (const res of reads) {
      expect(res.status).toBe(200);
      for (const needle of all) expect(res.text).not.toContain(needle);
    }

    // (3) the logs, at debug level
    const logs = app.logger.text();
    expect(app.logger.lines.length).toBeGreaterThan(0);
    for (const needle of all) expect(logs).not.toContain(needle);

    if (app.stack === 'production') {
      // (2) every value of the service's Redis namespace, and every Kafka message on its topic
      const redis = new Redis(app.env.REDIS_URL);
      const keys = await redis.keys(`${app.env.REDIS_NAMESPACE}:*`);
      expect(keys.length).toBeGreaterThan(0);
      const dumped: string[] = [];
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'string') dumped.push((await redis.get(key)) ?? '');
        else if (type === 'set') dumped.push(...(await redis.smembers(key)));
        else if (type === 'zset') dumped.push(...(await redis.zrange(key, 0, -1)));
        else if (type === 'hash') dumped.push(JSON.stringify(await redis.hgetall(key)));
      }
      redis.disconnect();
      const redisText = dumped.join('\n') + keys.join('\n');
      for (const needle of all) expect(redisText).not.toContain(needle);
      // Every key event is notified; the account streams' signing-key slot events are internal, never notified.
      const notified = events.filter((e) => e.streamId.startsWith(KEY_STREAM_PREFIX));
      expect(events.filter((e) => e.streamId.startsWith(ACCOUNT_STREAM_PREFIX)).length).toBeGreaterThan(0);
      expect(notified.length + events.filter((e) => e.streamId.startsWith(ACCOUNT_STREAM_PREFIX)).length).toBe(events.length);
      // Each one as docs/asyncapi.yaml describes it, too.
      const conformance = await notificationConformance();
      const messages = await readTopic(app.env.KAFKA_BROKERS, app.env.KAFKA_TOPIC, notified.length, conformance);
      expect(messages.length).toBeGreaterThanOrEqual(notified.length);
      conformance.assertAllConform();
      expect(conformance.checked).toBe(messages.length);
      const kafkaText = messages.join('\n');
      expect(kafkaText).not.toContain('SigningKeySlot');
      for (const needle of all) expect(kafkaText).not.toContain(needle);
      await app.close({ keepData: true });
    } else {
      // (2) the raw bytes of the SQLite files, while running (WAL) and after close (checkpointed)
      const scan = (): string[] => {
        const files = readdirSync(app.dataDir).filter((f) => f.startsWith('events.sqlite'));
        expect(files).toContain('events.sqlite');
        for (const file of files) {
          const bytes = readFileSync(join(app.dataDir, file));
          for (const needle of all) expect([file, bytes.indexOf(Buffer.from(needle, 'utf8'))]).toEqual([file, -1]);
        }
        return files;
      };
      scan();
      await app.close({ keepData: true });
      scan();
    }
    // Anything else in DATA_DIR (dev secrets are not generated: all secrets are configured).
    for (const file of readdirSync(app.dataDir)) {
      const bytes = readFileSync(join(app.dataDir, file));
      for (const needle of all) expect([file, bytes.indexOf(Buffer.from(needle, 'utf8'))]).toEqual([file, -1]);
    }
    const logsAfter = app.logger.text();
    for (const needle of all) expect(logsAfter).not.toContain(needle);
  }, 90_000);
});

/** Every message on a topic (headers and value as text), read from the beginning, each checked against the contract. */
async function readTopic(brokers: string, topic: string, atLeast: number, conformance: NotificationConformance): Promise<string[]> {
  const kafka = new Kafka({ clientId: 'e2e-secrets', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `e2e-secrets-${Date.now()}` });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      conformance.check(message, partition);
      const headers = Object.entries(message.headers ?? {}).map(([k, v]) => `${k}=${String(v)}`);
      seen.push(`${message.key?.toString()} ${headers.join(' ')} ${message.value?.toString()}`);
    },
  });
  const deadline = Date.now() + 20000;
  while (seen.length < atLeast && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  return seen;
}
