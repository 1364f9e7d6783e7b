import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { keyStreamId, type KeyEvent } from '@cs/domain';
import { SqliteEventStore, type CheckpointStore, type NewEvent } from '@cs/event-store';
import { CE_TYPES } from '../cloudevents';
import { KafkaNotifier } from './kafka-notifier';
import { NotificationRelay, type RelayLogger } from './notification-relay';

// Never skipped: an unset variable is a broken test set-up, not a reason to pass.
const BROKERS = process.env.KAFKA_BROKERS_TEST;
if (!BROKERS) {
  throw new Error('KAFKA_BROKERS_TEST is not set: run `bash scripts/services.sh start && eval "$(bash scripts/services.sh env)"` first');
}
const brokers = BROKERS.split(',');
const SERVICES = resolve(__dirname, '../../../../scripts/services.sh');
const kafka = new Kafka({ clientId: 'relay-int-spec', brokers, logLevel: logLevel.NOTHING });

interface Consumed {
  key: string;
  headers: Record<string, string>;
  data: Record<string, unknown>;
  partition: number;
}

/** The relay's own lines, kept for the failure output; shown live with RELAY_LOG=1. */
const lines: string[] = [];
const logger: RelayLogger = {
  log: (m) => record('info', m),
  warn: (m) => record('warn', m),
  error: (m) => record('error', m),
};
function record(level: string, m: string) {
  lines.push(`${level} ${m}`);
  if (process.env.RELAY_LOG) process.stderr.write(`${level} ${m}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nrelay log tail:\n${lines.slice(-15).join('\n')}`);
    await sleep(50);
  }
}

/** Appends key events for several accounts, interleaved, and returns what was written. */
class Writer {
  readonly written: { id: string; type: string; accountId: string; keyId: string; position: bigint }[] = [];
  private readonly revisions = new Map<string, number>();
  private n = 0;
  constructor(
    private readonly store: SqliteEventStore,
    private readonly accounts = ['acct-a', 'acct-b', 'acct-c', 'acct-d', 'acct-e'],
  ) {}

  async append(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const n = this.n++;
      const accountId = this.accounts[n % this.accounts.length];
      const keyId = `${accountId}-key${Math.floor(n / 10) % 3}`;
      const stream = keyStreamId(keyId);
      const rev = this.revisions.get(stream);
      const event = this.event(rev === undefined, keyId, accountId, n);
      const r = await this.store.appendToStream(stream, [event], { expectedRevision: rev ?? 'no_stream' });
      this.revisions.set(stream, r.nextExpectedRevision);
      this.written.push({ id: event.id, type: event.type, accountId, keyId, position: r.position });
    }
  }

  get last(): bigint {
    return this.written[this.written.length - 1].position;
  }

  private event(first: boolean, keyId: string, accountId: string, n: number): NewEvent {
    const base = { keyId, accountId, kind: 'api' as const };
    const sealed = { kid: 'mk', alg: 'A256GCM' as const, iv: 'iv', ciphertext: `ct-${n}`, tag: 'tag' };
    const secret = { version: n + 1, hash: `hash-${n}`, start: `sk_${n}`, sealed };
    const cycle: KeyEvent[] = [
      { type: 'KeyRotated', data: { ...base, secret, previousVersion: n, previousExpiresAt: '2026-03-02T00:00:00.000Z' } },
      { type: 'KeyExpirySet', data: { ...base, slot: 'current', secretVersion: 1, expiresAt: null } },
      { type: 'KeyUpdated', data: { ...base, changes: { name: `name-${n}` } } },
      { type: 'KeyRevealed', data: { ...base, slot: 'current', secretVersion: 1 } },
      {
        type: 'KeyExpired',
        data: { ...base, slot: 'previous', secretVersion: 1, reason: 'superseded', expiredAt: '2026-03-01T00:00:00.000Z' },
      },
      { type: 'KeyRevoked', data: { ...base, reason: null } },
    ];
    const event: KeyEvent = first
      ? { type: 'KeyGenerated', data: { ...base, name: 'k', allowedIps: [], webhookFormat: 'single', secret } }
      : cycle[n % cycle.length];
    const metadata = {
      actor: { type: 'system' as const, name: 'int-spec' },
      correlationId: randomUUID(),
      causationId: null,
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
    };
    return { id: randomUUID(), type: event.type, data: event.data as unknown as Record<string, unknown>, metadata };
  }
}

const consumers: Consumer[] = [];
async function consume(topic: string): Promise<Consumed[]> {
  const received: Consumed[] = [];
  const consumer = kafka.consumer({ groupId: `relay-int-spec-${randomUUID()}` });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      received.push({ key: String(message.key), headers, data: JSON.parse(String(message.value)), partition });
    },
  });
  return received;
}

