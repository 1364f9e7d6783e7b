/**
 * HTTP transport of the management API (README): parse and validate, authorize, dispatch on the
 * command or query bus, shape the answer. No business rule lives here.
 */
import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AccountHistory,
  GenerateKey,
  GetKey,
  KeyHistory,
  KeyValidityAt,
  ListKeys,
  RegenerateKey,
  RevealKey,
  RevokeKey,
  SetExpiry,
  toKeyView,
  UpdateKey,
  type AccountHistoryEntry,
  type HistoryEntry,
  type KeyView,
  type ValidityAt,
} from '@cs/application';
import { isIpAddress, parseIsoInstant } from '@cs/domain';
import { ActorGuard, CurrentActor, Requires } from '../auth/guards';
import type { Actor } from '../auth/actor';
import { badRequest } from '../http/problem';
import { IdParamsPipe } from '../http/params';
import { actorContext, parseIfMatch, requireOldSecretExpiry } from './command-input';
import {
  GenerateKeyDto,
  ISO_INSTANT_MESSAGE,
  RegenerateKeyDto,
  RevealKeyDto,
  RevokeKeyDto,
  SetExpiryDto,
  UpdateKeyDto,
  requireSomeKeyUpdate,
} from './key.dto';
import { keyNotFound, unwrap } from './outcome';

import { MANAGE, MANAGE_STEP_UP, READ_HISTORY } from '../auth/access-rules';

