/**
 * The published gRPC contract: where the .proto files are, how they are loaded, and the limits
 * the server enforces. Shared by the service and by clients (tests, tools) so both read the
 * protos the same way.
 *
 * The .proto files live beside this library's sources (libs/contracts/proto), not in the compiled
 * output: `tsc` does not copy them. PROTO_ROOT is found from this file's directory both when it
 * runs as TypeScript (libs/contracts/src) and compiled (dist/libs/contracts/src, four levels below
 * the repository root). A deployment that ships only dist/ must copy libs/contracts/proto to
 * dist/libs/contracts/proto, or set CREDENTIALS_PROTO_ROOT.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

function findProtoRoot(): string {
  const candidates = [
    process.env.CREDENTIALS_PROTO_ROOT,
    join(__dirname, '..', 'proto'),
    join(__dirname, '..', '..', '..', '..', 'libs', 'contracts', 'proto'),
  ].filter((c): c is string => typeof c === 'string' && c !== '');
  const found = candidates.find((dir) => existsSync(join(dir, 'credentials', 'v1', 'keys.proto')));
  if (!found) throw new Error(`credentials .proto files not found (looked in ${candidates.join(', ')}); set CREDENTIALS_PROTO_ROOT`);
  return found;
}

/** Directory the imports in the .proto files are relative to (e.g. "credentials/v1/keys.proto"). */
export const PROTO_ROOT = findProtoRoot();

export const CREDENTIALS_PACKAGE = 'credentials.v1';
export const KEY_SERVICE = `${CREDENTIALS_PACKAGE}.KeyService`;
export const VERIFICATION_SERVICE = `${CREDENTIALS_PACKAGE}.VerificationService`;
export const HEALTH_SERVICE = 'grpc.health.v1.Health';

export const CREDENTIALS_PROTO_FILES = [
  join(PROTO_ROOT, 'credentials', 'v1', 'keys.proto'),
  join(PROTO_ROOT, 'credentials', 'v1', 'verification.proto'),
];
export const HEALTH_PROTO_FILE = join(PROTO_ROOT, 'grpc', 'health', 'v1', 'health.proto');

/**
 * @grpc/proto-loader options: camelCase fields, enums as their names, int64 as numbers, arrays
 * always present, absent scalars left undefined (no defaults) so proto3 `optional` presence and
 * oneofs (`oneofs: true` names the field that is set) can be told apart from "not given".
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: false,
  arrays: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

/** Largest request message the server accepts; beyond it the call ends with RESOURCE_EXHAUSTED. */
export const GRPC_MAX_RECEIVE_MESSAGE_BYTES = 1024 * 1024;
