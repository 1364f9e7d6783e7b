/**
 * The ValidityIndex port: the read model behind verify (lookup by secret hash), the key views
 * behind GET/list, and the expiry schedule. Adapters (memory/, redis/) pass
 * testing/validity-index.conformance.ts.
 */
import type { IndexTrust } from './index-trust';
import type { KeyRecord, ValidityEntry } from './key-record';

export const VALIDITY_INDEX = Symbol('VALIDITY_INDEX');

export interface Checkpoint {
  name: string;
  position: bigint;
  /**
   * Where the writer knows the stored checkpoint to be at least (the position it last stored or
   * resumed from). When given, a stored checkpoint behind it (the index lost writes: it went back in
   * time or was emptied) refuses the write with IndexRewoundError and nothing is written.
   */
  base?: bigint;
  /**
   * Store it even when it is behind the stored one (saveCheckpoint, and replaceAll's swap). Checkpoints
   * otherwise only move forward, which index trust relies on; this is for a checkpoint found not to be
   * a position of the event store at all (InvalidCheckpointError: another store's, or the store was
   * replaced or restored), which the rebuild that follows must replace, and for CheckpointStores whose
   * contract is to overwrite.
   */
  rewind?: boolean;
}

export interface DueExpiry {
  keyId: string;
  secretVersion: number;
  dueAt: number;
}

export type WriteOutcome = 'written' | 'stale';

export interface ReplaceAllOptions {
  /**
   * Runs after `records` are written and before the swap, while writes still go to both indexes:
   * the place to apply what happened between the caller's read of its source and the build's start.
   * May return a newer checkpoint (same name or not) to store with the swap instead of the given one.
   */
  beforeSwap?: (writeToNew: (record: KeyRecord) => Promise<WriteOutcome>) => Promise<Checkpoint | void>;
}

export interface ValidityIndex {
  /**
   * Whether answers may be given from this index now (index-trust.ts). lookup, getKey, listKeys and
   * dueExpiries throw IndexUnavailableError rather than answer from an index that is not proven current.
   */
  readonly trust: IndexTrust;
  /**
   * The same index without the trust check on reads: for the projection that heals it (it must read
   * the index while the index is untrusted). Never for answers.
   */
  unguarded(): ValidityIndex;
  /** The hot path: exactly one read (the index's position and generation come in the same round trip). */
  lookup(hash: string): Promise<ValidityEntry | null>;
  getKey(keyId: string): Promise<KeyRecord | null>;
  listKeys(accountId: string): Promise<KeyRecord[]>;
  /**
   * Writes a key's record, its hash entries and its pending expiries, and (if given) a checkpoint,
   * atomically. Refused as 'stale' when the stored record's version is not lower, or when the stored
   * record is revoked (terminal). A hash entry once revoked or expired never becomes active again.
   */
  write(record: KeyRecord, checkpoint?: Checkpoint): Promise<WriteOutcome>;
  /**
   * Checkpoints only move forward: a position at or behind the stored one leaves it (several
   * projector instances may write the same checkpoint). With `base`, see Checkpoint. replaceAll's swap
   * is the one place a checkpoint is set outright.
   */
  saveCheckpoint(checkpoint: Checkpoint): Promise<void>;
  loadCheckpoint(name: string): Promise<bigint | undefined>;
  /**
   * Secrets whose expiry is at or before `now` (and at or after `from`, when given) and not yet
   * recorded expired, earliest first. The expiry warner pages through the coming ones with `from`.
   */
  dueExpiries(now: number, limit: number, from?: number): Promise<DueExpiry[]>;
  /**
   * Replaces the whole index with these records and checkpoint; readers see the old index until the
   * swap. In this order: the new index is registered as being built (from then on every write() goes
   * to the live index and, under the same guards, to the one being built, so no write made during
   * the build is lost at the swap), `records` are written into it, `beforeSwap` runs (its writeToNew
   * writes into the new index only, guarded like write(); what it returns, if anything, replaces
   * `checkpoint`), then the swap. A failure anywhere (beforeSwap included) leaves the live index as
   * it was and rejects.
   */
  replaceAll(records: Iterable<KeyRecord>, checkpoint: Checkpoint, options?: ReplaceAllOptions): Promise<void>;
  /**
   * Only indexes that several processes or threads can fill together (Redis): replaceAll whose
   * records are written by `fill`, which gets the id of the generation being built and hands it to
   * fillers (fillGeneration on their own instance of the index); it resolves once all their writes
   * have landed. A parallel rebuild (ValidityProjector.rebuild with a PartitionedFill) uses them.
   */
  replaceAllBy?(fill: (generation: string) => Promise<void>, checkpoint: Checkpoint, options?: ReplaceAllOptions): Promise<void>;
  /**
   * Writes records into a generation replaceAllBy is building; resolves with how many. `unique`: the
   * caller vouches that no key comes twice (so none is written guarded after its first record).
   */
  fillGeneration?(generation: string, records: Iterable<KeyRecord>, options?: { unique?: boolean }): Promise<number>;
  close(): Promise<void>;
}
