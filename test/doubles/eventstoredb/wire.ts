/** Translation between the double's log and the client's generated protobuf messages. */
import { Metadata, status, type ServerErrorResponse } from '@grpc/grpc-js';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import type { StoredEvent } from './log';

export function streamName(identifier: StreamIdentifier | undefined): string {
  return identifier ? Buffer.from(identifier.getStreamName_asU8()).toString('utf8') : '';
}

export function streamIdentifier(name: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Uint8Array.from(Buffer.from(name, 'utf8')));
}

export function parseUuid(uuid: UUID | undefined): string {
  if (!uuid) return '';
  if (uuid.hasString()) return uuid.getString();
  const s = uuid.getStructured()!;
  const hex = [s.getMostSignificantBits(), s.getLeastSignificantBits()]
    .map((bits) => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0'))
    .join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The server answers in the UUID form the reader asked for (ReadReq.Options.uuid_option). */
export function uuidFor(id: string, structured: boolean): UUID {
  const uuid = new UUID();
  if (!structured) return uuid.setString(id);
  const hex = id.replace(/-/g, '');
  const bits = (h: string) => BigInt.asIntN(64, BigInt(`0x${h}`)).toString(10);
  return uuid.setStructured(
    new UUID.Structured().setMostSignificantBits(bits(hex.slice(0, 16))).setLeastSignificantBits(bits(hex.slice(16))),
  );
}

export function readEvent(event: StoredEvent, structuredUuid: boolean): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidFor(event.id, structuredUuid))
    .setStreamIdentifier(streamIdentifier(event.streamId))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(event.position.toString())
    .setPreparePosition(event.position.toString())
    .setData(event.data)
    .setCustomMetadata(event.customMetadata);
  recorded.getMetadataMap().set('type', event.type).set('content-type', event.contentType).set('created', event.createdTicks.toString());
  const read = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(event.position.toString());
  return new ReadResp().setEvent(read);
}

/** Server errors the way EventStoreDB raises them: a gRPC status plus an `exception` trailer the
 *  client maps to its typed errors (convertToCommandError). */
export function rpcError(code: status, details: string, trailers: Record<string, string> = {}): ServerErrorResponse {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}

/** RpcExceptions.LeaderInfo: what a follower (or read-only replica) answers with the leader's address. */
export function notLeaderError(leader: { host: string; port: number }): ServerErrorResponse {
  return rpcError(status.NOT_FOUND, 'Leader info available', {
    exception: 'not-leader',
    'leader-endpoint-host': leader.host,
    'leader-endpoint-port': String(leader.port),
  });
}

/** RpcExceptions.StreamDeleted: reads, subscriptions and Append of a tombstoned stream. */
export function streamDeletedError(stream: string): ServerErrorResponse {
  return rpcError(status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': stream,
  });
}

/** RpcExceptions.AccessDenied. */
export function accessDeniedError(): ServerErrorResponse {
  return rpcError(status.PERMISSION_DENIED, 'Access Denied', { exception: 'access-denied' });
}

/** RpcExceptions.Timeout: Append and Delete when the write was not acknowledged in time. */
export function timeoutError(message = 'Commit timed out.'): ServerErrorResponse {
  return rpcError(status.ABORTED, `Operation timed out: ${message}`);
}

/**
 * google.rpc.Status as BatchAppend answers errors (Google.Rpc.Status partial in the server's
 * Status.cs): a code, the detail type's name as message, and the detail packed into an Any whose
 * type name the client switches on (unpackToCommandError).
 */
export function rpcStatus(code: status, message: string, detail: { serializeBinary(): Uint8Array }, typeName: string): Status {
  const any = new Any();
  any.pack(detail.serializeBinary(), typeName);
  return new Status()
    .setCode(code as number)
    .setMessage(message)
    .setDetails(any);
}
