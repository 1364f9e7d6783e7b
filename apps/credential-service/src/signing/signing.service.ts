/**
 * Signing payloads for a merchant (payment links, webhooks) and verifying signature headers, with
 * every signing secret of the account that is valid now: during a rotation's grace period the
 * header carries one v1 per secret, so receivers holding either secret accept it. Shared by HTTP
 * and gRPC; the scheme itself is libs/signature, the same code merchants use.
 */
import { Inject, Injectable } from '@nestjs/common';
import { foldRecorded, SecretSealer } from '@cs/application';
import { EVENT_STORE, type EventStore } from '@cs/event-store';
import { effectivePrevious, isLive, keyStreamId } from '@cs/domain';
import { VALIDITY_INDEX, type SecretRecord, type ValidityIndex } from '@cs/validity';
import { DEFAULT_TOLERANCE_SECONDS, MAX_SIGNATURES, signPayload, verifySignatureHeader, type VerifyResult } from '@cs/signature';

export const MAX_TOLERANCE_SECONDS = 86_400;

export interface SigningSecret {
  keyId: string;
  version: number;
  secret: string;
}

export type SignOutcome =
  | { ok: true; header: string; timestamp: number; keyIds: string[]; signatures: number }
  | { ok: false; code: 'NO_SIGNING_KEY'; message: string };

/** Decrypted secrets cached by key id and secret version: a version's secret never changes. */
const CACHE_LIMIT = 10_000;

@Injectable()
export class SigningService {
  private readonly cache = new Map<string, string>();

  constructor(
    @Inject(VALIDITY_INDEX) private readonly index: ValidityIndex,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SecretSealer) private readonly sealer: SecretSealer,
  ) {}

  /** Every signing secret of the account valid at `now`, newest key first. */
  async validSecrets(accountId: string, now: Date): Promise<SigningSecret[]> {
    const records = (await this.index.listKeys(accountId)).filter((r) => r.kind === 'signing' && r.status === 'active');
    const secrets: SigningSecret[] = [];
    for (const record of records.sort((a, b) => b.createdAt.localeCompare(a.createdAt))) {
      const previous = record.previous ? effectivePrevious(record.previous, record.current) : null;
      const live = [record.current, previous].filter((s): s is SecretRecord => s !== null && s.status === 'active' && isLive(s, now));
      for (const { version } of live) {
        const secret = await this.openSecret(record.keyId, version);
        if (secret !== null) secrets.push({ keyId: record.keyId, version, secret });
      }
    }
    return secrets;
  }

  /** The plaintext of one secret version, from its sealed copy in the key's stream (then cached). */
  private async openSecret(keyId: string, version: number): Promise<string | null> {
    const cacheKey = `${keyId}:${version}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const state = foldRecorded(await this.store.readStream(keyStreamId(keyId)));
    if (state.status !== 'active') return null;
    const sealed = [state.current, state.previous].find((s) => s?.version === version);
    if (!sealed) return null;
    const plain = this.sealer.open(sealed.sealed, { keyId, secretVersion: version });
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(cacheKey, plain);
    return plain;
  }

  async sign(accountId: string, payload: Buffer, now: Date = new Date()): Promise<SignOutcome> {
    const secrets = await this.validSecrets(accountId, now);
    if (secrets.length === 0)
      return { ok: false, code: 'NO_SIGNING_KEY', message: 'the account has no valid signing key; generate one first' };
    const timestamp = Math.floor(now.getTime() / 1000);
    // Generate caps signing keys so this holds; keys from before a cap change: the newest win.
    const used = secrets.slice(0, MAX_SIGNATURES);
    const header = signPayload({ payload, secrets: used.map((s) => s.secret), timestamp });
    return { ok: true, header, timestamp, keyIds: [...new Set(used.map((s) => s.keyId))], signatures: used.length };
  }

  async verify(
    accountId: string,
    payload: Buffer,
    header: string,
    toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
    now: Date = new Date(),
  ): Promise<VerifyResult> {
    const secrets = await this.validSecrets(accountId, now);
    return verifySignatureHeader({
      payload,
      header,
      secrets: secrets.map((s) => s.secret),
      now: Math.floor(now.getTime() / 1000),
      toleranceSeconds,
    });
  }
}
