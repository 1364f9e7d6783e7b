/**
 * The account history projection (README, "Account history"): a checkpointed subscription to the key
 * streams that writes every event, as recorded but without its secret's hash or sealed copy, into the
 * history read model (HistoryStore), per account. Its checkpoint is its own (kept by the store, per
 * generation, with the rows), so it does not depend on the validity index: an emptied index leaves the
 * history whole, and the history can be rebuilt on its own.
 *
 * Writes are idempotent (a row is keyed by its position), so the at-least-once delivery of the
 * subscriber repeats rows but never doubles or loses one. A rebuild writes a new generation beside
 * the current one and activates it; the live projection notices the change at its next batch and
 * resumes from the new generation's checkpoint.
 */
import { KEY_STREAM_PREFIX } from '@cs/domain';
import { auditForm, CheckpointedSubscriber, SubscriptionEndedError, type EventStore, type RecordedEvent } from '@cs/event-store';
import { HistoryRewoundError, type HistoryRow, type HistoryStore } from '@cs/validity';
import type { ProjectorLogger } from '../validity-projector';
import type { Worker } from '../worker';

/** Events per write: one script call per account of the batch (Redis) or one transaction (SQLite). */
const BATCH = 500;
/** Batches a rebuild writes while it reads the next ones. */
const REBUILD_WRITES_IN_FLIGHT = 4;

/** The history row of a key event, or null for an event that names no account (nothing to file it under). */
export function toHistoryRow(recorded: RecordedEvent): HistoryRow | null {
  const accountId = recorded.data.accountId;
  if (typeof accountId !== 'string' || !recorded.streamId.startsWith(KEY_STREAM_PREFIX)) return null;
  // The data as recorded in its audit form: the secret's hash and sealed copy out, their digest kept,
  // so that the event's chain hash (metadata.chain of the next event) can be checked from the row.
  const { data, secretDigest } = auditForm(recorded.data);
  return {
    position: recorded.position,
    streamId: recorded.streamId,
    revision: recorded.revision,
    id: recorded.id,
    type: recorded.type,
    data: data as Record<string, unknown>,
    ...(secretDigest === undefined ? {} : { secretDigest }),
    metadata: { ...recorded.metadata },
    recordedAt: recorded.recordedAt.toISOString(),
    keyId: recorded.streamId.slice(KEY_STREAM_PREFIX.length),
    accountId,
  };
}

/** How often an idle projection checks that the read model still holds what it wrote. */
const REWIND_CHECK_MS = 1000;

class GenerationChangedError extends Error {
  constructor() {
    super('the history read model was rebuilt: resuming from the new generation');
    this.name = 'GenerationChangedError';
  }
}

export class HistoryProjector implements Worker {
  readonly name = 'history projection';
  private readonly subscriber: CheckpointedSubscriber;
  private generation: number | undefined;
  private lastPosition: bigint | undefined;
  private watch: NodeJS.Timeout | undefined;
  applied = 0;

  constructor(
    private readonly store: EventStore,
    private readonly history: HistoryStore,
    logger: ProjectorLogger,
    retryDelayMs = 1000,
  ) {
    this.subscriber = new CheckpointedSubscriber({
      name: this.name,
      store,
      streamPrefixes: [KEY_STREAM_PREFIX],
      batchSize: BATCH,
      checkpoint: {
        load: async () => {
          this.generation = await history.currentGeneration();
          const checkpoint = await history.checkpoint(this.generation);
          // From here on the read model must hold at least this: less is a rewind (see rewound()).
          this.lastPosition = checkpoint;
          return checkpoint;
        },
      },
      handle: (events) => this.handle(events),
      // Another store's checkpoint (or a store replaced or restored): rebuilt from this store.
      onInvalidCheckpoint: async ({ error }) => {
        logger.warn(`history projection: ${error.message}; rebuilding the history from this event store`);
        const events = await this.rebuild();
        logger.log(`history projection: rebuilt from the event store after an invalid checkpoint: ${events} events`);
        return this.history.checkpoint(await this.history.currentGeneration());
      },
      retryDelayMs,
      onFailure: ({ error }) => {
        if (error instanceof GenerationChangedError) {
          logger.log(`history projection: ${error.message}`);
          return { retryInMs: 0, logged: true, counts: false };
        }
        if (error instanceof HistoryRewoundError) {
          logger.warn(`history projection: ${error.message}`);
          return { retryInMs: 50, logged: true, counts: false };
        }
        if (error instanceof SubscriptionEndedError) return { retryInMs: retryDelayMs, logged: true, counts: false };
        return undefined;
      },
      logger,
    });
  }

