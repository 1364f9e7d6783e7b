import 'reflect-metadata';
import { ConfigError, loadConfig } from '@cs/composition';
import { startCredentialService } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  await startCredentialService(config);
}

main().catch((error: Error) => {
  process.stderr.write(`credential-service failed to start: ${error.message}\n`);
  process.exit(1);
});
