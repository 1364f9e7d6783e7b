import { KEY_STREAM_PREFIX } from '@cs/domain';
import { CheckpointedSubscriber, type CheckpointStore, type EventStore, type RecordedEvent, type RunSignal } from '@cs/event-store';
import { DEFAULT_CE_SOURCE, toKafkaMessage, type KafkaLikeMessage } from '../cloudevents';
import { describeFailure } from '../failure';
import type { Notifier } from '../notifier.port';

/** Nest's Logger fits; so does `console`. */
export interface RelayLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface NotificationRelayOptions {
  store: EventStore;
  checkpoints: CheckpointStore;
  /** Not owned: whoever created it closes it, after `stop()`. */
  notifier: Notifier;
  /** Checkpoint name; two relays to different destinations need different names. */
  name?: string;
  /** CloudEvents `source`. */
  source?: string;
  /** Most events per publish; default 100. */
  batchSize?: number;
  /** How long a batch waits for more live events once the stored ones are exhausted; default 5 ms. */
  batchWindowMs?: number;
  /** Capped exponential back-off between failed attempts; default 250 ms doubling up to 15 s. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** How long `stop()` lets an in-flight publish finish before abandoning it; default 5 s. */
  stopTimeoutMs?: number;
  logger?: RelayLogger;
}

export type RelayLag = 'caught-up' | 'catching-up' | 'stalled';

/** Positions as decimal strings so the stats can go straight into a JSON health response. */
export interface RelayStats {
  name: string;
  running: boolean;
  /** Notifications acknowledged by the notifier since this instance started. */
  published: number;
  /** Position of the last event acknowledged (and then checkpointed); null before the first. */
  lastPosition: string | null;
  /** Last position the checkpoint store confirmed saving. */
  checkpoint: string | null;
  /** Last position read from the store (ahead of lastPosition while a batch is in flight). */
  lastSeenPosition: string | null;
  /** stalled: publishing or the subscription is failing; catching-up: known events not yet published. */
  lag: RelayLag;
  consecutiveFailures: number;
  /** Failed publish attempts since this instance started (each retry of a batch counts). */
  publishFailures: number;
  lastError: string | null;
  lastPublishedAt: string | null;
}

/**
 * Transactional-outbox relay: the event store is the outbox. It follows the key streams from its
 * checkpoint, publishes batches, and saves the checkpoint only after the notifier acknowledged the
 * batch, so a crash at any point repeats notifications (consumers de-duplicate on ce_id) but never
 * loses one. A failing publish is retried, same batch, forever with capped back-off: skipping would be
 * loss. Nothing is thrown to the caller; failures are logged and visible in `stats()`.
 *
 * Following the store (checkpoint, subscription, batches, re-subscribing after a failure, stop) is the
 * shared CheckpointedSubscriber (libs/event-store); publishing, its retries and the stats are the relay's.
 */
export class NotificationRelay {
  readonly name: string;
  private readonly source: string;
  private readonly batchSize: number;
  private readonly batchWindowMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly stopTimeoutMs: number;
  private readonly logger: RelayLogger;
  private readonly subscriber: CheckpointedSubscriber;

  private published = 0;
  private acked?: bigint;
  private saved?: bigint;
  private seen?: bigint;
  private caughtUp = false;
  private consecutiveFailures = 0;
  private publishFailures = 0;
  private lastError: string | null = null;
  private lastPublishedAt: Date | null = null;

  constructor(private readonly options: NotificationRelayOptions) {
    this.name = options.name ?? 'kafka-relay';
    this.source = options.source ?? DEFAULT_CE_SOURCE;
    this.batchSize = Math.max(1, options.batchSize ?? 100);
    this.batchWindowMs = Math.max(0, options.batchWindowMs ?? 5);
    this.initialBackoffMs = Math.max(1, options.backoff?.initialMs ?? 250);
    this.maxBackoffMs = Math.max(this.initialBackoffMs, options.backoff?.maxMs ?? 15_000);
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
    const prefix = `[notification-relay ${this.name}]`;
    const logger = options.logger ?? console;
    this.logger = {
      log: (m) => logger.log(`${prefix} ${m}`),
      warn: (m) => logger.warn(`${prefix} ${m}`),
      error: (m) => logger.error(`${prefix} ${m}`),
    };
    this.subscriber = new CheckpointedSubscriber({
      name: 'relay',
      store: options.store,
      streamPrefixes: [KEY_STREAM_PREFIX],
      // Every (re)subscription starts from the saved checkpoint: the only position known to be safe.
      // deliver() saves it, once the notifier acknowledged the batch.
      checkpoint: { load: () => options.checkpoints.load(this.name) },
      batchSize: this.batchSize,
      batchWindowMs: this.batchWindowMs,
      handle: (batch, run) => this.deliver(run, batch),
      onSubscribed: (after) => {
        this.saved = after;
        this.acked ??= after;
        this.caughtUp = false;
        this.logger.log(`subscribed to key streams after position ${after ?? '(beginning)'}`);
      },
      // A checkpoint saved against another store (or before this one was replaced or restored from a
      // backup) says nothing about what was published from this one: starting again from the beginning
      // is the one position that loses nothing (consumers de-duplicate on ce_id).
      onInvalidCheckpoint: async ({ error }) => {
        this.logger.error(
          `${error.message}; publishing again from the beginning of the log: notifications already published ` +
            'are published again (consumers de-duplicate on ce_id)',
        );
        this.acked = undefined;
        return undefined;
      },
      onCaughtUp: () => {
        this.caughtUp = true;
        // Reading works again: a past subscription failure no longer describes the relay.
        if (this.lastError?.startsWith('subscription')) {
          this.consecutiveFailures = 0;
          this.lastError = null;
        }
      },
      onFailure: ({ error, consecutive }) => {
        const { reason } = describeFailure(error);
        this.consecutiveFailures = Math.max(this.consecutiveFailures, 1);
        this.lastError = `subscription: ${reason}`;
        const delay = this.backoff(consecutive);
        this.logger.error(`subscription failed (${reason}); re-subscribing from the last saved checkpoint in ${delay} ms`);
        return { retryInMs: delay, logged: true };
      },
      logger: this.logger,
    });
  }

