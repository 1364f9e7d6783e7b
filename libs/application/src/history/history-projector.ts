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
import {
  auditForm,
  CheckpointedSubscriber,
  SubscriptionEndedError,
  type EventStore,
  type RecordedEvent,
  type StreamPartition,
} from '@cs/event-store';
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
   * generation until the new one is complete. With `fill`, the events up to the key streams' head are
   * written by it (worker threads, each a share of the streams: writeHistoryShare), the rest here. A
   * rebuild that fails drops what it wrote of its generation and leaves the current one as it was.
   */
  async rebuild(onProgress?: (events: number) => void, options: { fill?: HistoryFill } = {}): Promise<number> {
    const generation = await this.history.newGeneration();
    let position: bigint | undefined;
    let count = 0;
    const writer = new RowBatches(this.history, generation);
    const add = async (recorded: RecordedEvent) => {
      position = recorded.position;
      count++;
      await writer.add(toHistoryRow(recorded));
      if (onProgress && count % 10_000 === 0) onProgress(count);
    };
    let previous: number;
    try {
      try {
        const upTo = options.fill ? await this.store.headPosition({ streamPrefixes: [KEY_STREAM_PREFIX] }) : undefined;
        if (options.fill && upTo !== undefined) {
          count = (await options.fill({ generation, upTo, onProgress })).events;
          position = upTo;
        } else {
          for await (const recorded of this.store.readAll({ streamPrefixes: [KEY_STREAM_PREFIX] })) await add(recorded);
        }
        await writer.end(position);
      } finally {
        await writer.abandon(); // nothing of this rebuild lands after it has failed
      }
      previous = await this.history.activate(generation);
    } catch (error) {
      await this.history.drop(generation).catch(() => undefined); // never the current one (drop refuses it)
      throw error;
    }
    // Appended between the read above and the activation: the live projection, if any, wrote it to the
    // old generation. Written here to the new one (idempotent), with the checkpoint.
    if (position !== undefined) {
      for await (const recorded of this.store.readAll({ after: position, streamPrefixes: [KEY_STREAM_PREFIX] })) await add(recorded);
      await writer.end(position);
    }
    onProgress?.(count);
    if (previous !== generation) await this.history.drop(previous);
    return count;
  }
}

/**
 * Writes the rows of the events of a history rebuild up to `upTo` into `generation`, elsewhere (worker
 * threads, libs/composition rebuild/): each share's rows without a checkpoint (HistoryProjector.rebuild
 * writes it once they have all landed). Resolves with the events read; rejects, with none of its
 * writes in flight, if any share failed.
 */
export type HistoryFill = (job: { generation: number; upTo: bigint; onProgress?: (events: number) => void }) => Promise<{ events: number }>;

/**
 * One share of a history rebuild: the rows of the key events of `partition` up to `upTo`, written into
 * `generation` in batches while the next ones are read. No checkpoint: the rebuild writes it. `onProgress`
 * runs every 10,000 events; what it throws ends the share once its writes in flight have settled.
 */
export async function writeHistoryShare(
  store: EventStore,
  history: HistoryStore,
  options: { generation: number; upTo: bigint; partition?: StreamPartition; onProgress?: (events: number) => void },
): Promise<number> {
  const writer = new RowBatches(history, options.generation);
  let events = 0;
  try {
    for await (const recorded of store.readAll({ streamPrefixes: [KEY_STREAM_PREFIX], partition: options.partition })) {
      if (recorded.position > options.upTo) break;
      events++;
      await writer.add(toHistoryRow(recorded));
      if (options.onProgress && events % 10_000 === 0) options.onProgress(events);
    }
    await writer.end(undefined);
  } finally {
    await writer.abandon();
  }
  return events;
}

/**
 * The rows of a rebuild in batches of BATCH, written while the next ones are read (at most
 * REBUILD_WRITES_IN_FLIGHT at once: the generation is nobody's until activated, and rows are keyed by
 * position, so order does not matter); the checkpoint goes last, once every row before it has landed.
 */
class RowBatches {
  private rows: HistoryRow[] = [];
  private readonly inFlight: Promise<void>[] = [];

  constructor(
    private readonly history: HistoryStore,
    private readonly generation: number,
  ) {}

  async add(row: HistoryRow | null): Promise<void> {
    if (row) this.rows.push(row);
    if (this.rows.length < BATCH) return;
    const write = this.history.write(this.generation, this.take());
    write.catch(() => undefined); // handled where it is awaited
    this.inFlight.push(write);
    if (this.inFlight.length >= REBUILD_WRITES_IN_FLIGHT) await this.inFlight.shift();
  }

  /** The rows left, and the checkpoint when given, once every write before has landed; throws what failed. */
  async end(checkpoint: bigint | undefined): Promise<void> {
    const settled = await Promise.allSettled(this.inFlight.splice(0));
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    const rows = this.take();
    if (rows.length > 0 || checkpoint !== undefined) await this.history.write(this.generation, rows, checkpoint);
  }

  /** Waits for the writes in flight, whatever they do (after a failure: none may land later). */
  async abandon(): Promise<void> {
    await Promise.allSettled(this.inFlight.splice(0));
  }

  private take(): HistoryRow[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }
}
