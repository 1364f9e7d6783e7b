/**
 * The notifier's topic handling against real Kafka: a topic that already exists (every restart) is
 * used as it is without any ERROR from kafkajs; a missing one is created with the partitions asked
 * for; a topic Kafka refuses still fails the publish with the broker's reason.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import { KafkaNotifier } from './kafka-notifier';

const BROKERS = process.env.KAFKA_BROKERS_TEST;
if (!BROKERS) {
  throw new Error('KAFKA_BROKERS_TEST is not set: run `bash scripts/services.sh start && eval "$(bash scripts/services.sh env)"` first');
}
const brokers = BROKERS.split(',');
const admin = new Kafka({ clientId: 'notifier-int-spec', brokers, logLevel: logLevel.NOTHING }).admin();

/** A notifier whose kafkajs log entries (at WARN and above, the default) are kept. */
type Entry = { level: 'ERROR' | 'WARN' | 'INFO' | 'DEBUG'; message: string; error?: string };
const LEVELS: Record<number, Entry['level']> = {
  [logLevel.ERROR]: 'ERROR',
  [logLevel.WARN]: 'WARN',
  [logLevel.INFO]: 'INFO',
  [logLevel.DEBUG]: 'DEBUG',
};

function notifier(topic: string): { notifier: KafkaNotifier; entries: Entry[] } {
  const entries: Entry[] = [];
  const capture: logCreator =
    () =>
    ({ level, log }: LogEntry) =>
      void entries.push({ level: LEVELS[level], message: log.message, error: log.error as string | undefined });
  return { notifier: new KafkaNotifier({ brokers, topic, kafka: { logCreator: capture }, publishTimeoutMs: 20_000 }), entries };
}

const message = () => ({ key: 'acct_1', value: Buffer.from(JSON.stringify({ id: randomUUID() })), headers: { ce_id: randomUUID() } });

/**
 * On a broker that has just started, the first idempotent producer's InitProducerId meets "the
 * coordinator is loading", which kafkajs logs as an ERROR before it retries. That is the broker's
 * start-up, not the topic handling under test: one idempotent send is made first, so the assertions
 * below see only what a restart of the service against a running broker logs.
 */
async function warmUpProducerIds(): Promise<void> {
  const kafka = new Kafka({ clientId: 'notifier-int-spec-warm-up', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  const topic = `notifier.warm-up.${randomUUID().slice(0, 8)}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ value: 'warm-up' }] });
  } finally {
    await producer.disconnect();
  }
}

describe('KafkaNotifier topic handling (real Kafka)', () => {
  beforeAll(async () => {
    await admin.connect();
    await warmUpProducerIds();
  }, 60_000);
  afterAll(() => admin.disconnect());

  it('a topic that already exists (a restart) is published to without any ERROR logged by kafkajs', async () => {
    const topic = `notifier.exists.${randomUUID().slice(0, 8)}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    for (let restart = 0; restart < 2; restart++) {
      const { notifier: n, entries } = notifier(topic);
      try {
        await n.publish([message()]);
      } finally {
        await n.close();
      }
      expect(entries.filter((e) => e.level === 'ERROR')).toEqual([]);
    }
    // Its settings are left as they were.
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(metadata.partitions).toHaveLength(2);
  });

  it('a missing topic is created with the partitions asked for', async () => {
    const topic = `notifier.new.${randomUUID().slice(0, 8)}`;
    const { notifier: n, entries } = notifier(topic);
    try {
      await n.publish([message()]);
    } finally {
      await n.close();
    }
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(metadata.partitions).toHaveLength(3);
    expect(entries.filter((e) => e.level === 'ERROR')).toEqual([]);
  });

  it('a topic Kafka refuses still fails the publish with the reason', async () => {
    const { notifier: n } = notifier(`not a valid topic name ${randomUUID().slice(0, 4)}`);
    try {
      await expect(n.publish([message()])).rejects.toThrow(/topic|invalid/i);
    } finally {
      await n.close();
    }
  });
});
