/**
 * HTTP transport of suspend and resume (README): the same shape as revoke in keys.controller.ts —
 * step-up, `If-Match`, the key view answered with 200 — in a controller of its own on the same path.
 */
import { applyDecorators, Body, Controller, Headers, HttpCode, Param, Post, UseGuards, UsePipes } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { KEY_ID_PATTERN, ResumeKey, SuspendKey, toKeyView, type KeyView } from '@cs/application';
import { ActorGuard, CurrentActor, Requires } from '../auth/guards';
import type { Actor } from '../auth/actor';
import { MANAGE_STEP_UP } from '../auth/access-rules';
import { KeyViewAnswer } from '../http/answers';
import { ApiActor, ApiProblems } from '../http/openapi';
import { ACCOUNT_ID_PATTERN, IdParamsPipe } from '../http/params';
import { actorContext, parseIfMatch } from './command-input';
import { SuspendKeyDto } from './key.dto';
import { unwrap } from './outcome';

/** The parameters, header and problems of a command on one key, as keys.controller.ts documents them. */
const SuspensionCommand = (): MethodDecorator =>
  applyDecorators(
    ApiParam({ name: 'accountId', schema: { type: 'string', pattern: ACCOUNT_ID_PATTERN.source }, example: 'acct_1' }),
    ApiParam({ name: 'keyId', schema: { type: 'string', pattern: KEY_ID_PATTERN.source }, example: 'key_3fJ9kQ2mX7pL0aB4cD8eF1gH' }),
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'the version the change is made against (the ETag of GET …/keys/{keyId}, or KeyView.version); `*` or absent: any',
      schema: { type: 'string', pattern: '^(\\*|(W/)?"[0-9]{1,9}")$', example: '"3"' },
    }),
    ApiActor({ stepUp: true }),
    ApiProblems(
      'KEY_NOT_FOUND',
      'KEY_REVOKED',
      'KEY_EXPIRED',
      'CONCURRENT_CHANGE',
      'KEY_HISTORY_DELETED',
      'STORE_UNAVAILABLE',
      'INDEX_UNAVAILABLE',
    ),
  );

@ApiTags('keys')
@Controller('v1/accounts/:accountId/keys')
@UseGuards(ActorGuard)
@UsePipes(IdParamsPipe)
export class KeySuspensionController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':keyId/suspend')
  @HttpCode(200)
  @Requires(MANAGE_STEP_UP)
  @ApiBody({ type: SuspendKeyDto, required: false, description: 'optional: a reason, kept in the history' })
  @ApiOperation({
    operationId: 'suspendKey',
    summary: 'Suspend (step-up): verify answers SUSPENDED and signing leaves the key out until it is resumed',
  })
  @SuspensionCommand()
  @ApiProblems('KEY_SUSPENDED')
  @ApiOkResponse({ type: KeyViewAnswer, description: 'the key, with status "suspended"' })
  async suspend(
    @Param('accountId') accountId: string,
    @Param('keyId') keyId: string,
    @Body() body: SuspendKeyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<KeyView> {
    const command = new SuspendKey(accountId, keyId, body.reason ?? null, actorContext(actor, parseIfMatch(ifMatch)));
    return toKeyView(unwrap(await this.commands.execute(command)).record);
  }

  @Post(':keyId/resume')
  @HttpCode(200)
  @Requires(MANAGE_STEP_UP)
  @ApiOperation({ operationId: 'resumeKey', summary: 'Resume a suspended key (step-up): its unexpired secrets verify again' })
  @SuspensionCommand()
  // No body, but a malformed If-Match is VALIDATION_FAILED (command-input.ts parseIfMatch).
  @ApiProblems('KEY_NOT_SUSPENDED', 'VALIDATION_FAILED')
  @ApiOkResponse({ type: KeyViewAnswer, description: 'the key, with status "active"' })
  async resume(
    @Param('accountId') accountId: string,
    @Param('keyId') keyId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<KeyView> {
    const command = new ResumeKey(accountId, keyId, actorContext(actor, parseIfMatch(ifMatch)));
    return toKeyView(unwrap(await this.commands.execute(command)).record);
  }
}
