/** Streams/Append: client streaming, one Options message then the proposed messages. */
import { status, type sendUnaryData, type ServerReadableStream } from '@grpc/grpc-js';
import { AppendReq, AppendResp } from '@eventstore/db-client/generated/streams_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import type { EsdbLog, ExpectedState, ProposedEvent } from './log';
import { parseUuid, rpcError, streamName } from './wire';

/** EventStoreDB's default MaxAppendSize. */
const MAX_APPEND_SIZE = 1_048_576;
const Case = AppendReq.Options.ExpectedStreamRevisionCase;

export function appendHandler(log: EsdbLog) {
  return (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void => {
    const requests: AppendReq[] = [];
    call.on('data', (req: AppendReq) => requests.push(req));
    call.on('error', () => undefined);
    // Nothing is written until the client half-closes: that is what makes the append atomic.
    call.on('end', () => {
      try {
        callback(null, handle(log, requests));
      } catch (error) {
        callback(error as Error);
      }
    });
  };
}

function handle(log: EsdbLog, requests: AppendReq[]): AppendResp {
  const [first, ...rest] = requests;
  if (!first?.hasOptions()) throw rpcError(status.INVALID_ARGUMENT, 'First append message must carry options');
  const options = first.getOptions()!;
  const stream = streamName(options.getStreamIdentifier());
  if (!stream) throw rpcError(status.INVALID_ARGUMENT, 'Stream name must not be empty');
  const expected = expectedState(options);

  let size = 0;
  const events: ProposedEvent[] = rest.map((req) => {
    const message = req.getProposedMessage();
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
    if (size > MAX_APPEND_SIZE) {
      throw rpcError(status.INVALID_ARGUMENT, `Maximum Append Size of ${MAX_APPEND_SIZE} Exceeded.`, {
        exception: 'maximum-append-size-exceeded',
        'maximum-append-size': String(MAX_APPEND_SIZE),
      });
    }
    return { id: parseUuid(message.getId()), type, contentType, data, customMetadata };
  });

  const outcome = log.append(stream, expected, events);
  const resp = new AppendResp();
  if (outcome.ok) {
    const success = new AppendResp.Success();
    if (outcome.currentRevision === null) success.setNoStream(new Empty());
    else success.setCurrentRevision(outcome.currentRevision.toString());
    if (outcome.position === null) success.setNoPosition(new Empty());
    else success.setPosition(new AppendResp.Position().setCommitPosition(outcome.position.toString()).setPreparePosition(outcome.position.toString()));
    return resp.setSuccess(success);
  }
  const wrong = new AppendResp.WrongExpectedVersion();
  if (outcome.currentRevision === null) wrong.setCurrentNoStream(new Empty());
  else wrong.setCurrentRevision(outcome.currentRevision.toString());
  switch (expected.kind) {
    case 'revision':
      wrong.setExpectedRevision(expected.revision.toString());
      break;
    case 'no_stream':
      wrong.setExpectedNoStream(new Empty());
      break;
    case 'stream_exists':
      wrong.setExpectedStreamExists(new Empty());
      break;
    case 'any':
      wrong.setExpectedAny(new Empty());
      break;
  }
  return resp.setWrongExpectedVersion(wrong);
}

function expectedState(options: AppendReq.Options): ExpectedState {
  switch (options.getExpectedStreamRevisionCase()) {
    case Case.REVISION:
      return { kind: 'revision', revision: BigInt(options.getRevision()) };
    case Case.NO_STREAM:
      return { kind: 'no_stream' };
    case Case.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    case Case.ANY:
      return { kind: 'any' };
    default:
      throw rpcError(status.INVALID_ARGUMENT, 'Expected stream revision is required');
  }
}
