/**
 * The gRPC edge beside HTTP in the same process: @nestjs/microservices over @grpc/grpc-js on
 * GRPC_PORT, serving credentials.v1 (libs/contracts/proto), plus grpc.health.v1 and server
 * reflection (v1 and v1alpha) so grpcurl works without the .proto files. Requests are limited to
 * GRPC_MAX_RECEIVE_MESSAGE_BYTES (1 MiB): beyond it grpc-js answers RESOURCE_EXHAUSTED.
 */
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { ReflectionService } from '@grpc/reflection';
import type { Server } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { pickFreePort, type AppConfig } from '@cs/composition';
import {
  CREDENTIALS_PACKAGE,
  CREDENTIALS_PROTO_FILES,
  GRPC_MAX_RECEIVE_MESSAGE_BYTES,
  HEALTH_PROTO_FILE,
  PROTO_LOADER_OPTIONS,
} from '@cs/contracts';
import { GrpcAccess } from './grpc-access';
import { addHealthService } from './health';
import { KeysGrpcController } from './keys.grpc-controller';
import { withFileDependencies } from './reflection';
import { tolerateUndecodableRequests } from './undecodable';
import { UsageGrpcController } from './usage.grpc-controller';
import { VerificationGrpcController } from './verification.grpc-controller';

export const GRPC_CONTROLLERS = [KeysGrpcController, VerificationGrpcController, UsageGrpcController];
export const GRPC_PROVIDERS = [GrpcAccess];

/** host:port as gRPC wants it (IPv6 literals in brackets). */
export const grpcAddress = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/**
 * GRPC_PORT=0 means "any free port": gRPC needs it concrete before Nest binds (Nest does not report
 * the port grpc-js bound), so one is picked here, below the ephemeral range (pickFreePort).
 */
export async function concreteGrpcPort(host: string, port: number): Promise<number> {
  return port !== 0 ? port : pickFreePort(host);
}

const protoFiles = [...CREDENTIALS_PROTO_FILES, HEALTH_PROTO_FILE];

export function grpcMicroserviceOptions(config: AppConfig, port: number, isReady: () => boolean): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      package: CREDENTIALS_PACKAGE,
      protoPath: protoFiles,
      url: grpcAddress(config.host, port),
      loader: PROTO_LOADER_OPTIONS,
      maxReceiveMessageLength: GRPC_MAX_RECEIVE_MESSAGE_BYTES,
      onLoadPackageDefinition: (pkg: PackageDefinition, server: Server) => {
        tolerateUndecodableRequests(pkg, `${CREDENTIALS_PACKAGE}.`);
        // Descriptors come from the loaded definition, whose field names follow `keepCase`: reflection
        // gets its own, loaded with the names as written in the .proto files (account_id, not accountId),
        // and with each file's imports filled in (reflection.ts) so grpcurl resolves google.protobuf.Struct.
        new ReflectionService(withFileDependencies(loadSync(protoFiles, { ...PROTO_LOADER_OPTIONS, keepCase: true }))).addToServer(server);
        addHealthService(server, pkg, isReady);
      },
    },
  };
}
