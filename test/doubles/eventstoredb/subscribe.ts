/**
 * Streams/Read with count_option = subscription: confirmation, catch-up, caught_up, then live
 * events, the order EventStoreDB (23.10+) sends them in. Checkpoints only for filtered $all.
 */
import { randomUUID } from 'node:crypto';
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { EsdbLog, StoredEvent } from './log';
import { eventFilter } from './filter';
import { readEvent, rpcError, streamName } from './wire';

type ReadCall = ServerWritableStream<ReadReq, ReadResp>;

export interface SubscriptionConfig {
  /** Each open subscription's close, so stopping a server can detach them from the log it outlives. */
  live: Set<() => void>;
  /** false behaves like servers before 23.10, which never send caught_up. */
  sendCaughtUp: boolean;
}

export function subscribe(log: EsdbLog, config: SubscriptionConfig, call: ReadCall, options: ReadReq.Options): void {
  if (options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS) {
    throw rpcError(status.UNKNOWN, 'Exception was thrown by handler.');
  }
  const structured = options.getUuidOption()?.hasStructured() ?? false;
  const { history, matches, filter } =
    options.getStreamOptionCase() === ReadReq.Options.StreamOptionCase.STREAM ? streamSource(log, options) : allSource(log, options);

  let open = true;
  const send = (resp: ReadResp) => {
    if (open) call.write(resp);
  };
  const checkpoint = (position: bigint) =>
    send(new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(position.toString()).setPreparePosition(position.toString())));

  send(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));

  // Catch-up in pages of `window` considered events; a checkpoint after a page once the interval is
  // reached, at the last matching event of the page (or where the page started). No checkpoint for
  // the final page: the server goes live instead.
  let considered = 0;
  for (let start = 0; start < history.length; start += filter.window) {
    const page = history.slice(start, start + filter.window);
    let checkpointAt = page[0].position;
    for (const event of page) {
      if (!matches(event)) continue;
      send(readEvent(event, structured));
      checkpointAt = event.position;
    }
    considered += page.length;
    const last = start + filter.window >= history.length;
    if (!last && considered >= filter.checkpointInterval) {
      considered %= filter.checkpointInterval;
      checkpoint(checkpointAt);
    }
  }
  if (config.sendCaughtUp) send(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));

  // Registered in the same tick as the history snapshot: appends are synchronous in the log, so no
  // event can fall between the two or be delivered twice.
  const detach = log.onAppended((event) => {
    if (options.getStreamOptionCase() === ReadReq.Options.StreamOptionCase.STREAM && !matches(event)) return;
    considered += 1;
    if (matches(event)) send(readEvent(event, structured));
    if (considered >= filter.checkpointInterval) {
      considered = 0;
      checkpoint(event.position);
    }
  });
  const close = () => {
    if (!open) return;
    open = false;
    detach();
    config.live.delete(close);
  };
  config.live.add(close);
  call.on('cancelled', close);
  call.on('close', close);
  call.on('error', close);
}

function streamSource(log: EsdbLog, options: ReadReq.Options) {
  if (options.hasFilter()) throw rpcError(status.UNKNOWN, 'Exception was thrown by handler.');
  const streamOptions = options.getStream()!;
  const name = streamName(streamOptions.getStreamIdentifier());
  const stream = log.stream(name) ?? [];
  const RevisionCase = ReadReq.Options.StreamOptions.RevisionOptionCase;
  let from: number;
  switch (streamOptions.getRevisionOptionCase()) {
    case RevisionCase.START:
      from = 0;
      break;
    case RevisionCase.END:
      from = stream.length;
      break;
    default:
      // A subscription's revision is a checkpoint: it starts after that event.
      from = Number(streamOptions.getRevision()) + 1;
  }
  const matches = (event: StoredEvent) => event.streamId === name;
  return { history: stream.slice(from), matches, filter: { window: 32, checkpointInterval: Infinity } };
}

function allSource(log: EsdbLog, options: ReadReq.Options) {
  const filter = eventFilter(options);
  const allOptions = options.getAll()!;
  const AllCase = ReadReq.Options.AllOptions.AllOptionCase;
  let from: number;
  switch (allOptions.getAllOptionCase()) {
    case AllCase.START:
      from = 0;
      break;
    case AllCase.END:
      from = log.events.length;
      break;
    default:
      // Exclusive, like the server (it reads one event at the position and starts after it).
      from = log.indexAtOrAfter(BigInt(allOptions.getPosition()!.getCommitPosition()) + 1n);
  }
  return { history: log.events.slice(from), matches: (event: StoredEvent) => filter.matches(event), filter };
}
