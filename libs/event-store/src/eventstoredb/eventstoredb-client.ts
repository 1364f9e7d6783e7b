/**
 * The client under the adapter, and what it takes to survive client 6.2.1:
 *
 * - Every call runs through `run()`: bounded by a timer, cancelled at the bound (reads and
 *   subscriptions have no deadline of their own in 6.2.1), and cut off if its client is replaced.
 * - Appends go over the unary Streams/Append RPC (`unaryAppend`), never BatchAppend. 6.2.1 sends
 *   every append of a client over one BatchAppend call opened with no deadline; a call that ends OK
 *   while an append waits (KurrentDB 24.6–24.10.2, #4857) stays cached and every later append hangs;
 *   requires-leader reaches the server only on the append that opens the call; and the table of
 *   pending appends is shared by every client in the process: when one client's call fails (or is
 *   cancelled by dispose()), it rejects the other clients' pending appends too, and when their
 *   answers then arrive, its handler throws a TypeError from a gRPC callback ("undefined is not
 *   iterable", batchAppend.ts:61): an uncaught exception. Measured on the double: two clients with
 *   an append each held by a stall, dispose() of the first; both appends reject CANCELLED, the second
 *   is written anyway, and on release the TypeError is thrown. Replacing a stuck client is exactly
 *   that sequence. Unary Append has none of this: a deadline per call, requires-leader on every
 *   append, nothing shared, and it does not depend on the ServerFeatures answer (which 6.2.1 caches
 *   even when it failed).
 * - A client is replaced after `recreateAfter` failures in a row that a new client may cure (calls
 *   that hung, unexplained errors); the old one is disposed in the background, for at most the call
 *   bound (dispose() waits for every stream it ever opened, forever if one never ends).
 */
import type { AppendExpectedRevision, AppendResult, EventData, EventStoreDBClient } from '@eventstore/db-client';
import { append } from '@eventstore/db-client/dist/streams/appendToStream/append';
import { CallTimedOutError, ClientReplacedError, failureKind } from './eventstoredb-errors';

/** Nest's Logger fits; so does `console`. */
export interface StoreLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Client 6.2.1's unary append (what appendToStream uses when BatchAppend is not on offer). */
export function unaryAppend(
  client: EventStoreDBClient,
  streamId: string,
  events: EventData[],
  options: { expectedRevision: AppendExpectedRevision; deadline: number; requiresLeader: boolean },
): Promise<AppendResult> {
  return append.call(client, streamId, events, { ...options, batchAppendSize: 3 * 1024 * 1024 });
}

/** One client and the calls running on it. */
export class ClientGeneration {
  retired = false;
  /** What ServerFeatures said, once asked (see EventStoreDBEventStore.sendsCaughtUp). */
  serverVersion?: Promise<string | null>;
  private readonly cutOffs = new Set<() => void>();

  constructor(
    readonly client: EventStoreDBClient,
    readonly number: number,
  ) {}

  /** `cut` runs if this client is replaced while the work runs; returns the function that unregisters it. */
  onRetire(cut: () => void): () => void {
    if (this.retired) {
      cut();
      return () => undefined;
    }
    this.cutOffs.add(cut);
    return () => this.cutOffs.delete(cut);
  }

  retire(): void {
    if (this.retired) return;
    this.retired = true;
    for (const cut of [...this.cutOffs]) cut();
    this.cutOffs.clear();
  }
}

export interface ClientHolderOptions {
  /** Makes a new client; undefined when the client was given from outside (it is then never replaced). */
  create?: () => EventStoreDBClient;
  /** Replace the client after this many failures in a row that a new one may cure; 0: never. */
  recreateAfter: number;
  /** How long a retired client's dispose() may take before it is left to the garbage collector. */
  disposeTimeoutMs: number;
  /** Dispose the client on close (false for a client given from outside). */
  owns: boolean;
  logger?: StoreLogger;
}

