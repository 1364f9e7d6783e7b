import type Database from 'better-sqlite3';
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
  // Matched by shape, not `instanceof`: the native addon binds its error class once per process, so
  // in a second module instance of better-sqlite3 (a test runner's) the class — even its Error — is
  // another realm's. Hence also the wrapping below: callers get errors of this module's realm.
  if (isSqliteError(err)) {
    // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE, ...) share the primary's meaning.
    const primary = err.code.split('_').slice(0, 2).join('_');
    // A constraint failure is a caller bug (duplicate event id, missing field), not an outage:
    // reporting it as "unavailable" would make callers retry something that can never succeed.
    if (primary === 'SQLITE_CONSTRAINT') return new Error(`SQLite: ${err.message} (${err.code})`, { cause: err });
    return new EventStoreUnavailableError(`SQLite: ${err.message} (${err.code})`, RETRYABLE.has(primary), { cause: err });
  }
  return err;
}

function isSqliteError(err: unknown): err is Error & { code: string } {
  const candidate = err as { name?: unknown; code?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && candidate.name === 'SqliteError' && typeof candidate.code === 'string';
}

export function closedError(cause?: unknown): EventStoreUnavailableError {
  return new EventStoreUnavailableError('SQLite event store is closed', false, { cause });
}
