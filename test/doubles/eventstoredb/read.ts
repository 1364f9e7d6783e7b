/**
 * Streams/Read: one server-streaming RPC that is a finite read or a subscription depending on
 * options.count_option. Reads are answered here; subscriptions are handed to subscribe.ts.
 */
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { EsdbLog, StoredEvent } from './log';
import { eventFilter, type EventFilter } from './filter';
import { subscribe, type SubscriptionConfig } from './subscribe';
import { readEvent, rpcError, streamIdentifier, streamName } from './wire';

type ReadCall = ServerWritableStream<ReadReq, ReadResp>;
const StreamCase = ReadReq.Options.StreamOptionCase;
const Direction = ReadReq.Options.ReadDirection;

export function readHandler(log: EsdbLog, config: SubscriptionConfig) {
  return (call: ReadCall): void => {
    try {
      const options = call.request.getOptions();
      if (!options) throw rpcError(status.INVALID_ARGUMENT, 'Read options are required');
      if (options.hasSubscription()) return subscribe(log, config, call, options);
      const structured = options.getUuidOption()?.hasStructured() ?? false;
      const count = BigInt(options.getCount() || '0');
      const events =
        options.getStreamOptionCase() === StreamCase.STREAM
          ? readStream(log, call, options, count)
          : readAll(log, options, count, eventFilter(options));
      for (const event of events) call.write(readEvent(event, structured));
      call.end();
    } catch (error) {
      call.emit('error', error);
    }
  };
}

function readStream(log: EsdbLog, call: ReadCall, options: ReadReq.Options, count: bigint): StoredEvent[] {
  // The server has no filtered stream read: that combination falls through its dispatch and fails.
  if (options.hasFilter()) throw rpcError(status.UNKNOWN, 'Exception was thrown by handler.');
  const streamOptions = options.getStream()!;
  const name = streamName(streamOptions.getStreamIdentifier());
  const stream = log.stream(name);
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

/** Forwards from a position includes the event at it; backwards returns only events before it. */
function readAll(log: EsdbLog, options: ReadReq.Options, count: bigint, filter: EventFilter): StoredEvent[] {
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
      const at = log.indexAtOrAfter(BigInt(allOptions.getPosition()!.getCommitPosition()));
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
