/**
 * The hash chain check (README, "Audit trail") for operators: the whole store, every account, so the
 * service credential rather than an account's actor token (a role is always an account's).
 */
import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ChainReport } from '@cs/event-store';
import { InternalCall, ServiceTokenGuard } from '../auth/guards';
import { ApiProblems, ApiService } from '../http/openapi';
import { ChainReportAnswer } from './audit.answers';
import { AuditService } from './audit.service';

@ApiTags('internal')
@Controller('v1/audit')
@UseGuards(ServiceTokenGuard)
// Counted with the service credential's signing calls: an operator's occasional call, not a hot path.
@InternalCall('signing')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'verifyAuditChain',
    summary:
      'Recompute the hash chain of every stream of the event store (as npm run audit:verify does): intact, or the first break ' +
      'with its stream, revision and position. A break is an answer (200, intact false), not an error',
  })
  @ApiService()
  @ApiProblems('STORE_UNAVAILABLE')
  @ApiOkResponse({ type: ChainReportAnswer })
  verify(): Promise<ChainReport> {
    return this.audit.verify();
  }
}
