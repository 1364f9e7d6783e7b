/**
 * Streams/Read with count_option = subscription, shaped like the server's AllSubscription,
 * AllSubscriptionFiltered and StreamSubscription enumerators (23.10+): confirmation; then, unless the
 * start is already at or past the last record, a catch-up read from the start; caught_up; live.
 *
 * - The start is exclusive: events at or before it are never sent, live ones included — so a start
 *   beyond the head is confirmed and caught up at once, and the events up to it are skipped silently.
 * - A $all start inside a record (not a boundary) before the last record fails the catch-up read:
 *   InvalidArgument "Trying to read from an invalid position.", after the confirmation.
 * - Filtered $all: checkpoints every checkpointInterval considered events, one when going live, one
 *   when falling behind (as 24.10/25.x do).
 * - Falling behind (faults.fallBehind(): the live buffer dropped events) re-reads the log from the
 *   last position sent and sends caught_up again.
 * - A stream subscription fails with StreamDeleted when the stream is (or gets) tombstoned.
 */
import { randomUUID } from 'node:crypto';
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { DoubleContext } from './context';
import { TOMBSTONE_REVISION, TOMBSTONE_TYPE, type StoredEvent } from './log';
import { eventFilter, type EventFilter } from './filter';
import { readEvent, rpcError, streamDeletedError, streamName } from './wire';

type ReadCall = ServerWritableStream<ReadReq, ReadResp>;

interface Source {
  /** Events after `checkpoint` (all of them for null), as the catch-up read returns them; throws
   *  the read's error. */
  after(checkpoint: bigint | null): StoredEvent[];
  /** The subscription's order key: commit position for $all, revision for a stream. */
  key(event: StoredEvent): bigint;
  /** The server's "caught up" mark at subscribe time (LastIndexedPosition / last event number). */
  last(): bigint | null;
  /** Live events of this source at all (a stream subscription sees only its stream). */
  belongs(event: StoredEvent): boolean;
  filter: EventFilter;
  filtered: boolean;
  stream?: string;
}

export function subscribe(ctx: DoubleContext, call: ReadCall, options: ReadReq.Options): void {
  if (options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS) {
    throw rpcError(status.UNKNOWN, 'Exception was thrown by handler.');
  }
  const structured = options.getUuidOption()?.hasStructured() ?? false;
  const isStream = options.getStreamOptionCase() === ReadReq.Options.StreamOptionCase.STREAM;
  const { source, start } = isStream ? streamSource(ctx, options) : allSource(ctx, options);
  const { filter } = source;

  let open = true;
  /** The key of the last event (or checkpoint) sent: everything at or before it is done. */
  let checkpoint: bigint | null = start;
  let considered = 0;
  let fallBehind = false;

  const send = (resp: ReadResp) => {
    if (open && !call.cancelled) call.write(resp);
  };
  const sendCheckpoint = (position: bigint | null) => {
    if (!source.filtered || position === null) return;
    send(
      new ReadResp().setCheckpoint(
        new ReadResp.Checkpoint().setCommitPosition(position.toString()).setPreparePosition(position.toString()),
      ),
    );
  };
  const caughtUp = () => {
    if (ctx.sendCaughtUp) send(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
  };
  const fail = (error: Error) => {
    if (!open) return;
    close();
    call.emit('error', error);
  };

  /** Pages of `window` considered events; a checkpoint after a page once the interval is reached, at
   *  the last matching event of the page (or where the page started); one more when going live. */
  const catchUp = () => {
    const history = source.after(checkpoint);
    let pageStart: bigint | null = null;
    for (let start = 0; start < history.length; start += filter.window) {
      const page = history.slice(start, start + filter.window);
      pageStart = source.key(page[0]);
      let checkpointAt = pageStart;
      for (const event of page) {
        if (!filter.matches(event)) continue;
        if (source.stream !== undefined && event.type === TOMBSTONE_TYPE) throw streamDeletedError(source.stream);
        send(readEvent(event, structured));
        checkpoint = checkpointAt = source.key(event);
      }
      considered += page.length;
      const last = start + filter.window >= history.length;
      if (!last && considered >= filter.checkpointInterval) {
        considered %= filter.checkpointInterval;
        sendCheckpoint(checkpointAt);
      }
    }
    if (pageStart !== null && (checkpoint === null || checkpoint < pageStart)) checkpoint = pageStart;
    sendCheckpoint(checkpoint);
  };

  const onLive = (event: StoredEvent) => {
    if (!open || !source.belongs(event)) return;
    const key = source.key(event);
    if (checkpoint !== null && key <= checkpoint) return;
    try {
      if (fallBehind) {
        fallBehind = false;
        sendCheckpoint(checkpoint);
        catchUp();
        caughtUp();
        return;
      }
      if (source.stream !== undefined && event.type === TOMBSTONE_TYPE) throw streamDeletedError(source.stream);
      considered += 1;
      if (filter.matches(event)) {
        send(readEvent(event, structured));
        checkpoint = key;
      }
      if (considered >= filter.checkpointInterval) {
        considered = 0;
        sendCheckpoint(key);
        checkpoint = key;
      }
    } catch (error) {
      fail(error as Error);
    }
  };

  // Registered in the same tick as the catch-up read: appends are synchronous in the log, so no
  // event can fall between the two or be delivered twice.
  const detach = ctx.log.onAppended((event) => ctx.faults.hold('subscribe', () => onLive(event)));
  const disarm = ctx.faults.onFallBehind(() => (fallBehind = true));
  const close = () => {
    if (!open) return;
    open = false;
    detach();
    disarm();
    ctx.live.delete(close);
  };
  ctx.live.add(close);
  call.on('cancelled', close);
  call.on('close', close);
  call.on('error', close);

  send(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));
  try {
    const last = source.last();
    const atOrPastLast = checkpoint !== null && last !== null && checkpoint >= last;
    if (!atOrPastLast) catchUp();
    caughtUp();
  } catch (error) {
    fail(error as Error);
  }
}

