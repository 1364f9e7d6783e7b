/**
 * gRPC transport of key usage (credentials.v1.KeyService GetKeyUsage and ListUnusedKeys): the same
 * queries, checks, roles and errors as the HTTP usage routes (usage/usage.controller.ts).
 */
import { Controller, UseFilters } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { GetKeyUsage, ListUnusedKeys, type KeyUsageReport, type UnusedKeysReport } from '@cs/application';
import { MANAGE } from '../auth/access-rules';
import { keyNotFound } from '../keys/outcome';
import { unusedForDays, usageRange, usageUnavailable } from '../usage/usage-input';
import { GrpcAccess } from './grpc-access';
import { GrpcExceptionFilter } from './grpc-status';
import { keyKindName, keyStatusName } from './proto-mapping';
import type { KeyRef } from './proto-types';

const SERVICE = 'KeyService';

export interface GetKeyUsageRequest extends KeyRef {
  from?: string;
  to?: string;
}

export interface ListUnusedKeysRequest {
  accountId?: string;
  unusedForDays?: number;
}

export function keyUsageMessage(report: KeyUsageReport): Record<string, unknown> {
  return {
    keyId: report.keyId,
    from: report.from,
    to: report.to,
    ...(report.lastUsedAt ? { lastUsedAt: report.lastUsedAt } : {}),
    total: report.total,
    days: report.days.map((d) => ({
      day: d.day,
      valid: d.valid,
      refused: d.refused,
      refusedRevoked: d.refusedByCode.REVOKED,
      refusedExpired: d.refusedByCode.EXPIRED,
      refusedIpNotAllowed: d.refusedByCode.IP_NOT_ALLOWED,
      refusedSuspended: d.refusedByCode.SUSPENDED,
      refusedOriginNotAllowed: d.refusedByCode.ORIGIN_NOT_ALLOWED,
      refusedInsufficientPermissions: d.refusedByCode.INSUFFICIENT_PERMISSIONS,
    })),
  };
}

export function unusedKeysMessage(report: UnusedKeysReport): Record<string, unknown> {
  return {
    unusedForDays: report.unusedForDays,
    cutoff: report.cutoff,
    keys: report.keys.map((k) => ({
      keyId: k.keyId,
      name: k.name,
      kind: keyKindName(k.kind),
      status: keyStatusName(k.status),
      createdAt: k.createdAt,
      ...(k.lastUsedAt ? { lastUsedAt: k.lastUsedAt } : {}),
    })),
  };
}

@Controller()
@UseFilters(GrpcExceptionFilter)
export class UsageGrpcController {
  constructor(
    private readonly queries: QueryBus,
    private readonly access: GrpcAccess,
  ) {}

  @GrpcMethod(SERVICE, 'GetKeyUsage')
  async getKeyUsage(request: GetKeyUsageRequest, metadata: Metadata): Promise<Record<string, unknown>> {
    await this.access.actor(request, metadata, MANAGE, true);
    const { fromDay, toDay } = usageRange(request.from, request.to);
    const report = await this.queries.execute(new GetKeyUsage(request.accountId as string, request.keyId as string, fromDay, toDay));
    if (report === null) throw keyNotFound();
    if (report === 'unavailable') throw usageUnavailable();
    return keyUsageMessage(report);
  }

  @GrpcMethod(SERVICE, 'ListUnusedKeys')
  async listUnusedKeys(request: ListUnusedKeysRequest, metadata: Metadata): Promise<Record<string, unknown>> {
    await this.access.actor(request, metadata, MANAGE, false);
    const report = await this.queries.execute(new ListUnusedKeys(request.accountId as string, unusedForDays(request.unusedForDays)));
    if (report === 'unavailable') throw usageUnavailable();
    return unusedKeysMessage(report);
  }
}
