/**
 * The hot path (ARCHITECTURE.md): parse the key, check its checksum, hash it, one read-model
 * lookup, then status, expiry and IP allow-list. A malformed key never reaches the index, and
 * nothing is written. Shared by HTTP and gRPC.
 */
import { Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { hashKey, parseKey } from '@cs/domain';
import type { Infrastructure } from '@cs/application';
import { verdict, type VerifyResult } from '@cs/validity';
import { INFRASTRUCTURE } from '../infrastructure/tokens';

export type VerifyInputError = { field: 'key' | 'ip'; message: string };

@Injectable()
export class VerifyService {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  /** Input errors are the caller's bug (400); every answer about the key itself is data. */
  checkInput(key: unknown, ip: unknown): VerifyInputError | null {
    if (typeof key !== 'string') return { field: 'key', message: 'key must be a string' };
    if (key.length > 4096) return { field: 'key', message: 'key must be at most 4096 characters' };
    if (ip !== undefined && ip !== null && (typeof ip !== 'string' || !ipaddr.isValid(ip))) {
      return { field: 'ip', message: 'ip must be an IPv4 or IPv6 address' };
    }
    return null;
  }

  async verify(key: string, ip: string | undefined): Promise<VerifyResult> {
    if (!parseKey(key)) return { valid: false, code: 'MALFORMED' };
    const entry = await this.infra.index.lookup(hashKey(key));
    return verdict(entry, ip, Date.now());
  }
}
