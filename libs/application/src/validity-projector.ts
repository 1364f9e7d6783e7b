/**
 * The catch-up projection into the validity index: a checkpointed subscription to the key streams.
 * It applies what the inline projection already applied (the revision guard makes that a no-op)
 * and covers a crash between an append and its inline projection.
 *
 * It is also what heals a shared index (index-trust.ts): it reads and writes the index unguarded, and
 * every checkpoint it writes names as `base` the position it last stored or resumed from, so an index
 * that went back in time or was emptied refuses its next write (IndexRewoundError) and the loop resumes
 * from what the index really holds — applying everything after it again. `resync()` does the same on
 * demand, for an index that lost writes while no event arrived.
 *
 * The loop itself (load the checkpoint, subscribe, catch up, retry) is the shared CheckpointedSubscriber
 * (libs/event-store); what is the projector's own is the apply, its `base`, and how an
 * IndexRewoundError is handled (a warning and a quick resume, not a failure).
 */
import { KEY_STREAM_PREFIX } from '@cs/domain';
import { CheckpointedSubscriber, SubscriptionEndedError, type EventStore, type RecordedEvent, type StreamPartition } from '@cs/event-store';
import type { KeyRecord, ValidityIndex } from '@cs/validity';
import { projectRecorded, toKeyEvent } from './key-command-executor';

export interface ProjectorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const VALIDITY_CHECKPOINT = 'validity-projection';

/**
 * Writes the records of every key stream up to `upTo` into the generation `generation` that the
 * index's replaceAllBy is building, elsewhere: in worker threads, each folding one share of the key
 * streams (foldShare) and writing it with fillGeneration (libs/composition, rebuild/). Resolves with
 * the events read and keys written once every write has landed; rejects, with none in flight, if
 * any share failed.
 */
export type PartitionedFill = (job: {
  generation: string;
  upTo: bigint;
  onProgress?: (events: number, keys: number) => void;
}) => Promise<{ events: number; keys: number }>;

/** Folds one key event onto its key's record in `records`; returns the record if the event changed it. */
function foldInto(records: Map<string, KeyRecord>, recorded: RecordedEvent): KeyRecord | null {
  const keyId = keyIdOf(recorded);
  const stored = records.get(keyId) ?? null;
  const next = projectRecorded([recorded], stored);
  if (!next || next === stored) return null;
  records.set(keyId, next);
  return next;
}

/**
 * One share of a rebuild: the records of the key streams of `partition` (all of them without),
 * folded from the events up to `upTo` (inclusive; all stored without).
 */
export async function foldShare(
  store: EventStore,
  options: { partition?: StreamPartition; upTo?: bigint; onProgress?: (events: number, keys: number) => void } = {},
): Promise<{ records: Map<string, KeyRecord>; events: number }> {
  const records = new Map<string, KeyRecord>();
  let events = 0;
  for await (const recorded of store.readAll({ streamPrefixes: [KEY_STREAM_PREFIX], partition: options.partition })) {
    if (options.upTo !== undefined && recorded.position > options.upTo) break;
    events++;
    foldInto(records, recorded);
    if (options.onProgress && events % 10000 === 0) options.onProgress(events, records.size);
  }
  return { records, events };
}

export class ValidityProjector {
  private readonly subscriber: CheckpointedSubscriber;
  private lastPosition: bigint | undefined;
  /** What this projector knows the stored checkpoint to be at least: the base of its next checkpoint write. */
  private base: bigint | undefined;
  private readonly index: ValidityIndex;
  private rebuilding?: Promise<number>;
  applied = 0;

