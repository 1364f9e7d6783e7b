/**
 * The one loop every follower of the global log runs: load its checkpoint → subscribe after it →
 * hand each batch of events to its handler → on a failure, wait and start again from the checkpoint
 * as stored (never from where this process got to: only the stored position is known to be safe).
 * The validity projection (libs/application) and the notification relay (libs/notifications) are
 * built on it; a new read model is an `apply(event)` and a checkpoint, plus a registration beside
 * the other workers (it has the `name`, `start()` and `stop()` a Worker needs):
 *
 *     const history = new CheckpointedSubscriber({
 *       name: 'account-history projection',
 *       store,
 *       streamPrefixes: [KEY_STREAM_PREFIX],
 *       checkpoint: checkpointIn(checkpoints, 'account-history'),
 *       apply: (event) => accountHistory.add(event), // idempotent: delivery is at least once
 *     });
 *     workers.push(history);
 *
 * It lives here, in libs/event-store, because that is the lowest layer that has everything it
 * needs — the EventStore port and a checkpoint load/save pair — and nothing it must not know: no
 * event types, no read model, no broker. Both of its users already depend on this library and on
 * nothing above it in common (notifications cannot import the application layer), and an adapter
 * library is still "ports and what works on any adapter of them": this file imports the port only.
 *
 * What it guarantees:
 * - `start()` resolves once the first subscription has delivered every event stored when it opened
 *   (or once the subscriber is stopped before that: a caller never waits forever); calling it again
 *   while running returns the same promise.
 * - `stop()` ends the subscription, cuts any retry wait short and opens no new subscription (also
 *   when called while the checkpoint is being loaded). It lets an in-flight handler finish — for at
 *   most `timeoutMs` if given; past that the run is abandoned (`signal.abandoned`), and a new
 *   `start()` begins a new run that the abandoned one cannot touch.
 * - `resync()` closes the subscription and resumes from the stored checkpoint at once, with no retry
 *   delay: for a checkpoint store that lost writes (went back in time) while no event arrived.
 * - A failed attempt (the store, the handler, or the checkpoint save threw, or the subscription
 *   ended without being closed) is logged once per streak of failures, not at every retry, unless
 *   `onFailure` takes over; the streak ends when a batch is handled.
 * - The checkpoint is saved (when `checkpoint.save` is given) only after the handler resolved for
 *   the whole batch, so a crash repeats events but never skips one. A handler that writes its own
 *   checkpoint together with its data (the validity projection does, atomically) leaves `save` out.
 * - A stored checkpoint the store says is not its own (InvalidCheckpointError: another store's, or
 *   the store was replaced or restored from an older backup) is never retried as it is: that would
 *   fail, or silently skip events, forever. `onInvalidCheckpoint` decides where to resume instead (the
 *   validity projection rebuilds its index; the relay starts again from the beginning), or, without
 *   the hook, the subscriber resumes from the beginning; either way with a warning, at once.
 */
import { InvalidCheckpointError, type AllStreamSubscription, type EventStore, type RecordedEvent } from './event-store.port';
import type { CheckpointStore } from './checkpoint-store';

/** Nest's Logger fits; so does `console`. */
export interface SubscriberLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Where a subscriber resumes from, and (unless its handler does it) how it records progress. */
export interface SubscriberCheckpoint {
  /** The stored position; undefined to start at the beginning. */
  load(): Promise<bigint | undefined>;
  /** Called with the last position of each handled batch. Omit when the handler saves it itself. */
  save?(position: bigint): Promise<void>;
}

/** One named checkpoint of a CheckpointStore, as a SubscriberCheckpoint. */
export function checkpointIn(checkpoints: CheckpointStore, name: string): Required<SubscriberCheckpoint> {
  return { load: () => checkpoints.load(name), save: (position) => checkpoints.save(name, position) };
}

/** What a handler can see of the run it is called in (one start()..stop()). */
export interface RunSignal {
  /** stop() was called: finish or give up quickly. */
  readonly stopping: boolean;
  /** stop() gave up waiting for this run: nothing it still does may be recorded as done. */
  readonly abandoned: boolean;
  /** Waits `ms`, or less if stop() is called meanwhile. */
  sleep(ms: number): Promise<void>;
}