export class ClientHolder {
  private generation: ClientGeneration;
  private streak = 0;
  private readonly disposing = new Set<Promise<void>>();

  constructor(
    first: EventStoreDBClient,
    private readonly options: ClientHolderOptions,
  ) {
    this.generation = new ClientGeneration(first, 1);
  }

  get current(): ClientGeneration {
    return this.generation;
  }

  /**
   * Runs `op` on the current client. At `ms` (or if the client is replaced meanwhile) the `cancel` it
   * registered is called and the call rejects with CallTimedOutError (ClientReplacedError), whatever
   * `op` does later. Failures a new client may cure count towards replacing it; a success resets that.
   */
  async run<T>(
    what: string,
    ms: number,
    op: (client: EventStoreDBClient, onCancel: (cancel: () => void) => void) => Promise<T>,
  ): Promise<T> {
    const generation = this.generation;
    let done = false;
    let cancel: (() => void) | undefined;
    const stop = () => {
      try {
        cancel?.();
      } catch {
        // Cancelling a call that already ended: nothing left to stop.
      }
    };
    const onCancel = (c: () => void) => {
      cancel = c;
      if (done) stop();
    };
    let timer: NodeJS.Timeout | undefined;
    let unregister = () => undefined as unknown;
    const cutOff = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CallTimedOutError(what, ms)), Math.max(1, ms));
      unregister = generation.onRetire(() => reject(new ClientReplacedError(what)));
    });
    try {
      // Promise.race handles a late rejection of the abandoned call too: nothing goes unhandled.
      const value = await Promise.race([Promise.resolve().then(() => op(generation.client, onCancel)), cutOff]);
      this.streak = 0;
      return value;
    } catch (error) {
      if (error instanceof CallTimedOutError || error instanceof ClientReplacedError) stop();
      this.noteFailure(generation, what, error);
      throw error;
    } finally {
      done = true;
      clearTimeout(timer);
      unregister();
    }
  }

  /** A failure seen outside run() (a subscription that was never confirmed, or failed). */
  noteFailure(generation: ClientGeneration, what: string, error: unknown): void {
    const kind = failureKind(error);
    if (kind !== 'hung' && kind !== 'unexplained') return;
    if (generation !== this.generation || !this.options.create || this.options.recreateAfter <= 0) return;
    this.streak++;
    if (this.streak < this.options.recreateAfter) return;
    this.replace(`${this.streak} failures in a row, the last: ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** Retires the current client (its calls are cut off) and makes a new one. */
  replace(reason: string): void {
    if (!this.options.create) return;
    const old = this.generation;
    let client: EventStoreDBClient;
    try {
      client = this.options.create();
    } catch (error) {
      // E.g. a tlsCAFile that went missing: keep the client there is rather than none.
      this.options.logger?.error(`EventStoreDB client #${old.number} could not be replaced (${reason}): ${(error as Error).message}`);
      this.streak = 0;
      return;
    }
    this.generation = new ClientGeneration(client, old.number + 1);
    this.streak = 0;
    this.options.logger?.warn(`EventStoreDB client #${old.number} replaced by #${this.generation.number} (${reason})`);
    this.retire(old);
  }

  /** Disposes the current client (when owned) and waits, bounded, for every retired one. */
  async close(): Promise<void> {
    if (this.options.owns) this.retire(this.generation);
    await Promise.all([...this.disposing]);
  }

  private retire(generation: ClientGeneration): void {
    generation.retire();
    const disposing = this.disposeBounded(generation);
    this.disposing.add(disposing);
    void disposing.finally(() => this.disposing.delete(disposing));
  }

  private async disposeBounded(generation: ClientGeneration): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.options.disposeTimeoutMs)));
    const outcome = await Promise.race([generation.client.dispose().catch(() => undefined), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.options.logger?.warn(
        `EventStoreDB client #${generation.number} did not finish disposing within ${this.options.disposeTimeoutMs} ms ` +
          '(a call it opened never ended); left to the garbage collector',
      );
    }
  }
}
