/**
 * Recomputes every stream's hash chain from the configured event store (README, "Audit trail").
 *
 *   npm run audit:verify                 (scripts/audit-verify.js: options, install, build, then this)
 *   npm run audit:verify -- --json
 *
 * Exit codes: 0 intact, 1 a break, 2 usage, 3 the check could not run. Progress goes to stderr, the
 * report to stdout; no message repeats an event's contents.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  EventStoreDBEventStore,
  parseEventStoreUrl,
  SqliteEventStore,
  verifyChains,
  type ChainReport,
  type EventStore,
} from '@cs/event-store';

interface Options {
  help?: boolean;
  error?: string;
  json: boolean;
  progressEvery: number;
}
// The options module is shared with the wrapper, which runs before anything is built (plain CommonJS);
// from dist/scripts/, it is two levels up.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseOptions, USAGE } = require(join(__dirname, '..', '..', 'scripts', 'audit-verify-options.js')) as {
  parseOptions: (args: string[]) => Options;
  USAGE: string;
};

const EXIT = { intact: 0, broken: 1, usage: 2, failed: 3 } as const;

class CannotRun extends Error {}

function openStore(env: NodeJS.ProcessEnv): { store: EventStore; where: string } {
  if (env.EVENTSTORE_URL) {
    let connection: string;
    try {
      connection = parseEventStoreUrl(env.EVENTSTORE_URL).connectionString;
    } catch (error) {
      throw new CannotRun(`EVENTSTORE_URL: ${(error as Error).message}`);
    }
    const timeoutMs = Number(env.EVENTSTORE_TIMEOUT_MS ?? '') || undefined;
    return { store: EventStoreDBEventStore.connect(connection, { timeoutMs }), where: 'EventStoreDB (EVENTSTORE_URL)' };
  }
  const file = join(env.DATA_DIR && env.DATA_DIR !== '' ? env.DATA_DIR : './data', 'events.sqlite');
  // Opening would create an empty store: a mistyped DATA_DIR must not read as an intact one.
  if (!existsSync(file)) throw new CannotRun('no event store in DATA_DIR (events.sqlite not found)');
  return { store: SqliteEventStore.open(file), where: `SQLite (${file})` };
}

function summary(report: ChainReport, where: string): string {
  const seconds = report.durationMs / 1000;
  const rate = seconds > 0 ? Math.round(report.events / seconds) : report.events;
  const lines = [
    `audit:verify: ${where}: ${report.events} events in ${report.streams} streams, up to position ${report.lastPosition ?? '(none)'}` +
      ` (${seconds.toFixed(1)} s, ${rate} events/s)`,
    `  chained: ${report.chainedEvents} events; before the chain (legacy, not covered): ${report.legacyEvents} events;` +
      ` streams with no chained event: ${report.legacyStreams}; streams whose chain starts after legacy events: ${report.lateStartStreams}`,
  ];
  const b = report.firstBreak;
  if (!b) lines.push('intact: every chained event links to the event before it in its stream');
  else {
    const at = b.streamId === null ? 'unreadable event' : `stream ${b.streamId}, revision ${b.revision}, position ${b.position}`;
    const before =
      b.previous?.revision != null ? ` (the event before it: revision ${b.previous.revision}, position ${b.previous.position})` : '';
    lines.push(`BROKEN: ${report.breaks} break(s); the first: ${at}: ${b.kind}: ${b.detail}${before}`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE);
    return EXIT.intact;
  }
  if (options.error) {
    process.stderr.write(`audit:verify: ${options.error}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { store, where } = openStore(process.env);
  try {
    const started = Date.now();
    const report = await verifyChains(store, {
      progressEvery: options.progressEvery || Number.MAX_SAFE_INTEGER,
      onProgress: (events, position) =>
        process.stderr.write(
          `  ${events} events checked, at position ${position} (${Math.round(events / ((Date.now() - started) / 1000 || 1))} events/s)\n`,
        ),
    });
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : summary(report, where));
    return report.intact ? EXIT.intact : EXIT.broken;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    // A row that is not JSON fails the read with a SyntaxError quoting it: name the failure, not the row.
    const message =
      error instanceof CannotRun ? error.message : error instanceof SyntaxError ? 'an event in the store is not valid JSON' : error.message;
    process.stderr.write(`audit:verify could not run: ${message}\n`);
    process.exit(EXIT.failed);
  },
);
