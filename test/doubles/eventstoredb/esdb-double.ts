/**
 * An in-memory EventStoreDB/KurrentDB node speaking the real gRPC protocol, built from the client's
 * own generated service definitions, so the adapter under test runs the unmodified
 * @eventstore/db-client (6.2.1).
 *
 * Implemented: ServerFeatures/GetSupportedMethods; Streams/Append, BatchAppend, Read (stream and $all
 * reads, filtered $all reads, stream and $all catch-up subscriptions), Delete and Tombstone.
 * Everything else (persistent subscriptions, users, operations, gossip…) answers UNIMPLEMENTED
 * even where ServerFeatures advertises it, as a real node does not.
 *
 * Write paths: client 6.2.1 asks ServerFeatures once per connection and, when `streams/batchappend`
 * is listed and the call carries no per-call credentials, sends every append over one long-lived
 * BatchAppend call; otherwise it uses the unary Append. Every real 21.10+ node lists BatchAppend, so
 * the default double does; `batchAppend: false` keeps it off the list (and unserved) to test the
 * Append path, and `serverVersion: null` answers ServerFeatures UNIMPLEMENTED, as servers before
 * 21.10 did.
 *
 * ── Checked against the server's source (KurrentDB tags v24.10.0–v24.10.4, v25.0.0, v25.1.0) ──
 * - ServerFeatures.cs (+ ServerFeaturesTest): the method list, lower-cased names, features
 *   (`position`/`events` on streams read, `deadline_duration` on batchappend, `stream`/`all` on
 *   persistent subscriptions), the version cut to its first three dot-separated parts.
 * - Streams.BatchAppend.cs + Status.cs + WrongExpectedVersion.cs + BatchAppendResp.cs: options in the
 *   first message, events in proposed_messages across messages, is_final, correlation id and stream
 *   on every answer, timeout = min(deadline, WriteTimeoutMs 2000), immediate Timeout for a past
 *   deadline, messages of unknown correlation ids dropped, the google.rpc.Status codes/messages/
 *   details (WrongExpectedVersion ALREADY_EXISTS, StreamDeleted NOT_FOUND, AccessDenied
 *   PERMISSION_DENIED, Timeout DEADLINE_EXCEEDED, MaximumAppendSizeExceeded and BadRequest
 *   INVALID_ARGUMENT), NotLeader thrown in the write callback failing the whole call; the 24.6–24.10.2
 *   swallowing of IOException/InvalidOperation/cancellation that ended the call OK (#4857, fixed in
 *   24.10.3) → faults.endBatchAppendOk.
 * - Streams.Append.cs / Streams.Delete.cs / RpcExceptions.cs: StreamDeleted FAILED_PRECONDITION with
 *   exception=stream-deleted, Timeout ABORTED "Operation timed out: …", LeaderInfo NOT_FOUND
 *   "Leader info available" with leader-endpoint-host/-port, AccessDenied PERMISSION_DENIED.
 * - ClusterVNodeController.cs: a follower refuses only `requires-leader: true` calls (writes without
 *   it are forwarded to the leader); a read-only replica refuses every non-system write with its
 *   leader's address.
 * - StorageWriterService.cs / LogRecord.DeleteTombstone: a tombstone is a `$streamDeleted` record in
 *   the stream itself, revision long.MaxValue, visible in $all; later writes → StreamDeleted.
 * - Streams.Read.cs, Enumerator.ReadAll*.cs, AllReader.cs, TFChunkReader.cs, TFChunkReadSide.cs,
 *   StorageReaderWorker.All.cs: forward $all reads past the last record return nothing; backward
 *   reads past the writer checkpoint and reads from inside a record fail as UNKNOWN
 *   ("Unexpected ReadAllResult: Error|InvalidPosition", 25.x appending " >> message") — only
 *   subscriptions map InvalidPosition to INVALID_ARGUMENT "Trying to read from an invalid position.".
 * - Enumerator.AllSubscription(Filtered).cs, StreamSubscription.cs: confirmation before anything;
 *   start ≥ LastIndexedPosition (the last record's position) goes live at once with caught_up and
 *   skips live events at or before the start (so a start beyond the head silently drops events
 *   until the log passes it); live buffer 32, DropOldest; a gap makes it fall behind: (filtered: a
 *   checkpoint), catch-up from the last position sent, a checkpoint on going live (filtered), and a
 *   second caught_up; FellBehind itself is not sent to clients.
 * Client side (node_modules/@eventstore/db-client 6.2.1, read and exercised by the fault spec): the
 * ServerFeatures answer, failures included, is cached per connection until a reconnect; the
 * BatchAppend call is opened by the first append with deadline Infinity and that append's headers,
 * then shared by every append of the client; a pending append settles only on its answer or a call
 * error (not on an OK end); reads and subscriptions carry no deadline; unary Append 10 s.
 *
 * ── Only a real server will tell ──
 * - Timing and interleaving: real answers are asynchronous (the double writes synchronously, in
 *   arrival order); real live delivery lags and batches; how often a live buffer overflows.
 * - What a stuck node does with a write whose client gave up (the double drops it), and whether a
 *   24.6–24.10.2 node had written the batch whose call it ended OK (either: endBatchAppendOk's
 *   `commit` option).
 * - Positions: real ones include commit/prepare records and chunk headers; in a scavenged chunk a
 *   position inside a record is rounded to the next record instead of refused (the double always
 *   refuses, as an unscavenged chunk does); prepare ≠ commit for transactions (none here); filtered
 *   catch-up checkpoints fall on the double's page starts, close to but not exactly the server's.
 * - Whether a given proxy answers ServerFeatures with INTERNAL, UNAVAILABLE or an HTML page; HTTP/2
 *   keepalive, GOAWAY and connection-reset behaviour under load; TLS and authentication (the double
 *   is insecure-only; ACLs are emulated by faults.denyAccess, not by $acl metadata).
 * - The exact message texts of errors not listed above, `created` stamps, MaxAppendEventSize
 *   (24.10.4+, MaximumAppendEventSizeExceeded, not modelled), soft-delete details ($tb arithmetic,
 *   metadata streams), the 25.1 v2 multi-stream append service (plugin), whether caught_up carries
 *   the position (25.x sends it; client 6.2.1's proto has no field for it).
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { appendHandler } from './append';
import { batchAppendHandler } from './batch-append';
import type { CallCounts, DoubleContext } from './context';
import { deleteHandler, tombstoneHandler } from './delete';
import { EsdbFaults } from './faults';
import { EsdbLog, systemEvent, type StoredEvent } from './log';
import { readHandler } from './read';
import { serverFeaturesHandler } from './server-features';

export { EsdbFaults, type LeaderInfo, type NodeRole, type StallTarget } from './faults';

export interface EsdbDouble {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  readonly url: string;
  readonly port: number;
  /** The double's storage, for assertions that look past the protocol. */
  readonly log: EsdbLog;
  /** Runtime fault switches; see faults.ts. */
  readonly faults: EsdbFaults;
  /** Calls received per method since start (BatchAppend counts calls, not batches). */
  readonly calls: Readonly<CallCounts>;
  /** Writes an event of the server's own (or of another client, e.g. a projection's `$>` link into a
   *  user stream) straight into the log, as the node would: it shows up in reads and subscriptions. */
  appendSystemEvent(streamId: string, type: string, data?: unknown): StoredEvent;
  /** Stops and starts again on the same port with the same data, like a node restart: open calls
   *  are cut off and clients must reconnect. */
  restart(): Promise<void>;
  /** Stops serving (open calls are cut off); `restart()` brings it back. */
  stop(): Promise<void>;
}

