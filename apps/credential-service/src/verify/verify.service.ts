/**
 * The hot path (README, "Verify"): parse the key, check its checksum, hash it, one read-model
 * lookup, then status, expiry and IP allow-list. A malformed key never reaches the index, and
 * nothing is written. Shared by HTTP and gRPC.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ServiceMetrics, type Transport } from '@cs/composition';
import { hashKey, isIpAddress, KEY_KINDS, parseKey, parsePermissions, quotedChoices, type KeyKind } from '@cs/domain';
import { UsageAggregator, VALIDITY_INDEX, verdict, type ValidityIndex, type VerifyResult } from '@cs/validity';

export type VerifyInputError = { field: 'key' | 'ip' | 'kind' | 'permissions' | 'origin'; message: string };

/** Longer than any origin a browser sends (a host name is at most 253 characters). */
const MAX_ORIGIN_INPUT = 2048;

@Injectable()
export class VerifyService {
  constructor(
    @Inject(VALIDITY_INDEX) private readonly index: ValidityIndex,
    @Inject(ServiceMetrics) private readonly metrics: ServiceMetrics,
    // Key usage (USAGE=on): an in-process count per key, written by a background flusher; null with USAGE=off.
    @Optional() @Inject(UsageAggregator) private readonly usage: UsageAggregator | null = null,
  ) {}

  /** Input errors are the caller's bug (400); every answer about the key itself is data. */
  checkInput(key: unknown, ip: unknown, kind?: unknown): VerifyInputError | null {
    if (typeof key !== 'string') return { field: 'key', message: 'key must be a string' };
    if (key.length > 4096) return { field: 'key', message: 'key must be at most 4096 characters' };
    if (ip !== undefined && ip !== null && (typeof ip !== 'string' || !isIpAddress(ip))) {
      return { field: 'ip', message: 'ip must be an IPv4 address (dotted decimal) or an IPv6 address' };
    }
    if (kind !== undefined && kind !== null && !(KEY_KINDS as readonly unknown[]).includes(kind)) {
      return { field: 'kind', message: `kind must be ${quotedChoices(KEY_KINDS)}` };
    }
    return null;
  }

  /**
   * The request's web origin (the browser's `Origin` header, passed on by the caller): a string or
   * absent. Any string is an answer's input, not an error: one that is not an allowed origin (even
   * "null", a sandboxed page's) answers ORIGIN_NOT_ALLOWED for a publishable key.
   */
  checkOrigin(origin: unknown): VerifyInputError | null {
    if (origin === undefined || origin === null) return null;
    if (typeof origin !== 'string') return { field: 'origin', message: 'origin must be a string such as "https://shop.example"' };
    if (origin.length > MAX_ORIGIN_INPUT) return { field: 'origin', message: `origin must be at most ${MAX_ORIGIN_INPUT} characters` };
    return null;
  }

  /** The permissions a verify requires (absent or null: none), or the error naming the entry by index. */
  checkRequiredPermissions(permissions: unknown): VerifyInputError | null {
    if (permissions === undefined || permissions === null) return null;
    if (!Array.isArray(permissions)) return { field: 'permissions', message: 'permissions must be an array of strings' };
    const parsed = parsePermissions(permissions);
    return parsed.ok ? null : { field: 'permissions', message: parsed.errors.join('; ') };
  }

  /**
   * `kind` is the kind of key the caller accepts (default `api`): a signing secret, held by webhook
   * receivers, must not authenticate requests as the merchant, so it is NOT_FOUND as an API key.
   * Each answer is counted by transport and code, and timed (cs_verify_total, cs_verify_duration_seconds).
   */
  async verify(
    key: string,
    ip: string | undefined,
    kind: KeyKind = 'api',
    transport: Transport = 'http',
    required?: readonly string[],
    origin?: string,
  ): Promise<VerifyResult> {
    const started = performance.now();
    let result: VerifyResult;
    try {
      result = await this.answer(key, ip, kind, required, origin);
    } catch (error) {
      this.metrics.verified(transport, (error as Error)?.name === 'IndexUnavailableError' ? 'INDEX_UNAVAILABLE' : 'ERROR', started);
      throw error;
    }
    this.metrics.verified(transport, result.code, started);
    if (this.usage !== null) this.usage.record(result);
    return result;
  }

  private async answer(
    key: string,
    ip: string | undefined,
    kind: KeyKind,
    required: readonly string[] | undefined,
    origin: string | undefined,
  ): Promise<VerifyResult> {
    const parsed = parseKey(key);
    if (!parsed) return { valid: false, code: 'MALFORMED' };
    if (parsed.kind !== kind) return { valid: false, code: 'NOT_FOUND' };
    const entry = await this.index.lookup(hashKey(key));
    return verdict(entry, ip, Date.now(), required, origin);
  }
}
