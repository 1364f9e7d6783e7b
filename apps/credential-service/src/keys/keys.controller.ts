/**
 * HTTP transport of the management API (API.md): parse and validate, authorize, dispatch on the
 * command or query bus, shape the answer. No business rule lives here.
 */
import { Body, Controller, Delete, Get, Header, Headers, HttpCode, Param, Patch, Post, Query, Res, UseGuards, UsePipes } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { toKeyView, type CommandContext, type CommandOutcome, type HistoryEntry, type KeyView, type ValidityAt } from '@cs/application';
import { isIpAddress, parseIsoDuration, parseIsoInstant } from '@cs/domain';
import { ActorGuard, CurrentActor, Requires } from '../auth/guards';
import type { Actor } from '../auth/actor';
import { badRequest } from '../http/problem';
import { IdParamsPipe } from '../http/params';
import { GenerateKeyCommand, RegenerateKeyCommand, RevealKeyCommand, RevokeKeyCommand, SetExpiryCommand, UpdateKeyCommand } from './key-commands';
import { AccountHistoryQuery, GetKeyQuery, KeyHistoryQuery, KeyValidityAtQuery, ListKeysQuery } from './key-queries';
import { GenerateKeyDto, ISO_INSTANT_MESSAGE, RegenerateKeyDto, RevealKeyDto, RevokeKeyDto, SetExpiryDto, UpdateKeyDto, requireSomeKeyUpdate } from './key.dto';
import { keyNotFound, unwrap } from './outcome';

const MANAGE = { access: 'manage', stepUp: false } as const;
const MANAGE_STEP_UP = { access: 'manage', stepUp: true } as const;
const READ_HISTORY = { access: 'read-history', stepUp: false } as const;

/** `If-Match: "3"` (or `W/"3"`, or `3`): the version the caller acts on; `*` or absent: any. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw badRequest('If-Match must be a key version as returned in ETag, e.g. "3"', [{ field: 'If-Match', message: 'not a version' }]);
  return Number(match[1]);
}

export function actorContext(actor: Actor, ifMatch?: string): CommandContext {
  return {
    actor: { type: 'user', sub: actor.sub, acct: actor.acct, roles: actor.roles },
    correlationId: randomUUID(),
    expectedVersion: parseIfMatch(ifMatch),
  };
}

/** Resolves a regenerate's choice for the old secret to an instant (API.md: now, a duration, or a time). */
export function oldSecretExpiry(body: RegenerateKeyDto, now: number): Date {
  if (body.oldKeyExpiresIn !== undefined && body.oldKeyExpiresAt !== undefined) {
    throw badRequest('give either oldKeyExpiresIn or oldKeyExpiresAt, not both', [{ field: 'oldKeyExpiresIn', message: 'not both' }]);
  }
  if (body.oldKeyExpiresAt !== undefined) return new Date(body.oldKeyExpiresAt);
  if (body.oldKeyExpiresIn === 'now') return new Date(now);
  const duration = parseIsoDuration(body.oldKeyExpiresIn as string);
  if (!duration.ok) throw badRequest(`oldKeyExpiresIn ${duration.error}`, [{ field: 'oldKeyExpiresIn', message: duration.error }]);
  return new Date(now + duration.milliseconds);
}

type SecretAnswer = { key: KeyView; secret: string };

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/accounts/:accountId/keys')
@UseGuards(ActorGuard)
@UsePipes(IdParamsPipe)
export class KeysController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Post()
  @Requires(MANAGE_STEP_UP)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Generate a key (step-up). The secret is in this answer and nowhere else.' })
  async generate(@Param('accountId') accountId: string, @Body() body: GenerateKeyDto, @CurrentActor() actor: Actor): Promise<SecretAnswer> {
    const outcome = unwrap(await this.commands.execute<GenerateKeyCommand, CommandOutcome<string>>(new GenerateKeyCommand(accountId, body, actorContext(actor))));
    return { key: toKeyView(outcome.record), secret: outcome.result };
  }

  @Get()
  @Requires(MANAGE)
  @ApiOperation({ summary: "List the account's keys" })
  async list(@Param('accountId') accountId: string): Promise<{ keys: KeyView[] }> {
    return { keys: await this.queries.execute<ListKeysQuery, KeyView[]>(new ListKeysQuery(accountId)) };
  }

  @Get(':keyId')
  @Requires(MANAGE)
  @ApiOperation({ summary: 'Get one key' })
  async get(@Param('accountId') accountId: string, @Param('keyId') keyId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<KeyView> {
    const view = await this.queries.execute<GetKeyQuery, KeyView | null>(new GetKeyQuery(accountId, keyId));
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
    const expiresAt = oldSecretExpiry(body, Date.now());
    const outcome = unwrap(
      await this.commands.execute<RegenerateKeyCommand, CommandOutcome<string>>(new RegenerateKeyCommand(accountId, keyId, expiresAt, actorContext(actor, ifMatch))),
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
    const command = new SetExpiryCommand(accountId, keyId, body.version ?? 'current', expiresAt, actorContext(actor, ifMatch));
    return toKeyView(unwrap(await this.commands.execute<SetExpiryCommand, CommandOutcome<null>>(command)).record);
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
    const command = new RevealKeyCommand(accountId, keyId, body.version ?? 'current', actorContext(actor, ifMatch));
    return { secret: unwrap(await this.commands.execute<RevealKeyCommand, CommandOutcome<string>>(command)).result };
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
    const command = new UpdateKeyCommand(accountId, keyId, body, actorContext(actor, ifMatch));
    return toKeyView(unwrap(await this.commands.execute<UpdateKeyCommand, CommandOutcome<null>>(command)).record);
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
    const command = new RevokeKeyCommand(accountId, keyId, body.reason ?? null, actorContext(actor, ifMatch));
    return toKeyView(unwrap(await this.commands.execute<RevokeKeyCommand, CommandOutcome<null>>(command)).record);
  }

  @Get(':keyId/history')
  @Requires(READ_HISTORY)
  @ApiOperation({ summary: "The key's events: type, time, actor, data (never a secret)" })
  async history(@Param('accountId') accountId: string, @Param('keyId') keyId: string): Promise<{ events: HistoryEntry[] }> {
    const events = await this.queries.execute<KeyHistoryQuery, HistoryEntry[] | null>(new KeyHistoryQuery(accountId, keyId));
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
    if (ip !== undefined && !isIpAddress(ip)) throw badRequest('ip must be an IPv4 or IPv6 address', [{ field: 'ip', message: 'not an IP address' }]);
    const answer = await this.queries.execute<KeyValidityAtQuery, ValidityAt | null>(new KeyValidityAtQuery(accountId, keyId, instant, ip));
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
  @ApiOperation({ summary: "Every event of every key of the account, oldest first (the last `limit`, default 1000)" })
  async history(@Param('accountId') accountId: string, @Query('limit') limit: string | undefined): Promise<{ events: (HistoryEntry & { keyId: string })[] }> {
    const count = limit === undefined ? 1000 : Number(limit);
    if (!Number.isInteger(count) || count < 1 || count > 10000) throw badRequest('limit must be a whole number from 1 to 10000', [{ field: 'limit', message: 'out of range' }]);
    return { events: await this.queries.execute<AccountHistoryQuery, (HistoryEntry & { keyId: string })[]>(new AccountHistoryQuery(accountId, count)) };
  }
}
