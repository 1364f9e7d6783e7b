/**
 * Bytes that are not a valid protobuf message would make @grpc/grpc-js end the call with INTERNAL
 * ("Error deserializing request"), which reads as a server fault. Each credentials.v1 request
 * deserializer is wrapped so such a request reaches the handler as a marker instead, and the
 * handler answers INVALID_ARGUMENT (GrpcAccess.admit).
 */
const UNDECODABLE = Symbol('undecodable request');

type MethodDefinition = { requestDeserialize?: (bytes: Buffer) => unknown; requestType?: { type?: { name?: string } } };

export function undecodableReason(request: unknown): string | null {
  return typeof request === 'object' && request !== null && UNDECODABLE in request
    ? (request as { [UNDECODABLE]: string })[UNDECODABLE]
    : null;
}

/** Wraps the request deserializers of every service in `pkg` whose name starts with `prefix`. */
export function tolerateUndecodableRequests(pkg: Record<string, unknown>, prefix: string): void {
  for (const [serviceName, service] of Object.entries(pkg)) {
    if (!serviceName.startsWith(prefix) || typeof service !== 'object' || service === null || 'format' in service) continue;
    for (const method of Object.values(service as Record<string, MethodDefinition>)) {
      const deserialize = method.requestDeserialize;
      if (typeof deserialize !== 'function') continue;
      const typeName = method.requestType?.type?.name ?? 'request';
      method.requestDeserialize = (bytes: Buffer) => {
        try {
          return deserialize(bytes);
        } catch {
          return { [UNDECODABLE]: `the request is not a valid ${prefix}${typeName} message` };
        }
      };
    }
  }
}
