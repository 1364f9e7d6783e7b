/**
 * The hash chain on the write side: a decorator around any EventStore that stamps every appended
 * event's `metadata.chain` with the hash of the event before it in its stream (canonical.ts), so every
 * append site (key commands, signing-key slots, the leak policy, whatever comes next) gets it without
 * knowing. Per stream, because a stream is the consistency boundary: the expected-revision check that
 * makes an append safe also makes its link exact, and independent streams stay independent writes.
 *
 * The link of an append at expected revision n is the hash of the stream's event at revision n. It is
 * taken from the stream's last read when that read ended at n (a command reads its stream just before
 * it appends, so a command costs no extra read), else the stream is read once. The store's own check
 * then guarantees the link: if another writer got in first, the append fails as it would have anyway.
 * 'no_stream' links to nothing (null); 'any' is made exact: the stream's head is read and appended on
 * as an expected revision, again after a lost race, a few times.
 */
import {
  WrongExpectedRevisionError,
  type AllStreamSubscription,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../event-store.port';
import { CHAIN_VERSION, eventHash, type ChainLink } from './canonical';

export interface ChainedEventStoreOptions {
  /** How many streams' last events are remembered from reads and appends (default 2000). */
  cacheSize?: number;
  /** Attempts of an append with expectedRevision 'any' that loses a race to another writer (default 5). */
  anyAttempts?: number;
}

interface Head {
  revision: number;
  /** Computed when first needed: a read that is not followed by an append costs no hash. */
  hash?: string;
  event?: RecordedEvent;
}

/** What a stored event's data and metadata read back as: the stores keep JSON. */
const asStored = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

export class ChainedEventStore implements EventStore {
  private readonly heads = new Map<string, Head>();
  private readonly cacheSize: number;
  private readonly anyAttempts: number;

  constructor(
    private readonly store: EventStore,
    options: ChainedEventStoreOptions = {},
  ) {
    this.cacheSize = Math.max(0, options.cacheSize ?? 2000);
    this.anyAttempts = Math.max(1, options.anyAttempts ?? 5);
  }

  async appendToStream(streamId: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    if (options.expectedRevision !== 'any') return this.appendAt(streamId, events, options.expectedRevision);
    for (let attempt = 1; ; attempt++) {
      const history = await this.readStream(streamId);
      const expected = history.length === 0 ? 'no_stream' : history[history.length - 1].revision;
      try {
        return await this.appendAt(streamId, events, expected);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= this.anyAttempts) throw error;
      }
    }
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    const history = await this.store.readStream(streamId);
    if (history.length > 0) {
      const last = history[history.length - 1];
      this.remember(streamId, { revision: last.revision, event: last });
    } else {
      this.heads.delete(streamId);
    }
    return history;
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return this.store.readAll(options);
  }

  subscribeToAll(options?: SubscribeOptions): AllStreamSubscription {
    return this.store.subscribeToAll(options);
  }

  headPosition(options?: { streamPrefixes?: string[] }): Promise<bigint | undefined> {
    return this.store.headPosition(options);
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private async appendAt(streamId: string, events: NewEvent[], expected: number | 'no_stream'): Promise<AppendResult> {
    let prev = expected === 'no_stream' ? null : await this.hashAt(streamId, expected);
    const first = expected === 'no_stream' ? 0 : expected + 1;
    const stamped = events.map((event, i): NewEvent => {
      const chain: ChainLink = { v: CHAIN_VERSION, prev };
      const metadata = { ...event.metadata, chain };
      prev = eventHash({
        streamId,
        revision: first + i,
        id: event.id,
        type: event.type,
        data: asStored(event.data),
        metadata: asStored(metadata),
      });
      return { ...event, metadata };
    });
    let result: AppendResult;
    try {
      result = await this.store.appendToStream(streamId, stamped, { expectedRevision: expected });
    } catch (error) {
      this.heads.delete(streamId);
      throw error;
    }
    // Revisions as computed (EventStoreDB may place the events after `$` events it hides): else re-read next time.
    if (result.nextExpectedRevision === first + events.length - 1 && prev !== null)
      this.remember(streamId, { revision: result.nextExpectedRevision, hash: prev });
    else this.heads.delete(streamId);
    return result;
  }

  /** Hash of the stream's event at `revision`, or of the last one before it that reads return (`$` events are hidden). */
  private async hashAt(streamId: string, revision: number): Promise<string | null> {
    const head = this.heads.get(streamId);
    if (head && head.revision === revision) {
      head.hash ??= eventHash(head.event as RecordedEvent);
      head.event = undefined;
      return head.hash;
    }
    const history = await this.readStream(streamId);
    for (let i = history.length - 1; i >= 0; i--) if (history[i].revision <= revision) return eventHash(history[i]);
    // Nothing at or before it: the store refuses the append (the stream is not at that revision).
    return null;
  }

  private remember(streamId: string, head: Head): void {
    if (this.cacheSize === 0) return;
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
    if (this.heads.size > this.cacheSize) this.heads.delete(this.heads.keys().next().value as string);
  }
}

/** The store with the hash chain kept on every append (see ChainedEventStore). */
export const chainedEventStore = (store: EventStore, options?: ChainedEventStoreOptions): EventStore =>
  new ChainedEventStore(store, options);