  /** Starts following the store in the background; returns at once. Calling it twice is a no-op. */
  start(): void {
    void this.subscriber.start();
  }

  /**
   * Ends the subscription and lets an in-flight publish finish (its checkpoint then saved) for up to
   * stopTimeoutMs; after that the batch is abandoned with the checkpoint unchanged, so the next start
   * publishes it again.
   */
  async stop(): Promise<void> {
    // Never started, or already stopping: wait for that run to end, with nothing more to say.
    if (!this.subscriber.running) {
      await this.subscriber.stop();
      return;
    }
    if (!(await this.subscriber.stop({ timeoutMs: this.stopTimeoutMs }))) {
      this.logger.warn(`stop: abandoned the in-flight batch after ${this.stopTimeoutMs} ms; it will be published again on the next start`);
    }
    this.logger.log(`stopped at checkpoint ${this.saved ?? 'none'} (${this.published} published by this instance)`);
  }

  stats(): RelayStats {
    const running = this.subscriber.running;
    const behind = this.seen !== undefined && (this.acked === undefined || this.seen > this.acked);
    const lag: RelayLag = this.consecutiveFailures > 0 ? 'stalled' : !this.caughtUp || behind ? 'catching-up' : 'caught-up';
    return {
      name: this.name,
      running,
      published: this.published,
      lastPosition: this.acked?.toString() ?? null,
      checkpoint: this.saved?.toString() ?? null,
      lastSeenPosition: this.seen?.toString() ?? null,
      lag,
      consecutiveFailures: this.consecutiveFailures,
      publishFailures: this.publishFailures,
      lastError: this.lastError,
      lastPublishedAt: this.lastPublishedAt?.toISOString() ?? null,
    };
  }

  /** Publishes one batch until acknowledged, then saves the checkpoint. Returns early if stopped first. */
  private async deliver(run: RunSignal, batch: readonly RecordedEvent[]): Promise<void> {
    const first = batch[0].position;
    const last = batch[batch.length - 1].position;
    this.seen = last;
    let messages: KafkaLikeMessage[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        // Mapped on every attempt, inside the try: a mapping bug is handled like any failure (retried,
        // logged loudly) rather than skipping the event.
        messages = this.toMessages(batch);
        if (messages.length > 0) await this.options.notifier.publish(messages);
        if (attempt > 1) this.logger.log(`publishing recovered after ${attempt - 1} failed attempt(s)`);
        this.consecutiveFailures = 0;
        this.lastError = null;
        break;
      } catch (err) {
        const { reason, retryCanHelp } = describeFailure(err);
        this.consecutiveFailures = attempt;
        this.publishFailures++;
        this.lastError = `publish: ${reason}`;
        if (run.stopping) {
          this.logger.warn(
            `publish of positions ${first}..${last} failed while stopping (${reason}); checkpoint stays at ${this.saved ?? 'none'}`,
          );
          return;
        }
        const delay = this.backoff(attempt);
        const hint =
          retryCanHelp === false
            ? 'not retriable: retrying will not help until the cause is fixed, but skipping would lose notifications'
            : retryCanHelp
              ? 'transient: a retry can help'
              : 'unknown whether a retry can help';
        this.logger.error(
          `publish of ${messages.length} notification(s), positions ${first}..${last}, failed (attempt ${attempt}): ` +
            `${reason} [${hint}]; retrying the same batch in ${delay} ms`,
        );
        await run.sleep(delay);
        if (run.stopping) return;
      }
    }
    if (run.abandoned) return;
    this.published += messages.length;
    this.acked = last;
    this.lastPublishedAt = new Date();
    try {
      await this.options.checkpoints.save(this.name, last);
      this.saved = last;
    } catch (err) {
      // Not fatal: the next batch saves a later position; a crash before then only repeats notifications.
      this.logger.warn(`could not save checkpoint ${last}: ${describeFailure(err).reason}`);
    }
  }

  private toMessages(batch: readonly RecordedEvent[]): KafkaLikeMessage[] {
    const messages: KafkaLikeMessage[] = [];
    for (const event of batch) {
      const message = toKafkaMessage(event, { source: this.source });
      if (message) messages.push(message);
      else
        this.logger.warn(
          `event ${event.id} (${event.type}) at position ${event.position} in ${event.streamId} has no notification type; passing over it`,
        );
    }
    return messages;
  }

  private backoff(attempt: number): number {
    const capped = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(attempt - 1, 30));
    // Jitter (±20%) so several relays recovering from the same outage do not retry in lock-step.
    return Math.round(capped * (0.8 + Math.random() * 0.4));
  }
}
