import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, createInfrastructure, loadConfig } from '@cs/application';
import { ProjectorModule } from './projector.module';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ ...process.env, WORKERS: 'all', PORT: process.env.PROJECTOR_PORT ?? '3001' });
    if (!config.redisUrl) throw new ConfigError('REDIS_URL', 'the projector builds the shared Redis read model: set REDIS_URL (embedded mode runs the workers inside the service)');
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = new Logger('projector');
  const infra = await createInfrastructure(config, logger);
  const app = await NestFactory.create<NestFastifyApplication>(ProjectorModule.forRoot(infra), new FastifyAdapter());
  app.enableShutdownHooks();
  await app.listen({ port: config.port, host: config.host });
  await infra.start();
  logger.log(`projector running (event store: ${infra.mode.eventStore}, notifications: ${infra.mode.notifications}); health on :${config.port}/health`);
}

main().catch((error: Error) => {
  process.stderr.write(`projector failed to start: ${error.message}\n`);
  process.exit(1);
});
