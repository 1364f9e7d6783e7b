/**
 * The account history read model (README, "Account history"): every event of an account's key streams,
 * as recorded (data without its secret's hash or sealed copy), kept per account in position order and
 * paged with a cursor. Written by the history projection (libs/application history-projector.ts),
 * which follows the event store with a checkpoint of its own; read by the account history query and
 * its exports. Adapters: SQLite (embedded mode, DATA_DIR/history.sqlite) and Redis (production), both
 * checked by testing/history-store.conformance.ts.
 *
 * Generations: a rebuild writes a new generation beside the one being read, then makes it current at
 * once (`activate`); readers and the projection always use the current one. The projection notices a
 * change of generation and resumes from the new generation's checkpoint.
 */

export const HISTORY_STORE = Symbol('HISTORY_STORE');

/** One recorded event as the history keeps it: the stored event, its data without secret material. */
export interface HistoryRow {
  /** The event store's global position: the order of the history and what a cursor names. */
  position: bigint;
  streamId: string;
  revision: number;
  id: string;
  type: string;
  /** The event's data without `secret.hash` and `secret.sealed` (never a secret, a hash or a sealed copy). */
  data: Record<string, unknown>;
  /**
   * For an event whose data had them: the SHA-256 of the canonical JSON of the secret's hash and sealed
   * copy (auditForm, libs/event-store chain/): with it, the event's chain hash can be checked from the row.
   */
  secretDigest?: string;
  /** The event's metadata as stored (actor, correlation, causation, occurredAt, schemaVersion, extras). */
  metadata: Record<string, unknown>;
  /** When the store committed it, ISO-8601. */
  recordedAt: string;
  keyId: string;
  accountId: string;
}

/** Which way a page goes through the account's history. */
export type HistoryDirection = 'oldest' | 'newest';

export interface HistoryFilter {
  /** Any of these event types; absent or empty: every type. */
  types?: readonly string[];
  keyId?: string;
  /** An actor key (actorKey): `user:<sub>` or `system:<name>`. */
  actor?: string;
  /** The event's time (metadata.occurredAt) at or after this instant (epoch ms). */
  from?: number;
  /** The event's time strictly before this instant (epoch ms). */
  to?: number;
}

export interface HistoryPageRequest {
  accountId: string;
  filter: HistoryFilter;
  direction: HistoryDirection;
  /** Exclusive: continue after this position, in the direction of the page. */
  after?: bigint;
  /** Rows per page, at most. */
  limit: number;
}

export interface HistoryPage {
  rows: HistoryRow[];
  /**
   * Where the next page starts (exclusive), or null when nothing matching is left. An adapter may end a
   * page early (fewer than `limit` rows) when its filters matched sparsely: only null means the end.
   */
  next: bigint | null;
}

export interface HistoryStore {
  page(request: HistoryPageRequest): Promise<HistoryPage>;
  /** The position the current generation has applied up to; undefined when nothing was applied. */
  position(): Promise<bigint | undefined>;

  /** The generation readers and the projection use now (0 until a rebuild activated another). */
  currentGeneration(): Promise<number>;
  /**
   * Writes rows (idempotent: a row written again is the same row), then the generation's checkpoint if
   * given. With `base` (the checkpoint the writer knows the generation to hold; null: none), the
   * checkpoint is set only if the generation still holds exactly that, else HistoryRewoundError: the
   * read model lost what the writer wrote (emptied, restored from an older snapshot), and the writer
   * must resume from what it holds. The projection passes it; a rebuild, writing a new generation, not.
   */
  write(generation: number, rows: readonly HistoryRow[], checkpoint?: bigint, base?: bigint | null): Promise<void>;
  checkpoint(generation: number): Promise<bigint | undefined>;
  /** A new, empty generation, never current yet: what a rebuild writes into. */
  newGeneration(): Promise<number>;
  /** Makes `generation` the current one; returns the one it replaces. */
  activate(generation: number): Promise<number>;
  /** Deletes a generation's rows and checkpoint (not the current one's). */
  drop(generation: number): Promise<void>;
  close(): Promise<void>;
}

/** The actor key a filter names: `user:<sub>` or `system:<name>`. */
export function actorKey(actor: unknown): string {
  if (actor && typeof actor === 'object') {
    const a = actor as { type?: unknown; sub?: unknown; name?: unknown };
    if (a.type === 'user' && typeof a.sub === 'string') return `user:${a.sub}`;
    if (a.type === 'system' && typeof a.name === 'string') return `system:${a.name}`;
  }
  return 'unknown:';
}

/** The event's time (metadata.occurredAt) in epoch ms, or NaN when it has none. */
export function rowTime(row: Pick<HistoryRow, 'metadata'>): number {
  const at = row.metadata.occurredAt;
  return typeof at === 'string' ? Date.parse(at) : NaN;
}

/** Whether a row is one the filter asks for: the one definition every adapter follows. */
export function matchesHistoryFilter(row: HistoryRow, filter: HistoryFilter): boolean {
  if (filter.types && filter.types.length > 0 && !filter.types.includes(row.type)) return false;
  if (filter.keyId !== undefined && row.keyId !== filter.keyId) return false;
  if (filter.actor !== undefined && actorKey(row.metadata.actor) !== filter.actor) return false;
  if (filter.from !== undefined || filter.to !== undefined) {
    const time = rowTime(row);
    if (Number.isNaN(time)) return false;
    if (filter.from !== undefined && time < filter.from) return false;
    if (filter.to !== undefined && time >= filter.to) return false;
  }
  return true;
}

/** A row as JSON text (position as a decimal string): how the adapters store it. */
export function encodeHistoryRow(row: HistoryRow): string {
  return JSON.stringify({ ...row, position: row.position.toString() });
}

export function decodeHistoryRow(text: string): HistoryRow {
  const parsed = JSON.parse(text) as Omit<HistoryRow, 'position'> & { position: string };
  return { ...parsed, position: BigInt(parsed.position) };
}

/** A position as 20 zero-padded digits: positions are below 2^64, so text order is number order. */
export const paddedPosition = (position: bigint): string => position.toString().padStart(20, '0');

/** The history read model's store failed or did not answer: 503 HISTORY_UNAVAILABLE at the HTTP edge, UNAVAILABLE over gRPC. */
export class HistoryUnavailableError extends Error {
  constructor(options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? 'the account history read model did not answer', options);
    this.name = 'HistoryUnavailableError';
  }
}

/** The generation's checkpoint is not the one the writer expected (write's `base`): rows were lost. */
export class HistoryRewoundError extends Error {
  constructor(readonly expected: bigint | null) {
    super('the history read model went back in time or was emptied: writing again from what it holds');
    this.name = 'HistoryRewoundError';
  }
}

export const isHistoryUnavailable = (error: unknown): error is HistoryUnavailableError =>
  error instanceof HistoryUnavailableError || (error as Error | undefined)?.name === 'HistoryUnavailableError';
