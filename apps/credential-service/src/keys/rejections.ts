/**
 * One table from business rejections to transport status, used by HTTP and gRPC alike, so the
 * same rejection never means different things on different transports.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { CommandRejection } from '@cs/application';

export const REJECTION_STATUS: Record<CommandRejection['code'], { http: number; grpc: GrpcStatus; title: string }> = {
  KEY_NOT_FOUND: { http: 404, grpc: GrpcStatus.NOT_FOUND, title: 'Key not found' },
  KEY_ALREADY_EXISTS: { http: 409, grpc: GrpcStatus.ALREADY_EXISTS, title: 'Key already exists' },
  KEY_REVOKED: { http: 409, grpc: GrpcStatus.FAILED_PRECONDITION, title: 'Key is revoked' },
  KEY_EXPIRED: { http: 409, grpc: GrpcStatus.FAILED_PRECONDITION, title: 'Key has expired' },
  NO_PREVIOUS_SECRET: { http: 409, grpc: GrpcStatus.FAILED_PRECONDITION, title: 'No previous secret' },
  INVALID_EXPIRY: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT, title: 'Invalid expiry' },
  INVALID_ALLOWED_IPS: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT, title: 'Invalid allowed IPs' },
  CONCURRENT_CHANGE: { http: 409, grpc: GrpcStatus.ABORTED, title: 'Concurrent change' },
  TOO_MANY_KEYS: { http: 409, grpc: GrpcStatus.FAILED_PRECONDITION, title: 'Too many keys' },
  KEY_SUSPENDED: { http: 409, grpc: GrpcStatus.FAILED_PRECONDITION, title: 'Key is suspended' },
  KEY_NOT_SUSPENDED: { http: 409, grpc: GrpcStatus.FAILED_PRECONDITION, title: 'Key is not suspended' },
  INVALID_PERMISSIONS: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT, title: 'Invalid permissions' },
  PERMISSIONS_NOT_APPLICABLE: { http: 422, grpc: GrpcStatus.INVALID_ARGUMENT, title: 'Permissions not applicable' },
  INVALID_METADATA: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT, title: 'Invalid metadata' },
  SECRET_IN_METADATA: { http: 422, grpc: GrpcStatus.INVALID_ARGUMENT, title: 'Secret in metadata' },
  INVALID_EXTERNAL_ID: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT, title: 'Invalid external id' },
  INVALID_ALLOWED_ORIGINS: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT, title: 'Invalid allowed origins' },
  ORIGINS_NOT_APPLICABLE: { http: 422, grpc: GrpcStatus.INVALID_ARGUMENT, title: 'Allowed origins not applicable' },
  SCHEME_NOT_APPLICABLE: { http: 422, grpc: GrpcStatus.INVALID_ARGUMENT, title: 'Signature scheme not applicable' },
  ALGORITHM_NOT_APPLICABLE: { http: 422, grpc: GrpcStatus.INVALID_ARGUMENT, title: 'Signing algorithm not applicable' },
  KEY_NOT_REVEALABLE: { http: 409, grpc: GrpcStatus.FAILED_PRECONDITION, title: 'Key cannot be revealed' },
};
