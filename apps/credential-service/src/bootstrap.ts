/**
 * Builds the service: Fastify with a body limit, problem+json errors from the first byte, a
 * readiness gate, OpenAPI at /docs, and the workers started once the HTTP edge is up.
 */
import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  appLogger,
  bindPort,
  METRICS_UNAUTHORIZED,
  metricsAuthorized,
  nameActiveSpan,
  readiness,
  tracingEnabled,
  type InfrastructureOverrides,
  type AppConfig,
  type Infrastructure,
} from '@cs/composition';
import { AppModule } from './app.module';
import { concreteGrpcPort, grpcAddress, grpcMicroserviceOptions } from './grpc/grpc-server';
import { installBodyParsers } from './http/body-parsing';
import { consoleDirectory, serveConsole } from './http/console';
import { FRAMEWORK_ERROR_ANSWERS } from './http/framework-errors';
import { createOpenApiDocument, serveOpenApi } from './http/openapi';
import { notReady } from './http/problem';
import { sendProblem } from './http/problem.filter';
import { validationPipe } from './http/validation';
import { JwtVerifier } from './auth/jwt-verifier';
import { mountIdentity, serviceOrigin } from './identity/identity';
import { INFRASTRUCTURE } from './infrastructure/tokens';
import { RateLimits } from './rate-limit/rate-limits';
import { directRoute, verifyHandler } from './verify/verify.route';
import { VerifyService } from './verify/verify.service';

/** Routes that answer before the read model has caught up. */
const OPEN_BEFORE_READY = ['/health', '/docs', '/metrics', '/console', '/oidc'];

export interface CredentialService {
  app: NestFastifyApplication;
  infra: Infrastructure;
  /** Base URL of the HTTP edge, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Address of the gRPC edge, e.g. 127.0.0.1:50051 */
  grpcUrl: string;
  close(): Promise<void>;
}

export async function startCredentialService(
  config: AppConfig,
  options: { overrides?: InfrastructureOverrides; logger?: LoggerService } = {},
): Promise<CredentialService> {
  // Fastify's and Node's own error answers (bad URL, 414, 431, …) are problem+json too.
  const adapter = new FastifyAdapter({ bodyLimit: config.bodyLimitBytes, trustProxy: false, ...FRAMEWORK_ERROR_ANSWERS });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.overrides ?? {}), adapter, {
    // LOG_FORMAT=json: Nest's ConsoleLogger in json mode, with the trace id when one is active.
    logger: options.logger ?? appLogger(config.logFormat, config.logLevel),
    abortOnError: false,
    // installBodyParsers (below) sets every parser: JSON, octet-stream for signing, 415 for the rest. Without
    // this, NestJS 12 adds its form-encoded parser at init, after ours, and a form body became a 400.
    bodyParser: false,
  });
  const logger = new Logger('credential-service');
  if (config.generated.length > 0) {
    logger.warn(
      `${config.generated.join(', ')} not set: using values generated into ${config.dataDir}/dev-secrets.json — ` +
        'for local use only; set them in production',
    );
  }
  const fastify = app.getHttpAdapter().getInstance();
  const infra = app.get<Infrastructure>(INFRASTRUCTURE);
  // Until the read model has caught up, an answer could be wrong (an empty index says NOT_FOUND).
  fastify.addHook('onRequest', (request, reply, done) => {
    if (infra.ready || OPEN_BEFORE_READY.some((prefix) => request.url.startsWith(prefix))) return done();
    sendProblem(reply, notReady());
  });
  // POST /v1/verify skips Nest's per-request pipeline (verify/verify.route.ts); hooked before Nest registers routes.
  fastify.addHook(
    'onRoute',
    directRoute(verifyHandler({ verifier: app.get(VerifyService), limits: app.get(RateLimits), serviceToken: config.serviceToken })),
  );
  // Prometheus metrics, with the service credential (README, "Observability"); outside the API and its OpenAPI document.
  fastify.get('/metrics', async (request, reply) => {
    if (!metricsAuthorized(request.headers.authorization, config.serviceToken)) {
      return reply.status(METRICS_UNAUTHORIZED.status).headers(METRICS_UNAUTHORIZED.headers).send(METRICS_UNAUTHORIZED.body);
    }
    const { contentType, body } = await infra.metrics.exposition();
    return reply.header('content-type', contentType).send(body);
  });
  if (tracingEnabled()) {
    // The HTTP span is named after the route template (no ids in the name), e.g. POST /v1/accounts/:accountId/keys.
    fastify.addHook('onRequest', async (request) => {
      const route = request.routeOptions.url;
      if (route) nameActiveSpan(`${request.method} ${route}`, { 'http.route': route });
    });
  }
  // JSON; application/octet-stream only where signing takes the exact payload bytes; else 415.
  installBodyParsers(app);
  app.useGlobalPipes(validationPipe);
  app.enableShutdownHooks();

  // OpenAPI 3.1 at /docs (UI, with or without the trailing slash) and /docs/json (http/openapi.ts).
  serveOpenApi(app, createOpenApiDocument(app));

  // The Developer Space console (apps/console) under /console, with its security headers (http/console.ts).
  await serveConsole(app, { directory: consoleDirectory(), issuer: config.auth.issuer });

  // Sign-in (identity/identity.ts): the embedded OpenID provider under /oidc, and /console/config.json.
  const identity = mountIdentity(app, config);

  // gRPC beside HTTP (grpc/grpc-server.ts); it answers UNAVAILABLE / NOT_SERVING until infra is ready.
  const grpcPort = await concreteGrpcPort(config.host, config.grpcPort);
  // gRPC health is NOT_SERVING while not ready: starting, store unreachable, or index not trusted.
  app.connectMicroservice(grpcMicroserviceOptions(config, grpcPort, () => readiness(infra).ready));

  // A busy or forbidden port stops start-up with a message naming PORT or GRPC_PORT (libs/composition listen.ts).
  try {
    await bindPort('PORT', config.host, config.port, () => app.listen({ port: config.port, host: config.host }));
    await bindPort('GRPC_PORT', config.host, grpcPort, () => app.startAllMicroservices());
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  await infra.start();
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  await identity.start(serviceOrigin(config, config.host, port), app.get(JwtVerifier));
  logger.log(
    `ready on http://${host}:${port}, gRPC on ${grpcAddress(host, grpcPort)} ` +
      `(event store: ${infra.mode.eventStore}, validity index: ${infra.mode.validityIndex}, notifications: ${infra.mode.notifications})`,
  );
  return { app, infra, url: `http://${host}:${port}`, grpcUrl: grpcAddress(host, grpcPort), close: () => app.close() };
}
