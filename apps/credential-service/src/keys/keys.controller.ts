/**
 * HTTP transport of the management API (README): parse and validate, authorize, dispatch on the
 * command or query bus, shape the answer. No business rule lives here.
 */
import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  Header,
  Headers,
  HttpCode,
  Inject,
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
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
  getSchemaPath,
  type ApiResponseOptions,
} from '@nestjs/swagger';
import {
  AccountHistory,
  AccountHistoryReads,
  HISTORY_EXPORT_CONTENT_TYPES,
  HISTORY_EXPORT_FIELDS,
  historyExportStream,
  toAccountHistoryEntry,
  GenerateKey,
  GetKey,
  KEY_ID_PATTERN,
  KeyHistory,
  KeyValidityAt,
  ListKeysPage,
  RegenerateKey,
  RevealKey,
  RevokeKey,
  SetExpiry,
  toKeyView,
  UpdateKey,
  type HistoryEntry,
  type KeyPage,
  type KeyView,
  type ValidityAt,
} from '@cs/application';
import { ActorGuard, CurrentActor, Requires } from '../auth/guards';
import type { Actor } from '../auth/actor';
import {
  AccountHistoryAnswer,
  HistoryAnswer,
  KeyListAnswer,
  KeyViewAnswer,
  RevealAnswer,
  SecretAnswer,
  ValidityAnswer,
} from '../http/answers';
import { ApiActor, ApiProblems, IP_SCHEMA, SCOPE_PROBLEMS } from '../http/openapi';
import { ACCOUNT_ID_PATTERN, IdParamsPipe } from '../http/params';
import { actorContext, parseIfMatch, requireOldSecretExpiry, validityQuery } from './command-input';
import {
  encodeHistoryCursor,
  HISTORY_FORMATS,
  HISTORY_ORDERS,
  historyFormat,
  historyQuery,
  MAX_EXPORT_LIMIT,
  type HistoryParams,
} from './history-input';
import { KEY_EVENT_TYPES } from '@cs/domain';
import { GenerateKeyDto, RegenerateKeyDto, RevealKeyDto, RevokeKeyDto, SetExpiryDto, UpdateKeyDto, requireSomeKeyUpdate } from './key.dto';
import { keyNotFound, unwrap } from './outcome';
import { keyPageFilter } from './list-input';
import { KeyListQueries } from './list-openapi';
import { Idempotency } from '../idempotency/idempotency';
import { parseIdempotencyKey } from '../idempotency/idempotency-key';
import { IdempotencyKeyHeader, replayed } from '../idempotency/idempotency-http';

import { LIST_KEYS, MANAGE, MANAGE_STEP_UP, READ_HISTORY } from '../auth/access-rules';

type SecretAnswerBody = { key: KeyView; secret: string };

/** The path parameters, as IdParamsPipe checks them. */
const AccountIdParam = (): MethodDecorator & ClassDecorator =>
  ApiParam({ name: 'accountId', schema: { type: 'string', pattern: ACCOUNT_ID_PATTERN.source }, example: 'acct_1' });
const KeyIdParam = (): MethodDecorator =>
  ApiParam({ name: 'keyId', schema: { type: 'string', pattern: KEY_ID_PATTERN.source }, example: 'key_3fJ9kQ2mX7pL0aB4cD8eF1gH' });

/** `If-Match: "<version>"` (command-input.ts parseIfMatch): refused with 409 CONCURRENT_CHANGE when the key has moved on. */
const IfMatchHeader = (): MethodDecorator =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'the version the change is made against (the ETag of GET …/keys/{keyId}, or KeyView.version); `*` or absent: any',
    schema: { type: 'string', pattern: '^(\\*|(W/)?"[0-9]{1,9}")$', example: '"3"' },
  });

