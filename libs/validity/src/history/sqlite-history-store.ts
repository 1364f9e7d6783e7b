/**
 * HistoryStore in SQLite for the embedded mode: its own file, DATA_DIR/history.sqlite, beside the event
 * store's (a read model, rebuildable from the store at any time). One table of rows keyed by
 * (generation, account, position), with an index per filter (type, key, actor, time), so a page is
 * one indexed range read of `limit + 1` rows; the checkpoint of a generation is written in the same
 * transaction as its rows.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  actorKey,
  decodeHistoryRow,
  encodeHistoryRow,
  HistoryRewoundError,
  rowTime,
  type HistoryPage,
  type HistoryPageRequest,
  type HistoryRow,
  type HistoryStore,
} from './history.port';

export class SqliteHistoryStore implements HistoryStore {
  private readonly writeAll: (
    generation: number,
    rows: readonly HistoryRow[],
    checkpoint: bigint | undefined,
    base: bigint | null | undefined,
  ) => void;
  private readonly metaGet: Database.Statement<[string], { value: number }>;
  private readonly metaSet: Database.Statement<[string, number]>;
  private readonly checkpointGet: Database.Statement<[number], { position: bigint }>;

  private constructor(private readonly db: Database.Database) {
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE IF NOT EXISTS history_rows (
      generation INTEGER NOT NULL,
      account TEXT NOT NULL,
      position INTEGER NOT NULL,
      type TEXT NOT NULL,
      key_id TEXT NOT NULL,
      actor TEXT NOT NULL,
      time INTEGER,
      row TEXT NOT NULL,
      PRIMARY KEY (generation, account, position)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS history_by_type ON history_rows (generation, account, type, position);
    CREATE INDEX IF NOT EXISTS history_by_key ON history_rows (generation, account, key_id, position);
    CREATE INDEX IF NOT EXISTS history_by_actor ON history_rows (generation, account, actor, position);
    CREATE INDEX IF NOT EXISTS history_by_time ON history_rows (generation, account, time, position);
    CREATE TABLE IF NOT EXISTS history_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS history_checkpoints (generation INTEGER PRIMARY KEY, position INTEGER NOT NULL);`);
    this.metaGet = db.prepare<[string], { value: number }>('SELECT value FROM history_meta WHERE name = ?');
    this.metaSet = db.prepare<[string, number]>(
      'INSERT INTO history_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    );
    this.checkpointGet = db
      .prepare<[number], { position: bigint }>('SELECT position FROM history_checkpoints WHERE generation = ?')
      .safeIntegers(true);
    const insert = db.prepare<[number, string, bigint, string, string, string, number | null, string]>(
      `INSERT OR REPLACE INTO history_rows (generation, account, position, type, key_id, actor, time, row)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const saveCheckpoint = db.prepare<[number, bigint]>(
      `INSERT INTO history_checkpoints (generation, position) VALUES (?, ?)
       ON CONFLICT (generation) DO UPDATE SET position = excluded.position`,
    );
    this.writeAll = db.transaction(
      (generation: number, rows: readonly HistoryRow[], checkpoint: bigint | undefined, base: bigint | null | undefined) => {
        if (checkpoint !== undefined && base !== undefined) {
          // In the same transaction as the rows: all or nothing.
          const current = this.checkpointGet.get(generation)?.position ?? null;
          if (current !== base) throw new HistoryRewoundError(base);
        }
        for (const row of rows) {
          const time = rowTime(row);
          insert.run(
            generation,
            row.accountId,
            row.position,
            row.type,
            row.keyId,
            actorKey(row.metadata.actor),
            Number.isNaN(time) ? null : time,
            encodeHistoryRow(row),
          );
        }
        if (checkpoint !== undefined) saveCheckpoint.run(generation, checkpoint);
      },
    );
  }

  static open(file: string): SqliteHistoryStore {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    return new SqliteHistoryStore(new Database(file));
  }

  async page({ accountId, filter, direction, after, limit }: HistoryPageRequest): Promise<HistoryPage> {
    const where = ['generation = ?', 'account = ?'];
    const args: (string | number | bigint)[] = [this.generation(), accountId];
    if (after !== undefined) {
      where.push(direction === 'oldest' ? 'position > ?' : 'position < ?');
      args.push(after);
    }
    if (filter.types && filter.types.length > 0) {
      where.push(`type IN (${filter.types.map(() => '?').join(', ')})`);
      args.push(...filter.types);
    }
    if (filter.keyId !== undefined) {
      where.push('key_id = ?');
      args.push(filter.keyId);
    }
    if (filter.actor !== undefined) {
      where.push('actor = ?');
      args.push(filter.actor);
    }
    if (filter.from !== undefined) {
      where.push('time >= ?');
      args.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('time < ?');
      args.push(filter.to);
    }
    const order = direction === 'oldest' ? 'ASC' : 'DESC';
    const sql = `SELECT row FROM history_rows WHERE ${where.join(' AND ')} ORDER BY position ${order} LIMIT ?`;
    const found = this.db
      .prepare<(string | number | bigint)[], { row: string }>(sql)
      .all(...args, limit + 1)
      .map((r) => decodeHistoryRow(r.row));
    const rows = found.slice(0, limit);
    return { rows, next: found.length > limit ? rows[rows.length - 1].position : null };
  }

  async position(): Promise<bigint | undefined> {
    return this.checkpointGet.get(this.generation())?.position;
  }

  async currentGeneration(): Promise<number> {
    return this.generation();
  }

  async write(generation: number, rows: readonly HistoryRow[], checkpoint?: bigint, base?: bigint | null): Promise<void> {
    this.writeAll(generation, rows, checkpoint, base);
  }

  async checkpoint(generation: number): Promise<bigint | undefined> {
    return this.checkpointGet.get(generation)?.position;
  }

  async newGeneration(): Promise<number> {
    return this.db.transaction(() => {
      const next = Math.max(this.metaGet.get('next')?.value ?? 0, this.generation()) + 1;
      this.metaSet.run('next', next);
      return next;
    })();
  }

  async activate(generation: number): Promise<number> {
    return this.db.transaction(() => {
      const previous = this.generation();
      this.metaSet.run('current', generation);
      return previous;
    })();
  }

  async drop(generation: number): Promise<void> {
    if (generation === this.generation()) return;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM history_rows WHERE generation = ?').run(generation);
      this.db.prepare('DELETE FROM history_checkpoints WHERE generation = ?').run(generation);
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private generation(): number {
    return this.metaGet.get('current')?.value ?? 0;
  }
}
