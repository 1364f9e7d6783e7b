/**
 * The embedded ValidityIndex: plain maps in the service process, rebuilt from the event store at
 * start-up. Every write is synchronous between awaits, so it is atomic for in-process readers.
 *
 * replaceAll fills a new state beside the live one and swaps it in with one assignment. While it is
 * being built (its caller's beforeSwap may await), write() applies every record to the live state
 * and, under the same guards, to each state being built, so nothing written meanwhile is lost at the
 * swap. Checkpoints live outside the states, as in the Redis adapter.
 */
import { isTerminal, pendingExpiries, validityEntries, type KeyRecord, type ValidityEntry } from '../key-record';
import { ALWAYS_TRUSTED, IndexRewoundError, type IndexTrust } from '../index-trust';
import type { Checkpoint, DueExpiry, ReplaceAllOptions, ValidityIndex, WriteOutcome } from '../validity-index.port';

interface IndexState {
  records: Map<string, KeyRecord>;
  byHash: Map<string, ValidityEntry>;
  byAccount: Map<string, Set<string>>;
  /** Pending expiries by key id (a key has at most two). */
  expiries: Map<string, DueExpiry[]>;
}

const emptyState = (): IndexState => ({
  records: new Map(),
  byHash: new Map(),
  byAccount: new Map(),
  expiries: new Map(),
});

export class MemoryValidityIndex implements ValidityIndex {
  private state = emptyState();
  /** States replaceAll is building: write() applies to these too until they are swapped in or dropped. */
  private readonly building = new Set<IndexState>();
  private readonly checkpoints = new Map<string, bigint>();
  /** In the process: it cannot go back in time or disappear behind the process's back. */
  readonly trust: IndexTrust = ALWAYS_TRUSTED;

  unguarded(): ValidityIndex {
    return this;
  }

  async lookup(hash: string): Promise<ValidityEntry | null> {
    return this.lookupSync(hash);
  }

  /** The hot path without a promise hop, for callers in the same process. */
  lookupSync(hash: string): ValidityEntry | null {
    return this.state.byHash.get(hash) ?? null;
  }

  async getKey(keyId: string): Promise<KeyRecord | null> {
    return this.state.records.get(keyId) ?? null;
  }

  async listKeys(accountId: string): Promise<KeyRecord[]> {
    const ids = this.state.byAccount.get(accountId) ?? new Set<string>();
    return [...ids].map((id) => this.state.records.get(id)).filter((r): r is KeyRecord => r !== undefined);
  }

  async write(record: KeyRecord, checkpoint?: Checkpoint): Promise<WriteOutcome> {
    if (checkpoint) this.checkBase(checkpoint);
    const outcome = writeInto(this.state, record);
    for (const next of this.building) writeInto(next, record); // its own guards decide there
    if (checkpoint) this.advance(checkpoint);
    return outcome;
  }

  async saveCheckpoint(checkpoint: Checkpoint): Promise<void> {
    this.checkBase(checkpoint);
    this.advance(checkpoint);
  }

  private checkBase({ name, base }: Checkpoint): void {
    if (base === undefined) return;
    const stored = this.checkpoints.get(name);
    if (stored === undefined || stored < base) throw new IndexRewoundError(name);
  }

  private advance({ name, position, rewind }: Checkpoint): void {
    const stored = this.checkpoints.get(name);
    if (stored === undefined || position > stored || rewind) this.checkpoints.set(name, position);
  }

  async loadCheckpoint(name: string): Promise<bigint | undefined> {
    return this.checkpoints.get(name);
  }

  async dueExpiries(now: number, limit: number, from = -Infinity): Promise<DueExpiry[]> {
    return [...this.state.expiries.values()]
      .flat()
      .filter((e) => e.dueAt <= now && e.dueAt >= from)
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, limit);
  }

  async replaceAll(records: Iterable<KeyRecord>, checkpoint: Checkpoint, options: ReplaceAllOptions = {}): Promise<void> {
    const next = emptyState();
    this.building.add(next); // from here on, write() goes to both
    try {
      for (const record of records) writeInto(next, record);
      const later = await options.beforeSwap?.(async (record) => writeInto(next, record));
      const stored = later ?? checkpoint;
      // Swap and checkpoint in the same synchronous step; readers kept seeing the old maps until here.
      this.state = next;
      this.advance(stored);
    } finally {
      this.building.delete(next);
    }
  }

  async close(): Promise<void> {}
}

function writeInto(state: IndexState, record: KeyRecord): WriteOutcome {
  const stored = state.records.get(record.keyId);
  if (stored && (stored.version >= record.version || stored.status === 'revoked')) return 'stale';
  state.records.set(record.keyId, record);
  let ids = state.byAccount.get(record.accountId);
  if (!ids) state.byAccount.set(record.accountId, (ids = new Set()));
  ids.add(record.keyId);
  for (const [hash, entry] of validityEntries(record)) {
    const old = state.byHash.get(hash);
    if (old && isTerminal(old.status) && !isTerminal(entry.status)) continue; // terminal per secret: revoked, expired
    state.byHash.set(hash, entry);
  }
  const due = pendingExpiries(record);
  if (due.length > 0) state.expiries.set(record.keyId, due);
  else state.expiries.delete(record.keyId);
  return 'written';
}
