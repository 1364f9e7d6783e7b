import type Database from 'better-sqlite3';
import type { CheckpointStore } from '../checkpoint-store';
import { toStoreError } from './sqlite-errors';

/**
 * Checkpoints live in the event database itself so a projection writing its read model to the same
 * file could save its checkpoint in the same transaction; and there is one file to back up.
 */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly loadStmt: Database.Statement<[string], { position: bigint }>;
  private readonly saveStmt: Database.Statement<[string, bigint, string]>;

  constructor(private readonly db: Database.Database) {
    try {
      SqliteCheckpointStore.migrate(db);
      // Per statement, not per connection: the store may be handed a connection without safe integers.
      this.loadStmt = db.prepare<[string], { position: bigint }>('SELECT position FROM checkpoints WHERE name = ?').safeIntegers(true);
      this.saveStmt = db.prepare<[string, bigint, string]>(
        `INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      );
    } catch (e) {
      throw toStoreError(e, db);
    }
  }

  static migrate(db: Database.Database): void {
    db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (
      name TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    )`);
  }

  async load(name: string): Promise<bigint | undefined> {
    try {
      return this.loadStmt.get(name)?.position;
    } catch (e) {
      throw toStoreError(e, this.db);
    }
  }

  async save(name: string, position: bigint): Promise<void> {
    try {
      this.saveStmt.run(name, position, new Date().toISOString());
    } catch (e) {
      throw toStoreError(e, this.db);
    }
  }
}
