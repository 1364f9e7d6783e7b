/**
 * ServerFeatures/GetSupportedMethods as ServerFeatures.cs builds it (24.10.0, 25.0.0, 25.1.0 alike):
 * every gRPC endpoint of an `event_store.client.*` service, service and method names lower-cased,
 * with features: `position`, `events` on Streams reads, `deadline_duration` on BatchAppend, `stream`,
 * `all` on every persistent-subscription method; the version as its first three parts.
 *
 * The list is what ServerFeaturesTest expects of a default node: Streams, PersistentSubscriptions,
 * Operations, Users, Gossip, Monitoring, Redaction, ServerFeatures (Projections only when projections
 * run; the 25.1 v2 StreamsService only with its plugin — neither is listed here).
 */
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { GossipService } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { MonitoringService } from '@eventstore/db-client/generated/monitoring_grpc_pb';
import { OperationsService } from '@eventstore/db-client/generated/operations_grpc_pb';
import { PersistentSubscriptionsService } from '@eventstore/db-client/generated/persistent_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { UsersService } from '@eventstore/db-client/generated/users_grpc_pb';
import type { DoubleContext } from './context';
import { rpcError } from './wire';

/** Client 6.2.1 has no generated code for Redaction (added in 23.10). */
const REDACTION = ['/event_store.client.redaction.Redaction/GetEventPositions', '/event_store.client.redaction.Redaction/SwitchChunks'];

export function supportedMethods(version: string, batchAppend: boolean): SupportedMethods {
  const paths = [
    StreamsService,
    PersistentSubscriptionsService,
    OperationsService,
    UsersService,
    GossipService,
    MonitoringService,
    ServerFeaturesService,
  ]
    .flatMap((service) => Object.values(service as Record<string, { path: string }>).map((m) => m.path))
    .concat(REDACTION);
  const methods = paths.flatMap((path) => {
    const [, service, method] = path.split('/');
    const serviceName = service.toLowerCase();
    const methodName = method.toLowerCase();
    if (!batchAppend && methodName === 'batchappend') return [];
    const m = new SupportedMethod().setServiceName(serviceName).setMethodName(methodName);
    if (serviceName.includes('persistentsubscriptions')) m.setFeaturesList(['stream', 'all']);
    else if (serviceName.includes('streams') && methodName === 'read') m.setFeaturesList(['position', 'events']);
    else if (serviceName.includes('streams') && methodName === 'batchappend') m.setFeaturesList(['deadline_duration']);
    return [m];
  });
  return new SupportedMethods().setEventStoreServerVersion(version.split('.').slice(0, 3).join('.')).setMethodsList(methods);
}

export function serverFeaturesHandler(ctx: DoubleContext, version: string, batchAppend: boolean) {
  const answer = supportedMethods(version, batchAppend);
  return (_call: ServerUnaryCall<Empty, SupportedMethods>, callback: sendUnaryData<SupportedMethods>): void => {
    ctx.calls.serverFeatures += 1;
    ctx.faults.hold('serverFeatures', () => {
      if (ctx.faults.take('serverFeaturesInternal'))
        return callback(rpcError(status.INTERNAL, 'upstream connect error or disconnect/reset before headers'));
      callback(null, answer);
    });
  };
}