/** A command on one key: the key may be gone, revoked, changed meanwhile, or its history deleted; the store may not answer. */
const KeyCommand = (): MethodDecorator =>
  applyDecorators(
    KeyIdParam(),
    IfMatchHeader(),
    ApiProblems('KEY_NOT_FOUND', 'KEY_REVOKED', 'CONCURRENT_CHANGE', 'KEY_HISTORY_DELETED', 'STORE_UNAVAILABLE', 'INDEX_UNAVAILABLE'),
  );

/** OpenAPI links from an answer holding a key (`keyIdAt`: where its id is in the body) to the calls on that key. */
function keyLinks(keyIdAt: string): NonNullable<ApiResponseOptions['links']> {
  const parameters = { accountId: '$request.path.accountId', keyId: `$response.body#${keyIdAt}` };
  const to = (operationId: string, description: string) => ({ operationId, parameters, description });
  return {
    GetKey: to('getKey', 'read the key'),
    RegenerateKey: to('regenerateKey', 'rotate it'),
    SetKeyExpiry: to('setKeyExpiry', 'set its expiry'),
    RevealKey: to('revealKey', 'reveal its secret'),
    UpdateKey: to('updateKey', 'rename it, change its allow-list or webhook format'),
    RevokeKey: to('revokeKey', 'revoke it'),
    GetKeyHistory: to('getKeyHistory', 'read its history'),
    GetKeyValidity: to('getKeyValidity', 'ask whether it was valid at an instant'),
  };
}
const NO_STORE = { 'Cache-Control': { description: 'no-store: the answer holds a secret', schema: { type: 'string', const: 'no-store' } } };

