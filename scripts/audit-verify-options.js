/**
 * The options of `npm run audit:verify`, read the same way by the wrapper (scripts/audit-verify.js,
 * before it builds anything) and by the built check (dist/scripts/audit-verify.js).
 */
const USAGE = `usage: npm run audit:verify [-- --json] [-- --progress-every N]

Recomputes the hash chain of every stream of the event store (README, "Audit trail"): each event's
metadata.chain.prev must be the SHA-256 of the canonical form of the event before it in its stream.
Reads the whole store once, in position order, keeping only each stream's last revision and hash.
Reports the first break with its stream, revision and position and what is wrong (hash-mismatch,
revision-gap, reorder, chain-missing, chain-malformed), and how many events and streams predate the
chain (legacy: reported, not failed). Builds the service first (npm run build), installing
dependencies if they are missing.

options:
  --json                 print the report as one JSON object on stdout
  --progress-every N     a progress line on stderr every N events (default 100000; 0: none)
  -h, --help             this text

exit codes: 0 every chain intact, 1 a break was found, 2 usage error, 3 the check could not run
(store unreachable or unreadable).

environment (as the service reads it; see the README, "Configuration"):
  EVENTSTORE_URL         the EventStoreDB/KurrentDB to check; unset: SQLite in DATA_DIR
  DATA_DIR               the embedded store's directory (default ./data): DATA_DIR/events.sqlite
  EVENTSTORE_TIMEOUT_MS  bound on each call to EventStoreDB (default 5000)
`;

/** { help } | { error } | { json, progressEvery }. An argument that is not an option name is never repeated. */
function parseOptions(args) {
  if (args.includes('--help') || args.includes('-h')) return { help: true };
  const options = { json: false, progressEvery: 100_000 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--progress-every') {
      const value = args[++i];
      if (value === undefined || !/^\d{1,9}$/.test(value)) return { error: '--progress-every takes a whole number of events' };
      options.progressEvery = Number(value);
    } else {
      // Named only when it looks like an option (an argument could be a secret pasted in the wrong place).
      const named = /^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(arg) ? arg : `at position ${i + 1}`;
      return { error: `unknown option ${named}` };
    }
  }
  return options;
}

module.exports = { USAGE, parseOptions };
