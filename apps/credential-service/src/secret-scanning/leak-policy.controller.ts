/**
 * The account's leak policy (README, "Secret scanning"): what a leak report of one of its secrets
 * does. Read by anyone who may read the account's history; changed by an owner or admin with
 * step-up, recorded as LeakPolicySet on the account's stream (who and when are in the answer).
 */
import { Body, Controller, Get, Param, Put, UseGuards, UsePipes } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { GetLeakPolicy, SetLeakPolicy, type LeakPolicyView } from '@cs/application';
import { LEAK_POLICIES, quotedChoices, type LeakPolicy } from '@cs/domain';
import { MANAGE_ACCOUNT_STEP_UP, READ_HISTORY } from '../auth/access-rules';
import type { Actor } from '../auth/actor';
import { ActorGuard, CurrentActor, Requires } from '../auth/guards';
import { ApiActor, ApiProblems } from '../http/openapi';
import { ACCOUNT_ID_PATTERN, IdParamsPipe } from '../http/params';
import { actorContext } from '../keys/command-input';

export class SetLeakPolicyDto {
  @ApiProperty({ enum: LEAK_POLICIES, description: '`revoke`: revoke a reported key at once; `alert`: record and notify only' })
  @IsIn(LEAK_POLICIES as LeakPolicy[], { message: `policy must be ${quotedChoices(LEAK_POLICIES)}` })
  policy!: LeakPolicy;
}

export class LeakPolicyAnswer implements LeakPolicyView {
  @ApiProperty({ example: 'acct_1' })
  accountId!: string;

  @ApiProperty({ enum: LEAK_POLICIES, description: '`revoke` unless set otherwise' })
  policy!: LeakPolicy;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'when it was last set; null: never (the default)' })
  setAt!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'who last set it (the actor’s `sub`); null: never set' })
  setBy!: string | null;
}

const ACCOUNT_PARAM = ApiParam({ name: 'accountId', schema: { type: 'string', pattern: ACCOUNT_ID_PATTERN.source }, example: 'acct_1' });

@ApiTags('secret-scanning')
@Controller('v1/accounts/:accountId/leak-policy')
@UseGuards(ActorGuard)
@UsePipes(IdParamsPipe)
export class LeakPolicyController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @Requires(READ_HISTORY)
  @ApiOperation({
    operationId: 'getLeakPolicy',
    summary: 'What a leak report of one of the account’s secrets does: revoke (default) or alert',
  })
  @ACCOUNT_PARAM
  @ApiActor()
  @ApiProblems('STORE_UNAVAILABLE')
  @ApiOkResponse({ type: LeakPolicyAnswer })
  get(@Param('accountId') accountId: string): Promise<LeakPolicyView> {
    return this.queries.execute(new GetLeakPolicy(accountId));
  }

  @Put()
  @Requires(MANAGE_ACCOUNT_STEP_UP)
  @ApiOperation({ operationId: 'setLeakPolicy', summary: 'Set the leak policy (owner or admin, step-up); recorded as LeakPolicySet' })
  @ACCOUNT_PARAM
  @ApiActor({ stepUp: true })
  @ApiProblems('STORE_UNAVAILABLE')
  @ApiOkResponse({ type: LeakPolicyAnswer })
  set(@Param('accountId') accountId: string, @Body() body: SetLeakPolicyDto, @CurrentActor() actor: Actor): Promise<LeakPolicyView> {
    return this.commands.execute(new SetLeakPolicy(accountId, body.policy, actorContext(actor)));
  }
}
