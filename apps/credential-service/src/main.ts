// First: OpenTelemetry (when configured) must start before the instrumented modules load.
import './tracing';
import 'reflect-metadata';
import cluster from 'node:cluster';
import { appLogger, ConfigError, earlyLogLine, loadConfig, logFormatOf } from '@cs/composition';
import { startCredentialService } from './bootstrap';
import { checkSharedIndex, processCount, runPrimary, workerStarted } from './processes';

async function main(): Promise<void> {
  let config;
  let processes = 1;
  try {
    config = loadConfig();
    // A cluster worker (PROCESSES > 1, processes.ts) is one service: only the primary reads PROCESSES.
    if (cluster.isPrimary) {
      processes = processCount(process.env);
      checkSharedIndex(processes, config);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(earlyLogLine(logFormatOf(process.env), 'credential-service', `configuration error: ${error.message}`));
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  if (processes > 1) {
    process.exitCode = await runPrimary(processes, config, appLogger(config.logFormat, config.logLevel));
    return;
  }
  await startCredentialService(config);
  workerStarted();
}

main().catch((error: Error) => {
  process.stderr.write(
    earlyLogLine(logFormatOf(process.env), 'credential-service', `credential-service failed to start: ${error.message}`),
  );
  process.exit(1);
});
