/**
 * grpc.health.v1.Health (https://github.com/grpc/grpc/blob/master/doc/health-checking.md):
 * SERVING once the service is ready to answer (store open, read model loaded, as HTTP /health),
 * NOT_SERVING before that, for "" (the whole server) and for each credentials.v1 service; other
 * names are NOT_FOUND (Check) or SERVICE_UNKNOWN (Watch). No credentials needed.
 */
import {
  status as Status,
  type Server,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { HEALTH_SERVICE, KEY_SERVICE, VERIFICATION_SERVICE } from '@cs/contracts';

type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
type Request = { service?: string };
type Response = { status: ServingStatus };

export const HEALTH_CHECKED_SERVICES = ['', KEY_SERVICE, VERIFICATION_SERVICE];

/** How often Watch looks for a change of readiness. */
const WATCH_INTERVAL_MS = 1000;

export function addHealthService(server: Pick<Server, 'addService'>, pkg: Record<string, unknown>, isReady: () => boolean): void {
  const definition = pkg[HEALTH_SERVICE] as ServiceDefinition | undefined;
  if (!definition) throw new Error(`${HEALTH_SERVICE} is missing from the loaded protos`);
  const statusOf = (service: string | undefined): ServingStatus =>
    !HEALTH_CHECKED_SERVICES.includes(service ?? '') ? 'SERVICE_UNKNOWN' : isReady() ? 'SERVING' : 'NOT_SERVING';

  server.addService(definition, {
    Check(call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) {
      const status = statusOf(call.request?.service);
      if (status === 'SERVICE_UNKNOWN') callback({ code: Status.NOT_FOUND, details: 'unknown service' });
      else callback(null, { status });
    },
    Watch(call: ServerWritableStream<Request, Response>) {
      let last: ServingStatus | null = null;
      const send = (): void => {
        const status = statusOf(call.request?.service);
        if (status !== last) {
          last = status;
          call.write({ status });
        }
      };
      send();
      const timer = setInterval(send, WATCH_INTERVAL_MS);
      timer.unref();
      const stop = (): void => clearInterval(timer);
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
    },
  });
}
