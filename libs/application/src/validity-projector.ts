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
 */
import { KEY_STREAM_PREFIX } from '@cs/domain';
import type { AllStreamSubscription, EventStore, RecordedEvent } from '@cs/event-store';
import type { KeyRecord, ValidityIndex } from '@cs/validity';
import { projectRecorded, toKeyEvent } from './key-command-executor';

export interface ProjectorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const VALIDITY_CHECKPOINT = 'validity-projection';

export class ValidityProjector {
  private subscription: AllStreamSubscription | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private lastPosition: bigint | undefined;
  /** What this projector knows the stored checkpoint to be at least: the base of its next checkpoint write. */
  private base: bigint | undefined;
  private resyncing = false;
  private readonly index: ValidityIndex;
  applied = 0;

  constructor(
    private readonly store: EventStore,
    index: ValidityIndex,
    private readonly logger: ProjectorLogger,
    private readonly retryDelayMs = 1000,
  ) {
    this.index = index.unguarded();
  }

  /**
   * Folds every key stream from the start into a fresh index and swaps it in at once, so readers
   * never see a half-built index. Returns the number of keys. Prints progress on long rebuilds.
   */
  async rebuild(onProgress?: (events: number, keys: number) => void): Promise<number> {
    const records = new Map<string, KeyRecord>();
    let position = 0n;
    let count = 0;
    /** Folds one event onto its key's record; returns the record if the event changed it. */
    const fold = (recorded: RecordedEvent): KeyRecord | null => {
      position = recorded.position;
      count++;
      const keyId = keyIdOf(recorded);
      const stored = records.get(keyId) ?? null;
      const next = projectRecorded([recorded], stored);
      if (!next || next === stored) return null;
      records.set(keyId, next);
      return next;
    };
    for await (const recorded of this.store.readAll({ streamPrefixes: [KEY_STREAM_PREFIX] })) {
      fold(recorded);
      if (onProgress && count % 10000 === 0) onProgress(count, records.size);
    }
    // Writes made while the new index is being built go to both (the adapter's part). What was
    // appended between the read above and the build's start reached the old index only: beforeSwap
    // folds it into the new one, before any reader can see it.
    await this.index.replaceAll(records.values(), { name: VALIDITY_CHECKPOINT, position }, {
      beforeSwap: async (writeToNew) => {
        for await (const recorded of this.store.readAll({ after: position, streamPrefixes: [KEY_STREAM_PREFIX] })) {
          const changed = fold(recorded);
          if (changed) await writeToNew(changed);
        }
        return { name: VALIDITY_CHECKPOINT, position };
      },
    });
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

  /** Subscribes from the index's checkpoint; resolves once caught up with the stored events. */
  async start(): Promise<void> {
    this.stopped = false;
    let caughtUp!: () => void;
    const ready = new Promise<void>((resolve) => (caughtUp = resolve));
    this.running = this.loop(caughtUp);
    await ready;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.running;
  }

  /**
   * Resumes from the checkpoint the index holds now (not from where this process got to): after the
   * index lost writes, what it lost is applied again. Harmless when nothing was lost (revision guards).
   */
  async resync(): Promise<void> {
    if (this.stopped || !this.running) return;
    this.resyncing = true;
    await this.subscription?.close();
  }

  get checkpoint(): bigint | undefined {
    return this.lastPosition;
  }

  private async loop(caughtUp: () => void): Promise<void> {
    while (!this.stopped) {
      try {
        this.resyncing = false;
        const after = await this.index.loadCheckpoint(VALIDITY_CHECKPOINT);
        if (this.stopped) break; // stopped during that await: open no new subscription
        this.base = after;
        this.subscription = this.store.subscribeToAll({ after, streamPrefixes: [KEY_STREAM_PREFIX] });
        void this.subscription.caughtUp.then(caughtUp, () => undefined);
        for await (const recorded of this.subscription) {
          await this.apply(recorded);
          if (this.stopped || this.resyncing) break;
        }
        caughtUp();
        if (!this.stopped && !this.resyncing) await delay(this.retryDelayMs);
      } catch (error) {
        if (this.stopped) break;
        if (this.resyncing) continue;
        if ((error as Error).name === 'IndexRewoundError') {
          this.logger.warn('validity projection: the index went back in time or was emptied; applying again from what it holds');
          await delay(50);
          continue;
        }
        if (!this.failing) this.logger.error(`validity projection interrupted (${(error as Error).message}); resuming from its checkpoint`);
        this.failing = true;
        await delay(this.retryDelayMs);
        continue;
      }
      this.failing = false;
    }
    caughtUp(); // stopped before catching up: start() must not wait forever
  }

  private failing = false;

  private async apply(recorded: RecordedEvent): Promise<void> {
    const checkpoint = { name: VALIDITY_CHECKPOINT, position: recorded.position, base: this.base };
    const stored = await this.index.getKey(keyIdOf(recorded));
    if (!toKeyEvent(recorded) || (stored && stored.version >= recorded.revision)) {
      await this.index.saveCheckpoint(checkpoint);
    } else {
      // Contiguous: evolve the stored record. A gap (the inline write was lost): fold the stream.
      const contiguous = stored ? stored.version === recorded.revision - 1 : recorded.revision === 0;
      const events = contiguous ? [recorded] : (await this.store.readStream(recorded.streamId)).filter((e) => e.revision <= recorded.revision);
      const record = projectRecorded(events, contiguous ? stored : null);
      if (record) await this.index.write(record, checkpoint);
      else await this.index.saveCheckpoint(checkpoint);
      this.applied++;
    }
    this.lastPosition = recorded.position;
    this.failing = false;
    if (this.base === undefined || recorded.position > this.base) this.base = recorded.position;
  }
}

const keyIdOf = (recorded: RecordedEvent): string => recorded.streamId.slice(KEY_STREAM_PREFIX.length);

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
