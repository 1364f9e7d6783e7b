/**
 * The ValidityIndex port: the read model behind verify (lookup by secret hash), the key views
 * behind GET/list, and the expiry schedule. Adapters (memory/, redis/) pass
 * testing/validity-index.conformance.ts.
 */
import type { KeyRecord, ValidityEntry } from './key-record';

export const VALIDITY_INDEX = Symbol('VALIDITY_INDEX');

export interface Checkpoint {
  name: string;
  position: bigint;
}

export interface DueExpiry {
  keyId: string;
  secretVersion: number;
  dueAt: number;
}

export type WriteOutcome = 'written' | 'stale';

export interface ValidityIndex {
  /** The hot path: exactly one read. */
  lookup(hash: string): Promise<ValidityEntry | null>;
  getKey(keyId: string): Promise<KeyRecord | null>;
  listKeys(accountId: string): Promise<KeyRecord[]>;
  /**
   * Writes a key's record, its hash entries and its pending expiries, and (if given) a checkpoint,
   * atomically. Refused as 'stale' when the stored record's version is not lower, or when the stored
   * record is revoked (terminal). A hash entry once revoked or expired never becomes active again.
   */
  write(record: KeyRecord, checkpoint?: Checkpoint): Promise<WriteOutcome>;
  saveCheckpoint(checkpoint: Checkpoint): Promise<void>;
  loadCheckpoint(name: string): Promise<bigint | undefined>;
  /** Secrets whose expiry is at or before `now` and not yet recorded expired, earliest first. */
  dueExpiries(now: number, limit: number): Promise<DueExpiry[]>;
  /** Replaces the whole index with these records and checkpoint; readers see the old index until the swap. */
  replaceAll(records: Iterable<KeyRecord>, checkpoint: Checkpoint): Promise<void>;
  close(): Promise<void>;
}