export interface EsdbDoubleOptions {
  /** Port to bind; 0 (default) picks an ephemeral one. */
  port?: number;
  /** Write a few `$`-prefixed system events first, as a fresh node does. Default true. */
  seedSystemEvents?: boolean;
  /** Send caught_up in subscriptions, as EventStoreDB 23.10+ does. false emulates older servers. */
  sendCaughtUp?: boolean;
  /** What ServerFeatures reports (default '24.10.0'); null: ServerFeatures answers UNIMPLEMENTED,
   *  like servers before 21.10 (the client then assumes nothing and uses Append). */
  serverVersion?: string | null;
  /** List `streams/batchappend` in ServerFeatures and serve it (default true, as every 21.10+ node). */
  batchAppend?: boolean;
  /** The node's WriteTimeoutMs (default 2000). */
  writeTimeoutMs?: number;
}

export async function startEsdbDouble(options: EsdbDoubleOptions = {}): Promise<EsdbDouble> {
  const log = new EsdbLog({ seedSystemEvents: options.seedSystemEvents });
  const faults = new EsdbFaults();
  const serverVersion = options.serverVersion === undefined ? '24.10.0' : options.serverVersion;
  const ctx: DoubleContext = {
    log,
    faults,
    live: new Set(),
    sendCaughtUp: options.sendCaughtUp ?? true,
    writeTimeoutMs: options.writeTimeoutMs ?? 2000,
    major: serverVersion ? Number(serverVersion.split('.')[0]) : 0,
    calls: { serverFeatures: 0, append: 0, batchAppend: 0, read: 0, subscribe: 0, delete: 0, tombstone: 0 },
  };
  const services = { serverVersion, batchAppend: (options.batchAppend ?? true) && serverVersion !== null };
  let server: Server | null = await listen(ctx, services, options.port ?? 0);
  const port = boundPorts.get(server)!;

  const stop = async () => {
    if (!server) return;
    const stopping = server;
    server = null;
    faults.dropHeld();
    for (const close of [...ctx.live]) close();
    // forceShutdown, not tryShutdown: a real crash does not wait for subscriptions to finish.
    stopping.forceShutdown();
  };

  return {
    url: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    log,
    faults,
    calls: ctx.calls,
    appendSystemEvent(streamId, type, data = {}) {
      const outcome = log.append(streamId, { kind: 'any' }, [systemEvent(type, data)]);
      if (!outcome.ok) throw new Error(`appendSystemEvent: ${outcome.reason} for ${streamId}`);
      return log.events[log.events.length - 1];
    },
    stop,
    async restart() {
      await stop();
      server = await listen(ctx, services, port);
    },
  };
}

const boundPorts = new WeakMap<Server, number>();

async function listen(ctx: DoubleContext, services: { serverVersion: string | null; batchAppend: boolean }, port: number): Promise<Server> {
  const server = new Server();
  server.addService(StreamsService, {
    append: appendHandler(ctx),
    read: readHandler(ctx),
    delete: deleteHandler(ctx),
    tombstone: tombstoneHandler(ctx),
    // Left out when not advertised, so grpc-js answers UNIMPLEMENTED.
    ...(services.batchAppend ? { batchAppend: batchAppendHandler(ctx) } : {}),
  });
  if (services.serverVersion !== null) {
    server.addService(ServerFeaturesService, {
      getSupportedMethods: serverFeaturesHandler(ctx, services.serverVersion, services.batchAppend),
    });
  }
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
  );
  boundPorts.set(server, bound);
  return server;
}
