/**
 * LOG_FORMAT=json lines (logging.ts): Nest's JSON record plus `time`, and inside a traced request or
 * command the trace and span ids, so a log line leads to its trace and to the events' correlation id.
 * Tracing is started for real here (an endpoint nobody listens on: nothing is exported in time).
 */
import { appLogger } from './logging';
import { inSpan, startTracing, stopTracing } from './tracing';

function capture(run: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return lines.flatMap((chunk) => chunk.split('\n').filter((l) => l !== '')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('JSON log lines', () => {
  afterAll(() => stopTracing());

  it('have time, level, context and message, and no trace ids outside a span', () => {
    const logger = appLogger('json', 'log');
    const [record] = capture(() => logger.log('ready', 'credential-service'));
    expect(record).toMatchObject({ level: 'log', context: 'credential-service', message: 'ready' });
    expect(new Date(record.time as string).getTime()).toBe(record.timestamp);
    expect(record.traceId).toBeUndefined();
  });

  it('carry the trace and span ids of the active span when tracing is on', async () => {
    expect(startTracing('logging-spec', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_BSP_SCHEDULE_DELAY: '600000' })).toBe(
      true,
    );
    const logger = appLogger('json', 'log');
    let ids: { traceId: string; spanId: string } | undefined;
    let records: Record<string, unknown>[] = [];
    await inSpan('command RevokeKey', {}, async (span) => {
      ids = span.spanContext();
      records = capture(() => logger.warn('inside', 'workers'));
    });
    expect(records[0]).toMatchObject({ level: 'warn', message: 'inside', traceId: ids!.traceId, spanId: ids!.spanId });
    expect(capture(() => logger.log('outside', 'workers'))[0].traceId).toBeUndefined();
  });

  it('text format stays Nest’s human format', () => {
    const logger = appLogger('text', 'log');
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      logger.log('ready', 'credential-service');
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('')).toMatch(/\[credential-service\].*ready/);
    expect(() => JSON.parse(lines.join(''))).toThrow();
  });
});