function streamSource(ctx: DoubleContext, options: ReadReq.Options): { source: Source; start: bigint | null } {
  if (options.hasFilter()) throw rpcError(status.UNKNOWN, 'Exception was thrown by handler.');
  const streamOptions = options.getStream()!;
  const name = streamName(streamOptions.getStreamIdentifier());
  const events = () => ctx.log.stream(name) ?? [];
  const last = () => {
    if (ctx.log.isTombstoned(name)) return TOMBSTONE_REVISION;
    const stream = events();
    return stream.length > 0 ? stream[stream.length - 1].revision : null;
  };
  const RevisionCase = ReadReq.Options.StreamOptions.RevisionOptionCase;
  let start: bigint | null;
  switch (streamOptions.getRevisionOptionCase()) {
    case RevisionCase.START:
      start = null;
      break;
    case RevisionCase.END:
      start = last();
      break;
    default:
      // A subscription's revision is a checkpoint: it starts after that event.
      start = BigInt(streamOptions.getRevision());
  }
  const source: Source = {
    after(checkpoint) {
      if (ctx.log.isTombstoned(name)) throw streamDeletedError(name);
      const from = checkpoint === null ? 0 : Number(checkpoint) + 1;
      return events().slice(from);
    },
    key: (event) => event.revision,
    last,
    belongs: (event) => event.streamId === name,
    filter: { matches: () => true, window: 32, checkpointInterval: Infinity },
    filtered: false,
    stream: name,
  };
  return { source, start };
}

function allSource(ctx: DoubleContext, options: ReadReq.Options): { source: Source; start: bigint | null } {
  const filter = eventFilter(options);
  const allOptions = options.getAll()!;
  const AllCase = ReadReq.Options.AllOptions.AllOptionCase;
  let start: bigint | null;
  switch (allOptions.getAllOptionCase()) {
    case AllCase.START:
      start = null;
      break;
    case AllCase.END:
      start = ctx.log.lastPosition;
      break;
    default:
      start = BigInt(allOptions.getPosition()!.getCommitPosition());
  }
  const source: Source = {
    after(checkpoint) {
      if (checkpoint === null) return [...ctx.log.events];
      if (!ctx.log.isBoundary(checkpoint)) throw rpcError(status.INVALID_ARGUMENT, 'Trying to read from an invalid position.');
      // Exclusive, like the server (it reads the event at the position and skips it).
      return ctx.log.events.slice(ctx.log.indexAtOrAfter(checkpoint + 1n));
    },
    key: (event) => event.position,
    last: () => (ctx.log.events.length > 0 ? ctx.log.lastPosition : null),
    belongs: () => true,
    filter,
    filtered: options.hasFilter(),
  };
  return { source, start };
}
