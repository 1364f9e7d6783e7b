/**
 * Streams/Read: one server-streaming RPC that is a finite read or a subscription depending on
 * options.count_option. Reads are answered here; subscriptions are handed to subscribe.ts.
 */
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { gaveUp, requiresLeader, type DoubleContext } from './context';
import type { StoredEvent } from './log';
import { eventFilter, type EventFilter } from './filter';
import { subscribe } from './subscribe';
import { accessDeniedError, notLeaderError, readEvent, rpcError, streamDeletedError, streamIdentifier, streamName } from './wire';

type ReadCall = ServerWritableStream<ReadReq, ReadResp>;
const StreamCase = ReadReq.Options.StreamOptionCase;
const Direction = ReadReq.Options.ReadDirection;

export function readHandler(ctx: DoubleContext) {
  return (call: ReadCall): void => {
    const options = call.request.getOptions();
    const target = options?.hasSubscription() ? 'subscribe' : 'read';
    ctx.calls[target] += 1;
    ctx.faults.hold(target, () => {
      if (gaveUp(call)) return;
      try {
        if (!options) throw rpcError(status.INVALID_ARGUMENT, 'Read options are required');
        const stream =
          options.getStreamOptionCase() === StreamCase.STREAM ? streamName(options.getStream()!.getStreamIdentifier()) : '$all';
        if (ctx.faults.accessDenied('read', stream)) throw accessDeniedError();
        const leader = ctx.faults.notLeaderFor('read', requiresLeader(call.metadata));
        if (leader) throw notLeaderError(leader);
        if (options.hasSubscription()) return subscribe(ctx, call, options);
        const structured = options.getUuidOption()?.hasStructured() ?? false;
        const count = BigInt(options.getCount() || '0');
        const events =
          options.getStreamOptionCase() === StreamCase.STREAM
            ? readStream(ctx, call, options, count)
            : readAll(ctx, options, count, eventFilter(options));
        for (const event of events) call.write(readEvent(event, structured));
        call.end();
      } catch (error) {
        call.emit('error', error);
      }
    });
  };
}

function readStream(ctx: DoubleContext, call: ReadCall, options: ReadReq.Options, count: bigint): StoredEvent[] {
  // The server has no filtered stream read: that combination falls through its dispatch and fails.
  if (options.hasFilter()) throw rpcError(status.UNKNOWN, 'Exception was thrown by handler.');
  const streamOptions = options.getStream()!;
  const name = streamName(streamOptions.getStreamIdentifier());
  if (ctx.log.isTombstoned(name)) throw streamDeletedError(name);
  const stream = ctx.log.stream(name);
  if (!stream) {
    const notFound = new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name));
    call.write(new ReadResp().setStreamNotFound(notFound));
    return [];
  }
  const RevisionCase = ReadReq.Options.StreamOptions.RevisionOptionCase;
  const last = BigInt(stream.length - 1);
  const backwards = options.getReadDirection() === Direction.BACKWARDS;
  let from: bigint;
  switch (streamOptions.getRevisionOptionCase()) {
    case RevisionCase.START:
      from = 0n;
      break;
    case RevisionCase.END:
      from = backwards ? last : last + 1n;
      break;
    default:
      from = BigInt(streamOptions.getRevision());
  }
  if (!backwards) return stream.slice(Number(from), Number(from + count));
  const top = from > last ? last : from;
  const bottom = top - count + 1n < 0n ? 0n : top - count + 1n;
  return top < 0n ? [] : stream.slice(Number(bottom), Number(top) + 1).reverse();
}

/**
 * Forwards from a position includes the event at it; backwards returns only events before it.
 * Positions are checked as the server's storage reader does (AllReader, TFChunkReader, in an
 * unscavenged chunk):
 * - forwards from past the last record: nothing (AllReader stops at LastIndexedPosition);
 * - backwards from past the writer checkpoint: TryReadPrev throws, answered as an unknown error;
 * - from inside a record: the read lands on garbage (InvalidReadException → InvalidPosition), which
 *   a plain read reports as an unknown error (its enumerator has no case for InvalidPosition).
 */
function readAll(ctx: DoubleContext, options: ReadReq.Options, count: bigint, filter: EventFilter): StoredEvent[] {
  const log = ctx.log;
  const all = log.events;
  const allOptions = options.getAll()!;
  const AllCase = ReadReq.Options.AllOptions.AllOptionCase;
  const backwards = options.getReadDirection() === Direction.BACKWARDS;
  let index: number;
  switch (allOptions.getAllOptionCase()) {
    case AllCase.START:
      index = backwards ? -1 : 0;
      break;
    case AllCase.END:
      index = backwards ? all.length - 1 : all.length;
      break;
    default: {
      const position = BigInt(allOptions.getPosition()!.getCommitPosition());
      if (!backwards && position > log.lastPosition) return [];
      if (backwards && position > log.head) {
        throw unknownReadAllResult(
          ctx,
          'Error',
          `Requested position ${position} is greater than writer checkpoint ${log.head} when requesting to read previous record from TF.`,
        );
      }
      if (!log.isBoundary(position)) {
        throw unknownReadAllResult(
          ctx,
          'InvalidPosition',
          `Error while reading log record ${backwards ? 'backwards' : 'forwards'} at actual position ${position}.`,
        );
      }
      const at = log.indexAtOrAfter(position);
      index = backwards ? at - 1 : at;
    }
  }
  const out: StoredEvent[] = [];
  const step = backwards ? -1 : 1;
  for (; index >= 0 && index < all.length && BigInt(out.length) < count; index += step) {
    if (filter.matches(all[index])) out.push(all[index]);
  }
  return out;
}

/** ReadResponseException.UnknownError → RpcExceptions.UnknownError; 25.x adds the reader's message. */
function unknownReadAllResult(ctx: DoubleContext, result: string, message: string) {
  return rpcError(
    status.UNKNOWN,
    ctx.major >= 25 ? `Unexpected ReadAllResult: ${result} >> ${message}` : `Unexpected ReadAllResult: ${result}`,
  );
}
