/**
 * Log format (README, "Observability"): Nest's own ConsoleLogger either way. LOG_FORMAT=json turns
 * on its `json` mode (one JSON object per line: level, pid, timestamp, message, context) and adds
 * `time` (ISO 8601) and, inside a traced request or command, `traceId` and `spanId` (the trace id is
 * the correlation id recorded in the events). The default stays Nest's human format.
 */
import { ConsoleLogger, type LoggerService, type LogLevel } from '@nestjs/common';
import { activeSpanIds } from './tracing';

export type LogFormat = 'text' | 'json';

export const LOG_LEVELS: Record<'error' | 'warn' | 'log' | 'debug', LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

class JsonLogger extends ConsoleLogger {
  protected override getJsonLogObject(
    ...args: Parameters<ConsoleLogger['getJsonLogObject']>
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const record = super.getJsonLogObject(...args);
    const ids = activeSpanIds();
    return { time: new Date(record.timestamp).toISOString(), ...record, ...(ids ?? {}) };
  }
}

/** The logger both apps give Nest (and Logger.overrideLogger): JSON lines or Nest's text. */
export function appLogger(format: LogFormat, level: keyof typeof LOG_LEVELS): LoggerService {
  return format === 'json'
    ? new JsonLogger({ json: true, logLevels: LOG_LEVELS[level] })
    : new ConsoleLogger({ logLevels: LOG_LEVELS[level] });
}

/** LOG_FORMAT as read before the configuration is (a configuration error is logged in it too). */
export function logFormatOf(env: NodeJS.ProcessEnv): LogFormat {
  return env.LOG_FORMAT === 'json' ? 'json' : 'text';
}

/** A line for stderr before Nest runs (configuration errors, start-up failures), in the configured format. */
export function earlyLogLine(format: LogFormat, context: string, message: string, level: LogLevel = 'error'): string {
  if (format !== 'json') return `${message}\n`;
  const now = Date.now();
  return `${JSON.stringify({ time: new Date(now).toISOString(), level, pid: process.pid, timestamp: now, message, context })}\n`;
}
