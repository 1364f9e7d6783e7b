/**
 * The embedded mode's IdempotencyStore: one process, so a Map with expiry times is the whole of it
 * (the embedded validity index is in memory too). Entries live 24 h or until the process stops: a
 * request repeated after a restart runs again.
 */
import { randomUUID } from 'node:crypto';
import type { BeginOutcome, IdempotencyStore, StoredEntry } from './idempotency-store';

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, { entry: StoredEntry; expiresAt: number }>();
  private sweptAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  begin(key: string, fingerprint: string, ttlMs: number): Promise<BeginOutcome> {
    this.sweep();
    const held = this.live(key);
    if (!held) {
      const claim = randomUUID();
      this.entries.set(key, { entry: { f: fingerprint, claim }, expiresAt: this.now() + ttlMs });
      return Promise.resolve({ state: 'started', claim });
    }
    if (held.f !== fingerprint) return Promise.resolve({ state: 'mismatch' });
    if (held.answer === undefined) return Promise.resolve({ state: 'in-flight' });
    return Promise.resolve({ state: 'completed', answer: held.answer });
  }

  complete(key: string, claim: string, answer: string, ttlMs: number): Promise<boolean> {
    const held = this.live(key);
    if (!held || held.claim !== claim) return Promise.resolve(false);
    this.entries.set(key, { entry: { f: held.f, answer }, expiresAt: this.now() + ttlMs });
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }

  private live(key: string): StoredEntry | null {
    const found = this.entries.get(key);
    if (!found) return null;
    if (found.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return found.entry;
  }

  /** Expired entries go at most once a minute, so memory follows the last 24 h of keys, not all of them. */
  private sweep(): void {
    const now = this.now();
    if (now - this.sweptAt < 60_000) return;
    this.sweptAt = now;
    for (const [key, { expiresAt }] of this.entries) if (expiresAt <= now) this.entries.delete(key);
  }
}
