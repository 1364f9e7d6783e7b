/** Server-side $all filtering (ReadReq.Options.FilterOptions), shared by reads and subscriptions. */
import { status } from '@grpc/grpc-js';
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import type { StoredEvent } from './log';
import { rpcError } from './wire';

/** The server's ReadBatchSize, used as the search window when the client sends `count`. */
const DEFAULT_WINDOW = 32;

export interface EventFilter {
  matches(event: StoredEvent): boolean;
  /** Events considered per page; checkpoints fall on page boundaries during catch-up. */
  window: number;
  /** Considered events between checkpoints: multiplier × window, as the server computes it. */
  checkpointInterval: number;
}

const MATCH_ALL: EventFilter = { matches: () => true, window: DEFAULT_WINDOW, checkpointInterval: Infinity };

export function eventFilter(options: ReadReq.Options): EventFilter {
  if (!options.hasFilter()) return MATCH_ALL;
  const filter = options.getFilter()!;
  const window = filter.hasMax() ? filter.getMax() : DEFAULT_WINDOW;
  const multiplier = filter.getCheckpointintervalmultiplier();
  // The server refuses a zero multiplier (ArgumentOutOfRange) rather than never checkpointing.
  if (options.hasSubscription() && multiplier <= 0) throw rpcError(status.INVALID_ARGUMENT, 'checkpointIntervalMultiplier must be > 0');
  const checkpointInterval = Math.max(1, multiplier) * window;

  const Case = ReadReq.Options.FilterOptions.FilterCase;
  let field: (e: StoredEvent) => string;
  let expression: ReadReq.Options.FilterOptions.Expression;
  switch (filter.getFilterCase()) {
    case Case.STREAM_IDENTIFIER:
      field = (e) => e.streamId;
      expression = filter.getStreamIdentifier()!;
      break;
    case Case.EVENT_TYPE:
      field = (e) => e.type;
      expression = filter.getEventType()!;
      break;
    default:
      throw rpcError(status.INVALID_ARGUMENT, 'Filter must be on stream identifier or event type');
  }
  // As in EventFilter.*.Regex/Prefixes: a non-empty regex wins over prefixes; regex is unanchored.
  const regex = expression.getRegex();
  if (regex) {
    const pattern = new RegExp(regex);
    return { matches: (e) => pattern.test(field(e)), window, checkpointInterval };
  }
  const prefixes = expression.getPrefixList();
  return { matches: (e) => prefixes.some((p) => field(e).startsWith(p)), window, checkpointInterval };
}
