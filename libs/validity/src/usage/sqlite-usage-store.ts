/**
 * UsageStore in SQLite for the embedded mode: its own file, DATA_DIR/usage.sqlite, beside the event
 * store's (usage is not part of the record, and its writes never contend with the event store's).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  dailyUsage,
  emptyRefused,
  epochDay,
  USAGE_REFUSED_CODES,
  USAGE_BATCH_MEMORY_MS,
  USAGE_RETENTION_DAYS,
  type DailyUsage,
  type UsageDelta,
  type UsageStore,
} from './usage.port';

/** One column per refusal code, named by the code in lower case (`ip_not_allowed`). */
const REFUSED_COLUMNS = USAGE_REFUSED_CODES.map((code) => code.toLowerCase());

type DayRow = { day: number; valid: number } & Record<string, number>;

export class SqliteUsageStore implements UsageStore {
  private readonly applyAll: (deltas: readonly UsageDelta[], batchId: string | undefined) => void;
  private readonly dailyStmt: Database.Statement<[string, number, number], DayRow>;
  private prunedFor = -1;

  private constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE IF NOT EXISTS usage_daily (
      key_id TEXT NOT NULL,
      day INTEGER NOT NULL,
      valid INTEGER NOT NULL DEFAULT 0,
      ${REFUSED_COLUMNS.map((column) => `${column} INTEGER NOT NULL DEFAULT 0,`).join('\n      ')}
      PRIMARY KEY (key_id, day)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS usage_daily_day ON usage_daily (day);
    CREATE TABLE IF NOT EXISTS usage_last (
      key_id TEXT PRIMARY KEY,
      last_used_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS usage_batches (
      id TEXT PRIMARY KEY,
      applied_at INTEGER NOT NULL
    ) WITHOUT ROWID;`);
    const markBatch = db.prepare<[string, number]>('INSERT OR IGNORE INTO usage_batches (id, applied_at) VALUES (?, ?)');
    const counts = ['valid', ...REFUSED_COLUMNS];
    const addDay = db.prepare<(string | number)[]>(
      `INSERT INTO usage_daily (key_id, day, ${counts.join(', ')}) VALUES (?, ?, ${counts.map(() => '?').join(', ')})
       ON CONFLICT (key_id, day) DO UPDATE SET ${counts.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
    );
    const setLast = db.prepare<[string, number]>(
      `INSERT INTO usage_last (key_id, last_used_at) VALUES (?, ?)
       ON CONFLICT (key_id) DO UPDATE SET last_used_at = max(last_used_at, excluded.last_used_at)`,
    );
    this.applyAll = db.transaction((deltas: readonly UsageDelta[], batchId: string | undefined) => {
      // The batch's id in the same transaction as its counts: a batch applied before is not applied again.
      if (batchId !== undefined && markBatch.run(batchId, this.now()).changes === 0) return;
      for (const d of deltas) {
        addDay.run(d.keyId, d.day, d.valid, ...USAGE_REFUSED_CODES.map((code) => d.refused[code]));
        setLast.run(d.keyId, d.lastUsedAt);
      }
    });
    this.dailyStmt = db.prepare<[string, number, number], DayRow>(
      `SELECT day, valid, ${REFUSED_COLUMNS.join(', ')} FROM usage_daily WHERE key_id = ? AND day BETWEEN ? AND ? ORDER BY day`,
    );
  }

  static open(file: string, now: () => number = Date.now): SqliteUsageStore {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    return new SqliteUsageStore(new Database(file), now);
  }

  async apply(deltas: readonly UsageDelta[], batchId?: string): Promise<void> {
    const today = epochDay(this.now());
    const oldest = today - USAGE_RETENTION_DAYS;
    if (this.prunedFor !== today) {
      // Once a day: days past the retention, and keys unused for as long.
      this.db.prepare('DELETE FROM usage_daily WHERE day < ?').run(oldest);
      this.db.prepare('DELETE FROM usage_last WHERE last_used_at < ?').run(this.now() - USAGE_RETENTION_DAYS * 86_400_000);
      this.db.prepare('DELETE FROM usage_batches WHERE applied_at < ?').run(this.now() - USAGE_BATCH_MEMORY_MS);
      this.prunedFor = today;
    }
    this.applyAll(
      deltas.filter((delta) => delta.day >= oldest),
      batchId,
    );
  }

  async lastUsed(keyIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    const stmt = this.db.prepare<[string], { last_used_at: number }>('SELECT last_used_at FROM usage_last WHERE key_id = ?');
    for (const keyId of keyIds) {
      const row = stmt.get(keyId);
      if (row) found.set(keyId, row.last_used_at);
    }
    return found;
  }

  async daily(keyId: string, fromDay: number, toDay: number): Promise<DailyUsage[]> {
    return this.dailyStmt.all(keyId, fromDay, toDay).map((row) => {
      const refused = emptyRefused();
      USAGE_REFUSED_CODES.forEach((code, i) => (refused[code] = row[REFUSED_COLUMNS[i]]));
      return dailyUsage(row.day, row.valid, refused);
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