  constructor(
    private readonly store: EventStore,
    index: ValidityIndex,
    logger: ProjectorLogger,
    retryDelayMs = 1000,
  ) {
    this.index = index.unguarded();
    this.subscriber = new CheckpointedSubscriber({
      name: 'validity projection',
      store,
      streamPrefixes: [KEY_STREAM_PREFIX],
      // The checkpoint is written by apply(), in the same write as the record and with its base.
      checkpoint: { load: () => this.index.loadCheckpoint(VALIDITY_CHECKPOINT) },
      apply: (recorded) => this.apply(recorded),
      onSubscribed: (after) => (this.base = after),
      // The index's checkpoint is another store's (or this store was replaced or restored): what the
      // index holds cannot be trusted to match this store, so it is rebuilt from it, and the projection
      // resumes from the rebuild's position.
      onInvalidCheckpoint: async ({ error }) => {
        logger.warn(`validity projection: ${error.message}; rebuilding the index from this event store`);
        const keys = await this.rebuild(undefined, { rewind: true });
        logger.log(`validity projection: index rebuilt from the event store after an invalid checkpoint: ${keys} keys`);
        return this.lastPosition;
      },
      retryDelayMs,
      onFailure: ({ error }) => {
        if ((error as Error).name === 'IndexRewoundError') {
          logger.warn('validity projection: the index went back in time or was emptied; applying again from what it holds');
          return { retryInMs: 50, logged: true, counts: false };
        }
        // Not a failure: resubscribe quietly after the usual delay.
        if (error instanceof SubscriptionEndedError) return { retryInMs: retryDelayMs, logged: true, counts: false };
        return undefined; // logged once per streak, retried after retryDelayMs
      },
      logger,
    });
  }

  /**
   * Folds every key stream from the start into a fresh index and swaps it in at once, so readers
   * never see a half-built index. Returns the number of keys. Prints progress on long rebuilds.
   * A call while a rebuild runs (the trust monitor's, the projection's own) waits for that one.
   * `rewind`: store the rebuild's checkpoint even if the stored one is ahead of it (the stored one is
   * another store's: InvalidCheckpointError); a rebuild asked for with it never just joins one without.
   */
  async rebuild(
    onProgress?: (events: number, keys: number) => void,
    options: { rewind?: boolean; fill?: PartitionedFill } = {},
  ): Promise<number> {
    if (options.rewind) await this.rebuilding?.catch(() => undefined);
    if (!this.rebuilding || options.rewind) {
      const rewind = options.rewind ?? false;
      const once =
        options.fill && this.index.replaceAllBy
          ? this.rebuildPartitioned(options.fill, onProgress, rewind)
          : this.rebuildOnce(onProgress, rewind);
      const rebuilding = once.finally(() => {
        if (this.rebuilding === rebuilding) this.rebuilding = undefined;
      });
      this.rebuilding = rebuilding;
    }
    return this.rebuilding;
  }

  /**
   * rebuildOnce with the reading, folding and bulk writing done by `fill` (worker threads, each a
   * share of the key streams), up to the key streams' head as of the start. Its records are not in
   * this process, so what was appended after that head is folded here stream by stream (a few
   * events), before the swap; then, as in rebuildOnce, every event after the swap's position is
   * applied again.
   */
  private async rebuildPartitioned(
    fill: PartitionedFill,
    onProgress: ((events: number, keys: number) => void) | undefined,
    rewind: boolean,
  ): Promise<number> {
    const upTo = (await this.store.headPosition({ streamPrefixes: [KEY_STREAM_PREFIX] })) ?? 0n;
    let position = upTo;
    let totals = { events: 0, keys: 0 };
    /** Keys whose stream began after `upTo`: in none of the shares. */
    const newer = new Set<string>();
    await this.index.replaceAllBy!(
      async (generation) => {
        totals = await fill({ generation, upTo, onProgress });
      },
      { name: VALIDITY_CHECKPOINT, position, rewind },
      {
        beforeSwap: async (writeToNew) => {
          for await (const recorded of this.store.readAll({ after: upTo, streamPrefixes: [KEY_STREAM_PREFIX] })) {
            const events = (await this.store.readStream(recorded.streamId)).filter((e) => e.revision <= recorded.revision);
            const record = projectRecorded(events);
            if (record) await writeToNew(record);
            if (record && events[0].position > upTo) newer.add(recorded.streamId);
            position = recorded.position;
          }
          return { name: VALIDITY_CHECKPOINT, position, rewind };
        },
      },
    );
    this.lastPosition = position;
    this.base = undefined;
    let count = totals.events;
    for await (const recorded of this.store.readAll({ after: position, streamPrefixes: [KEY_STREAM_PREFIX] })) {
      await this.apply(recorded);
      count++;
    }
    onProgress?.(count, totals.keys + newer.size);
    return totals.keys + newer.size;
  }