  start(): Promise<void> {
    // An idle projection sees no batch that would find a rewind: it checks on a timer, and resumes
    // from what the read model holds, so the history heals without a restart or a new event.
    this.watch ??= setInterval(() => {
      void this.rewound().then(
        (rewound) => (rewound ? this.subscriber.resync() : undefined),
        () => undefined, // the read model not answering is the reads' 503, and the next batch's failure
      );
    }, REWIND_CHECK_MS);
    this.watch.unref();
    return this.subscriber.start();
  }

  async stop(): Promise<void> {
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
    await this.subscriber.stop();
  }

  /** Whether the read model holds less than this process wrote or loaded (a lost generation counts). */
  private async rewound(): Promise<boolean> {
    if (this.lastPosition === undefined) return false;
    const generation = await this.history.currentGeneration();
    if (generation !== this.generation) return true;
    const stored = await this.history.checkpoint(generation);
    return stored === undefined || stored < this.lastPosition;
  }

  /** The last position this process applied (undefined before the first). */
  get checkpoint(): bigint | undefined {
    return this.lastPosition;
  }

  private async handle(events: readonly RecordedEvent[]): Promise<void> {
    const generation = await this.history.currentGeneration();
    if (generation !== this.generation) {
      this.generation = generation;
      throw new GenerationChangedError();
    }
    const rows = events.map(toHistoryRow).filter((row): row is HistoryRow => row !== null);
    const last = events[events.length - 1].position;
    // Guarded: the checkpoint moves only from the one this projection knows (HistoryRewoundError if not).
    await this.history.write(generation, rows, last, this.lastPosition ?? null);
    this.applied += events.length;
    this.lastPosition = last;
  }

  /**
   * Writes every key event of the store into a new generation, activates it, applies what was appended
   * meanwhile, and drops the old generation. Returns the number of events written. Readers see the old
   * generation until the new one is complete.
   */
  async rebuild(onProgress?: (events: number) => void): Promise<number> {
    const generation = await this.history.newGeneration();
    let position: bigint | undefined;
    let count = 0;
    let rows: HistoryRow[] = [];
    // Batches without a checkpoint are written while the next ones are read, a few at a time (the
    // generation is nobody's until activated, and rows are keyed by position, so order does not
    // matter); the checkpoint goes last, once every row before it has landed.
    const inFlight: Promise<void>[] = [];
    const settle = async () => {
      const settled = await Promise.allSettled(inFlight.splice(0));
      const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw failed.reason;
    };
    const flush = async (checkpoint?: bigint) => {
      const batch = rows;
      rows = [];
      if (checkpoint !== undefined) {
        await settle();
        await this.history.write(generation, batch, checkpoint);
        return;
      }
      const write = this.history.write(generation, batch);
      write.catch(() => undefined); // handled in settle()
      inFlight.push(write);
      if (inFlight.length >= REBUILD_WRITES_IN_FLIGHT) await inFlight.shift();
    };
    const add = async (recorded: RecordedEvent) => {
      const row = toHistoryRow(recorded);
      if (row) rows.push(row);
      position = recorded.position;
      count++;
      if (rows.length >= BATCH) await flush();
      if (onProgress && count % 10_000 === 0) onProgress(count);
    };
    try {
      for await (const recorded of this.store.readAll({ streamPrefixes: [KEY_STREAM_PREFIX] })) await add(recorded);
      await flush(position);
      await settle(); // an empty store: its one (empty) write had no checkpoint
    } finally {
      await Promise.allSettled(inFlight); // nothing of this rebuild lands after it has failed
    }
    const previous = await this.history.activate(generation);
    // Appended between the read above and the activation: the live projection, if any, wrote it to the
    // old generation. Written here to the new one (idempotent), with the checkpoint.
    if (position !== undefined) {
      for await (const recorded of this.store.readAll({ after: position, streamPrefixes: [KEY_STREAM_PREFIX] })) await add(recorded);
      await flush(position);
    }
    onProgress?.(count);
    if (previous !== generation) await this.history.drop(previous);
    return count;
  }
}
