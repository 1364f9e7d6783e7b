/**
 * The embedded ValidityIndex: plain maps in the service process, rebuilt from the event store at
 * start-up. Every write is synchronous between awaits, so it is atomic for in-process readers.
 */
import { pendingExpiries, validityEntries, type KeyRecord, type ValidityEntry } from '../key-record';
import type { Checkpoint, DueExpiry, ValidityIndex, WriteOutcome } from '../validity-index.port';

interface IndexState {
  records: Map<string, KeyRecord>;
  byHash: Map<string, ValidityEntry>;
  byAccount: Map<string, Set<string>>;
  /** Pending expiries by key id (a key has at most two). */
  expiries: Map<string, DueExpiry[]>;
  checkpoints: Map<string, bigint>;
}

const emptyState = (): IndexState => ({
  records: new Map(),
  byHash: new Map(),
  byAccount: new Map(),
  expiries: new Map(),
  checkpoints: new Map(),
});

export class MemoryValidityIndex implements ValidityIndex {
  private state = emptyState();

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
    const outcome = writeInto(this.state, record);
    if (checkpoint) this.state.checkpoints.set(checkpoint.name, checkpoint.position);
    return outcome;
  }

  async saveCheckpoint(checkpoint: Checkpoint): Promise<void> {
    this.state.checkpoints.set(checkpoint.name, checkpoint.position);
  }

  async loadCheckpoint(name: string): Promise<bigint | undefined> {
    return this.state.checkpoints.get(name);
  }

  async dueExpiries(now: number, limit: number): Promise<DueExpiry[]> {
    return [...this.state.expiries.values()]
      .flat()
      .filter((e) => e.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, limit);
  }

  async replaceAll(records: Iterable<KeyRecord>, checkpoint: Checkpoint): Promise<void> {
    const next = emptyState();
    for (const record of records) writeInto(next, record);
    next.checkpoints.set(checkpoint.name, checkpoint.position);
    this.state = next; // readers keep seeing the old maps until this single assignment
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
    if (old && old.status !== 'active' && entry.status === 'active') continue; // terminal per secret
    state.byHash.set(hash, entry);
  }
  const due = pendingExpiries(record);
  if (due.length > 0) state.expiries.set(record.keyId, due);
  else state.expiries.delete(record.keyId);
  return 'written';
}