type SecretAnswer = { key: KeyView; secret: string };

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/accounts/:accountId/keys')
@UseGuards(ActorGuard)
@UsePipes(IdParamsPipe)
export class KeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Requires(MANAGE_STEP_UP)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Generate a key (step-up). The secret is in this answer and nowhere else.' })
  async generate(@Param('accountId') accountId: string, @Body() body: GenerateKeyDto, @CurrentActor() actor: Actor): Promise<SecretAnswer> {
    const outcome = unwrap(await this.commands.execute(new GenerateKey(accountId, body, actorContext(actor))));
    return { key: toKeyView(outcome.record), secret: outcome.result };
  }

  @Get()
  @Requires(MANAGE)
  @ApiOperation({ summary: "List the account's keys" })
  async list(@Param('accountId') accountId: string): Promise<{ keys: KeyView[] }> {
    return { keys: await this.queries.execute(new ListKeys(accountId)) };
  }

  @Get(':keyId')
  @Requires(MANAGE)
  @ApiOperation({ summary: 'Get one key' })
  async get(
    @Param('accountId') accountId: string,
    @Param('keyId') keyId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<KeyView> {
    const view = await this.queries.execute(new GetKey(accountId, keyId));
    if (!view) throw keyNotFound();
    void reply.header('etag', `"${view.version}"`);
    return view;
  }

  @Post(':keyId/regenerate')
  @Requires(MANAGE_STEP_UP)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Regenerate (step-up): a new secret; the old one stays valid until the expiry chosen for it' })
  async regenerate(
    @Param('accountId') accountId: string,
    @Param('keyId') keyId: string,
    @Body() body: RegenerateKeyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<SecretAnswer> {
    const expiresAt = requireOldSecretExpiry(body, Date.now());
    const outcome = unwrap(
      await this.commands.execute(new RegenerateKey(accountId, keyId, expiresAt, actorContext(actor, parseIfMatch(ifMatch)))),
    );
    return { key: toKeyView(outcome.record), secret: outcome.result };
  }

  @Post(':keyId/expiry')
  @HttpCode(200)
  @Requires(MANAGE_STEP_UP)
  @ApiOperation({ summary: 'Set the expiry of the current secret, or of the previous one during a grace period (step-up)' })
  async setExpiry(
    @Param('accountId') accountId: string,
    @Param('keyId') keyId: string,
    @Body() body: SetExpiryDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<KeyView> {
    const expiresAt = body.expiresAt === null ? null : new Date(body.expiresAt);
    const command = new SetExpiry(accountId, keyId, body.version ?? 'current', expiresAt, actorContext(actor, parseIfMatch(ifMatch)));
    return toKeyView(unwrap(await this.commands.execute(command)).record);
  }

  @Post(':keyId/reveal')
  @HttpCode(200)
  @Requires(MANAGE_STEP_UP)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Reveal the secret (step-up; recorded as a KeyRevealed event)' })
  async reveal(
    @Param('accountId') accountId: string,
    @Param('keyId') keyId: string,
    @Body() body: RevealKeyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<{ secret: string }> {
    const command = new RevealKey(accountId, keyId, body.version ?? 'current', actorContext(actor, parseIfMatch(ifMatch)));
    return { secret: unwrap(await this.commands.execute(command)).result };
  }

  @Patch(':keyId')
  @Requires(MANAGE)
  @ApiOperation({ summary: 'Update name, allowed IPs or webhook format' })
  async update(
    @Param('accountId') accountId: string,
    @Param('keyId') keyId: string,
    @Body() body: UpdateKeyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<KeyView> {
    requireSomeKeyUpdate(body);
    const command = new UpdateKey(accountId, keyId, body, actorContext(actor, parseIfMatch(ifMatch)));
    return toKeyView(unwrap(await this.commands.execute(command)).record);
  }

  @Delete(':keyId')
  @Requires(MANAGE_STEP_UP)
  @ApiOperation({ summary: 'Revoke (step-up): in force everywhere when this call returns' })
  async revoke(
    @Param('accountId') accountId: string,
    @Param('keyId') keyId: string,
    @Body() body: RevokeKeyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<KeyView> {
    const command = new RevokeKey(accountId, keyId, body.reason ?? null, actorContext(actor, parseIfMatch(ifMatch)));
    return toKeyView(unwrap(await this.commands.execute(command)).record);
  }

  @Get(':keyId/history')
  @Requires(READ_HISTORY)
  @ApiOperation({ summary: "The key's events: type, time, actor, data (never a secret)" })
  async history(@Param('accountId') accountId: string, @Param('keyId') keyId: string): Promise<{ events: HistoryEntry[] }> {
    const events = await this.queries.execute(new KeyHistory(accountId, keyId));
    if (!events) throw keyNotFound();
    return { events };
  }

  @Get(':keyId/validity')
  @Requires(READ_HISTORY)
  @ApiOperation({ summary: 'Was this key valid (from this IP) at this time? Replays the recorded history up to `at`.' })
  async validityAt(
    @Param('accountId') accountId: string,
    @Param('keyId') keyId: string,
    @Query('at') at: string | undefined,
    @Query('ip') ip: string | undefined,
  ): Promise<ValidityAt> {
    const instant = parseIsoInstant(at);
    if (instant === null) throw badRequest(`at ${ISO_INSTANT_MESSAGE}`, [{ field: 'at', message: 'required ISO-8601 date-time' }]);
    if (ip !== undefined && !isIpAddress(ip))
      throw badRequest('ip must be an IPv4 or IPv6 address', [{ field: 'ip', message: 'not an IP address' }]);
    const answer = await this.queries.execute(new KeyValidityAt(accountId, keyId, instant, ip));
    if (!answer) throw keyNotFound();
    return answer;
  }
}

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/accounts/:accountId/history')
@UseGuards(ActorGuard)
@UsePipes(IdParamsPipe)
export class AccountHistoryController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Requires(READ_HISTORY)
  @ApiOperation({ summary: 'Every event of every key of the account, oldest first (the last `limit`, default 1000)' })
  async history(
    @Param('accountId') accountId: string,
    @Query('limit') limit: string | undefined,
  ): Promise<{ events: AccountHistoryEntry[] }> {
    const count = limit === undefined ? 1000 : Number(limit);
    if (!Number.isInteger(count) || count < 1 || count > 10000)
      throw badRequest('limit must be a whole number from 1 to 10000', [{ field: 'limit', message: 'out of range' }]);
    return { events: await this.queries.execute(new AccountHistory(accountId, count)) };
  }
}
