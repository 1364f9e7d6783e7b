/**
 * An in-memory EventStoreDB speaking the real gRPC protocol, built from the client's own generated
 * service definitions, so the adapter under test runs the unmodified @eventstore/db-client.
 *
 * Implemented: Streams/Append and Streams/Read (stream and $all reads, filtered $all reads, stream
 * and $all catch-up subscriptions). Everything else answers UNIMPLEMENTED; notably
 * ServerFeatures/GetSupportedMethods is not registered, which the client treats as "unknown server
 * version" and so uses Append rather than BatchAppend.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { appendHandler } from './append';
import { EsdbLog } from './log';
import { readHandler } from './read';
import type { SubscriptionConfig } from './subscribe';

export interface EsdbDouble {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  readonly url: string;
  readonly port: number;
  /** The double's storage, for assertions that look past the protocol. */
  readonly log: EsdbLog;
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
}

export async function startEsdbDouble(options: EsdbDoubleOptions = {}): Promise<EsdbDouble> {
  const log = new EsdbLog({ seedSystemEvents: options.seedSystemEvents });
  const config: SubscriptionConfig = { live: new Set(), sendCaughtUp: options.sendCaughtUp ?? true };
  let server: Server | null = await listen(log, config, options.port ?? 0);
  const port = boundPorts.get(server)!;

  const stop = async () => {
    if (!server) return;
    const stopping = server;
    server = null;
    for (const close of [...config.live]) close();
    // forceShutdown, not tryShutdown: a real crash does not wait for subscriptions to finish.
    stopping.forceShutdown();
  };

  return {
    url: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    log,
    stop,
    async restart() {
      await stop();
      server = await listen(log, config, port);
    },
  };
}

const boundPorts = new WeakMap<Server, number>();

async function listen(log: EsdbLog, config: SubscriptionConfig, port: number): Promise<Server> {
  const server = new Server();
  server.addService(StreamsService, {
    append: appendHandler(log),
    read: readHandler(log, config),
    // delete, tombstone, batchAppend: left out, so grpc-js answers UNIMPLEMENTED.
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
  );
  boundPorts.set(server, bound);
  return server;
}
