/**
 * The IdempotencyStore port: where the first answer to a request sent with an `Idempotency-Key` is
 * kept for 24 hours (README, "Idempotent requests"). It stores opaque text: the service hands it a
 * fingerprint (a hash of the request) and an answer that is already sealed (AES-GCM, SecretSealer),
 * so no adapter ever holds a secret or a request body in clear. Adapters (memory, Redis) pass
 * testing/idempotency-store.conformance.ts.
 */
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

/** What `begin` found under a key. */
export type BeginOutcome =
  /** Nothing: the key is now claimed for this request (an in-flight marker, `ttlMs` long); `claim` completes it. */
  | { state: 'started'; claim: string }
  /** A request with another fingerprint holds or held the key. */
  | { state: 'mismatch' }
  /** The same request holds the key and has not answered yet. */
  | { state: 'in-flight' }
  /** The same request answered this. */
  | { state: 'completed'; answer: string };

export interface IdempotencyStore {
  /** Atomically: claim `key` for a request with `fingerprint` if nothing holds it, or say what does. */
  begin(key: string, fingerprint: string, ttlMs: number): Promise<BeginOutcome>;
  /**
   * Replaces this claim with the answer, kept `ttlMs` from now. False (and nothing written) when the
   * claim is no longer there (it expired, and another request may have claimed the key since).
   */
  complete(key: string, claim: string, answer: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** The store did not answer (unreachable, timed out): the request is refused, never run unprotected. */
export class IdempotencyStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the idempotency store is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'IdempotencyStoreUnavailableError';
  }
}

/** What an adapter keeps under a key: the fingerprint and either the claim (in flight) or the answer. */
export interface StoredEntry {
  f: string;
  claim?: string;
  answer?: string;
}
