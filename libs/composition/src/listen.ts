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
