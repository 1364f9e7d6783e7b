/**
 * A Nest LoggerService that keeps every line it is given (level, context, message, extra params,
 * stacks), so tests can search the logs — e.g. for a leaked secret — and print them on failure.
 * Set E2E_VERBOSE=1 to also echo the lines to stderr.
 */
import type { LoggerService } from '@nestjs/common';

export interface LogLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  text: string;
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ''}`;
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return String(value);
  }
}

export class CapturingLogger implements LoggerService {
  readonly lines: LogLine[] = [];

  private add(level: LogLine['level'], message: unknown, params: unknown[]): void {
    const text = [message, ...params].map(render).join(' ');
    this.lines.push({ level, text });
    if (process.env.E2E_VERBOSE) process.stderr.write(`[${level}] ${text}\n`);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.add('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.add('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.add('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.add('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.add('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.add('fatal', message, params);
  }

  /** Everything logged so far as one string. */
  text(): string {
    return this.lines.map((l) => `[${l.level}] ${l.text}`).join('\n');
  }
}
