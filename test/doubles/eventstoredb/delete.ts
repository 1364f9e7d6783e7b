/** Streams/Delete (soft) and Streams/Tombstone (hard): unary, answered as Streams.Delete.cs does. */
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { DeleteReq, DeleteResp, TombstoneReq, TombstoneResp } from '@eventstore/db-client/generated/streams_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { expectedState } from './append';
import { gaveUp, requiresLeader, type DoubleContext } from './context';
import { accessDeniedError, notLeaderError, rpcError, streamDeletedError, streamName, timeoutError } from './wire';
import { write, type WriteResult } from './write';

export function deleteHandler(ctx: DoubleContext) {
  return (call: ServerUnaryCall<DeleteReq, DeleteResp>, callback: sendUnaryData<DeleteResp>): void => {
    ctx.calls.delete += 1;
    ctx.faults.hold('append', () => {
      if (gaveUp(call)) return;
      try {
        const position = remove(ctx, call.request.getOptions(), false, requiresLeader(call.metadata));
        const resp = new DeleteResp();
        callback(
          null,
          position === null
            ? resp.setNoPosition(new Empty())
            : resp.setPosition(new DeleteResp.Position().setCommitPosition(position).setPreparePosition(position)),
        );
      } catch (error) {
        callback(error as Error);
      }
    });
  };
}

export function tombstoneHandler(ctx: DoubleContext) {
  return (call: ServerUnaryCall<TombstoneReq, TombstoneResp>, callback: sendUnaryData<TombstoneResp>): void => {
    ctx.calls.tombstone += 1;
    ctx.faults.hold('append', () => {
      if (gaveUp(call)) return;
      try {
        const position = remove(ctx, call.request.getOptions(), true, requiresLeader(call.metadata));
        const resp = new TombstoneResp();
        callback(
          null,
          position === null
            ? resp.setNoPosition(new Empty())
            : resp.setPosition(new TombstoneResp.Position().setCommitPosition(position).setPreparePosition(position)),
        );
      } catch (error) {
        callback(error as Error);
      }
    });
  };
}

function remove(
  ctx: DoubleContext,
  options: DeleteReq.Options | TombstoneReq.Options | undefined,
  hard: boolean,
  leaderRequired: boolean,
): string | null {
  if (!options) throw rpcError(status.INVALID_ARGUMENT, 'Delete options are required');
  const stream = streamName(options.getStreamIdentifier());
  const expected = expectedState(options);
  if (ctx.faults.accessDenied('write', stream)) throw accessDeniedError();
  const result: WriteResult = write(ctx, stream, expected, { kind: hard ? 'tombstone' : 'delete' }, leaderRequired);
  switch (result.kind) {
    case 'success':
      return result.position === null ? null : result.position.toString();
    case 'wrong_expected_version': {
      const expectedVersion =
        expected.kind === 'revision' ? expected.revision.toString() : { any: '-2', no_stream: '-1', stream_exists: '-4' }[expected.kind];
      const actual = result.currentRevision === null ? '-1' : result.currentRevision.toString();
      throw rpcError(
        status.FAILED_PRECONDITION,
        `Delete failed due to WrongExpectedVersion. Stream: ${stream}, Expected version: ${expectedVersion}, Actual version: ${actual}`,
        { exception: 'wrong-expected-version', 'stream-name': stream, 'expected-version': expectedVersion, 'actual-version': actual },
      );
    }
    case 'stream_deleted':
      throw streamDeletedError(stream);
    case 'timeout':
      throw timeoutError();
    case 'not_leader':
      throw notLeaderError(result.leader);
  }
}
