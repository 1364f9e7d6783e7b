/**
 * Recomputes every stream's hash chain (canonical.ts) from the store, in one pass over readAll in
 * position order, keeping per stream only its last revision, position and hash: memory grows with the
 * number of streams, never with the number of events. Used by `npm run audit:verify` and by the
 * service's POST /v1/audit/verify (README, "Audit trail").
 *
 * What a per-stream chain catches: an event's data, metadata, type, id or revision changed (the next
 * event's link no longer matches), an event removed from inside a stream (a revision gap whose link does
 * not match), events moved out of revision order, a link removed or garbled. What it cannot catch on its
 * own: the last event of a stream changed or removed, or a whole stream removed — nothing after them
 * links to them (see the README on anchoring), nor a rewrite by someone who recomputes every later hash.
 */
import type { EventStore } from '../event-store.port';
import { chainLinkOf, eventHash, type HashableEvent } from './canonical';

export type ChainBreakKind = 'hash-mismatch' | 'revision-gap' | 'reorder' | 'chain-missing' | 'chain-malformed' | 'unreadable';

export interface ChainBreak {
  kind: ChainBreakKind;
  /** The event where the chain does not hold; null for an event the store cannot read ('unreadable'). */
  streamId: string | null;
  revision: number | null;
  position: string | null;
  eventId: string | null;
  /** The event before it in its stream as stored (its link should name that event's hash); null for none.
   *  For 'unreadable': the last event read before it (revision null). */
  previous: { revision: number | null; position: string } | null;
  /** What is wrong, in words (never the events' contents). */
  detail: string;
}

export interface ChainReport {
  /** No break found: every chained event links to the event before it. */
  intact: boolean;
  /** Events and streams read (system `$` streams and events are not part of any chain). */
  events: number;
  streams: number;
  /** Events that carry a link. */
  chainedEvents: number;
  /** Events written before their stream's chain started (by a version without the chain): not covered. */
  legacyEvents: number;
  /** Streams whose events are all unhashed (legacy): reported, not failed. */
  legacyStreams: number;
  /** Streams whose chain starts after unhashed events (its first link covers the last of them). */
  lateStartStreams: number;
  /** Breaks found; the verification goes on past a break, from the event that broke. */
  breaks: number;
  firstBreak: ChainBreak | null;
  /** Position of the last event read: the report covers the store up to it. */
  lastPosition: string | null;
  /** Wall-clock time the pass took. */
  durationMs: number;
}

export type CheckedEvent = HashableEvent & { position: bigint | string };

interface StreamState {
  revision: number;
  position: string;
  hash: string;
  chained: boolean;
  legacy: boolean;
}

/** One pass's state: feed it the events in position order with `check`, read the result with `report`. */
export class ChainVerifier {
  private readonly streams = new Map<string, StreamState>();
  private readonly started = Date.now();
  private events = 0;
  private chainedEvents = 0;
  private legacyEvents = 0;
  private breaks = 0;
  private firstBreak: ChainBreak | null = null;
  private lastPosition: string | null = null;

