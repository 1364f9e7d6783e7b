import {
  BACKWARDS,
  END,
  START,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription as ClientSubscription,
  type EventStoreDBClient,
  type Filter,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, type RecordedEvent, type SubscribeOptions } from '../event-store.port';
import { DONE, PulledSubscription } from '../pulled-subscription';
import { isSystemEvent, matchesPrefixes, toRecordedEvent, toStoreError } from './eventstoredb-errors';

/** Marks, in delivery order, the point where every event stored at subscribe time is queued before it. */
const CAUGHT_UP = Symbol('caught-up');
/** Pause the gRPC stream above this many undelivered events, resume below the low mark. */
const HIGH_WATER = 1_000;
const LOW_WATER = 100;

/**
 * Wraps the client's push-based catch-up subscription in the port's pull-based one. Events are
 * queued as the client emits them; `caughtUp` settles when the consumer comes back for more after
 * the last event that was stored when subscribing (the SQLite adapter's meaning, so both behave the
 * same under the conformance suite).
 *
 * "Stored when subscribing" comes from the server's caught_up message (EventStoreDB 23.10+). Older
 * servers never send it, so the head of $all is also read at subscribe time and an event or
 * checkpoint at or past it counts as caught up too. Whichever comes first wins; both are safe.
 */
export class EventStoreDBSubscription extends PulledSubscription {
  private readonly raw: ClientSubscription;
  private readonly queue: (RecordedEvent | typeof CAUGHT_UP)[] = [];
  /** Events the client has emitted to us; the caught-up marker is placed by this count. */
  private received = 0;
  private markerAt?: number;
  private markerQueued = false;
  private handedOut = 0;
  private highestSeen = -1n;
  private head?: bigint | null;
  /** Boxed, so that even a thrown `undefined` counts as a failure. */
  private failure?: { error: unknown };
  private closed = false;
  private wake?: () => void;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: SubscribeOptions,
    private readonly onClose: (sub: EventStoreDBSubscription) => void,
  ) {
    super();

    const { after, streamPrefixes } = options;
    const checkpointReached = (_: unknown, position: { commit: bigint }) => this.onCheckpoint(position.commit);
    // Server-side filtering keeps system traffic ($stats every few seconds) off the wire; the same
    // checks run again client-side because a prefix filter does not exclude `$` event types.
    const filter: Filter =
      streamPrefixes && streamPrefixes.length > 0
        ? streamNameFilter({ prefixes: streamPrefixes, checkpointReached })
        : excludeSystemEvents({ checkpointReached });
    this.raw = client.subscribeToAll({ fromPosition: after === undefined ? START : { commit: after, prepare: after }, filter });
    this.raw.on('data', (resolved: AllStreamResolvedEvent) => this.onEvent(resolved));
    this.raw.on('caughtUp', () => this.markCaughtUpAfterBuffered());
    this.raw.on('error', (err) => this.fail(toStoreError(err)));
    this.raw.on('end', () => this.fail(new EventStoreUnavailableError('EventStoreDB ended the subscription', true)));
    void this.readHead();
  }

  override async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (this.queue[0] === CAUGHT_UP) this.settleCaughtUp();
      else this.settleCaughtUp(new Error('subscription closed before catching up'));
      this.onClose(this);
      this.wake?.();
      await this.raw.unsubscribe().catch(() => undefined);
    }
    await this.pullInProgress;
  }

  protected async pull(): Promise<IteratorResult<RecordedEvent>> {
    for (;;) {
      // Reached when the consumer comes back for more, i.e. after it handled the last stored event.
      while (this.queue[0] === CAUGHT_UP) {
        this.queue.shift();
        this.settleCaughtUp();
      }
      if (this.closed) return DONE;
      const next = this.queue.shift();
      if (next !== undefined && next !== CAUGHT_UP) {
        this.handedOut++;
        if (this.queue.length < LOW_WATER && this.raw.isPaused()) this.raw.resume();
        return { done: false, value: next };
      }
      if (this.failure !== undefined) throw this.failure.error;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  private onEvent(resolved: AllStreamResolvedEvent): void {
    this.received++;
    if (this.closed || this.failure !== undefined) return;
    const position = resolved.event?.position?.commit ?? resolved.commitPosition;
    if (position !== undefined && position > this.highestSeen) this.highestSeen = position;
    const event = resolved.event;
    if (event && this.wanted(event, position)) {
      try {
        this.queue.push(toRecordedEvent(resolved));
      } catch (err) {
        return this.fail(err);
      }
    }
    if (this.markerAt !== undefined && this.received >= this.markerAt) this.queueMarker();
    else if (this.head != null && this.highestSeen >= this.head) this.queueMarker();
    if (this.queue.length >= HIGH_WATER) this.raw.pause();
    this.wake?.();
  }

  private wanted(event: { streamId: string; type: string }, position: bigint | undefined): boolean {
    const { after, streamPrefixes } = this.options;
    // The server already starts after `after`; checked again so a server that reads from the
    // position inclusively cannot deliver the checkpoint event twice.
    if (after !== undefined && position !== undefined && position <= after) return false;
    return wanted(event, streamPrefixes);
  }

  /** The client emits caughtUp (and calls checkpointReached) while earlier events may still sit in
   *  its readable buffer, so the marker goes after those. */
  private markCaughtUpAfterBuffered(): void {
    if (this.markerQueued) return;
    const at = this.received + this.raw.readableLength;
    if (at <= this.received) this.queueMarker();
    else this.markerAt = Math.min(this.markerAt ?? at, at);
  }

  private onCheckpoint(position: bigint): void {
    if (this.head != null && position >= this.head) this.markCaughtUpAfterBuffered();
  }

  private queueMarker(): void {
    if (this.markerQueued) return;
    this.markerQueued = true;
    // Nothing was ever there to deliver: caught up without the consumer having to pull.
    if (this.queue.length === 0 && this.handedOut === 0) return this.settleCaughtUp();
    this.queue.push(CAUGHT_UP);
    this.wake?.();
  }

  /** The fallback for servers without caught_up: the last wanted event stored at subscribe time. */
  private async readHead(): Promise<void> {
    try {
      const head = await lastWantedPosition(
        this.client,
        this.options,
        () => this.markerQueued || this.closed || this.failure !== undefined,
      );
      if (head === undefined) return;
      this.head = head;
      if (head === null || this.highestSeen >= head) this.markCaughtUpAfterBuffered();
    } catch {
      // The subscription reports outages itself; without a head only the server's signal counts.
    }
  }

  private fail(err: unknown): void {
    if (this.closed || this.failure !== undefined) return;
    this.failure = { error: err };
    this.settleCaughtUp(err);
    this.onClose(this);
    void this.raw.unsubscribe().catch(() => undefined);
    this.wake?.();
  }
}

function wanted(event: { streamId: string; type: string }, prefixes: string[] | undefined): boolean {
  return !isSystemEvent(event) && matchesPrefixes(event.streamId, prefixes);
}

/**
 * Scans $all backwards from the end for the last event the subscription would deliver: the last
 * event overall may be one it filters out (a $stats event, another prefix), and then only this tells
 * "caught up" apart from "waiting". null when there is none after `after`; undefined when `stop`
 * says the answer is no longer needed (the server's own signal came first).
 */
async function lastWantedPosition(
  client: EventStoreDBClient,
  options: SubscribeOptions,
  stop: () => boolean,
): Promise<bigint | null | undefined> {
  const pageSize = 200;
  let from: typeof END | { commit: bigint; prepare: bigint } = END;
  for (;;) {
    let last: bigint | undefined;
    // Whole pages: a client read stream left early never finishes, which hangs client.dispose().
    const page: AllStreamResolvedEvent[] = [];
    for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: pageSize })) page.push(resolved);
    for (const resolved of page) {
      const event = resolved.event;
      const position = event?.position?.commit ?? resolved.commitPosition;
      if (position === undefined) continue;
      if (options.after !== undefined && position <= options.after) return null;
      if (event && wanted(event, options.streamPrefixes)) return position;
      last = position;
    }
    if (page.length < pageSize || last === undefined) return null;
    if (stop()) return undefined;
    from = { commit: last, prepare: last };
  }
}
