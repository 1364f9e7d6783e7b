/**
 * Business rejections: typed values with stable codes, returned (not thrown) by the decider and
 * mapped to HTTP and gRPC status only at the transport edge.
 */
export type RejectionCode =
  | 'KEY_NOT_FOUND'
  | 'KEY_ALREADY_EXISTS'
  | 'KEY_REVOKED'
  | 'KEY_EXPIRED'
  | 'NO_PREVIOUS_SECRET'
  | 'INVALID_EXPIRY'
  | 'INVALID_ALLOWED_IPS'
  | 'TOO_MANY_KEYS'
  | 'KEY_SUSPENDED'
  | 'KEY_NOT_SUSPENDED'
  | 'INVALID_PERMISSIONS'
  | 'PERMISSIONS_NOT_APPLICABLE'
  | 'INVALID_METADATA'
  | 'SECRET_IN_METADATA'
  | 'INVALID_EXTERNAL_ID'
  | 'INVALID_ALLOWED_ORIGINS'
  | 'ORIGINS_NOT_APPLICABLE'
  | 'SCHEME_NOT_APPLICABLE'
  | 'ALGORITHM_NOT_APPLICABLE'
  | 'KEY_NOT_REVEALABLE';

export interface Rejection {
  code: RejectionCode;
  message: string;
}

export const reject = (code: RejectionCode, message: string): Rejection => ({ code, message });
