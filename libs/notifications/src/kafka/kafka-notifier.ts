import { Kafka, Partitioners, logLevel as KafkaLogLevel, type KafkaConfig, type Producer } from 'kafkajs';
import type { KafkaLikeMessage, Notifier } from '../notifier.port';
import { describeFailure } from '../failure';

export interface KafkaNotifierOptions {
  brokers: string[];
  topic: string;
  clientId?: string;
  /** For the topic when this notifier creates it; default 3. -1 takes the broker's default. */
  numPartitions?: number;
  /** For the topic when this notifier creates it; default 1. -1 takes the broker's default. */
  replicationFactor?: number;
  /** kafkajs' own logging; default WARN. The relay logs failures itself, with the reason. */
  logLevel?: KafkaLogLevel;
  /** Anything else kafkajs accepts (ssl, sasl, timeouts, retry), passed through. */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId' | 'logLevel'>;
  /** Consecutive failed sends after which the producer is replaced by a fresh one; default 3. */
  recreateAfterFailures?: number;
  /**
   * Upper bound for one publish (connect + send with kafkajs' own retries); default 30 s. Seen in
   * testing: with the broker gone, a send on an idempotent producer could stay pending for over a
   * minute instead of failing, which would hide the outage from the relay's log and health.
   */
  publishTimeoutMs?: number;
}

/** A publish that did not finish in time; whether Kafka wrote the batch is unknown, so resend it. */
export class KafkaPublishTimeoutError extends Error {
  readonly retriable = true;
  constructor(ms: number) {
    super(`no acknowledgement from Kafka within ${ms} ms`);
    this.name = 'KafkaPublishTimeoutError';
  }
}

/**
 * Publishes notifications to Kafka with an idempotent producer:
 * - `acks: -1`: `send` resolves only once every in-sync replica has the batch, which is what lets
 *   the relay move its checkpoint;
 * - `idempotent: true` + `maxInFlightRequests: 1`: a retried produce request cannot be written twice
 *   or overtake the one before it, so per-partition (= per-account) order holds through retries.
 *
 * Connecting and creating the topic happen lazily on the first publish, and again after a failure,
 * so a broker that is down at start-up or goes away later only delays notifications.
 */
export class KafkaNotifier implements Notifier {
  private readonly kafka: Kafka;
  private producer?: Producer;
  private connecting?: Promise<Producer>;
  /** Bumped whenever the producer is dropped, so a connect that finishes later is not adopted. */
  private generation = 0;
  private topicReady = false;
  private consecutiveFailures = 0;
  private closed = false;

  constructor(private readonly options: KafkaNotifierOptions) {
    if (options.brokers.length === 0) throw new RangeError('KafkaNotifier: no brokers');
    this.kafka = new Kafka({
      // Short connect timeout: a down broker should fail a publish quickly so the relay can say so.
      connectionTimeout: 3000,
      ...options.kafka,
      clientId: options.clientId ?? 'credential-service',
      brokers: options.brokers,
      logLevel: options.logLevel ?? KafkaLogLevel.WARN,
    });
  }

  get topic(): string {
    return this.options.topic;
  }

  async publish(messages: KafkaLikeMessage[]): Promise<void> {
    if (this.closed) throw new Error('KafkaNotifier is closed');
    if (messages.length === 0) return;
    const timeoutMs = this.options.publishTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KafkaPublishTimeoutError(timeoutMs)), timeoutMs);
    });
    let used: Producer | undefined;
    const send = (async () => {
      const producer = await this.ready();
      used = producer;
      await producer.send({ topic: this.options.topic, acks: -1, messages });
    })();
    // The abandoned send is dropped with its producer (afterFailure); its late outcome is irrelevant.
    // But kafkajs keeps retrying it and may reconnect that producer after it was disconnected, leaving
    // a socket open for good: once the send settles, disconnect its producer again if it was dropped.
    void send
      .catch(() => undefined)
      .then(() => {
        if (used && used !== this.producer) void used.disconnect().catch(() => undefined);
      });
    try {
      await Promise.race([send, timeout]);
      this.consecutiveFailures = 0;
    } catch (err) {
      this.consecutiveFailures++;
      this.afterFailure(err);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const disconnecting = this.dropProducer();
    // Bounded: with the broker gone, a disconnect must not hold up the shutdown of the app.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([disconnecting, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
    clearTimeout(timer);
  }

  private ready(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    if (!this.connecting) {
      const connecting = this.connect(this.generation).finally(() => {
        if (this.connecting === connecting) this.connecting = undefined;
      });
      this.connecting = connecting;
    }
    return this.connecting;
  }

  private async connect(generation: number): Promise<Producer> {
    if (!this.topicReady) {
      await this.ensureTopic();
      this.topicReady = true;
    }
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // We create the topic with the partition count we want; auto-creation would use broker defaults.
      allowAutoTopicCreation: false,
      // Explicit, so the key -> partition mapping matches the Java client (murmur2) for Java consumers
      // that co-partition by account, and so kafkajs does not warn about its v2 partitioner change.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    // Dropped (timed out, failed, closed) while connecting: this producer is nobody's any more.
    if (generation !== this.generation) {
      void producer.disconnect().catch(() => undefined);
      throw new Error(this.closed ? 'KafkaNotifier is closed' : 'KafkaNotifier: connection attempt superseded');
    }
    this.producer = producer;
    return producer;
  }

  private async ensureTopic(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      // An existing topic (every restart) is used as it is, settings included. Asking kafkajs to create it
      // anyway answers false, but only after its connection logged the broker's TOPIC_ALREADY_EXISTS as
      // an ERROR. listTopics reads the cluster metadata without creating anything (unlike a metadata
      // request for the one topic, which a broker with auto-creation would answer by creating it).
      if ((await admin.listTopics()).includes(this.options.topic)) return;
      // Missing: created here. Another instance creating it at the same moment makes this resolve false
      // (kafkajs logs that race once); any other refusal (an invalid name, no permission) is thrown.
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: this.options.topic,
            numPartitions: this.options.numPartitions ?? 3,
            replicationFactor: this.options.replicationFactor ?? 1,
          },
        ],
      });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /**
   * kafkajs reconnects on demand, and keeping the same idempotent producer lets the broker drop the
   * copies a retried batch may contain. But a producer whose sequence state the broker rejected
   * (non-retriable) or one that keeps failing is replaced, so a wedged connection cannot stall the
   * relay for good; the new one starts a fresh producer id (a retry may then duplicate, never lose).
   */
  private afterFailure(err: unknown): void {
    const { retryCanHelp } = describeFailure(err);
    const stuck = err instanceof KafkaPublishTimeoutError;
    if (stuck || retryCanHelp === false || this.consecutiveFailures >= (this.options.recreateAfterFailures ?? 3)) {
      void this.dropProducer();
      // The topic may have been deleted while we were away; creating it again is cheap if not.
      this.topicReady = false;
    }
  }

  /**
   * Forgets the current producer at once (the next publish connects a new one) and disconnects it in
   * the background; a connect still under way is disowned via the generation counter.
   */
  private dropProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.connecting = undefined;
    this.generation++;
    return producer ? producer.disconnect().catch(() => undefined) : Promise.resolve();
  }
}