export interface SubscriberFailure {
  error: unknown;
  /** Failures in a row, this one included (1: the first since a batch was last handled). */
  consecutive: number;
}

/** What `onFailure` decides; the next attempt always starts from the stored checkpoint. */
export interface FailureHandling {
  /** How long to wait before the next attempt (stop() cuts it short). */
  retryInMs: number;
  /** The hook logged it itself (or it is not worth a line): the subscriber logs nothing. */
  logged?: boolean;
  /**
   * false: an expected interruption rather than a failure (e.g. a checkpoint store that refused a
   * write on purpose): it neither starts nor extends the streak. Default true.
   */
  counts?: boolean;
}

interface CommonOptions {
  /** Names the subscriber in its log lines ("<name> interrupted (...)") and as a Worker. */
  name: string;
  store: Pick<EventStore, 'subscribeToAll'>;
  /** Only streams whose id starts with one of these; all streams when omitted. */
  streamPrefixes?: string[];
  checkpoint: SubscriberCheckpoint;
  /** Events per handler call, at most; default 1. */
  batchSize?: number;
  /**
   * How long a batch waits for more live events once the stored ones are exhausted; default 0.
   * Events already stored never wait: they arrive before any timer fires.
   */
  batchWindowMs?: number;
  /** Wait before the next attempt after a failure, by its place in the streak; default 1000 ms. */
  retryDelayMs?: number | ((consecutive: number) => number);
  /** Decides about one failure; return undefined for the default (see FailureHandling). */
  onFailure?(failure: SubscriberFailure): FailureHandling | undefined;
  /** Each (re)subscription, with the stored position it resumes after, before any event of it. */
  onSubscribed?(after: bigint | undefined): void;
  /** Each subscription that has delivered every event stored when it opened. */
  onCaughtUp?(): void;
  /**
   * The stored checkpoint is not a position of the store (see InvalidCheckpointError). Returns where
   * to resume instead, after repairing what needs it (a projection rebuilds its read model and returns
   * the rebuild's position); undefined: from the beginning. Until the stored checkpoint changes (the
   * next saved batch, or the repair itself), every (re)subscription resumes from that position, or
   * after the last batch handled since, instead of the invalid one. A throw counts as a failed attempt
   * (retried, asking again). Without the hook: from the beginning.
   */
  onInvalidCheckpoint?(invalid: { checkpoint: bigint; error: InvalidCheckpointError }, signal: RunSignal): Promise<bigint | undefined>;
  logger?: SubscriberLogger;
}

export type CheckpointedSubscriberOptions = CommonOptions &
  (
    | {
        /** Applies one event; throwing fails the attempt (it is applied again after the retry). */
        apply(event: RecordedEvent, signal: RunSignal): Promise<void>;
        handle?: never;
      }
    | {
        /** Handles one batch, in position order; throwing fails the attempt (the batch comes again). */
        handle(events: readonly RecordedEvent[], signal: RunSignal): Promise<void>;
        apply?: never;
      }
  );

/** A subscription that ended while nobody had closed it: the port says it should not. */
export class SubscriptionEndedError extends Error {
  constructor() {
    super('the subscription ended without being closed');
    this.name = 'SubscriptionEndedError';
  }
}

interface Run {
  stopping: boolean;
  abandoned: boolean;
  /** resync() asked for a new attempt from the stored checkpoint. */
  resync: boolean;
  /** While the stored checkpoint is `invalid`, resume after `after` instead (onInvalidCheckpoint). */
  replacement?: { invalid: bigint; after: bigint | undefined };
  /** Counted failures since a batch was last handled. */
  streak: number;
  subscription?: AllStreamSubscription;
  wakers: Set<() => void>;
  signal: RunSignal;
  ready: Promise<void>;
  markReady: () => void;
  done: Promise<void>;
}

type Pulled = { result: IteratorResult<RecordedEvent> } | { error: unknown };
const TIMEOUT = Symbol('timeout');