  private async rebuildOnce(onProgress: ((events: number, keys: number) => void) | undefined, rewind: boolean): Promise<number> {
    const records = new Map<string, KeyRecord>();
    let position = 0n;
    let count = 0;
    const fold = (recorded: RecordedEvent): KeyRecord | null => {
      position = recorded.position;
      count++;
      return foldInto(records, recorded);
    };
    for await (const recorded of this.store.readAll({ streamPrefixes: [KEY_STREAM_PREFIX] })) {
      fold(recorded);
      if (onProgress && count % 10000 === 0) onProgress(count, records.size);
    }
    // Writes made while the new index is being built go to both (the adapter's part). What was
    // appended between the read above and the build's start reached the old index only: beforeSwap
    // folds it into the new one, before any reader can see it.
    await this.index.replaceAll(
      records.values(),
      { name: VALIDITY_CHECKPOINT, position, rewind },
      {
        beforeSwap: async (writeToNew) => {
          for await (const recorded of this.store.readAll({ after: position, streamPrefixes: [KEY_STREAM_PREFIX] })) {
            const changed = fold(recorded);
            if (changed) await writeToNew(changed);
          }
          return { name: VALIDITY_CHECKPOINT, position, rewind };
        },
      },
    );
    this.lastPosition = position;
    this.base = undefined; // the live subscription's next write must not refer to the replaced index
    // An event appended but whose inline write never happened (a crash between the two) is in
    // neither index: apply every event after the swap's position (revision-guarded, so the events
    // already applied inline are no-ops).
    for await (const recorded of this.store.readAll({ after: position, streamPrefixes: [KEY_STREAM_PREFIX] })) {
      await this.apply(recorded);
      count++;
    }
    onProgress?.(count, records.size);
    return records.size;
  }

  /** Subscribes from the index's checkpoint; resolves once caught up with the stored events (or stopped). */
  start(): Promise<void> {
    return this.subscriber.start();
  }

  /** Opens no new subscription; resolves once the loop has ended. */
  async stop(): Promise<void> {
    await this.subscriber.stop();
  }

  /**
   * Resumes from the checkpoint the index holds now (not from where this process got to): after the
   * index lost writes, what it lost is applied again. Harmless when nothing was lost (revision guards).
   */
  resync(): Promise<void> {
    return this.subscriber.resync();
  }

  get checkpoint(): bigint | undefined {
    return this.lastPosition;
  }

  private async apply(recorded: RecordedEvent): Promise<void> {
    const checkpoint = { name: VALIDITY_CHECKPOINT, position: recorded.position, base: this.base };
    const stored = await this.index.getKey(keyIdOf(recorded));
    if (!toKeyEvent(recorded) || (stored && stored.version >= recorded.revision)) {
      await this.index.saveCheckpoint(checkpoint);
    } else {
      // Contiguous: evolve the stored record. A gap (the inline write was lost): fold the stream.
      const contiguous = stored ? stored.version === recorded.revision - 1 : recorded.revision === 0;
      const events = contiguous
        ? [recorded]
        : (await this.store.readStream(recorded.streamId)).filter((e) => e.revision <= recorded.revision);
      const record = projectRecorded(events, contiguous ? stored : null);
      if (record) await this.index.write(record, checkpoint);
      else await this.index.saveCheckpoint(checkpoint);
      this.applied++;
    }
    this.lastPosition = recorded.position;
    if (this.base === undefined || recorded.position > this.base) this.base = recorded.position;
  }
}

const keyIdOf = (recorded: RecordedEvent): string => recorded.streamId.slice(KEY_STREAM_PREFIX.length);

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
