/** The `idempotency-key` request metadata of gRPC GenerateKey and RegenerateKey: the HTTP header's rules. */
import type { Metadata } from '@grpc/grpc-js';
import { parseIdempotencyKey } from './idempotency-key';

export function idempotencyKeyOf(metadata: Metadata): string | undefined {
  const values = metadata.get('idempotency-key');
  if (values.length === 0) return undefined;
  // Sent twice, or as binary: not a key.
  return parseIdempotencyKey(values.length === 1 && typeof values[0] === 'string' ? values[0] : null, 'idempotency-key');
}
