/**
 * A real @grpc/grpc-js client generated at run time from the published .proto files
 * (libs/contracts/proto), as a merchant-facing team would build one: promise-returning calls,
 * metadata from plain objects, and the failure (code, details, trailers) as a value to assert on.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CREDENTIALS_PROTO_FILES, HEALTH_PROTO_FILE, PROTO_ROOT } from '@cs/contracts';
import { actorToken, TEST_SECRETS, type ActorTokenOptions } from '../support';

export const Status = grpc.status;

/** Client-side view: defaults filled in (false, "", *_UNSPECIFIED), proto3 optional left undefined when absent. */
export const CLIENT_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

export const packageDefinition = protoLoader.loadSync([...CREDENTIALS_PROTO_FILES, HEALTH_PROTO_FILE], CLIENT_LOADER_OPTIONS);
const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as {
  credentials: { v1: { KeyService: grpc.ServiceClientConstructor; VerificationService: grpc.ServiceClientConstructor } };
  grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
};

export type Auth = Record<string, string> | grpc.Metadata | undefined;

export interface GrpcFailure {
  code: grpc.status;
  details: string;
  trailers: Record<string, string[]>;
}

export class GrpcCallError extends Error implements GrpcFailure {
  constructor(
    readonly method: string,
    readonly code: grpc.status,
    readonly details: string,
    readonly trailers: Record<string, string[]>,
  ) {
    super(`${method} failed: ${grpc.status[code]} ${details}`);
  }
}

function toMetadata(auth: Auth): grpc.Metadata {
  if (auth instanceof grpc.Metadata) return auth;
  const metadata = new grpc.Metadata();
  for (const [name, value] of Object.entries(auth ?? {})) metadata.add(name, value);
  return metadata;
}

function trailersOf(metadata: grpc.Metadata | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(metadata?.getMap() ?? {})) out[name] = [String(values)];
  return out;
}

export const bearerMetadata = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
export const serviceMetadata = (): Record<string, string> => bearerMetadata(TEST_SECRETS.SERVICE_TOKEN);
export const actorMetadata = async (options: ActorTokenOptions): Promise<Record<string, string>> =>
  bearerMetadata(await actorToken(options));

/** proto-loader names each proto3 `optional` field's synthetic oneof (`_expiresAt: 'expiresAt'`); tests compare without them. */
function withoutSyntheticOneofs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutSyntheticOneofs) as T;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([k, v]) => !(k.startsWith('_') && v === k.slice(1)));
  return Object.fromEntries(entries.map(([k, v]) => [k, withoutSyntheticOneofs(v)])) as T;
}

export class GrpcClients {
  readonly keys: grpc.Client;
  readonly verification: grpc.Client;
  readonly health: grpc.Client;

  constructor(
    readonly address: string,
    options: grpc.ClientOptions = {},
  ) {
    const credentials = grpc.credentials.createInsecure();
    this.keys = new loaded.credentials.v1.KeyService(address, credentials, options);
    this.verification = new loaded.credentials.v1.VerificationService(address, credentials, options);
    this.health = new loaded.grpc.health.v1.Health(address, credentials, options);
  }

  /** A unary call; rejects with GrpcCallError (code, details, trailers) on a non-OK status. */
  unary<T = any>(client: grpc.Client, method: string, request: unknown, auth?: Auth, deadlineMs = 10_000): Promise<T> {
    const fn = (client as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') throw new Error(`no method ${method}`);
    return new Promise<T>((resolve, reject) => {
      fn.call(client, request, toMetadata(auth), { deadline: Date.now() + deadlineMs }, (error: grpc.ServiceError | null, response: T) => {
        if (error) reject(new GrpcCallError(method, error.code, error.details, trailersOf(error.metadata)));
        else resolve(withoutSyntheticOneofs(response));
      });
    });
  }

  key<T = any>(method: string, request: unknown, auth?: Auth): Promise<T> {
    return this.unary<T>(this.keys, method, request, auth);
  }

  verify<T = any>(method: string, request: unknown, auth: Auth = serviceMetadata()): Promise<T> {
    return this.unary<T>(this.verification, method, request, auth);
  }

  close(): void {
    this.keys.close();
    this.verification.close();
    this.health.close();
  }
}

/** The call's failure; fails the test if it succeeded, or ended in a status a client should never see. */
export async function failure(call: Promise<unknown>): Promise<GrpcCallError> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof GrpcCallError)) throw error;
    if (error.code === Status.INTERNAL || error.code === Status.UNKNOWN)
      throw new Error(`never INTERNAL/UNKNOWN: ${error.message}`, { cause: error });
    return error;
  }
  throw new Error('expected the call to fail');
}
