import {
  START,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription as ClientSubscription,
  type Filter,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, InvalidCheckpointError, type RecordedEvent, type SubscribeOptions } from '../event-store.port';
import { DONE, PulledSubscription } from '../pulled-subscription';
import type { ClientHolder } from './eventstoredb-client';
import { isInvalidPosition, isSystemEvent, matchesPrefixes, toRecordedEvent, toStoreError } from './eventstoredb-errors';

/** Marks, in delivery order, the point where every event stored at subscribe time is queued before it. */
const CAUGHT_UP = Symbol('caught-up');
/** Pause the gRPC stream above this many undelivered events, resume below the low mark. */
const HIGH_WATER = 1_000;
const LOW_WATER = 100;

/** What a subscription needs from its store (EventStoreDBEventStore). */
export interface SubscriptionSupport {
  clients(): ClientHolder;
  /** The bound on the subscription's start: its checkpoint check, then the server's confirmation. */
  timeoutMs(): number;
  /** Throws InvalidCheckpointError when `after` is not a position of this store. */
  validate(after: bigint): Promise<void>;
  /** Whether the server sends caught_up (23.10+); when it does, no head is scanned for. */
  sendsCaughtUp(): Promise<boolean>;
  /** This subscription got caught_up from the server. */
  sawCaughtUp(): void;
  /** The last wanted event's position (null: none after `after`; undefined: `stop` said never mind). */
  lastWanted(options: SubscribeOptions, stop: () => boolean): Promise<bigint | null | undefined>;
}

/**
 * Wraps the client's push-based catch-up subscription in the port's pull-based one. Events are
 * queued as the client emits them; `caughtUp` settles when the consumer comes back for more after
 * the last event that was stored when subscribing (the SQLite adapter's meaning, so both behave the
 * same under the conformance suite).
 *
 * Start: the checkpoint is checked first (a position of another store fails with
 * InvalidCheckpointError instead of an endless INVALID_ARGUMENT, or events silently skipped), then
 * the server must confirm the subscription within the call bound, else it fails retryable (a stuck
 * node would leave caughtUp pending forever).
 *
 * "Stored when subscribing" comes from the server's caught_up message (EventStoreDB 23.10+). Older
 * servers never send it: for them only, the head of $all is also read at subscribe time and an
 * event or checkpoint at or past it counts as caught up too. Servers known to send caught_up (by
 * version, or because an earlier subscription got it) are not scanned for a head: that scan can
 * cover the whole log when no wanted event is near its end.
 */
export class EventStoreDBSubscription extends PulledSubscription {
  private raw?: ClientSubscription;
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
  private confirmed = false;
  private confirmTimer?: NodeJS.Timeout;
  private unregister?: () => void;
  private wake?: () => void;

  constructor(
    private readonly support: SubscriptionSupport,
    private readonly options: SubscribeOptions,
    private readonly onClose: (sub: EventStoreDBSubscription) => void,
    /** Each event or checkpoint the server sends, wanted or not: what a bounded read counts as progress. */
    private readonly onProgress: () => void = () => undefined,
  ) {
    super();
    void this.open();
  }

