import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  NO_STREAM,
  START,
  StreamNotFoundError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
} from '@eventstore/db-client';
import type {
  AllStreamSubscription,
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../event-store.port';
import { closedError, isSystemEvent, matchesPrefixes, toRecordedEvent, toStoreError } from './eventstoredb-errors';
import { EventStoreDBSubscription } from './eventstoredb-subscription';

export interface EventStoreDBEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false`. Ignored when `client` is given. */
  url?: string;
  /** An existing client; the store then does not dispose it on close. */
  client?: EventStoreDBClient;
  /** Events per gRPC read in readAll: bounds memory, not results. */
  pageSize?: number;
}

/**
 * The EventStore port on EventStoreDB. Streams are named as the caller gives them; events are JSON
 * with the port's metadata as EventStoreDB custom metadata; positions are commit positions.
 */
export class EventStoreDBEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly ownsClient: boolean;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<EventStoreDBSubscription>();
  private closed = false;

  static connect(url: string, options: Omit<EventStoreDBEventStoreOptions, 'url' | 'client'> = {}): EventStoreDBEventStore {
    return new EventStoreDBEventStore({ ...options, url });
  }

  constructor(options: EventStoreDBEventStoreOptions) {
    if (!options.client && !options.url) throw new TypeError('EventStoreDBEventStore needs a url or a client');
    this.client = options.client ?? EventStoreDBClient.connectionString(options.url!);
    this.ownsClient = !options.client;
    this.pageSize = Math.max(1, options.pageSize ?? 500);
  }

  async appendToStream(streamId: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    this.assertOpen();
    // An empty append has no position to report; it is always a caller bug (as in the SQLite adapter).
    if (events.length === 0) throw new RangeError(`append to ${streamId}: no events`);
    // The client serialises inside its send loop, where a throw leaves the call half-sent until the
    // deadline; failing here keeps the batch atomic and the error immediate.
    for (const e of events) JSON.stringify([e.data, e.metadata]);
    const expected = options.expectedRevision;
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
        { expectedRevision: toClientRevision(expected) },
      );
      if (!result.position) throw new TypeError(`append to ${streamId}: server returned no position`);
      return { nextExpectedRevision: Number(result.nextExpectedRevision), position: result.position.commit };
    } catch (err) {
      throw toStoreError(err, { streamId, expected });
    }
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    this.assertOpen();
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId)) events.push(toRecordedEvent(resolved));
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw toStoreError(err);
    }
    return events;
  }

  /**
   * Pages through $all with plain reads: client 6.x cannot send a filter on readAll (only on
   * subscriptions), so prefixes and system events are filtered here. Bounded by the head read first,
   * so it is a finite read even while writers keep appending.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (remaining <= 0) return;
    const head = await this.lastPosition();
    if (head === null) return;
    let cursor = options.after;
    for (;;) {
      // Reading from a position includes the event at it, so each page after the first re-reads the
      // cursor event and skips it: the port's `after` is exclusive.
      const page = await this.readPage(cursor);
      let advanced = false;
      for (const resolved of page) {
        const event = resolved.event;
        const position = event?.position?.commit ?? resolved.commitPosition;
        if (!event || position === undefined || (cursor !== undefined && position <= cursor)) continue;
        if (position > head) return;
        cursor = position;
        advanced = true;
        if (isSystemEvent(event) || !matchesPrefixes(event.streamId, options.streamPrefixes)) continue;
        yield toRecordedEvent(resolved);
        if (--remaining <= 0) return;
      }
      if (page.length < this.pageSize || !advanced) return;
    }
  }

  /**
   * Pages backwards from the end of $all until an event of a matching stream (client-side filter,
   * as in readAll; system events never match). The newest events are nearly always key events.
   */
  async headPosition(options: { streamPrefixes?: string[] } = {}): Promise<bigint | undefined> {
    this.assertOpen();
    let from: typeof END | { commit: bigint; prepare: bigint } = END;
    for (;;) {
      const page: AllStreamResolvedEvent[] = [];
      try {
        for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: this.pageSize }))
          page.push(resolved);
      } catch (err) {
        throw toStoreError(err);
      }
      for (const resolved of page) {
        const event = resolved.event;
        if (event && !isSystemEvent(event) && matchesPrefixes(event.streamId, options.streamPrefixes)) {
          return event.position?.commit ?? resolved.commitPosition;
        }
      }
      const last = page[page.length - 1];
      const position =
        last?.event?.position ??
        (last?.commitPosition !== undefined ? { commit: last.commitPosition, prepare: last.commitPosition } : undefined);
      if (page.length < this.pageSize || !position) return undefined;
      from = { commit: position.commit, prepare: position.prepare };
    }
  }

  subscribeToAll(options: SubscribeOptions = {}): AllStreamSubscription {
    this.assertOpen();
    const sub = new EventStoreDBSubscription(this.client, options, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    if (this.ownsClient) await this.client.dispose();
  }

  private async readPage(after: bigint | undefined): Promise<AllStreamResolvedEvent[]> {
    const page: AllStreamResolvedEvent[] = [];
    try {
      const fromPosition = after === undefined ? START : { commit: after, prepare: after };
      for await (const resolved of this.client.readAll({ fromPosition, maxCount: this.pageSize })) page.push(resolved);
    } catch (err) {
      throw toStoreError(err);
    }
    return page;
  }

  private async lastPosition(): Promise<bigint | null> {
    let head: bigint | null = null;
    try {
      // Drained rather than left with `return`: a client read stream abandoned mid-way never
      // finishes, and client.dispose() waits for every stream to finish.
      for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) {
        head = resolved.event?.position?.commit ?? resolved.commitPosition ?? null;
      }
    } catch (err) {
      throw toStoreError(err);
    }
    return head;
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }
}

function toClientRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  return BigInt(expected);
}
