/**
 * HTTP transport of key usage (README, "Key usage"): a key's per-day verify counts and the account's
 * unused keys. Read with the same authorization as reading keys (MANAGE).
 */
import { Controller, Get, Param, Query, UseGuards, UsePipes } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { GetKeyUsage, KEY_ID_PATTERN, ListUnusedKeys, type KeyUsageReport, type UnusedKeysReport } from '@cs/application';
import { ActorGuard, Requires } from '../auth/guards';
import { MANAGE } from '../auth/access-rules';
import { ApiActor, ApiProblems } from '../http/openapi';
import { ACCOUNT_ID_PATTERN, IdParamsPipe } from '../http/params';
import { keyNotFound } from '../keys/outcome';
import { KeyUsageAnswer, UnusedKeysAnswer } from './usage.answers';
import { unusedForDays, usageRange, usageUnavailable, MAX_UNUSED_FOR_DAYS } from './usage-input';

const AccountIdParam = (): MethodDecorator & ClassDecorator =>
  ApiParam({ name: 'accountId', schema: { type: 'string', pattern: ACCOUNT_ID_PATTERN.source }, example: 'acct_1' });
const DAY_QUERY = { type: 'string', format: 'date', example: '2026-12-01' } as const;

@ApiTags('keys')
@AccountIdParam()
@Controller('v1/accounts/:accountId/keys')
@UseGuards(ActorGuard)
@UsePipes(IdParamsPipe)
export class KeyUsageController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':keyId/usage')
  @Requires(MANAGE)
  @ApiOperation({
    operationId: 'getKeyUsage',
    summary: "The key's verify counts per UTC day, valid and refused by code (written every USAGE_FLUSH_MS)",
  })
  @ApiActor()
  @ApiParam({ name: 'keyId', schema: { type: 'string', pattern: KEY_ID_PATTERN.source }, example: 'key_3fJ9kQ2mX7pL0aB4cD8eF1gH' })
  @ApiQuery({ name: 'from', required: false, description: 'first UTC day (inclusive); default: 29 days before `to`', schema: DAY_QUERY })
  @ApiQuery({
    name: 'to',
    required: false,
    description: 'last UTC day (inclusive); default: today; at most 366 days in all',
    schema: DAY_QUERY,
  })
  @ApiProblems('VALIDATION_FAILED', 'KEY_NOT_FOUND', 'INDEX_UNAVAILABLE', 'USAGE_UNAVAILABLE')
  @ApiOkResponse({ type: KeyUsageAnswer })
  async usage(
    @Param('accountId') accountId: string,
    @Param('keyId') keyId: string,
    @Query('from') from: string | undefined,
    @Query('to') to: string | undefined,
  ): Promise<KeyUsageReport> {
    const { fromDay, toDay } = usageRange(from, to);
    const report = await this.queries.execute(new GetKeyUsage(accountId, keyId, fromDay, toDay));
    if (report === null) throw keyNotFound();
    if (report === 'unavailable') throw usageUnavailable();
    return report;
  }
}

@ApiTags('keys')
@AccountIdParam()
@Controller('v1/accounts/:accountId/usage')
@UseGuards(ActorGuard)
@UsePipes(IdParamsPipe)
export class AccountUsageController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Requires(MANAGE)
  @ApiOperation({
    operationId: 'getAccountUsage',
    summary: 'The account’s keys (revoked ones aside) not verified for `unusedForDays` days, or never and created before then',
  })
  @ApiActor()
  @ApiQuery({ name: 'unusedForDays', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_UNUSED_FOR_DAYS, default: 90 } })
  @ApiProblems('VALIDATION_FAILED', 'INDEX_UNAVAILABLE', 'USAGE_UNAVAILABLE')
  @ApiOkResponse({ type: UnusedKeysAnswer })
  async unused(@Param('accountId') accountId: string, @Query('unusedForDays') days: string | undefined): Promise<UnusedKeysReport> {
    const count = unusedForDays(days === undefined ? undefined : /^\d{1,6}$/.test(days) ? Number(days) : NaN);
    const report = await this.queries.execute(new ListUnusedKeys(accountId, count));
    if (report === 'unavailable') throw usageUnavailable();
    return report;
  }
}
