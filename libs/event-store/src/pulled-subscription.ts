/**
 * What every adapter's catch-up subscription shares: `caughtUp` settles once (and a rejection nobody
 * awaits never crashes the process), and `next()` calls are serialised, so two concurrent pulls can
 * never take the same event. Adapters supply `pull()` and `close()`.
 */
import type { AllStreamSubscription, RecordedEvent } from './event-store.port';

export const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export abstract class PulledSubscription implements AllStreamSubscription, AsyncIterator<RecordedEvent> {
  readonly caughtUp: Promise<void>;
  private resolveCaughtUp!: () => void;
  private rejectCaughtUp!: (err: unknown) => void;
  private caughtUpSettled = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor() {
    this.caughtUp = new Promise<void>((resolve, reject) => {
      this.resolveCaughtUp = resolve;
      this.rejectCaughtUp = reject;
    });
    this.caughtUp.catch(() => undefined);
  }

  /** Resolves `caughtUp`, or rejects it with `err`; only the first call counts. */
  protected settleCaughtUp(err?: unknown): void {
    if (this.caughtUpSettled) return;
    this.caughtUpSettled = true;
    if (err === undefined) this.resolveCaughtUp();
    else this.rejectCaughtUp(err);
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this;
  }

  next(): Promise<IteratorResult<RecordedEvent>> {
    const result = this.tail.then(() => this.pull());
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Called by `break` in a for-await loop. */
  async return(): Promise<IteratorResult<RecordedEvent>> {
    await this.close();
    return DONE;
  }

  /** Settles once the pull in progress (if any) has finished: close() awaits it. */
  protected get pullInProgress(): Promise<unknown> {
    return this.tail;
  }

  abstract close(): Promise<void>;

  protected abstract pull(): Promise<IteratorResult<RecordedEvent>>;
}
