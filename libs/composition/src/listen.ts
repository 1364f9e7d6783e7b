/**
 * Binding the apps' ports at start-up (the service's HTTP and gRPC ports, the projector's health
 * port). A port that is taken or not allowed stops the app with a message naming the variable that
 * chose it (PORT or GRPC_PORT) instead of a bare `listen EADDRINUSE` (HTTP) or grpc-js's "No
 * address added out of total 1 resolved" (gRPC).
 */
import cluster from 'node:cluster';
import { createServer } from 'node:net';

/** host:port, with an IPv6 literal in brackets. */
const hostPort = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`;

export type PortVariable = 'PORT' | 'GRPC_PORT';

/** A port the service could not bind; its message names the variable, the address and what to do. */
export class PortUnavailableError extends Error {
  constructor(
    readonly variable: PortVariable,
    readonly address: string,
    readonly reason: 'EADDRINUSE' | 'EACCES' | 'EADDRNOTAVAIL',
  ) {
    const why = {
      EADDRINUSE: 'is already in use by another process',
      EACCES: 'may not be bound by this user',
      EADDRNOTAVAIL: 'is not an address of this machine (check HOST)',
    }[reason];
    super(`${variable}: ${address} ${why} (${reason}); set ${variable} to a free port${variable === 'GRPC_PORT' ? ', or 0 for any' : ''}`);
    this.name = 'PortUnavailableError';
  }
}

const REASONS = ['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL'] as const;

/** The bind failure among the known ones: Node's `code`, or inside grpc-js's message. */
function bindFailure(error: unknown): (typeof REASONS)[number] | null {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && (REASONS as readonly string[]).includes(code)) return code as (typeof REASONS)[number];
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  return REASONS.find((reason) => message.includes(reason)) ?? null;
}

/**
 * Whether `host:port` can be bound right now, by binding and releasing it: the known failure, or
 * null. Checked before the real bind so that a taken port is reported once, by this module, rather
 * than first as an ERROR line from Nest ("listen EADDRINUSE") or grpc-js ("No address added").
 */
function probe(host: string, port: number): Promise<(typeof REASONS)[number] | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error) => resolve(bindFailure(error)));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/**
 * Where pickFreePort looks: below the ephemeral range of Linux (32768-60999), macOS and Windows
 * (49152-65535), from which the kernel hands out ports to outgoing connections and to `listen(0)`.
 * A port picked there could be taken by any process's next connection between the pick and the bind;
 * one picked here only by a process that chose the same port on purpose.
 */
export const PICKED_PORT_RANGE = { from: 20_000, to: 32_767 } as const;
const PICK_ATTEMPTS = 50;

/**
 * A free port on `host` for a "0: any free port" setting that must be concrete before it is bound
 * (gRPC, whose bound port Nest does not report; the ports the primary hands to cluster workers): a
 * random port of PICKED_PORT_RANGE that an exclusive bind finds free, else (all tried taken) one the
 * kernel picks. The bind that follows may still fail if another process took it meanwhile (bindPort
 * reports that), but no outgoing connection will have.
 */
export async function pickFreePort(host: string, random: () => number = Math.random): Promise<number> {
  const span = PICKED_PORT_RANGE.to - PICKED_PORT_RANGE.from + 1;
  for (let attempt = 0; attempt < PICK_ATTEMPTS; attempt++) {
    const port = PICKED_PORT_RANGE.from + Math.floor(random() * span);
    const refused = await probe(host, port);
    if (refused === null) return port;
    if (refused !== 'EADDRINUSE') throw new Error(`cannot bind a port on ${host} (${refused})`);
  }
  return kernelPickedPort(host);
}

function kernelPickedPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `bind`; a port that cannot be bound becomes a PortUnavailableError naming `variable`. */
export async function bindPort(variable: PortVariable, host: string, port: number, bind: () => Promise<unknown>): Promise<void> {
  // In a cluster worker (PROCESSES > 1) the primary holds the port and shares it: an exclusive probe
  // there would always find it taken. The shared bind below reports a real failure the same way.
  const refused = port === 0 || cluster.isWorker ? null : await probe(host, port);
  if (refused) throw new PortUnavailableError(variable, hostPort(host, port), refused);
  try {
    // Still checked: the port can be taken between the probe and the bind.
    await bind();
  } catch (error) {
    const reason = bindFailure(error);
    if (reason) throw new PortUnavailableError(variable, hostPort(host, port), reason);
    throw error;
  }
}
