/** Streams/Append: client streaming, one Options message then the proposed messages. */
import { status, type sendUnaryData, type ServerReadableStream } from '@grpc/grpc-js';
import { AppendReq, AppendResp } from '@eventstore/db-client/generated/streams_pb';
import { Empty, type UUID } from '@eventstore/db-client/generated/shared_pb';
import { gaveUp, requiresLeader, type DoubleContext } from './context';
import type { ExpectedState, ProposedEvent } from './log';
import { accessDeniedError, notLeaderError, parseUuid, rpcError, streamDeletedError, streamName, timeoutError } from './wire';
import { write } from './write';

/** EventStoreDB's default MaxAppendSize. */
export const MAX_APPEND_SIZE = 1_048_576;

export function appendHandler(ctx: DoubleContext) {
  return (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void => {
    ctx.calls.append += 1;
    const requests: AppendReq[] = [];
    call.on('data', (req: AppendReq) => requests.push(req));
    call.on('error', () => undefined);
    // Nothing is written until the client half-closes: that is what makes the append atomic.
    call.on('end', () =>
      ctx.faults.hold('append', () => {
        if (gaveUp(call)) return;
        try {
          callback(null, handle(ctx, requests, requiresLeader(call.metadata)));
        } catch (error) {
          callback(error as Error);
        }
      }),
    );
  };
}

function handle(ctx: DoubleContext, requests: AppendReq[], leaderRequired: boolean): AppendResp {
  const [first, ...rest] = requests;
  if (!first?.hasOptions()) throw rpcError(status.INVALID_ARGUMENT, 'First append message must carry options');
  const options = first.getOptions()!;
  const stream = streamName(options.getStreamIdentifier());
  if (!stream) throw rpcError(status.INVALID_ARGUMENT, 'Stream name must not be empty');
  const expected = expectedState(options);
  if (ctx.faults.accessDenied('write', stream)) throw accessDeniedError();
  const events = proposedEvents(rest.map((req) => req.getProposedMessage()));

  const result = write(ctx, stream, expected, { kind: 'append', events }, leaderRequired);
  switch (result.kind) {
    case 'success': {
      const success = new AppendResp.Success();
      if (result.currentRevision === null) success.setNoStream(new Empty());
      else success.setCurrentRevision(result.currentRevision.toString());
      if (result.position === null) success.setNoPosition(new Empty());
      else
        success.setPosition(
          new AppendResp.Position().setCommitPosition(result.position.toString()).setPreparePosition(result.position.toString()),
        );
      return new AppendResp().setSuccess(success);
    }
    case 'wrong_expected_version':
      return new AppendResp().setWrongExpectedVersion(wrongExpectedVersion(expected, result.currentRevision));
    case 'stream_deleted':
      throw streamDeletedError(stream);
    case 'timeout':
      throw timeoutError();
    case 'not_leader':
      throw notLeaderError(result.leader);
  }
}

/** AppendReq.ProposedMessage and BatchAppendReq.ProposedMessage alike. */
interface ProposedMessage {
  getId(): UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

/** What Append and BatchAppend both check of each proposed message, in order (BatchAppend checks
 *  the size of the whole batch itself, across its messages). */
export function proposedEvents(messages: (ProposedMessage | undefined)[], checkSize = true): ProposedEvent[] {
  let size = 0;
  return messages.map((message) => {
    if (!message) throw rpcError(status.INVALID_ARGUMENT, 'Only the first append message may carry options');
    const metadata = message.getMetadataMap();
    const type = metadata.get('type');
    const contentType = metadata.get('content-type');
    if (type === undefined || contentType === undefined) {
      throw rpcError(status.INVALID_ARGUMENT, 'Required metadata property missing', {
        exception: 'missing-required-metadata-property',
        'required-metadata-properties': 'type,content-type',
      });
    }
    const data = message.getData_asU8();
    const customMetadata = message.getCustomMetadata_asU8();
    size += data.length + customMetadata.length;
    if (checkSize && size > MAX_APPEND_SIZE) {
      throw rpcError(status.INVALID_ARGUMENT, `Maximum Append Size of ${MAX_APPEND_SIZE} Exceeded.`, {
        exception: 'maximum-append-size-exceeded',
        'maximum-append-size': String(MAX_APPEND_SIZE),
      });
    }
    return { id: parseUuid(message.getId()), type, contentType, data, customMetadata };
  });
}

function wrongExpectedVersion(expected: ExpectedState, current: bigint | null): AppendResp.WrongExpectedVersion {
  const wrong = new AppendResp.WrongExpectedVersion();
  if (current === null) wrong.setCurrentNoStream(new Empty());
  else wrong.setCurrentRevision(current.toString());
  switch (expected.kind) {
    case 'revision':
      return wrong.setExpectedRevision(expected.revision.toString());
    case 'no_stream':
      return wrong.setExpectedNoStream(new Empty());
    case 'stream_exists':
      return wrong.setExpectedStreamExists(new Empty());
    case 'any':
      return wrong.setExpectedAny(new Empty());
  }
}

/** The expected_stream_revision oneof of Append, Delete and Tombstone options. */
export function expectedState(options: {
  hasRevision(): boolean;
  getRevision(): string;
  hasNoStream(): boolean;
  hasAny(): boolean;
  hasStreamExists(): boolean;
}): ExpectedState {
  if (options.hasRevision()) return { kind: 'revision', revision: BigInt(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  if (options.hasAny()) return { kind: 'any' };
  throw rpcError(status.INVALID_ARGUMENT, 'Expected stream revision is required');
}
