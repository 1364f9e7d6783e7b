/**
 * Starts the projector: the workers (validity projection, notification relay, expiry scheduler)
 * on the shared Redis read model, with /health for orchestration.
 */
import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  appLogger,
  bindPort,
  ConfigError,
  createInfrastructure,
  METRICS_UNAUTHORIZED,
  metricsAuthorized,
  type AppConfig,
  type Infrastructure,
} from '@cs/composition';
import { ProjectorModule } from './projector.module';

export interface Projector {
  infra: Infrastructure;
  url: string;
  close(): Promise<void>;
}

export async function startProjector(config: AppConfig, options: { logger?: LoggerService } = {}): Promise<Projector> {
  if (!config.redis) {
    throw new ConfigError(
      'REDIS_URL',
      'the projector builds the shared Redis read model: set REDIS_URL or REDIS_CLUSTER_NODES ' +
        '(embedded mode runs the workers inside the service)',
    );
  }
  // Before the workers log anything: LOG_FORMAT=json makes every line a JSON object.
  const appLog = options.logger ?? appLogger(config.logFormat, config.logLevel);
  Logger.overrideLogger(appLog);
  const logger = new Logger('projector');
  // The projector answers no verify: it records no key usage.
  const infra = await createInfrastructure({ ...config, workers: 'all', usage: { ...config.usage, enabled: false } }, logger);
  const app = await NestFactory.create<NestFastifyApplication>(ProjectorModule.forRoot(infra), new FastifyAdapter(), { logger: appLog });
  app.enableShutdownHooks();
  // The workers' metrics (index, relay, expiry, the scheduler's commands), with the service credential.
  app
    .getHttpAdapter()
    .getInstance()
    .get('/metrics', async (request, reply) => {
      if (!metricsAuthorized(request.headers.authorization, config.serviceToken)) {
        return reply.status(METRICS_UNAUTHORIZED.status).headers(METRICS_UNAUTHORIZED.headers).send(METRICS_UNAUTHORIZED.body);
      }
      const { contentType, body } = await infra.metrics.exposition();
      return reply.header('content-type', contentType).send(body);
    });
  // A busy or forbidden PORT stops start-up with a message naming it (libs/composition listen.ts).
  try {
    await bindPort('PORT', config.host, config.port, () => app.listen({ port: config.port, host: config.host }));
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  await infra.start();
  const address = app.getHttpAdapter().getInstance().server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  logger.log(
    `projector running (event store: ${infra.mode.eventStore}, notifications: ${infra.mode.notifications}); health on :${port}/health`,
  );
  return { infra, url: `http://${host}:${port}`, close: () => app.close() };
}
