import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  checkPartition,
  streamPartition,
  InvalidCheckpointError,
  type AllStreamSubscription,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../event-store.port';
import { ClientHolder, unaryAppend, type ClientGeneration, type StoreLogger } from './eventstoredb-client';
import { parseEventStoreUrl } from './eventstoredb-connection';
import {
  CallTimedOutError,
  closedError,
  failureKind,
  isInvalidPosition,
  isSystemEvent,
  matchesPrefixes,
  toRecordedEvent,
  toStoreError,
} from './eventstoredb-errors';
import { EventStoreDBSubscription, type SubscriptionSupport } from './eventstoredb-subscription';

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_RECREATE_AFTER = 3;
/** Attempts of one call within its bound: a commit timeout, a reconnect or a new leader, then the answer. */
const MAX_ATTEMPTS = 3;
/** Below this much time left, a retry could not get an answer anyway. */
const MIN_RETRY_MS = 50;
/** Pause before retrying a call the client is reconnecting for (unavailable, not leader). */
const RECONNECT_PAUSE_MS = 50;
/** An append's gRPC deadline is this much before the bound, so the client cancels the call itself. */
const DEADLINE_MARGIN_MS = 25;
/** How many `$`-typed events at a stream's end an append looks past (see appendToStream). */
const HIDDEN_TAIL_MAX = 64;

