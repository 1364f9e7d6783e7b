import Database from 'better-sqlite3';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../event-store.port';

/**
 * Primary result codes where the same call can succeed later: lock contention (another connection
 * or process holds the write lock), or an operator freeing disk space / memory.
 * CORRUPT, READONLY, CANTOPEN, NOTADB, PERM and the like need a human, so they are not retryable.
 */
const RETRYABLE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_NOMEM', 'SQLITE_PROTOCOL']);

/** Translates what better-sqlite3 throws into the port's errors; callers `throw toStoreError(e, db)`. */
export function toStoreError(err: unknown, db: Database.Database | undefined): unknown {
  if (err instanceof WrongExpectedRevisionError || err instanceof EventStoreUnavailableError) return err;
  if (db && !db.open) return closedError(err);
  if (err instanceof Database.SqliteError) {
    // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE, ...) share the primary's meaning.
    const primary = err.code.split('_').slice(0, 2).join('_');
    // A constraint failure is a caller bug (duplicate event id, missing field), not an outage:
    // reporting it as "unavailable" would make callers retry something that can never succeed.
    if (primary === 'SQLITE_CONSTRAINT') return err;
    return new EventStoreUnavailableError(`SQLite: ${err.message} (${err.code})`, RETRYABLE.has(primary), { cause: err });
  }
  return err;
}

export function closedError(cause?: unknown): EventStoreUnavailableError {
  return new EventStoreUnavailableError('SQLite event store is closed', false, { cause });
}