  /** Checks one event against the one before it in its stream; the break, if it is one. */
  check(event: CheckedEvent): ChainBreak | null {
    const position = String(event.position);
    const state = this.streams.get(event.streamId);
    const link = chainLinkOf(event.metadata);
    const hash = eventHash(event);
    this.events++;
    this.lastPosition = position;
    const previous = state ? { revision: state.revision, position: state.position } : null;
    const fail = (kind: ChainBreakKind, detail: string): ChainBreak => ({
      kind,
      streamId: event.streamId,
      revision: event.revision,
      position,
      eventId: event.id,
      previous,
      detail,
    });
    let found: ChainBreak | null = null;
    if (link === 'malformed') {
      found = fail('chain-malformed', 'metadata.chain is not a link of a known version (v 1, prev: 64 hex digits or null)');
    } else if (link === 'absent') {
      if (state?.chained) found = fail('chain-missing', 'the event has no metadata.chain, but its stream is chained before it');
      else this.legacyEvents++;
    } else {
      this.chainedEvents++;
      if (!state) {
        if (link.prev !== null)
          found =
            event.revision > 0
              ? fail(
                  'revision-gap',
                  `the stream's first event read is revision ${event.revision}; its link names an event that is not in the store`,
                )
              : fail('hash-mismatch', 'the first event of the stream links to a previous event');
      } else if (event.revision <= state.revision) {
        found = fail('reorder', `revision ${event.revision} comes after revision ${state.revision} of the same stream`);
      } else if (link.prev !== state.hash) {
        found =
          link.prev !== null && event.revision > state.revision + 1
            ? fail(
                'revision-gap',
                `revisions ${state.revision + 1} to ${event.revision - 1} are missing: the link does not match revision ${state.revision}`,
              )
            : fail(
                'hash-mismatch',
                link.prev === null
                  ? `the link says the stream starts here, but revision ${state.revision} is before it`
                  : `the link does not match the hash of revision ${state.revision}: that event, or this event's link, was changed`,
              );
      }
    }
    this.streams.set(event.streamId, {
      revision: event.revision,
      position,
      hash,
      chained: (state?.chained ?? false) || typeof link === 'object',
      legacy: state ? state.legacy : link === 'absent',
    });
    if (found) {
      this.breaks++;
      this.firstBreak ??= found;
    }
    return found;
  }

  /** The store could not give the event after the last one read (not JSON: edited by hand): the pass ends here. */
  unreadable(): ChainBreak {
    const found: ChainBreak = {
      kind: 'unreadable',
      streamId: null,
      revision: null,
      position: null,
      eventId: null,
      previous: this.lastPosition === null ? null : { revision: null, position: this.lastPosition },
      detail: `the event after position ${this.lastPosition ?? '0'} is not valid JSON; the check stopped there`,
    };
    this.breaks++;
    this.firstBreak ??= found;
    return found;
  }

  report(): ChainReport {
    let legacyStreams = 0;
    let lateStartStreams = 0;
    for (const state of this.streams.values()) {
      if (!state.chained) legacyStreams++;
      else if (state.legacy) lateStartStreams++;
    }
    return {
      intact: this.breaks === 0,
      events: this.events,
      streams: this.streams.size,
      chainedEvents: this.chainedEvents,
      legacyEvents: this.legacyEvents,
      legacyStreams,
      lateStartStreams,
      breaks: this.breaks,
      firstBreak: this.firstBreak,
      lastPosition: this.lastPosition,
      durationMs: Date.now() - this.started,
    };
  }
}

export interface VerifyChainsOptions {
  /** Called every `progressEvery` events (default 100,000) with the count so far and the position reached. */
  onProgress?: (events: number, position: string) => void;
  progressEvery?: number;
  /** Give the event loop a turn every this many events (default 1000), so a server keeps answering. */
  yieldEvery?: number;
  /** Called with every break found, in position order. */
  onBreak?: (found: ChainBreak) => void;
  /** Stop at the first break instead of reading on. */
  stopAtFirstBreak?: boolean;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Every stream's chain, recomputed from the store (see ChainVerifier). */
export async function verifyChains(store: Pick<EventStore, 'readAll'>, options: VerifyChainsOptions = {}): Promise<ChainReport> {
  const verifier = new ChainVerifier();
  const progressEvery = Math.max(1, options.progressEvery ?? 100_000);
  const yieldEvery = Math.max(1, options.yieldEvery ?? 1000);
  let count = 0;
  try {
    for await (const event of store.readAll()) {
      const found = verifier.check(event);
      count++;
      if (found) options.onBreak?.(found);
      if (found && options.stopAtFirstBreak) break;
      if (count % progressEvery === 0) options.onProgress?.(count, String(event.position));
      if (count % yieldEvery === 0) await nextTurn();
    }
  } catch (error) {
    // A row edited into something that is not JSON fails the store's read (its message would quote the row).
    if (!(error instanceof SyntaxError)) throw error;
    options.onBreak?.(verifier.unreadable());
  }
  return verifier.report();
}
