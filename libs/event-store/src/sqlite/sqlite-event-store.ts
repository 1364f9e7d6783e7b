import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { CheckpointStore } from '../checkpoint-store';
import {
  checkPartition,
  WrongExpectedRevisionError,
  type AllStreamSubscription,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../event-store.port';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';
import { closedError, toStoreError } from './sqlite-errors';
import { fromRaw, SqliteEventReader, toRecordedEvent } from './sqlite-event-reader';
import { SqliteSubscription } from './sqlite-subscription';

export interface SqliteEventStoreOptions {
  /** A file path (its directory is created if missing) or ':memory:' for a private in-memory store. */
  path: string;
  /** Rows per read in readAll and subscriptions: bounds memory, not results. */
  pageSize?: number;
  /** How often an idle subscription looks for rows written by other processes, which cannot notify it. */
  pollIntervalMs?: number;
  /** How long a write waits for another connection's lock before failing with a retryable error. */
  busyTimeoutMs?: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    -- AUTOINCREMENT: a position is never reused, even after the newest rows are deleted by hand.
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (stream_id, revision)
  );
`;

/**
 * Append notifications are process-wide, keyed by database file, so two store instances on the same
 * file (say the API and an in-process projector) wake each other's subscriptions without polling.
 */
const appended = new EventEmitter();
appended.setMaxListeners(0);

type AppendTx = (streamId: string, events: NewEvent[], expected: ExpectedRevision) => AppendResult;

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly reader: SqliteEventReader;
  private readonly appendTx: Database.Transaction<AppendTx>;
  private readonly revisionStmt: Database.Statement<[string], { rev: number | null }>;
  private readonly insertStmt: Database.Statement<[string, number, string, string, string, string, string]>;
  private readonly key: string;
  private readonly pageSize: number;
  private readonly pollIntervalMs: number;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private checkpointStore?: SqliteCheckpointStore;
  private closed = false;

  static open(path: string, options: Omit<SqliteEventStoreOptions, 'path'> = {}): SqliteEventStore {
    return new SqliteEventStore({ ...options, path });
  }

  constructor(options: SqliteEventStoreOptions) {
    const { path } = options;
    const inMemory = path === ':memory:' || path === '';
    this.key = inMemory ? `memory:${randomUUID()}` : resolve(path);
    this.pageSize = Math.max(1, options.pageSize ?? 500);
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    let db: Database.Database | undefined;
    try {
      if (!inMemory && !path.startsWith('file:')) mkdirSync(dirname(this.key), { recursive: true });
      db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
      // WAL: readers (subscriptions, projections) never block the writer and vice versa.
      db.pragma('journal_mode = WAL');
      // FULL: an acknowledged append survives power loss; NORMAL in WAL mode may lose the last commits.
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
      SqliteCheckpointStore.migrate(db);
      this.db = db;
      this.reader = new SqliteEventReader(db);
      this.revisionStmt = db.prepare('SELECT max(revision) AS rev FROM events WHERE stream_id = ?');
      this.insertStmt = db
        .prepare('INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .safeIntegers(true);
      this.appendTx = db.transaction(this.appendInTransaction.bind(this));
    } catch (e) {
      db?.close();
      throw toStoreError(e, undefined);
    }
  }

  async appendToStream(streamId: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    // An empty append has no position to report; it is always a caller bug.
    if (events.length === 0) throw new RangeError(`append to ${streamId}: no events`);
    const result = this.run(() => this.appendTx.immediate(streamId, events, options.expectedRevision));
    // Only after COMMIT: a subscriber woken earlier could read before the rows are visible.
    appended.emit(this.key);
    return result;
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    return this.run(() => this.reader.stream(streamId)).map(toRecordedEvent);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    checkPartition(options.partition);
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    this.run(() => this.reader.checkAfter(options.after));
    let after = options.after ?? 0n;
    // A finite read: it stops at the head as of its start, even if writers keep appending.
    const upTo = this.run(() => this.reader.head());
    while (remaining > 0) {
      const limit = Math.min(this.pageSize, remaining);
      const rows = this.run(() => this.reader.page(after, limit, options.streamPrefixes, upTo, options.partition));
      for (const row of rows) yield fromRaw(row);
      if (rows.length < limit) return;
      remaining -= rows.length;
      after = rows[rows.length - 1][0];
    }
  }

  async headPosition(options: { streamPrefixes?: string[] } = {}): Promise<bigint | undefined> {
    const prefixes = options.streamPrefixes ?? [];
    if (prefixes.length === 0) {
      const head = this.run(() => this.reader.head());
      return head === 0n ? undefined : head;
    }
    return this.run(() => this.reader.lastOf(prefixes));
  }

  subscribeToAll(options: SubscribeOptions = {}): AllStreamSubscription {
    const sub = this.run(
      () =>
        new SqliteSubscription(
          {
            reader: this.reader,
            appended,
            key: this.key,
            pageSize: this.pageSize,
            pollIntervalMs: this.pollIntervalMs,
            toStoreError: (e) => toStoreError(e, this.db),
            onClose: (s) => this.subscriptions.delete(s),
          },
          options,
        ),
    );
    this.subscriptions.add(sub);
    return sub;
  }

  /** Checkpoints in the same database file (table `checkpoints`). */
  checkpoints(): CheckpointStore {
    if (this.closed) throw closedError();
    this.checkpointStore ??= new SqliteCheckpointStore(this.db);
    return this.checkpointStore;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // End the subscribers' loops before the connection goes, so they finish rather than fail.
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.db.close();
  }

  private appendInTransaction(streamId: string, events: NewEvent[], expected: ExpectedRevision): AppendResult {
    // Runs under BEGIN IMMEDIATE, so no other connection can append between this check and the inserts.
    const rev = this.revisionStmt.get(streamId)?.rev;
    const actual: number | 'no_stream' = rev == null ? 'no_stream' : rev;
    if (expected !== 'any' && expected !== actual) throw new WrongExpectedRevisionError(streamId, expected, actual);

    const recordedAt = new Date().toISOString();
    let revision = actual === 'no_stream' ? -1 : actual;
    let position = 0n;
    for (const event of events) {
      revision++;
      const info = this.insertStmt.run(
        streamId,
        revision,
        event.id,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        recordedAt,
      );
      position = BigInt(info.lastInsertRowid);
    }
    return { nextExpectedRevision: revision, position };
  }

  /** Every database call goes through here so callers only ever see the port's errors. */
  private run<T>(fn: () => T): T {
    if (this.closed) throw closedError();
    try {
      return fn();
    } catch (e) {
      throw toStoreError(e, this.db);
    }
  }
}