export class CheckpointedSubscriber {
  readonly name: string;
  private readonly batchSize: number;
  private readonly batchWindowMs: number;
  private readonly logger: SubscriberLogger;
  private run?: Run;

  constructor(private readonly options: CheckpointedSubscriberOptions) {
    this.name = options.name;
    this.batchSize = Math.max(1, options.batchSize ?? 1);
    this.batchWindowMs = Math.max(0, options.batchWindowMs ?? 0);
    this.logger = options.logger ?? console;
  }

  /** True from start() until stop() is called. */
  get running(): boolean {
    return !!this.run && !this.run.stopping;
  }

  /** Follows the store in the background; resolves once caught up (or stopped). */
  start(): Promise<void> {
    if (this.run && !this.run.stopping) return this.run.ready;
    const run = this.newRun();
    this.run = run;
    run.done = this.loop(run)
      .catch((error) => {
        // Not expected (every step catches its own errors), but a follower must never take the app down.
        this.logger.error(`${this.name} loop ended unexpectedly: ${messageOf(error)}`);
      })
      .finally(run.markReady);
    return run.ready;
  }

  /**
   * Ends the run: no new subscription, retry waits cut short, the in-flight handler call allowed to
   * finish. Resolves true once the run has ended, or false when `timeoutMs` passed first (the run is
   * then abandoned, and goes on ending in the background). A second call waits for the end.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<boolean> {
    const run = this.run;
    if (!run) return true;
    if (run.stopping) {
      await run.done;
      return true;
    }
    run.stopping = true;
    for (const wake of [...run.wakers]) wake();
    await run.subscription?.close().catch(() => undefined);
    const timeoutMs = options.timeoutMs ?? Infinity;
    if (timeoutMs === Infinity) {
      await run.done;
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), Math.max(0, timeoutMs))));
    const outcome = await Promise.race([run.done, timedOut]);
    clearTimeout(timer);
    if (outcome !== TIMEOUT) return true;
    run.abandoned = true;
    return false;
  }

  /**
   * Closes the subscription and resumes from the checkpoint as stored now, without the retry delay.
   * A no-op unless running.
   */
  async resync(): Promise<void> {
    const run = this.run;
    if (!run || run.stopping) return;
    run.resync = true;
    await run.subscription?.close().catch(() => undefined);
  }

  private newRun(): Run {
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const run: Run = {
      stopping: false,
      abandoned: false,
      resync: false,
      streak: 0,
      wakers: new Set(),
      ready,
      markReady,
      done: Promise.resolve(),
      signal: {
        get stopping() {
          return run.stopping;
        },
        get abandoned() {
          return run.abandoned;
        },
        sleep: (ms) => sleep(run, ms),
      },
    };
    return run;
  }

  private async loop(run: Run): Promise<void> {
    const { store, streamPrefixes, checkpoint } = this.options;
    while (!run.stopping) {
      run.resync = false;
      let subscription: AllStreamSubscription | undefined;
      let stored: bigint | undefined;
      let replaced = false;
      try {
        stored = await checkpoint.load();
        if (run.stopping) break; // stopped during that await: open no new subscription
        if (run.resync) continue; // asked during that await: load what is stored now
        let after = stored;
        if (run.replacement && run.replacement.invalid === stored) {
          after = run.replacement.after;
          replaced = true;
        } else {
          run.replacement = undefined;
        }
        subscription = store.subscribeToAll({ after, streamPrefixes });
        run.subscription = subscription;
        subscription.caughtUp.then(
          () => {
            run.markReady();
            this.options.onCaughtUp?.();
          },
          () => undefined,
        );
        this.options.onSubscribed?.(after);
        await this.consume(run, subscription);
        if (!run.stopping && !run.resync) throw new SubscriptionEndedError();
        run.streak = 0; // closed on request, not failed
      } catch (error) {
        if (run.stopping) break;
        if (run.resync) continue;
        // Checked against the stored checkpoint only: a replacement position the store refuses too is
        // an ordinary failure (retried after the delay, the hook asked again), never a tight loop.
        let failure = error;
        if (error instanceof InvalidCheckpointError && stored !== undefined && !replaced) {
          const outcome = await this.replaceCheckpoint(run, stored, error);
          if ('after' in outcome) {
            run.replacement = { invalid: stored, after: outcome.after };
            continue;
          }
          if (run.stopping) break;
          failure = outcome.failure;
        } else if (error instanceof InvalidCheckpointError && replaced) {
          run.replacement = undefined;
        }
        await run.signal.sleep(this.failed(run, failure));
      } finally {
        if (run.subscription === subscription) run.subscription = undefined;
        await subscription?.close().catch(() => undefined);
      }
    }
  }

