import 'reflect-metadata';
import { ConfigError, loadConfig } from '@cs/composition';
import { startProjector } from './bootstrap';

async function main(): Promise<void> {
  try {
    await startProjector(loadConfig({ ...process.env, PORT: process.env.PROJECTOR_PORT ?? '3001' }));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

main().catch((error: Error) => {
  process.stderr.write(`projector failed to start: ${error.message}\n`);
  process.exit(1);
});