export interface EventStoreDBEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false`; see eventstoredb-connection.ts. Ignored when `client` is given. */
  url?: string;
  /** An existing client; the store then neither replaces nor disposes it. */
  client?: EventStoreDBClient;
  /** Events per gRPC read in readAll: bounds memory, not results. */
  pageSize?: number;
  /**
   * Bound on each call, in ms (default 5000): an append with its retries, each read (each page of a
   * readAll), the start of a subscription (its checkpoint check and the server's confirmation). Past
   * it the call is cancelled and fails with a retryable EventStoreUnavailableError.
   */
  timeoutMs?: number;
  /** Replace the client after this many failures in a row that a new client may cure (calls that got
   *  no answer, unexplained errors); default 3, 0 never. */
  recreateAfterFailures?: number;
  /** Client replacements and the server version are logged here (never the connection string's password). */
  logger?: StoreLogger;
}

/**
 * The EventStore port on EventStoreDB/KurrentDB (client @eventstore/db-client 6.2.1). Streams are
 * named as the caller gives them; events are JSON with the port's metadata as custom metadata;
 * positions are commit positions. What it does about the ways a node (or the client) fails is in
 * eventstoredb-client.ts and README.md ("EventStoreDB / KurrentDB").
 */
export class EventStoreDBEventStore implements EventStore {
  private readonly clients: ClientHolder;
  private readonly pageSize: number;
  private readonly timeoutMs: number;
  private readonly logger?: StoreLogger;
  private readonly subscriptions = new Set<EventStoreDBSubscription>();
  /** A subscription of this store got caught_up from the server: it sends it (23.10+). */
  private sawCaughtUp = false;
  private versionLogged = false;
  private closed = false;

  static connect(url: string, options: Omit<EventStoreDBEventStoreOptions, 'url' | 'client'> = {}): EventStoreDBEventStore {
    return new EventStoreDBEventStore({ ...options, url });
  }

  constructor(options: EventStoreDBEventStoreOptions) {
    this.pageSize = Math.max(1, options.pageSize ?? 500);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.logger = options.logger;
    const recreateAfter = Math.max(0, options.recreateAfterFailures ?? DEFAULT_RECREATE_AFTER);
    if (options.client) {
      this.clients = new ClientHolder(options.client, {
        recreateAfter,
        disposeTimeoutMs: this.timeoutMs,
        owns: false,
        logger: this.logger,
      });
    } else {
      if (!options.url) throw new TypeError('EventStoreDBEventStore needs a url or a client');
      // Throws EventStoreUrlError, whose message never quotes the string (it may hold a password).
      const { connectionString } = parseEventStoreUrl(options.url);
      const create = () => EventStoreDBClient.connectionString(connectionString);
      this.clients = new ClientHolder(create(), {
        create,
        recreateAfter,
        disposeTimeoutMs: this.timeoutMs,
        owns: true,
        logger: this.logger,
      });
    }
  }

  /** Which client is in use (1 for the first): how tests see that a stuck client was replaced. */
  get clientGeneration(): number {
    return this.clients.current.number;
  }

  /**
   * Over unary Append with requires-leader, bounded by timeoutMs with its retries. The same events
   * are re-sent, same ids, after an answer that leaves the outcome open (the server's commit timeout,
   * a cut connection, a new leader): the server answers a replay with the first write's result, so a
   * write that did happen is reported as the success it was.
   *
   * `$`-typed events are not part of a stream as the port shows it, so a revision check that fails
   * only because such events were written after `expectedRevision` (a projection's link) is checked
   * again against the revision that includes them.
   */
  async appendToStream(streamId: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    this.assertOpen();
    const expected = options.expectedRevision;
    const data = events.map((e, i) => {
      // Serialised here, before any call: client 6.2.1 serialises inside an async promise executor,
      // where a throw becomes an unhandled rejection and leaves the append pending until its deadline.
      const metadata = jsonBytes(e.metadata, `metadata of event ${i} of the append to ${streamId}`);
      jsonBytes(e.data, `data of event ${i} of the append to ${streamId}`);
      return { ...jsonEvent({ id: e.id, type: e.type, data: e.data }), metadata };
    });
    const deadline = Date.now() + this.timeoutMs;
    let revision: AppendExpectedRevision = toClientRevision(expected);
    for (let lookedPast = 0; ; lookedPast++) {
      try {
        const result = await this.attempts(
          `append to ${streamId}`,
          deadline,
          // The call's own deadline comes first, so grpc cancels it on the server too (a held write is
          // then dropped); the run's timer is the backstop.
          (client, remainingMs) =>
            unaryAppend(client, streamId, data, {
              expectedRevision: revision,
              deadline: Math.max(1, remainingMs - DEADLINE_MARGIN_MS),
              requiresLeader: true,
            }),
          (err) => err instanceof WrongExpectedVersionError,
        );
        if (!result.position) throw new TypeError(`append to ${streamId}: server returned no position`);
        return { nextExpectedRevision: Number(result.nextExpectedRevision), position: result.position.commit };
      } catch (err) {
        if (err instanceof WrongExpectedVersionError && lookedPast < 3 && typeof err.actualVersion === 'bigint') {
          const hidden = await this.onlyServerEventsAfter(streamId, revision, err.actualVersion, deadline).catch(() => false);
          if (hidden) {
            revision = err.actualVersion;
            continue;
          }
        }
        throw err instanceof WrongExpectedVersionError ? toStoreError(err, { streamId, expected }) : err;
      }
    }
  }

  /** In revision order, without `$`-typed events; requires-leader, so a command decides on what the leader has. */
  async readStream(streamId: string): Promise<RecordedEvent[]> {
    this.assertOpen();
    let resolved: ResolvedEvent[];
    try {
      resolved = await this.attempts(
        `read of ${streamId}`,
        Date.now() + this.timeoutMs,
        (client, _, onCancel) => drain(client.readStream(streamId, { requiresLeader: true }), onCancel),
        (err) => err instanceof StreamNotFoundError,
      );
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw err;
    }
    return resolved.filter((r) => !r.event?.type.startsWith('$')).map(toRecordedEvent);
  }

  /**
   * Client 6.2.1 cannot filter a $all read on the server, only a subscription. So on servers that
   * send caught_up (23.10+), a read is a filtered catch-up subscription followed up to caught_up
   * (measured on the double: 1,000 key events among 100,000 in 0.7 s, against 13.5 s and 202 page
   * reads for paged reads filtered here); on older ones it pages through $all and filters here. Both
   * stop at the last event stored when the read began, so it is a finite read even while writers
   * keep appending; each page, or each wait for the subscription's next event or checkpoint, is
   * bounded by timeoutMs.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    checkPartition(options.partition);
    const { partition, maxCount, ...rest } = options;
    let remaining = maxCount ?? Number.POSITIVE_INFINITY;
    if (remaining <= 0) return;
    // A share is filtered here, after the read: $all has no server-side filter for it.
    const read = partition ? rest : options;
    const events = (await this.sendsCaughtUp()) ? this.readAllSubscribed(read) : this.readAllPaged(read);
    if (!partition) {
      yield* events;
      return;
    }
    for await (const event of events) {
      if (streamPartition(event.streamId, partition.count) !== partition.index) continue;
      yield event;
      if (--remaining <= 0) return;
    }
  }

  private async *readAllSubscribed(options: ReadAllOptions): AsyncIterable<RecordedEvent> {
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    // The subscription checks `after` itself (InvalidCheckpointError), before it subscribes.
    const head = await this.lastPosition();
    if (head === null) return;
    let progressed = false;
    const sub = new EventStoreDBSubscription(
      this.support,
      { after: options.after, streamPrefixes: options.streamPrefixes },
      (s) => this.subscriptions.delete(s),
      () => (progressed = true),
    );
    this.subscriptions.add(sub);
    const caughtUp = sub.caughtUp.then((): typeof DONE_READING => DONE_READING);
    caughtUp.catch(() => undefined);
    const it = sub[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = it.next();
        let timer: NodeJS.Timeout | undefined;
        // Past the bound only when nothing at all came from the server for a whole bound while this
        // read waited: no event (wanted or not), no checkpoint, no caught_up.
        progressed = false;
        const stalled = new Promise<typeof STALLED>((resolve) => {
          const check = () => {
            if (!progressed) return resolve(STALLED);
            progressed = false;
            timer = setTimeout(check, this.timeoutMs);
          };
          timer = setTimeout(check, this.timeoutMs);
        });
        const outcome = await Promise.race([next, caughtUp, stalled]).finally(() => clearTimeout(timer));
        if (outcome === DONE_READING) return;
        if (outcome === STALLED) throw new CallTimedOutError('read of $all (catch-up subscription)', this.timeoutMs);
        if (outcome.done) return;
        if (outcome.value.position > head) return;
        yield outcome.value;
        if (--remaining <= 0) return;
      }
    } finally {
      await sub.close();
    }
  }

  private async *readAllPaged(options: ReadAllOptions): AsyncIterable<RecordedEvent> {
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (options.after !== undefined) await this.validateCheckpoint(options.after);
    const head = await this.lastPosition();
    if (head === null) return;
    let cursor = options.after;
    for (;;) {
      // Reading from a position includes the event at it, so each page after the first re-reads the
      // cursor event and skips it: the port's `after` is exclusive.
      const page = await this.readAllPage(cursor === undefined ? START : { commit: cursor, prepare: cursor }, FORWARDS, this.pageSize);
      let advanced = false;
      for (const resolved of page) {
        const event = resolved.event;
        const position = event?.position?.commit ?? resolved.commitPosition;
        if (!event || position === undefined || (cursor !== undefined && position <= cursor)) continue;
        if (position > head) return;
        cursor = position;
        advanced = true;
        if (isSystemEvent(event) || !matchesPrefixes(event.streamId, options.streamPrefixes)) continue;
        yield toRecordedEvent(resolved);
        if (--remaining <= 0) return;
      }
      if (page.length < this.pageSize || !advanced) return;
    }
  }

  /**
   * Pages backwards from the end of $all until an event of a matching stream (client-side filter,
   * as in readAll; system events never match). The newest events are nearly always key events.
   */
  async headPosition(options: { streamPrefixes?: string[] } = {}): Promise<bigint | undefined> {
    this.assertOpen();
    const found = await this.lastMatching((event) => !isSystemEvent(event) && matchesPrefixes(event.streamId, options.streamPrefixes));
    return found ?? undefined;
  }

  subscribeToAll(options: SubscribeOptions = {}): AllStreamSubscription {
    this.assertOpen();
    const sub = new EventStoreDBSubscription(this.support, options, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.clients.close();
  }

  /** What a subscription needs from its store. */
  private readonly support: SubscriptionSupport = {
    clients: (): ClientHolder => this.clients,
    timeoutMs: (): number => this.timeoutMs,
    validate: (after) => this.validateCheckpoint(after),
    sendsCaughtUp: () => this.sendsCaughtUp(),
    sawCaughtUp: () => {
      this.sawCaughtUp = true;
    },
    lastWanted: (options, stop) =>
      this.lastMatching((event) => !isSystemEvent(event) && matchesPrefixes(event.streamId, options.streamPrefixes), options.after, stop),
  };

  /**
   * Runs one call with retries until `deadline`: again at once after a commit timeout (same events,
   * so a replay), after a short pause when the client is reconnecting (unavailable, cancelled, not
   * leader), and on the new client when this failure made the holder replace it. Errors for which
   * `raw` says so are rethrown as the client threw them; the rest are the port's.
   */
  private async attempts<T>(
    what: string,
    deadline: number,
    op: (client: EventStoreDBClient, remainingMs: number, onCancel: (cancel: () => void) => void) => Promise<T>,
    raw: (err: unknown) => boolean = () => false,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.assertOpen();
      const remainingMs = Math.max(1, deadline - Date.now());
      const generation: ClientGeneration = this.clients.current;
      try {
        return await this.clients.run(what, remainingMs, (client, onCancel) => op(client, remainingMs, onCancel));
      } catch (err) {
        if (raw(err)) throw err;
        const kind = failureKind(err);
        const replaced = generation.retired && !this.closed;
        const left = deadline - Date.now();
        const worthIt = kind === 'commit-timeout' || kind === 'transient' || (kind === 'unexplained' && replaced);
        if (!worthIt || attempt >= MAX_ATTEMPTS || left < MIN_RETRY_MS) throw toStoreError(err, undefined, replaced);
        if (kind === 'transient') await sleep(Math.min(RECONNECT_PAUSE_MS * attempt, left / 2));
      }
    }
  }

  private async readAllPage(
    from: ReadPosition,
    direction: typeof FORWARDS | typeof BACKWARDS,
    maxCount: number,
  ): Promise<AllStreamResolvedEvent[]> {
    return this.attempts(`read of $all`, Date.now() + this.timeoutMs, (client, _, onCancel) =>
      drain(client.readAll({ fromPosition: from, direction, maxCount }), onCancel),
    );
  }

  /** The position of the last event in $all (any stream, system ones included); null when there is none. */
  private async lastPosition(): Promise<bigint | null> {
    const [last] = await this.readAllPage(END, BACKWARDS, 1);
    return last ? (last.event?.position?.commit ?? last.commitPosition ?? null) : null;
  }

  /**
   * Pages backwards from the end for the last event `matches` accepts; null when there is none (after
   * `after`, when given); undefined when `stop` says the answer is no longer needed.
   */
  private async lastMatching(
    matches: (event: { streamId: string; type: string }) => boolean,
    after?: bigint,
    stop: () => boolean = () => false,
  ): Promise<bigint | null | undefined> {
    let from: ReadPosition = END;
    for (;;) {
      const page = await this.readAllPage(from, BACKWARDS, this.pageSize);
      let last: bigint | undefined;
      for (const resolved of page) {
        const event = resolved.event;
        const position = event?.position?.commit ?? resolved.commitPosition;
        if (position === undefined) continue;
        if (after !== undefined && position <= after) return null;
        if (event && matches(event)) return position;
        last = position;
      }
      if (page.length < this.pageSize || last === undefined) return null;
      if (stop()) return undefined;
      from = { commit: last, prepare: last };
    }
  }

  /**
   * A checkpoint must be a position this store gave out: at or before its last event, and where an
   * event starts (the server refuses a read from inside a record, and a subscription from past the end
   * silently skips every event up to that position). 0 is the start of the log. Two small reads.
   */
  private async validateCheckpoint(after: bigint): Promise<void> {
    if (after === 0n) return;
    const last = await this.lastPosition();
    if (last === null || after > last) {
      throw new InvalidCheckpointError(
        after,
        'beyond-head',
        last === null ? 'the store holds no events' : `past the store's last event, at ${last}`,
      );
    }
    if (after === last) return;
    try {
      await this.attempts(
        'read of $all',
        Date.now() + this.timeoutMs,
        (client, _, onCancel) => drain(client.readAll({ fromPosition: { commit: after, prepare: after }, maxCount: 1 }), onCancel),
        isInvalidPosition,
      );
    } catch (err) {
      if (isInvalidPosition(err))
        throw new InvalidCheckpointError(after, 'not-an-event', 'no event starts there: it falls inside a record');
      throw err;
    }
  }

  /** Whether the server says caught_up (23.10+): from what a subscription saw, else from its version. */
  private async sendsCaughtUp(): Promise<boolean> {
    if (this.sawCaughtUp) return true;
    const generation = this.clients.current;
    generation.serverVersion ??= this.clients.run('ServerFeatures', this.timeoutMs, (client) => serverVersionOf(client)).catch(() => null);
    const version = await generation.serverVersion;
    if (version === null) {
      generation.serverVersion = undefined; // ask again next time (a new client will, if this one keeps failing)
      return false;
    }
    this.logVersion(version);
    const [major = 0, minor = 0] = version.split('.').map(Number);
    return major > 23 || (major === 23 && minor >= 10);
  }

  private logVersion(version: string): void {
    if (this.versionLogged) return;
    this.versionLogged = true;
    const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
    const supported = major > 24 || (major === 24 && (minor > 10 || (minor === 10 && patch >= 3)));
    if (supported) this.logger?.log(`EventStoreDB/KurrentDB server ${version}`);
    else
      this.logger?.warn(`EventStoreDB/KurrentDB server ${version}: older than 24.10.3, the oldest this adapter is verified for (README)`);
  }

  /** Whether every event after `expected` up to `actual` is `$`-typed, i.e. the stream did not change as the port shows it. */
  private async onlyServerEventsAfter(
    streamId: string,
    expected: AppendExpectedRevision,
    actual: bigint,
    deadline: number,
  ): Promise<boolean> {
    const from = expected === NO_STREAM ? 0n : typeof expected === 'bigint' ? expected + 1n : null;
    if (from === null || actual < from || actual - from >= BigInt(HIDDEN_TAIL_MAX)) return false;
    const count = Number(actual - from) + 1;
    const events = await this.attempts(`read of ${streamId}`, deadline, (client, _, onCancel) =>
      drain(client.readStream(streamId, { fromRevision: from, maxCount: count, requiresLeader: true }), onCancel),
    );
    return events.length === count && events.every((e) => e.event?.type.startsWith('$'));
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }
}

/** Reads a client read stream to its end; registers its cancel, so a bound can stop it. */
async function drain<T>(stream: AsyncIterable<T> & { cancel(): Promise<void> }, onCancel: (cancel: () => void) => void): Promise<T[]> {
  onCancel(() => void stream.cancel().catch(() => undefined));
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** The version ServerFeatures reported (client 6.2.1 keeps it, failures included, per connection). */
async function serverVersionOf(client: EventStoreDBClient): Promise<string | null> {
  const features = await (client as unknown as { capabilities: Promise<{ serverVersion: string }> }).capabilities;
  return /^\d+\.\d+/.test(features.serverVersion) ? features.serverVersion : null;
}

/** `value` as JSON bytes; a TypeError naming `what` for a value JSON cannot hold (a bigint, a cycle). */
function jsonBytes(value: unknown, what: string): Uint8Array {
  try {
    // A plain Uint8Array: the client sends metadata as bytes only when its constructor is Uint8Array.
    return new TextEncoder().encode(JSON.stringify(value));
  } catch (err) {
    throw new TypeError(`${what} cannot be stored as JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function toClientRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  return BigInt(expected);
}

const DONE_READING = Symbol('done');
const STALLED = Symbol('stalled');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
