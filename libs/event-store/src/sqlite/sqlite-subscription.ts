import type { EventEmitter } from 'node:events';
import type { RecordedEvent, SubscribeOptions } from '../event-store.port';
import { DONE, PulledSubscription } from '../pulled-subscription';
import { fromRaw, type SqliteEventReader } from './sqlite-event-reader';

export interface SubscriptionDeps {
  reader: SqliteEventReader;
  /** Emits `key` after every committed append by any store on the same database in this process. */
  appended: EventEmitter;
  key: string;
  pageSize: number;
  pollIntervalMs: number;
  toStoreError(err: unknown): unknown;
  onClose(sub: SqliteSubscription): void;
}

/**
 * Pull-based catch-up subscription. There is no separate "live" mode to switch to: every read is
 * "the next page after the last position seen", whether that page was stored before subscribing or
 * appended a millisecond ago. So nothing appended between catch-up and going live can fall through a
 * gap. The append notification only decides when to read again; the poll timer covers writers in
 * other processes, which cannot notify us.
 */
export class SqliteSubscription extends PulledSubscription {
  /** Last stored position when subscribing: caughtUp means everything up to here was delivered. */
  private readonly head: bigint;
  /** Every matching event at or before this position is in `buffer` or was delivered. */
  private scanned: bigint;
  private readonly buffer: RecordedEvent[] = [];
  private closed = false;
  /** Set when `after` is not a position of this store (InvalidCheckpointError). */
  private invalid?: Error;
  /** Bumped on each append notification, so a notification that lands mid-read is not lost. */
  private notifications = 0;
  private wake?: () => void;
  private readonly onAppended = () => {
    this.notifications++;
    this.wake?.();
  };

  constructor(
    private readonly deps: SubscriptionDeps,
    private readonly options: SubscribeOptions,
  ) {
    super();
    this.scanned = options.after ?? 0n;
    this.head = deps.reader.head();
    try {
      deps.reader.checkAfter(options.after);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      // Not a position of this store: caughtUp rejects and the first read throws, nothing is delivered.
      this.invalid = e;
      this.closed = true;
      // After the store registered it (it is being constructed for that store right now).
      queueMicrotask(() => deps.onClose(this));
      this.settleCaughtUp(e);
      return;
    }
    deps.appended.on(deps.key, this.onAppended);
    if (this.allStoredDelivered()) this.settleCaughtUp();
  }

  override async close(): Promise<void> {
    this.shutdown();
    // Lets a pull that was waiting for events finish (as done) before close() resolves.
    await this.pullInProgress;
  }

  /** The synchronous part of close(), safe to call from inside pull() (awaiting `tail` there would deadlock). */
  private shutdown(err?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.deps.appended.off(this.deps.key, this.onAppended);
    this.deps.onClose(this);
    this.wake?.();
    if (err !== undefined) this.settleCaughtUp(err);
    else if (this.allStoredDelivered()) this.settleCaughtUp();
    else this.settleCaughtUp(new Error('subscription closed before catching up'));
  }

  protected async pull(): Promise<IteratorResult<RecordedEvent>> {
    if (this.invalid !== undefined) {
      const err = this.invalid;
      this.invalid = undefined;
      throw err;
    }
    for (;;) {
      if (this.closed) return DONE;
      // Checked when the consumer comes back for more, i.e. after it has handled the last stored event.
      if (this.allStoredDelivered()) this.settleCaughtUp();
      const next = this.buffer.shift();
      if (next) return { done: false, value: next };
      const seen = this.notifications;
      try {
        this.fill();
      } catch (e) {
        const err = this.deps.toStoreError(e);
        this.shutdown(err);
        throw err;
      }
      if (this.buffer.length > 0 || this.notifications !== seen) continue;
      // A page that came back empty may be what completed the catch-up (filtered streams).
      if (this.allStoredDelivered()) this.settleCaughtUp();
      await this.sleep();
    }
  }

  private fill(): void {
    // Bound the page by the head read just before it: rows up to there are committed (SQLite commits
    // in position order), so "fewer rows than asked" really means "scanned up to head".
    const upTo = this.deps.reader.head();
    const rows = this.deps.reader.page(this.scanned, this.deps.pageSize, this.options.streamPrefixes, upTo);
    for (const row of rows) this.buffer.push(fromRaw(row));
    const full = rows.length === this.deps.pageSize;
    const reached = full ? rows[rows.length - 1][0] : upTo;
    if (reached > this.scanned) this.scanned = reached;
  }

  private allStoredDelivered(): boolean {
    return this.scanned >= this.head && (this.buffer.length === 0 || this.buffer[0].position > this.head);
  }

  /** Not unref'd: a worker whose only job is this subscription must stay alive waiting for events. */
  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), this.deps.pollIntervalMs);
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }
}
