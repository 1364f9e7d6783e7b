/**
 * Writes docs/openapi.json: the OpenAPI 3.1 document the service serves at /docs/json, built from
 * the controllers without Redis, Kafka or a listening port (embedded defaults, a throw-away
 * DATA_DIR, placeholder secrets that appear nowhere in the document). `npm run openapi` runs this,
 * then scripts/openapi-types.js for the typed client (libs/client). test/http/openapi.e2e-spec.ts
 * fails when the committed files differ from what the service serves.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@cs/composition';
import { AppModule } from '../apps/credential-service/src/app.module';
import { createOpenApiDocument } from '../apps/credential-service/src/http/openapi';

export const OPENAPI_PATH = 'docs/openapi.json';

async function main(): Promise<void> {
  const root = process.cwd(); // npm run: the repository
  const dataDir = mkdtempSync(join(tmpdir(), 'cs-openapi-'));
  try {
    const config = loadConfig({
      DATA_DIR: dataDir,
      AUTH_JWT_SECRET: 'openapi-placeholder-secret-0123456789abcdef',
      SERVICE_TOKEN: 'openapi-placeholder-token',
      MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
      LOG_LEVEL: 'error',
    });
    const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, {}), new FastifyAdapter(), {
      logger: ['fatal', 'error'],
      abortOnError: false,
      bodyParser: false,
    });
    const document = createOpenApiDocument(app);
    // formatted as `prettier --check` (npm run lint) wants it
    const prettier = await import('prettier');
    const target = join(root, OPENAPI_PATH);
    const options = await prettier.resolveConfig(target);
    writeFileSync(target, await prettier.format(JSON.stringify(document), { ...options, filepath: target }));
    await app.close();
    process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`write-openapi failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