@ApiTags('keys')
@AccountIdParam()
@Controller('v1/accounts/:accountId/keys')
@UseGuards(ActorGuard)
@UsePipes(IdParamsPipe)
export class KeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly idempotency: Idempotency,
  ) {}

  @Post()
  @Requires(MANAGE_STEP_UP)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ operationId: 'generateKey', summary: 'Generate a key (step-up). The secret is in this answer and nowhere else.' })
  @ApiActor({ stepUp: true })
  @ApiProblems(
    'INVALID_ALLOWED_IPS',
    'TOO_MANY_KEYS',
    'KEY_ALREADY_EXISTS',
    'STORE_UNAVAILABLE',
    'INDEX_UNAVAILABLE',
    'SCHEME_NOT_APPLICABLE',
    'ALGORITHM_NOT_APPLICABLE',
    ...SCOPE_PROBLEMS,
  )
  @ApiCreatedResponse({ type: SecretAnswer, headers: NO_STORE, links: keyLinks('/key/id') })
  @IdempotencyKeyHeader()
  async generate(
    @Param('accountId') accountId: string,
    @Body() body: GenerateKeyDto,
    @CurrentActor() actor: Actor,
    @Headers('idempotency-key') idempotencyKey: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SecretAnswerBody> {
    const key = parseIdempotencyKey(idempotencyKey);
    const outcome = await this.idempotency.run(key, { accountId, principal: actor.sub }, { operation: 'generate', body }, async () => {
      const generated = unwrap(await this.commands.execute(new GenerateKey(accountId, body, actorContext(actor))));
      return { key: toKeyView(generated.record), secret: generated.result };
    });
    return replayed(reply, outcome);
  }

  @Get()
  @Requires(LIST_KEYS)
  @ApiOperation({
    operationId: 'listKeys',
    summary: "List the account's keys; with `at`, as they were at that instant (replayed from their events)",
  })
  @ApiActor()
  @KeyListQueries()
  @ApiProblems('VALIDATION_FAILED', 'INDEX_UNAVAILABLE', 'STORE_UNAVAILABLE', 'KEY_HISTORY_DELETED')
  @ApiOkResponse({ type: KeyListAnswer })
  async list(
    @Param('accountId') accountId: string,
    @Query('status') status: unknown,
    @Query('kind') kind: unknown,
    @Query('limit') limit: unknown,
    @Query('cursor') cursor: unknown,
    @Query('at') at: unknown,
  ): Promise<KeyPage> {
    // Filters and pages (list-input.ts), the same rules as gRPC's ListKeys.
    return this.queries.execute(new ListKeysPage(accountId, keyPageFilter({ status, kind, limit, cursor, at })));
  }

  @Get(':keyId')
  @Requires(MANAGE)
  @ApiOperation({ operationId: 'getKey', summary: 'Get one key' })
  @ApiActor()
  @KeyIdParam()
  @ApiProblems('INDEX_UNAVAILABLE')
  @ApiOkResponse({
    type: KeyViewAnswer,
    headers: { ETag: { description: 'the key’s version, for If-Match', schema: { type: 'string', example: '"3"' } } },
  })
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
  @ApiOperation({
    operationId: 'regenerateKey',
    summary: 'Regenerate (step-up): a new secret; the old one stays valid until the expiry chosen for it',
  })
  @ApiActor({ stepUp: true })
  @KeyCommand()
  @ApiProblems('INVALID_EXPIRY', 'TOO_MANY_KEYS')
  @ApiCreatedResponse({ type: SecretAnswer, headers: NO_STORE, links: keyLinks('/key/id') })
  @IdempotencyKeyHeader()
  async regenerate(
    @Param('accountId') accountId: string,
    @Param('keyId') keyId: string,
    @Body() body: RegenerateKeyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: Actor,
    @Headers('idempotency-key') idempotencyKey: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SecretAnswerBody> {
    const expiresAt = requireOldSecretExpiry(body, Date.now());
    const expectedVersion = parseIfMatch(ifMatch);
    const key = parseIdempotencyKey(idempotencyKey);
    const request = { operation: 'regenerate', keyId, expectedVersion, body } as const;
    const outcome = await this.idempotency.run(key, { accountId, principal: actor.sub }, request, async () => {
      const regenerated = unwrap(
        await this.commands.execute(new RegenerateKey(accountId, keyId, expiresAt, actorContext(actor, expectedVersion))),
      );
      return { key: toKeyView(regenerated.record), secret: regenerated.result };
    });
    return replayed(reply, outcome);
  }

  @Post(':keyId/expiry')
  @HttpCode(200)
  @Requires(MANAGE_STEP_UP)
  @ApiOperation({
    operationId: 'setKeyExpiry',
    summary: 'Set the expiry of the current secret, or of the previous one during a grace period (step-up)',
  })
  @ApiActor({ stepUp: true })
  @KeyCommand()
  @ApiProblems('INVALID_EXPIRY', 'KEY_EXPIRED', 'NO_PREVIOUS_SECRET')
  @ApiOkResponse({ type: KeyViewAnswer })
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
  @ApiBody({ type: RevealKeyDto, required: false, description: 'optional: without a body the current secret is revealed' })
  @ApiOperation({ operationId: 'revealKey', summary: 'Reveal the secret (step-up; recorded as a KeyRevealed event)' })
  @ApiActor({ stepUp: true })
  @KeyCommand()
  @ApiProblems('KEY_EXPIRED', 'NO_PREVIOUS_SECRET', 'KEY_NOT_REVEALABLE')
  @ApiOkResponse({ type: RevealAnswer, headers: NO_STORE })
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
  @ApiOperation({ operationId: 'updateKey', summary: 'Update name, allowed IPs or webhook format' })
  @ApiActor()
  @KeyCommand()
  @ApiProblems('INVALID_ALLOWED_IPS', ...SCOPE_PROBLEMS)
  @ApiOkResponse({ type: KeyViewAnswer })
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
  @ApiBody({ type: RevokeKeyDto, required: false, description: 'optional: a reason, kept in the history' })
  @ApiOperation({ operationId: 'revokeKey', summary: 'Revoke (step-up): in force everywhere when this call returns' })
  @ApiActor({ stepUp: true })
  @KeyCommand()
  @ApiOkResponse({ type: KeyViewAnswer, description: 'the key, with status "revoked"' })
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
  @ApiOperation({ operationId: 'getKeyHistory', summary: "The key's events: type, time, actor, data (never a secret)" })
  @ApiActor()
  @KeyIdParam()
  @ApiProblems('KEY_HISTORY_DELETED', 'STORE_UNAVAILABLE')
  @ApiOkResponse({ type: HistoryAnswer })
  async history(@Param('accountId') accountId: string, @Param('keyId') keyId: string): Promise<{ events: HistoryEntry[] }> {
    const events = await this.queries.execute(new KeyHistory(accountId, keyId));
    if (!events) throw keyNotFound();
    return { events };
  }

  @Get(':keyId/validity')
  @Requires(READ_HISTORY)
  @ApiOperation({
    operationId: 'getKeyValidity',
    summary: 'Was this key valid (from this IP) at this time? Replays the recorded history up to `at`.',
  })
  @ApiActor()
  @KeyIdParam()
  @ApiQuery({
    name: 'at',
    required: true,
    description: 'ISO-8601 date-time with a time zone',
    schema: { type: 'string', format: 'date-time', example: '2026-12-01T12:00:00Z' },
  })
  @ApiQuery({ name: 'ip', required: false, description: 'the client address to check against the allow-list', schema: IP_SCHEMA })
  @ApiProblems('VALIDATION_FAILED', 'KEY_HISTORY_DELETED', 'STORE_UNAVAILABLE')
  @ApiOkResponse({ type: ValidityAnswer })
  async validityAt(
    @Param('accountId') accountId: string,
    @Param('keyId') keyId: string,
    @Query('at') at: string | undefined,
    @Query('ip') ip: string | undefined,
  ): Promise<ValidityAt> {
    // The same checks as gRPC's GetKeyValidityAt (keys/command-input.ts).
    const query = validityQuery(at, ip);
    const answer = await this.queries.execute(new KeyValidityAt(accountId, keyId, query.at, query.ip));
    if (!answer) throw keyNotFound();
    return answer;
  }
}

const HISTORY_HEADERS = {
  'History-Position': {
    description: 'the event store position the history read model had applied when it answered (absent: nothing yet)',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  'History-Caught-Up': {
    description: 'true when the read model had applied every key event stored when the read began (it waits up to 2 s for that)',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
};

function freshnessHeaders(reply: FastifyReply, freshness: { position: bigint | undefined; caughtUp: boolean }): FastifyReply {
  if (freshness.position !== undefined) void reply.header('history-position', freshness.position.toString());
  return reply.header('history-caught-up', String(freshness.caughtUp));
}

/** The query parameters of the account history (keys/history-input.ts). */
const HistoryQueries = (): MethodDecorator =>
  applyDecorators(
    ApiQuery({
      name: 'limit',
      required: false,
      description: 'JSON: events per page, 1 to 10000 (default 1000). Exports: at most this many events (default: all)',
      schema: { type: 'integer', minimum: 1, maximum: MAX_EXPORT_LIMIT },
    }),
    ApiQuery({
      name: 'cursor',
      required: false,
      description: 'nextCursor of a previous answer, with the same filters and order',
      schema: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' },
    }),
    ApiQuery({
      name: 'order',
      required: false,
      description:
        '`latest` (default for JSON, the answer before paging existed): the newest events, each page oldest first, pages going back ' +
        'in time; `newest`: newest first; `oldest` (default for exports): from the first event on',
      schema: { type: 'string', enum: [...HISTORY_ORDERS] },
    }),
    ApiQuery({
      name: 'type',
      required: false,
      description: 'only these event types (comma-separated)',
      schema: { type: 'string', pattern: `^(${KEY_EVENT_TYPES.join('|')})(,(${KEY_EVENT_TYPES.join('|')}))*$` },
    }),
    ApiQuery({
      name: 'keyId',
      required: false,
      description: 'only this key’s events',
      schema: { type: 'string', pattern: KEY_ID_PATTERN.source },
    }),
    ApiQuery({
      name: 'actor',
      required: false,
      description: 'only this actor’s events: a user’s sub (or user:<sub>), or system:<name> (e.g. system:expiry-scheduler)',
      schema: { type: 'string', minLength: 1, maxLength: 256 },
    }),
    ApiQuery({
      name: 'from',
      required: false,
      description: 'events whose time is at or after this instant',
      schema: { type: 'string', format: 'date-time' },
    }),
    ApiQuery({
      name: 'to',
      required: false,
      description: 'events whose time is before this instant',
      schema: { type: 'string', format: 'date-time' },
    }),
    ApiQuery({
      name: 'format',
      required: false,
      description: 'json (a page), ndjson or csv (an export); absent: from Accept (application/x-ndjson, text/csv), else json',
      schema: { type: 'string', enum: [...HISTORY_FORMATS] },
    }),
  );

@ApiTags('keys')
@AccountIdParam()
@Controller('v1/accounts/:accountId/history')
@UseGuards(ActorGuard)
@UsePipes(IdParamsPipe)
@ApiExtraModels(AccountHistoryAnswer)
export class AccountHistoryController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(AccountHistoryReads) private readonly reads: AccountHistoryReads,
  ) {}

  @Get()
  @Requires(READ_HISTORY)
  @ApiOperation({
    operationId: 'getAccountHistory',
    summary:
      'Every event of every key of the account, from the history read model: a page (JSON, with nextCursor), or the whole ' +
      'query as an NDJSON or CSV export (Accept or format). Default: the latest `limit` (1000) events, oldest first',
  })
  @ApiActor()
  @HistoryQueries()
  @ApiProblems('VALIDATION_FAILED', 'HISTORY_UNAVAILABLE')
  @ApiOkResponse({
    description:
      'JSON: a page of events and the cursor of the next one (null at the end). NDJSON / CSV: every matching event, streamed ' +
      '(Content-Disposition: attachment). History-Position and History-Caught-Up say how current the read model was',
    headers: HISTORY_HEADERS,
    content: {
      'application/json': { schema: { $ref: getSchemaPath(AccountHistoryAnswer) } },
      'application/x-ndjson': {
        schema: { type: 'string', description: 'one stored event per line: ' + HISTORY_EXPORT_FIELDS.join(', ') },
      },
      'text/csv': {
        schema: { type: 'string', description: 'RFC 4180, a header row then one row per event: ' + HISTORY_EXPORT_FIELDS.join(', ') },
      },
    },
  })
  async history(
    @Param('accountId') accountId: string,
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // The same rules as gRPC's GetAccountHistory (keys/history-input.ts).
    const format = historyFormat(query.format, accept);
    const params: HistoryParams = {
      cursor: query.cursor as string | undefined,
      limit: query.limit as string | undefined,
      types: query.type as string | string[] | undefined,
      keyId: query.keyId as string | undefined,
      actor: query.actor as string | undefined,
      from: query.from as string | undefined,
      to: query.to as string | undefined,
      order: query.order as string | undefined,
    };
    if (format === 'json') {
      const { request, order, fingerprint } = historyQuery(accountId, params);
      const page = await this.queries.execute(new AccountHistory(request));
      const events = page.rows.map(toAccountHistoryEntry);
      if (order === 'latest') events.reverse();
      const nextCursor = page.next === null ? null : encodeHistoryCursor(page.next, order, fingerprint);
      void freshnessHeaders(reply, page).send({ events, nextCursor });
      return;
    }
    const { request } = historyQuery(accountId, params, true);
    const freshness = await this.reads.current();
    const rows = this.reads.rows(request, undefined, freshness.position);
    const first = await rows.next(); // a read model that does not answer is a 503 before any byte
    void freshnessHeaders(reply, freshness)
      .header('content-type', HISTORY_EXPORT_CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="history-${accountId}.${format}"`)
      .header('cache-control', 'no-store')
      .send(historyExportStream(rows, first, format, request.limit));
  }
}