  /** Where to resume instead of an invalid stored checkpoint, or why the hook could not say. */
  private async replaceCheckpoint(
    run: Run,
    checkpoint: bigint,
    error: InvalidCheckpointError,
  ): Promise<{ after: bigint | undefined } | { failure: unknown }> {
    if (!this.options.onInvalidCheckpoint) {
      this.logger.warn(`${this.name}: ${error.message}; resuming from the beginning of the log (events already handled come again)`);
      return { after: undefined };
    }
    try {
      const after = await this.options.onInvalidCheckpoint({ checkpoint, error }, run.signal);
      this.logger.warn(`${this.name}: ${error.message}; resuming after ${after ?? '(the beginning)'} instead`);
      return { after };
    } catch (failure) {
      return { failure: new Error(`${error.message}, and repairing it failed: ${messageOf(failure)}`, { cause: failure }) };
    }
  }

  /** Logs (or lets the hook log) one failure; returns how long to wait. */
  private failed(run: Run, error: unknown): number {
    const handling = this.options.onFailure?.({ error, consecutive: run.streak + 1 });
    const counts = handling?.counts ?? true;
    if (counts) run.streak++;
    if (!handling?.logged && (!counts || run.streak === 1)) {
      this.logger.error(`${this.name} interrupted (${messageOf(error)}); resuming from its checkpoint`);
    }
    if (handling) return handling.retryInMs;
    const delay = this.options.retryDelayMs ?? 1000;
    return typeof delay === 'number' ? delay : delay(run.streak);
  }

  /** Reads batches and hands them over until the subscription ends (closed, failed) or a resync. */
  private async consume(run: Run, subscription: AllStreamSubscription): Promise<void> {
    const it = subscription[Symbol.asyncIterator]();
    // Settled results only: a pull left pending across a handler call must not become an unhandled rejection.
    const pull = (): Promise<Pulled> =>
      it.next().then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
    let pending: Promise<Pulled> | undefined;
    while (!run.stopping && !run.resync) {
      const first = await (pending ?? pull());
      pending = undefined;
      if ('error' in first) throw first.error;
      if (first.result.done) return;
      const batch = [first.result.value];
      let end: Pulled | undefined;
      const deadline = Date.now() + this.batchWindowMs;
      while (batch.length < this.batchSize) {
        pending = pull();
        const next = await within(pending, deadline - Date.now());
        if (next === TIMEOUT) break;
        pending = undefined;
        if ('error' in next || next.result.done) {
          end = next;
          break;
        }
        batch.push(next.result.value);
      }
      // The events read before a failure are good: hand them over before resuming.
      await this.handle(run, batch);
      if (run.stopping || run.resync) return;
      if (end && 'error' in end) throw end.error;
      if (end) return;
    }
  }

  private async handle(run: Run, batch: RecordedEvent[]): Promise<void> {
    const options = this.options;
    if (options.handle) await options.handle(batch, run.signal);
    else for (const event of batch) await options.apply(event, run.signal);
    if (run.abandoned) return;
    const last = batch[batch.length - 1].position;
    if (options.checkpoint.save) await options.checkpoint.save(last);
    // Handled: while the stored checkpoint is still the invalid one, a resubscription resumes after this.
    if (run.replacement) run.replacement.after = last;
    run.streak = 0;
  }
}

function sleep(run: Run, ms: number): Promise<void> {
  if (run.stopping) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      run.wakers.delete(done);
      resolve();
    }
    run.wakers.add(done);
  });
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), Math.max(0, ms))));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
