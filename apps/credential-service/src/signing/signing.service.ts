/**
 * Signing payloads for a merchant (payment links, webhooks) and verifying signature headers, with
 * every signing key of the account that is valid now and has the requested scheme: during a
 * rotation's grace period the header carries one signature per secret, so receivers holding either
 * secret accept it. Shared by HTTP and gRPC; the schemes themselves are libs/signature, the same code
 * merchants use.
 *
 * Schemes: `stripe` (the default), one `t=<unix>,v1=<hex>` header; `standard-webhooks`, the three
 * `webhook-*` headers, a `v1` (HMAC, `whsec_` secrets) or `v1a` (Ed25519) entry per key. Ed25519
 * verification needs only the public keys; signing opens the sealed private key, which never leaves.
 */
import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { foldRecorded, SecretSealer } from '@cs/application';
import { EVENT_STORE, type EventStore } from '@cs/event-store';
import {
  effectivePrevious,
  isLive,
  keyStreamId,
  signingProfile,
  STANDARD_WEBHOOKS_PREFIX,
  type SigningAlgorithm,
  type SigningScheme,
} from '@cs/domain';
import { VALIDITY_INDEX, type KeyRecord, type SecretRecord, type ValidityIndex } from '@cs/validity';
import {
  DEFAULT_TOLERANCE_SECONDS,
  MAX_SIGNATURES,
  signPayload,
  signStandardWebhook,
  verifySignatureHeader,
  verifyStandardWebhook,
  type StandardWebhookHeaders,
  type VerifyResult,
} from '@cs/signature';

export const MAX_TOLERANCE_SECONDS = 86_400;
/** A webhook id the caller gives for the standard-webhooks scheme: what libs/signature accepts, in a narrower alphabet. */
export const WEBHOOK_ID_PATTERN = /^[A-Za-z0-9_:-]{1,128}$/;

/** One valid secret of a signing key (a key in its grace period has two). */
export interface SigningKeyVersion {
  keyId: string;
  version: number;
  algorithm: SigningAlgorithm;
  /** Ed25519 only: base64 of the raw public key. */
  publicKey?: string;
}

export interface SigningSecret extends SigningKeyVersion {
  secret: string;
}

export type SignOutcome =
  | {
      ok: true;
      scheme: SigningScheme;
      header: string;
      timestamp: number;
      keyIds: string[];
      signatures: number;
      /** standard-webhooks only: the message id signed, and the three headers to send. */
      webhookId?: string;
      headers?: StandardWebhookHeaders;
    }
  | { ok: false; code: 'NO_SIGNING_KEY'; message: string };

/** The `webhook-*` values a standard-webhooks verify checks (as received: they are data, not validated here). */
export interface StandardWebhookInput {
  webhookId: string | undefined;
  webhookTimestamp: string | undefined;
  signature: string | undefined;
}

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

  /** Every secret version of the account's active signing keys of `scheme` valid at `now`, newest key first. */
  async validKeys(accountId: string, now: Date, scheme: SigningScheme = 'stripe'): Promise<SigningKeyVersion[]> {
    const records = (await this.index.listKeys(accountId)).filter(
      (r) => r.kind === 'signing' && r.status === 'active' && signingProfile(r).scheme === scheme,
    );
    return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).flatMap((record) => liveVersions(record, now));
  }

  /** Every signing secret of the account valid at `now` (of `scheme`), newest key first, opened. */
  async validSecrets(accountId: string, now: Date, scheme: SigningScheme = 'stripe'): Promise<SigningSecret[]> {
    return this.open(await this.validKeys(accountId, now, scheme));
  }

  private async open(versions: SigningKeyVersion[]): Promise<SigningSecret[]> {
    const secrets: SigningSecret[] = [];
    for (const version of versions) {
      const secret = await this.openSecret(version.keyId, version.version);
      if (secret !== null) secrets.push({ ...version, secret });
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

  async sign(
    accountId: string,
    payload: Buffer,
    now: Date = new Date(),
    options: { scheme?: SigningScheme; webhookId?: string } = {},
  ): Promise<SignOutcome> {
    const scheme = options.scheme ?? 'stripe';
    const secrets = await this.validSecrets(accountId, now, scheme);
    if (secrets.length === 0) {
      const which = scheme === 'stripe' ? 'signing key' : 'standard-webhooks signing key';
      return { ok: false, code: 'NO_SIGNING_KEY', message: `the account has no valid ${which}; generate one first` };
    }
    const timestamp = Math.floor(now.getTime() / 1000);
    // Generate caps signing keys so this holds; keys from before a cap change: the newest win.
    const used = secrets.slice(0, MAX_SIGNATURES);
    const keyIds = [...new Set(used.map((s) => s.keyId))];
    if (scheme === 'stripe') {
      const header = signPayload({ payload, secrets: used.map((s) => s.secret), timestamp });
      return { ok: true, scheme, header, timestamp, keyIds, signatures: used.length };
    }
    const webhookId = options.webhookId ?? newWebhookId();
    const headers = signStandardWebhook({ payload, webhookId, timestamp, secrets: used.map((s) => s.secret) });
    return { ok: true, scheme, header: headers['webhook-signature'], timestamp, keyIds, signatures: used.length, webhookId, headers };
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

  /**
   * A standard-webhooks request against the account's valid standard-webhooks keys: `v1` entries
   * against the HMAC secrets, `v1a` entries against the Ed25519 public keys (no private key opened).
   */
  async verifyStandardWebhook(
    accountId: string,
    payload: Buffer,
    input: StandardWebhookInput,
    toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
    now: Date = new Date(),
  ): Promise<{ valid: boolean; code: VerifyResult['code'] }> {
    const versions = await this.validKeys(accountId, now, 'standard-webhooks');
    const secrets = await this.open(versions.filter((v) => v.algorithm === 'hmac-sha256'));
    const publicKeys = versions.flatMap((v) => (v.publicKey ? [STANDARD_WEBHOOKS_PREFIX.publicKey + v.publicKey] : []));
    const headers = {
      'webhook-id': input.webhookId,
      'webhook-timestamp': input.webhookTimestamp,
      'webhook-signature': input.signature,
    };
    const result = verifyStandardWebhook({
      payload,
      headers,
      secrets: secrets.map((s) => s.secret),
      publicKeys,
      now: Math.floor(now.getTime() / 1000),
      toleranceSeconds,
    });
    return { valid: result.valid, code: result.code };
  }
}

/** The current and (in its grace period) previous secret of a record, when valid at `now`. */
function liveVersions(record: KeyRecord, now: Date): SigningKeyVersion[] {
  const previous = record.previous ? effectivePrevious(record.previous, record.current) : null;
  const { algorithm } = signingProfile(record);
  return [record.current, previous]
    .filter((s): s is SecretRecord => s !== null && s.status === 'active' && isLive(s, now))
    .map((s) => ({ keyId: record.keyId, version: s.version, algorithm, ...(s.publicKey ? { publicKey: s.publicKey } : {}) }));
}

/** A fresh message id for a standard-webhooks signature: `msg_` and 22 base64url characters (128 random bits). */
function newWebhookId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}
