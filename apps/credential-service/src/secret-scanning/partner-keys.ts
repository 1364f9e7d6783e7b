/**
 * The public keys a secret scanning partner signs its reports with (README, "Secret scanning"),
 * fetched from SECRET_SCANNING_KEYS_URL (GitHub's: `{"public_keys":[{"key_identifier", "key" (PEM),
 * "is_current"}]}`) and cached:
 *
 * - fetched keys are used for SECRET_SCANNING_KEYS_TTL_SECONDS, then fetched again;
 * - a key id not in the cache (the partner rotated its keys) fetches again, at most once per
 *   SECRET_SCANNING_KEYS_REFETCH_SECONDS, so unsigned traffic cannot make the service hammer the URL;
 * - a failed fetch keeps the keys already cached (the partner's keys endpoint being down must not
 *   refuse its reports), and is not tried again for a few seconds;
 * - with no key cached and none fetchable, PartnerKeysUnavailableError: the report is refused
 *   (503), never accepted unverified.
 *
 * Only ECDSA P-256 keys are kept; one fetch runs at a time, whatever the number of requests waiting.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export class PartnerKeysUnavailableError extends Error {
  constructor(reason: string) {
    super(`the secret scanning partner's public keys could not be fetched: ${reason}`);
    this.name = 'PartnerKeysUnavailableError';
  }
}

export interface PartnerKeyCacheOptions {
  url: string;
  ttlMs: number;
  refetchIntervalMs: number;
  /** After a failed fetch, how long before the next try. */
  retryAfterFailureMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  /** Told (without any secret) when a fetch fails, e.g. to log a warning. */
  onFetchFailed?: (error: Error) => void;
}

/** A keys document is small (GitHub's is about 1 KB); anything near this is not one. */
const MAX_DOCUMENT_BYTES = 256 * 1024;

export class PartnerKeyCache {
  private keys: Map<string, KeyObject> | null = null;
  private fetchedAt = -Infinity;
  private attemptedAt = -Infinity;
  private lastFailed = false;
  private inflight: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: PartnerKeyCacheOptions) {
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The key with this id, or null when the partner has none (after a refetch, if one was allowed). */
  async key(id: string): Promise<KeyObject | null> {
    const now = this.now();
    const stale = now - this.fetchedAt >= this.options.ttlMs;
    const unknown = this.keys !== null && !this.keys.has(id);
    if (this.keys === null || stale || (unknown && now - this.attemptedAt >= this.options.refetchIntervalMs)) {
      await this.refresh();
    }
    if (this.keys === null) throw new PartnerKeysUnavailableError('no key has been fetched yet');
    return this.keys.get(id) ?? null;
  }

  private async refresh(): Promise<void> {
    const retryAfterFailure = this.options.retryAfterFailureMs ?? Math.min(5000, this.options.refetchIntervalMs);
    if (this.lastFailed && this.now() - this.attemptedAt < retryAfterFailure) return;
    this.inflight ??= this.load().finally(() => {
      this.inflight = null;
    });
    await this.inflight;
  }

  private async load(): Promise<void> {
    this.attemptedAt = this.now();
    try {
      this.keys = await this.download();
      this.fetchedAt = this.now();
      this.lastFailed = false;
    } catch (error) {
      this.lastFailed = true;
      this.options.onFetchFailed?.(error as Error);
    }
  }

  private async download(): Promise<Map<string, KeyObject>> {
    const response = await this.fetch(this.options.url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error('the keys document is too large');
    return parsePartnerKeys(JSON.parse(text) as unknown);
  }
}

/** The P-256 keys of a keys document by id; throws when it holds none. */
export function parsePartnerKeys(document: unknown): Map<string, KeyObject> {
  const list = (document as { public_keys?: unknown } | null)?.public_keys;
  if (!Array.isArray(list)) throw new Error('the keys document has no public_keys list');
  const keys = new Map<string, KeyObject>();
  for (const entry of list as unknown[]) {
    const { key_identifier: id, key: pem } = (entry ?? {}) as { key_identifier?: unknown; key?: unknown };
    if (typeof id !== 'string' || typeof pem !== 'string' || id.length === 0 || id.length > 256) continue;
    try {
      const key = createPublicKey(pem);
      if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') keys.set(id, key);
    } catch {
      // not a public key: left out
    }
  }
  if (keys.size === 0) throw new Error('the keys document holds no ECDSA P-256 key');
  return keys;
}

/** Base64 of a DER ECDSA signature: a P-256 one is at most 72 bytes (96 characters). */
const SIGNATURE_PATTERN = /^[A-Za-z0-9+/]{16,200}={0,2}$/;

/** ECDSA P-256 with SHA-256 over the exact body bytes, the signature DER-encoded and base64'd (as GitHub sends it). */
export function signatureMatches(body: Buffer, signatureBase64: string, key: KeyObject): boolean {
  if (!SIGNATURE_PATTERN.test(signatureBase64)) return false;
  try {
    return verify('sha256', body, { key, dsaEncoding: 'der' }, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