  override async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (this.queue[0] === CAUGHT_UP) this.settleCaughtUp();
      else this.settleCaughtUp(new Error('subscription closed before catching up'));
      this.detach();
      this.onClose(this);
      this.wake?.();
      await this.raw?.unsubscribe().catch(() => undefined);
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
        if (this.queue.length < LOW_WATER && this.raw?.isPaused()) this.raw.resume();
        return { done: false, value: next };
      }
      if (this.failure !== undefined) throw this.failure.error;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  private async open(): Promise<void> {
    const { after, streamPrefixes } = this.options;
    try {
      if (after !== undefined) await this.support.validate(after);
    } catch (err) {
      return this.fail(toStoreError(err));
    }
    if (this.closed || this.failure !== undefined) return;

    const clients = this.support.clients();
    const generation = clients.current;
    // A replaced client cancels its calls, and the client swallows its own cancellations: say so here.
    this.unregister = generation.onRetire(() =>
      this.fail(new EventStoreUnavailableError('EventStoreDB: the subscription was cut off: its client was replaced', true)),
    );
    const checkpointReached = (_: unknown, position: { commit: bigint }) => this.onCheckpoint(position.commit);
    // Server-side filtering keeps system traffic ($stats every few seconds) off the wire; the same
    // checks run again client-side because a prefix filter does not exclude `$` event types.
    const filter: Filter =
      streamPrefixes && streamPrefixes.length > 0
        ? streamNameFilter({ prefixes: streamPrefixes, checkpointReached })
        : excludeSystemEvents({ checkpointReached });
    const raw = generation.client.subscribeToAll({ fromPosition: after === undefined ? START : { commit: after, prepare: after }, filter });
    this.raw = raw;
    const timeoutMs = this.support.timeoutMs();
    this.confirmTimer = setTimeout(() => {
      if (this.confirmed) return;
      const error = new EventStoreUnavailableError(
        `EventStoreDB: the subscription was not confirmed within ${timeoutMs} ms (EVENTSTORE_TIMEOUT_MS); cancelled`,
        true,
      );
      clients.noteFailure(generation, 'subscribe', error);
      this.fail(error);
    }, timeoutMs);
    raw.on('confirmation', () => {
      this.confirmed = true;
      clearTimeout(this.confirmTimer);
    });
    raw.on('data', (resolved: AllStreamResolvedEvent) => this.onEvent(resolved));
    raw.on('caughtUp', () => {
      this.support.sawCaughtUp();
      this.markCaughtUpAfterBuffered();
    });
    raw.on('error', (err) => {
      clients.noteFailure(generation, 'subscription', err);
      this.fail(isInvalidPosition(err) && after !== undefined ? invalidPosition(after) : toStoreError(err));
    });
    raw.on('end', () => this.fail(new EventStoreUnavailableError('EventStoreDB ended the subscription', true)));
    // A closed or failed subscription has nothing to wait for; a server that sends caught_up needs no head.
    if (this.closed || this.failure !== undefined) return void raw.unsubscribe().catch(() => undefined);
    if (!(await this.support.sendsCaughtUp())) void this.readHead();
  }

  private onEvent(resolved: AllStreamResolvedEvent): void {
    this.received++;
    this.onProgress();
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
    if (this.queue.length >= HIGH_WATER) this.raw?.pause();
    this.wake?.();
  }

  private wanted(event: { streamId: string; type: string }, position: bigint | undefined): boolean {
    const { after, streamPrefixes } = this.options;
    // The server already starts after `after`; checked again so a server that reads from the
    // position inclusively cannot deliver the checkpoint event twice.
    if (after !== undefined && position !== undefined && position <= after) return false;
    return !isSystemEvent(event) && matchesPrefixes(event.streamId, streamPrefixes);
  }

  /** The client emits caughtUp (and calls checkpointReached) while earlier events may still sit in
   *  its readable buffer, so the marker goes after those. */
  private markCaughtUpAfterBuffered(): void {
    if (this.markerQueued) return;
    const at = this.received + (this.raw?.readableLength ?? 0);
    if (at <= this.received) this.queueMarker();
    else this.markerAt = Math.min(this.markerAt ?? at, at);
  }

  private onCheckpoint(position: bigint): void {
    this.onProgress();
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
      const head = await this.support.lastWanted(this.options, () => this.markerQueued || this.closed || this.failure !== undefined);
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
    this.detach();
    this.onClose(this);
    void this.raw?.unsubscribe().catch(() => undefined);
    this.wake?.();
  }

  private detach(): void {
    clearTimeout(this.confirmTimer);
    this.unregister?.();
    this.unregister = undefined;
  }
}

function invalidPosition(after: bigint): InvalidCheckpointError {
  return new InvalidCheckpointError(after, 'not-an-event', 'the server refused to read from it: no event starts there');
}
