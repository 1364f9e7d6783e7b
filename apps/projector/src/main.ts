// First: OpenTelemetry (when configured) must start before the instrumented modules load.
import './tracing';
import 'reflect-metadata';
import { ConfigError, earlyLogLine, loadConfig, logFormatOf } from '@cs/composition';
import { startProjector } from './bootstrap';

async function main(): Promise<void> {
  try {
    await startProjector(loadConfig({ ...process.env, PORT: process.env.PROJECTOR_PORT ?? '3001' }));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(earlyLogLine(logFormatOf(process.env), 'projector', `configuration error: ${error.message}`));
      process.exit(78);
    }
    throw error;
  }
}

main().catch((error: Error) => {
  process.stderr.write(earlyLogLine(logFormatOf(process.env), 'projector', `projector failed to start: ${error.message}`));
  process.exit(1);
});
