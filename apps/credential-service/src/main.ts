// First: OpenTelemetry (when configured) must start before the instrumented modules load.
import './tracing';
import 'reflect-metadata';
import { ConfigError, earlyLogLine, loadConfig, logFormatOf } from '@cs/composition';
import { startCredentialService } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(earlyLogLine(logFormatOf(process.env), 'credential-service', `configuration error: ${error.message}`));
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  await startCredentialService(config);
}

main().catch((error: Error) => {
  process.stderr.write(
    earlyLogLine(logFormatOf(process.env), 'credential-service', `credential-service failed to start: ${error.message}`),
  );
  process.exit(1);
});