function distinctIds(received: Consumed[]): Set<string> {
  return new Set(received.map((m) => m.headers.ce_id));
}

/** Per account, the first delivery of each event comes in store order (later copies are duplicates). */
function expectOrderPerAccount(received: Consumed[]) {
  const seen = new Set<string>();
  const lastByAccount = new Map<string, bigint>();
  for (const m of received) {
    if (seen.has(m.headers.ce_id)) continue;
    seen.add(m.headers.ce_id);
    const pos = BigInt(m.headers.ce_position);
    const prev = lastByAccount.get(m.key);
    if (prev !== undefined && pos <= prev) throw new Error(`account ${m.key}: position ${pos} after ${prev}`);
    lastByAccount.set(m.key, pos);
  }
}

/** Piped, not inherited: a broker child left behind must not hold jest's stdout open. */
function services(command: 'stop-kafka' | 'start-kafka', timeoutMs: number) {
  try {
    execFileSync('bash', [SERVICES, command], { stdio: 'pipe', timeout: timeoutMs });
  } catch (err) {
    const e = err as Error & { stderr?: Buffer };
    throw new Error(`services.sh ${command} failed: ${e.message}\n${e.stderr?.toString() ?? ''}`, { cause: err });
  }
}

describe('NotificationRelay against Kafka', () => {
  let store: SqliteEventStore;
  let checkpoints: CheckpointStore;
  const relays: NotificationRelay[] = [];
  const notifiers: KafkaNotifier[] = [];

  const newRelay = (topic: string, extra: Partial<ConstructorParameters<typeof NotificationRelay>[0]> = {}) => {
    const notifier = new KafkaNotifier({
      brokers,
      topic,
      logLevel: logLevel.NOTHING,
      publishTimeoutMs: 5_000,
      kafka: { retry: { initialRetryTime: 100, maxRetryTime: 1000 } },
    });
    notifiers.push(notifier);
    const relay = new NotificationRelay({
      store,
      checkpoints,
      notifier,
      name: `relay-${topic}`,
      batchSize: 20,
      backoff: { initialMs: 100, maxMs: 2000 },
      logger,
      ...extra,
    });
    relays.push(relay);
    return relay;
  };

  beforeEach(() => {
    store = new SqliteEventStore({ path: ':memory:' });
    checkpoints = store.checkpoints();
    lines.length = 0;
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await Promise.all(notifiers.splice(0).map((n) => n.close()));
    await Promise.all(consumers.splice(0).map((c) => c.disconnect().catch(() => undefined)));
    await store.close();
  });

  it('(a) publishes every key event exactly once, in order per account, with CloudEvents headers', async () => {
    const topic = `cs-relay-a-${randomUUID()}`;
    const writer = new Writer(store);
    await writer.append(100);
    // Not a key stream: must not become a notification.
    await store.appendToStream(
      'account-x',
      [
        {
          id: randomUUID(),
          type: 'AccountOpened',
          data: {},
          metadata: {
            actor: { type: 'system', name: 't' },
            correlationId: 'c',
            causationId: null,
            occurredAt: new Date().toISOString(),
            schemaVersion: 1,
          },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    const relay = newRelay(topic);
    relay.start();
    await writer.append(100); // live, interleaved with the catch-up
    await waitFor('the relay to publish 200', () => relay.stats().lastPosition === writer.last.toString(), 30_000);

    const received = await consume(topic);
    await waitFor('200 messages', () => received.length >= 200, 30_000);
    await sleep(500); // anything beyond 200 would be a duplicate
    expect(received).toHaveLength(200);
    expect(distinctIds(received)).toEqual(new Set(writer.written.map((w) => w.id)));
    expectOrderPerAccount(received);

    const byId = new Map(writer.written.map((w) => [w.id, w]));
    const partitionOf = new Map<string, number>();
    for (const m of received) {
      const w = byId.get(m.headers.ce_id)!;
      expect(m.key).toBe(w.accountId);
      expect(m.headers).toMatchObject({
        ce_specversion: '1.0',
        ce_type: CE_TYPES[w.type as KeyEvent['type']],
        ce_source: '/credential-service',
        ce_subject: w.keyId,
        'content-type': 'application/json',
        ce_position: w.position.toString(),
      });
      expect(m.data).toMatchObject({ accountId: w.accountId, keyId: w.keyId });
      expect(JSON.stringify(m)).not.toMatch(/hash-|ct-\d/);
      // One account, one partition: that is what keeps its order.
      expect(partitionOf.get(m.key) ?? m.partition).toBe(m.partition);
      partitionOf.set(m.key, m.partition);
    }
    const [meta] = (await fetchTopic(topic)).topics;
    expect(meta.partitions).toHaveLength(3);
    expect(await checkpoints.load(relay.name)).toBe(writer.last);
    expect(relay.stats()).toMatchObject({ published: 200, lag: 'caught-up', consecutiveFailures: 0 });
  }, 90_000);

  it('(b) loses nothing when a relay is killed mid-stream and a new one resumes from the checkpoint', async () => {
    const topic = `cs-relay-b-${randomUUID()}`;
    const writer = new Writer(store);
    await writer.append(20);
    // stopTimeoutMs 0: stop() abandons whatever batch is in flight, as a crash would.
    const first = newRelay(topic, { batchSize: 7, stopTimeoutMs: 0 });
    first.start();
    const appending = (async () => {
      for (let i = 0; i < 28; i++) {
        await writer.append(10);
        await sleep(15);
      }
    })();
    await waitFor('the first relay to publish some', () => first.stats().published >= 40, 30_000);
    await first.stop();
    const stoppedAt = await checkpoints.load(first.name);
    expect(stoppedAt).toBeDefined();
    expect(stoppedAt! < writer.last || writer.written.length === 300).toBe(true);
    await sleep(100); // appends go on with no relay running

    const second = newRelay(topic, { name: first.name });
    second.start();
    await appending;
    await waitFor('the second relay to catch up', () => second.stats().lastPosition === writer.last.toString(), 60_000);

    const received = await consume(topic);
    await waitFor('all 300 distinct events', () => distinctIds(received).size >= 300, 30_000);
    expect(distinctIds(received)).toEqual(new Set(writer.written.map((w) => w.id)));
    expectOrderPerAccount(received);
    expect(await checkpoints.load(first.name)).toBe(writer.last);
    process.stderr.write(`(b) first relay stopped at checkpoint ${stoppedAt}; ${received.length - 300} duplicate(s)\n`);
  }, 120_000);

  // Last: it stops the shared broker. Always starts it again, even when an assertion fails.
  it('(c, d) survives a broker outage by itself, and never checkpoints past what Kafka acknowledged', async () => {
    const topic = `cs-relay-c-${randomUUID()}`;
    const writer = new Writer(store);
    const relay = newRelay(topic);
    relay.start();
    await writer.append(50);
    await waitFor('the first 50 to be published', () => relay.stats().lastPosition === writer.last.toString(), 30_000);
    const beforeOutage = writer.last;

    let kafkaStopped = false;
    try {
      const t0 = Date.now();
      services('stop-kafka', 150_000);
      kafkaStopped = true;
      process.stderr.write(`(c) broker stopped in ${Date.now() - t0} ms\n`);

      for (let i = 0; i < 10; i++) {
        await writer.append(10);
        await sleep(200);
      }
      await waitFor('the relay to notice the outage', () => relay.stats().lag === 'stalled', 60_000);
      // (d) nothing past the last acknowledged batch, however long the outage lasts.
      expect(await checkpoints.load(relay.name)).toBe(beforeOutage);
      expect(relay.stats().lastPosition).toBe(beforeOutage.toString());
      expect(relay.stats().lastError).toMatch(/publish/);

      const t1 = Date.now();
      services('start-kafka', 240_000);
      kafkaStopped = false;
      process.stderr.write(`(c) broker started again in ${Date.now() - t1} ms\n`);
      await waitFor('the relay to resume by itself', () => relay.stats().lastPosition === writer.last.toString(), 120_000);
      process.stderr.write(`(c) relay caught up ${Date.now() - t1} ms after the restart began\n`);
    } finally {
      if (kafkaStopped) services('start-kafka', 240_000);
    }

    const received = await consume(topic);
    await waitFor('all 150 distinct events', () => distinctIds(received).size >= 150, 60_000);
    expect(distinctIds(received)).toEqual(new Set(writer.written.map((w) => w.id)));
    expectOrderPerAccount(received);
    // (d) the checkpoint is exactly the last position Kafka has.
    const maxPublished = received.reduce((max, m) => (BigInt(m.headers.ce_position) > max ? BigInt(m.headers.ce_position) : max), 0n);
    expect(await checkpoints.load(relay.name)).toBe(maxPublished);
    expect(maxPublished).toBe(writer.last);
    expect(lines.some((l) => l.startsWith('error') && /retrying the same batch/.test(l))).toBe(true);
    expect(relay.stats()).toMatchObject({ lag: 'caught-up', consecutiveFailures: 0 });
  }, 600_000);
});

async function fetchTopic(topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await admin.fetchTopicMetadata({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}
