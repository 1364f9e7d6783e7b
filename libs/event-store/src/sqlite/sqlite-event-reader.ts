import type Database from 'better-sqlite3';
import { InvalidCheckpointError, type EventMetadata, type RecordedEvent, type StreamPartition } from '../event-store.port';

export interface EventRow {
  position: bigint;
  stream_id: string;
  revision: bigint;
  id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

const COLUMNS = 'position, stream_id, revision, id, type, data, metadata, recorded_at';
/** streamPartition's hash of a stream id, before `% count`: SQLite's substr and unicode count code points, as it does. */
export const PARTITION_SQL = '(coalesce(unicode(substr(stream_id, -1, 1)), 0) * 31 + coalesce(unicode(substr(stream_id, -2, 1)), 0))';
/** A row of COLUMNS as better-sqlite3's raw mode returns it: an array, in the columns' order. */
export type RawEventRow = [bigint, string, bigint, string, string, string, string, string];

/**
 * Pages are read in raw mode and made into RecordedEvents straight from the arrays, one at a time as
 * they are delivered (a row that is not JSON fails when it is reached, after the rows before it):
 * better-sqlite3 builds a named row object property by property, which cost more than half of reading
 * a page (a full rebuild reads every row).
 */
export const fromRaw = (r: RawEventRow): RecordedEvent => ({
  streamId: r[1],
  revision: Number(r[2]),
  position: r[0],
  id: r[3],
  type: r[4],
  data: JSON.parse(r[5]) as Record<string, unknown>,
  metadata: JSON.parse(r[6]) as EventMetadata,
  recordedAt: new Date(r[7]),
});

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    // Revisions fit a double for any stream a human could write; positions stay bigint per the port.
    revision: Number(row.revision),
    position: row.position,
    id: row.id,
    type: row.type,
    data: JSON.parse(row.data) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    recordedAt: new Date(row.recorded_at),
  };
}

/**
 * Page-wise reads of the global log, shared by readAll and subscriptions so that neither ever loads
 * the whole table. Statements are prepared once per query shape (number of prefixes, bounded or not).
 */
export class SqliteEventReader {
  private readonly pages = new Map<string, Database.Statement<unknown[], RawEventRow>>();
  private readonly headStmt: Database.Statement<[], { head: bigint | null }>;
  private readonly issuedStmt: Database.Statement<[], { seq: bigint | null }>;
  private readonly streamStmt: Database.Statement<[string], EventRow>;
  private readonly lastStmts = new Map<number, Database.Statement<unknown[], { position: bigint }>>();

  constructor(private readonly db: Database.Database) {
    this.headStmt = db.prepare<[], { head: bigint | null }>('SELECT max(position) AS head FROM events').safeIntegers(true);
    // AUTOINCREMENT keeps the largest position ever handed out in sqlite_sequence, even once the
    // newest rows are deleted by hand.
    this.issuedStmt = db.prepare<[], { seq: bigint | null }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'").safeIntegers(true);
    this.streamStmt = db
      .prepare<[string], EventRow>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? ORDER BY revision`)
      .safeIntegers(true);
  }

  /**
   * Position of the last stored event of a stream with one of `prefixes`, scanning back from the end
   * of the log (the newest events are nearly always key events, so this reads a few rows).
   */
  lastOf(prefixes: string[]): bigint | undefined {
    let stmt = this.lastStmts.get(prefixes.length);
    if (!stmt) {
      const byPrefix = Array(prefixes.length).fill('instr(stream_id, ?) = 1').join(' OR ');
      stmt = this.db
        .prepare<unknown[], { position: bigint }>(`SELECT position FROM events WHERE ${byPrefix} ORDER BY position DESC LIMIT 1`)
        .safeIntegers(true);
      this.lastStmts.set(prefixes.length, stmt);
    }
    return stmt.get(...prefixes)?.position;
  }

  /** Position of the last stored event; 0n for an empty store (AUTOINCREMENT starts at 1). */
  head(): bigint {
    return this.headStmt.get()?.head ?? 0n;
  }

  /** The largest position this store ever gave out (0n before its first append). */
  issued(): bigint {
    return this.issuedStmt.get()?.seq ?? 0n;
  }

  /**
   * Fails with InvalidCheckpointError when `after` is past every position this store ever gave out:
   * a checkpoint written against another store (an EventStoreDB run, a deleted and recreated file).
   * Reading from it would silently skip every event up to it.
   */
  checkAfter(after: bigint | undefined): void {
    if (after === undefined || after <= 0n) return;
    const issued = this.issued();
    if (after > issued) {
      throw new InvalidCheckpointError(after, 'beyond-head', `this store has given out positions up to ${issued} only`);
    }
  }

  stream(streamId: string): EventRow[] {
    return this.streamStmt.all(streamId);
  }

  /**
   * Up to `limit` events with `after < position <= upTo` whose stream starts with one of `prefixes`.
   * The upper bound lets callers read a consistent range even while another process appends.
   */
  page(after: bigint, limit: number, prefixes: string[] | undefined, upTo: bigint, partition?: StreamPartition): RawEventRow[] {
    const filter = prefixes && prefixes.length > 0 ? prefixes : [];
    const share = partition ? [partition.count, partition.index] : [];
    return this.statement(filter.length, partition !== undefined).all(after, upTo, ...filter, ...share, limit);
  }

  private statement(prefixCount: number, partitioned: boolean): Database.Statement<unknown[], RawEventRow> {
    const key = `${prefixCount}${partitioned ? 'p' : ''}`;
    let stmt = this.pages.get(key);
    if (!stmt) {
      // instr() = 1 rather than LIKE: LIKE is case-insensitive and treats % and _ in stream ids as wildcards.
      const byPrefix = prefixCount ? `AND (${Array(prefixCount).fill('instr(stream_id, ?) = 1').join(' OR ')})` : '';
      // streamPartition (event-store.port.ts) in SQL: the rows of the other shares are never made into values.
      const byShare = partitioned ? `AND ${PARTITION_SQL} % ? = ?` : '';
      stmt = this.db
        .prepare<unknown[], RawEventRow>(
          `SELECT ${COLUMNS} FROM events WHERE position > ? AND position <= ? ${byPrefix} ${byShare} ORDER BY position LIMIT ?`,
        )
        .safeIntegers(true)
        .raw(true);
      this.pages.set(key, stmt);
    }
    return stmt;
  }
}
