/**
 * Streams/BatchAppend, as Streams.BatchAppend.cs (24.10–25.1) handles it: one long-lived
 * bidirectional call carrying any number of appends, each identified by its correlation id.
 *
 * - The first message of a batch carries the options (stream, expected revision, deadline); later
 *   messages with the same correlation id add `proposed_messages`; `is_final` ends the batch, which
 *   is then written as one atomic append. Batches of different correlation ids interleave freely.
 * - A batch not completed within min(its deadline, the node's WriteTimeoutMs) is answered Timeout
 *   (and its later messages ignored); a deadline already past answers Timeout at once.
 * - Every answer carries the correlation id and the stream; success carries the current revision
 *   and position, errors are a google.rpc.Status with a typed detail (WrongExpectedVersion with the
 *   actual revision, StreamDeleted, AccessDenied, Timeout, MaximumAppendSizeExceeded, BadRequest).
 * - NotLeader is not an answer: the server throws it inside the write's callback, which fails the
 *   whole call (every batch waiting on it) with the not-leader status and the leader's address.
 * - Messages for a correlation id with no open batch (never opened, already timed out) are
 *   dropped without an answer, as the server does.
 */
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import { BatchAppendReq, BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import {
  AccessDenied,
  AllStreamPosition,
  BadRequest,
  MaximumAppendSizeExceeded,
  StreamDeleted,
  Timeout,
  UUID,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Empty as ProtoEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { MAX_APPEND_SIZE, proposedEvents } from './append';
import { requiresLeader, type DoubleContext } from './context';
import type { ExpectedState, ProposedEvent } from './log';
import { notLeaderError, parseUuid, rpcStatus, streamIdentifier, streamName } from './wire';
import { write } from './write';

type Call = ServerDuplexStream<BatchAppendReq, BatchAppendResp>;

interface Batch {
  stream: string;
  expected: ExpectedState;
  events: ProposedEvent[];
  timer: NodeJS.Timeout;
}

export function batchAppendHandler(ctx: DoubleContext) {
  return (call: Call): void => {
    ctx.calls.batchAppend += 1;
    const leaderRequired = requiresLeader(call.metadata);
    const open = new Map<string, Batch>();
    let finished = false;
    let clientDone = false;

    const close = () => {
      finished = true;
      for (const batch of open.values()) clearTimeout(batch.timer);
      open.clear();
      ctx.live.delete(close);
    };
    ctx.live.add(close);
    const answer = (correlation: UUID | undefined, stream: string, fill: (resp: BatchAppendResp) => void) => {
      if (finished || call.cancelled) return;
      const resp = new BatchAppendResp().setCorrelationId(correlation).setStreamIdentifier(streamIdentifier(stream));
      fill(resp);
      call.write(resp);
    };
    const fail = (error: Error) => {
      if (finished) return;
      close();
      call.emit('error', error);
    };
    const endOk = () => {
      if (finished) return;
      close();
      call.end();
    };

    const onRequest = (req: BatchAppendReq) => {
      if (finished || call.cancelled) return;
      const correlation = req.getCorrelationId();
      const id = parseUuid(correlation);
      const options = req.getOptions();
      try {
        if (options) {
          const stream = streamName(options.getStreamIdentifier());
          if (ctx.faults.accessDenied('write', stream)) return answer(correlation, stream, (r) => r.setError(accessDenied()));
          if (!options.hasStreamIdentifier())
            return answer(correlation, stream, (r) => r.setError(badRequest('Required field StreamIdentifier not set.')));
          const timeout = Math.min(deadlineMs(options), ctx.writeTimeoutMs);
          if (timeout <= 0) return answer(correlation, stream, (r) => r.setError(timedOut()));
          if (!open.has(id)) {
            const expected = expectedState(options);
            const timer = setTimeout(() => {
              if (open.delete(id)) answer(correlation, stream, (r) => r.setError(timedOut()));
            }, timeout);
            open.set(id, { stream, expected, events: [], timer });
          }
        }
        const batch = open.get(id);
        if (!batch) return;
        batch.events.push(...proposedEvents(req.getProposedMessagesList(), false));
        if (batch.events.reduce((n, e) => n + e.data.length + e.customMetadata.length, 0) > MAX_APPEND_SIZE) {
          clearTimeout(batch.timer);
          open.delete(id);
          return answer(correlation, batch.stream, (r) => r.setError(maxAppendSize()));
        }
        if (!req.getIsFinal()) return;
        clearTimeout(batch.timer);
        open.delete(id);

        if (ctx.faults.take('endBatchAppendOk')) {
          if (ctx.faults.endOkCommitsFirst)
            write(ctx, batch.stream, batch.expected, { kind: 'append', events: batch.events }, leaderRequired);
          return endOk();
        }
        const result = write(ctx, batch.stream, batch.expected, { kind: 'append', events: batch.events }, leaderRequired);
        switch (result.kind) {
          case 'success':
            return answer(correlation, batch.stream, (r) => {
              const success = new BatchAppendResp.Success();
              if (result.currentRevision === null) success.setNoStream(new ProtoEmpty());
              else success.setCurrentRevision(result.currentRevision.toString());
              if (result.position === null) success.setNoPosition(new ProtoEmpty());
              else
                success.setPosition(
                  new AllStreamPosition().setCommitPosition(result.position.toString()).setPreparePosition(result.position.toString()),
                );
              r.setSuccess(success);
            });
          case 'wrong_expected_version':
            return answer(correlation, batch.stream, (r) => r.setError(wrongExpectedVersion(batch.expected, result.currentRevision)));
          case 'stream_deleted':
            return answer(correlation, batch.stream, (r) => r.setError(streamDeleted(batch.stream)));
          case 'timeout':
            return answer(correlation, batch.stream, (r) => r.setError(timedOut()));
          case 'not_leader':
            return fail(notLeaderError(result.leader));
        }
      } catch (error) {
        // The worker's catch-all: whatever a request makes it throw is that request's BadRequest.
        const message = (error as { details?: string }).details ?? (error as Error).message;
        answer(correlation, options ? streamName(options.getStreamIdentifier()) : '', (r) => r.setError(badRequest(message)));
      }
    };

    call.on('data', (req: BatchAppendReq) => ctx.faults.hold('batchAppend', () => onRequest(req)));
    call.on('end', () =>
      ctx.faults.hold('batchAppend', () => {
        // Client 6.x never half-closes this call (it cancels it on dispose); others may.
        clientDone = true;
        if (open.size === 0 && clientDone) endOk();
      }),
    );
    call.on('cancelled', close);
    call.on('error', close);
  };
}

/** The client sends the 21.10-era Timestamp deadline (deadline_21_10_0); a missing one means none. */
function deadlineMs(options: BatchAppendReq.Options): number {
  const deadline = options.getDeadline();
  return deadline ? deadline.toDate().getTime() - Date.now() : Number.POSITIVE_INFINITY;
}

function expectedState(options: BatchAppendReq.Options): ExpectedState {
  const Case = BatchAppendReq.Options.ExpectedStreamPositionCase;
  switch (options.getExpectedStreamPositionCase()) {
    case Case.STREAM_POSITION:
      return { kind: 'revision', revision: BigInt(options.getStreamPosition()) };
    case Case.NO_STREAM:
      return { kind: 'no_stream' };
    case Case.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    case Case.ANY:
      return { kind: 'any' };
    default:
      throw Object.assign(new Error(`'ExpectedStreamPositionNotSet' is not a valid ExpectedStreamPositionOneofCase`), {
        code: status.INVALID_ARGUMENT,
      });
  }
}

/** WrongExpectedVersion.Create: current revision or no stream; expected as the request put it. */
function wrongExpectedVersion(expected: ExpectedState, current: bigint | null) {
  const detail = new WrongExpectedVersion();
  if (current === null) detail.setCurrentNoStream(new ProtoEmpty());
  else detail.setCurrentStreamRevision(current.toString());
  switch (expected.kind) {
    case 'revision':
      detail.setExpectedStreamPosition(expected.revision.toString());
      break;
    case 'no_stream':
      detail.setExpectedNoStream(new ProtoEmpty());
      break;
    case 'stream_exists':
      detail.setExpectedStreamExists(new ProtoEmpty());
      break;
    case 'any':
      detail.setExpectedAny(new ProtoEmpty());
      break;
  }
  return rpcStatus(status.ALREADY_EXISTS, 'WrongExpectedVersion', detail, 'event_store.client.WrongExpectedVersion');
}

const streamDeleted = (stream: string) =>
  rpcStatus(
    status.NOT_FOUND,
    'StreamDeleted',
    new StreamDeleted().setStreamIdentifier(streamIdentifier(stream)),
    'event_store.client.StreamDeleted',
  );
const accessDenied = () => rpcStatus(status.PERMISSION_DENIED, 'AccessDenied', new AccessDenied(), 'event_store.client.AccessDenied');
const timedOut = () => rpcStatus(status.DEADLINE_EXCEEDED, 'Timeout', new Timeout(), 'event_store.client.Timeout');
const badRequest = (message: string) =>
  rpcStatus(status.INVALID_ARGUMENT, 'BadRequest', new BadRequest().setMessage(message), 'event_store.client.BadRequest');
const maxAppendSize = () =>
  rpcStatus(
    status.INVALID_ARGUMENT,
    'MaximumAppendSizeExceeded',
    new MaximumAppendSizeExceeded().setMaxappendsize(MAX_APPEND_SIZE),
    'event_store.client.MaximumAppendSizeExceeded',
  );
