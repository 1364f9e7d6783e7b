/**
 * gRPC transport of the management API (credentials.v1.KeyService): admit and authorize as the
 * HTTP guards do, validate with the HTTP DTOs, dispatch the same commands and queries on the CQRS
 * buses, shape the answer as proto messages. No business rule lives here.
 */
import { Controller, UseFilters } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { ruleFor, type Actor } from '../auth/actor';
import {
  AccountHistory,
  toAccountHistoryEntry,
  GenerateKey,
  GetKey,
  KeyHistory,
  KeyValidityAt,
  ListKeysPage,
  RegenerateKey,
  RevealKey,
  RevokeKey,
  SetExpiry,
  toKeyView,
  ResumeKey,
  SuspendKey,
  UpdateKey,
  type CommandContext,
} from '@cs/application';
import { LIST_KEYS, MANAGE, MANAGE_STEP_UP, READ_HISTORY } from '../auth/access-rules';
import { badRequest } from '../http/problem';
import { actorContext, requireOldSecretExpiry, validityQuery } from '../keys/command-input';
import { encodeHistoryCursor, historyQuery } from '../keys/history-input';
import {
  GenerateKeyDto,
  RegenerateKeyDto,
  RevealKeyDto,
  RevokeKeyDto,
  SetExpiryDto,
  UpdateKeyDto,
  requireSomeKeyUpdate,
  SuspendKeyDto,
} from '../keys/key.dto';
import { keyNotFound, unwrap } from '../keys/outcome';
import { keyPageFilter } from '../keys/list-input';
import { Idempotency } from '../idempotency/idempotency';
import { idempotencyKeyOf } from '../idempotency/idempotency-grpc';
import { GrpcAccess } from './grpc-access';
import { GrpcExceptionFilter } from './grpc-status';
import { structJson } from './struct-json';
import {
  enumValue,
  keyEventMessage,
  keyValidityAtMessage,
  keyViewMessage,
  KEY_KINDS,
  KEY_STATUS_FILTERS,
  SECRET_VERSIONS,
  validated,
  SIGNING_ALGORITHMS,
  SIGNING_SCHEMES,
  WEBHOOK_FORMATS,
} from './proto-mapping';
import type {
  GenerateKeyRequest,
  GetAccountHistoryRequest,
  GetAccountHistoryResponse,
  GetKeyValidityAtRequest,
  KeyEventMessage,
  KeyValidityAtMessage,
  KeyRef,
  KeyViewMessage,
  ListKeysRequest,
  RegenerateKeyRequest,
  RevealKeyRequest,
  RevokeKeyRequest,
  ResumeKeyRequest,
  SuspendKeyRequest,
  SetExpiryRequest,
  UpdateKeyRequest,
  VersionedKeyRef,
} from './proto-types';

const SERVICE = 'KeyService';

type KeyWithSecret = { key: KeyViewMessage; secret: string };

/** The command context of a call: the actor, and `expected_version` as the JSON API's If-Match. */
function commandContext(actor: Actor, request: VersionedKeyRef): CommandContext {
  return actorContext(actor, request.expectedVersion);
}

@Controller()
@UseFilters(GrpcExceptionFilter)
export class KeysGrpcController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly access: GrpcAccess,
    private readonly idempotency: Idempotency,
  ) {}

  @GrpcMethod(SERVICE, 'GenerateKey')
  async generateKey(request: GenerateKeyRequest, metadata: Metadata): Promise<KeyWithSecret> {
    const actor = await this.access.actor(request, metadata, MANAGE_STEP_UP, false);
    const body = await validated(GenerateKeyDto, {
      kind: enumValue('kind', request.kind, KEY_KINDS, { required: true }),
      name: request.name,
      allowedIps: request.allowedIps?.length ? request.allowedIps : undefined,
      webhookFormat: enumValue('webhook_format', request.webhookFormat, WEBHOOK_FORMATS),
      permissions: request.permissions?.length ? request.permissions : undefined,
      metadata: structJson(request.metadata),
      externalId: request.externalId,
      allowedOrigins: request.allowedOrigins?.length ? request.allowedOrigins : undefined,
      scheme: enumValue('scheme', request.scheme, SIGNING_SCHEMES),
      algorithm: enumValue('algorithm', request.algorithm, SIGNING_ALGORITHMS),
    });
    const accountId = request.accountId as string;
    // The JSON API's Idempotency-Key, as `idempotency-key` metadata: the same request (the same DTO) is the same over both.
    const { answer } = await this.idempotency.run(
      idempotencyKeyOf(metadata),
      { accountId, principal: actor.sub },
      { operation: 'generate', body },
      async () => {
        const outcome = unwrap(await this.commands.execute(new GenerateKey(accountId, body, actorContext(actor))));
        return { key: toKeyView(outcome.record), secret: outcome.result };
      },
    );
    return { key: keyViewMessage(answer.key), secret: answer.secret };
  }

  @GrpcMethod(SERVICE, 'ListKeys')
  async listKeys(request: ListKeysRequest, metadata: Metadata): Promise<{ keys: KeyViewMessage[]; nextPageToken: string }> {
    await this.access.actor(request, metadata, ruleFor(LIST_KEYS, request as Record<string, unknown>), false);
    // The HTTP list's rules (keys/list-input.ts): page_size 0 is the default, an empty page_token the first page.
    const filter = keyPageFilter(
      {
        status: enumValue('status', request.status, KEY_STATUS_FILTERS),
        kind: enumValue('kind', request.kind, KEY_KINDS),
        limit: request.pageSize,
        cursor: request.pageToken,
        at: request.at,
      },
      { limit: 'page_size', cursor: 'page_token' },
    );
    const page = await this.queries.execute(new ListKeysPage(request.accountId as string, filter));
    return { keys: page.keys.map(keyViewMessage), nextPageToken: page.nextCursor ?? '' };
  }

  @GrpcMethod(SERVICE, 'GetKey')
  async getKey(request: KeyRef, metadata: Metadata): Promise<KeyViewMessage> {
    await this.access.actor(request, metadata, MANAGE, true);
    const view = await this.queries.execute(new GetKey(request.accountId as string, request.keyId as string));
    if (!view) throw keyNotFound();
    return keyViewMessage(view);
  }

  @GrpcMethod(SERVICE, 'RegenerateKey')
  async regenerateKey(request: RegenerateKeyRequest, metadata: Metadata): Promise<KeyWithSecret> {
    const actor = await this.access.actor(request, metadata, MANAGE_STEP_UP, true);
    const body = await validated(RegenerateKeyDto, { oldKeyExpiresIn: request.oldKeyExpiresIn, oldKeyExpiresAt: request.oldKeyExpiresAt });
    const expiresAt = requireOldSecretExpiry(body, Date.now());
    const [accountId, keyId] = [request.accountId as string, request.keyId as string];
    const idempotent = { operation: 'regenerate', keyId, expectedVersion: request.expectedVersion, body } as const;
    const { answer } = await this.idempotency.run(idempotencyKeyOf(metadata), { accountId, principal: actor.sub }, idempotent, async () => {
      const outcome = unwrap(await this.commands.execute(new RegenerateKey(accountId, keyId, expiresAt, commandContext(actor, request))));
      return { key: toKeyView(outcome.record), secret: outcome.result };
    });
    return { key: keyViewMessage(answer.key), secret: answer.secret };
  }

  @GrpcMethod(SERVICE, 'SetExpiry')
  async setExpiry(request: SetExpiryRequest, metadata: Metadata): Promise<KeyViewMessage> {
    const actor = await this.access.actor(request, metadata, MANAGE_STEP_UP, true);
    // The JSON API's `expiresAt: null` is an explicit `clear_expiry: true` here: a forgotten field must not remove an expiry.
    if (request.expiresAt === undefined && request.clearExpiry !== true) {
      const message =
        request.clearExpiry === false
          ? 'clear_expiry must be true to remove the expiry'
          : 'give expires_at (an RFC 3339 time) or clear_expiry: true';
      throw badRequest(message, [{ field: 'expiry', message }]);
    }
    const body = await validated(SetExpiryDto, {
      expiresAt: request.expiresAt ?? null,
      version: enumValue('version', request.version, SECRET_VERSIONS),
    });
    const expiresAt = body.expiresAt === null ? null : new Date(body.expiresAt);
    const command = new SetExpiry(
      request.accountId as string,
      request.keyId as string,
      body.version ?? 'current',
      expiresAt,
      commandContext(actor, request),
    );
    return keyViewMessage(toKeyView(unwrap(await this.commands.execute(command)).record));
  }

  @GrpcMethod(SERVICE, 'RevealKey')
  async revealKey(request: RevealKeyRequest, metadata: Metadata): Promise<{ secret: string }> {
    const actor = await this.access.actor(request, metadata, MANAGE_STEP_UP, true);
    const body = await validated(RevealKeyDto, { version: enumValue('version', request.version, SECRET_VERSIONS) });
    const command = new RevealKey(
      request.accountId as string,
      request.keyId as string,
      body.version ?? 'current',
      commandContext(actor, request),
    );
    return { secret: unwrap(await this.commands.execute(command)).result };
  }

  @GrpcMethod(SERVICE, 'UpdateKey')
  async updateKey(request: UpdateKeyRequest, metadata: Metadata): Promise<KeyViewMessage> {
    const actor = await this.access.actor(request, metadata, MANAGE, true);
    const body = await validated(UpdateKeyDto, {
      name: request.name,
      allowedIps: request.allowedIps ? (request.allowedIps.ips ?? []) : undefined,
      webhookFormat: enumValue('webhook_format', request.webhookFormat, WEBHOOK_FORMATS, { present: request.webhookFormat !== undefined }),
      permissions: request.permissions ? (request.permissions.permissions ?? []) : undefined,
      metadata: structJson(request.metadata),
      externalId: request.externalId,
      allowedOrigins: request.allowedOrigins ? (request.allowedOrigins.origins ?? []) : undefined,
    });
    requireSomeKeyUpdate(body);
    const command = new UpdateKey(request.accountId as string, request.keyId as string, body, commandContext(actor, request));
    return keyViewMessage(toKeyView(unwrap(await this.commands.execute(command)).record));
  }

  @GrpcMethod(SERVICE, 'RevokeKey')
  async revokeKey(request: RevokeKeyRequest, metadata: Metadata): Promise<KeyViewMessage> {
    const actor = await this.access.actor(request, metadata, MANAGE_STEP_UP, true);
    const body = await validated(RevokeKeyDto, { reason: request.reason });
    const command = new RevokeKey(
      request.accountId as string,
      request.keyId as string,
      body.reason ?? null,
      commandContext(actor, request),
    );
    return keyViewMessage(toKeyView(unwrap(await this.commands.execute(command)).record));
  }

  @GrpcMethod(SERVICE, 'GetKeyHistory')
  async getKeyHistory(request: KeyRef, metadata: Metadata): Promise<{ events: KeyEventMessage[] }> {
    await this.access.actor(request, metadata, READ_HISTORY, true);
    const events = await this.queries.execute(new KeyHistory(request.accountId as string, request.keyId as string));
    if (!events) throw keyNotFound();
    return { events: events.map((event) => keyEventMessage({ ...event, keyId: request.keyId })) };
  }

  @GrpcMethod(SERVICE, 'GetKeyValidityAt')
  async getKeyValidityAt(request: GetKeyValidityAtRequest, metadata: Metadata): Promise<KeyValidityAtMessage> {
    await this.access.actor(request, metadata, READ_HISTORY, true);
    const { at, ip } = validityQuery(request.at, request.ip);
    const answer = await this.queries.execute(new KeyValidityAt(request.accountId as string, request.keyId as string, at, ip));
    if (!answer) throw keyNotFound();
    return keyValidityAtMessage(answer);
  }

  @GrpcMethod(SERVICE, 'GetAccountHistory')
  async getAccountHistory(request: GetAccountHistoryRequest, metadata: Metadata): Promise<GetAccountHistoryResponse> {
    await this.access.actor(request, metadata, READ_HISTORY, false);
    // The same rules as the JSON API's GET /v1/accounts/{a}/history (keys/history-input.ts).
    const {
      request: query,
      order,
      fingerprint,
    } = historyQuery(
      request.accountId as string,
      {
        cursor: request.cursor,
        limit: request.limit,
        types: request.types && request.types.length > 0 ? request.types : undefined,
        keyId: request.keyId,
        actor: request.actor,
        from: request.from,
        to: request.to,
        order: request.order,
      },
      false,
      'types',
    );
    const page = await this.queries.execute(new AccountHistory(query));
    const events = page.rows.map((row) => keyEventMessage(toAccountHistoryEntry(row)));
    if (order === 'latest') events.reverse();
    return {
      events,
      ...(page.next === null ? {} : { nextCursor: encodeHistoryCursor(page.next, order, fingerprint) }),
      ...(page.position === undefined ? {} : { historyPosition: page.position.toString() }),
      historyCaughtUp: page.caughtUp,
    };
  }

  @GrpcMethod(SERVICE, 'SuspendKey')
  async suspendKey(request: SuspendKeyRequest, metadata: Metadata): Promise<KeyViewMessage> {
    const actor = await this.access.actor(request, metadata, MANAGE_STEP_UP, true);
    const body = await validated(SuspendKeyDto, { reason: request.reason });
    const command = new SuspendKey(
      request.accountId as string,
      request.keyId as string,
      body.reason ?? null,
      commandContext(actor, request),
    );
    return keyViewMessage(toKeyView(unwrap(await this.commands.execute(command)).record));
  }

  @GrpcMethod(SERVICE, 'ResumeKey')
  async resumeKey(request: ResumeKeyRequest, metadata: Metadata): Promise<KeyViewMessage> {
    const actor = await this.access.actor(request, metadata, MANAGE_STEP_UP, true);
    const command = new ResumeKey(request.accountId as string, request.keyId as string, commandContext(actor, request));
    return keyViewMessage(toKeyView(unwrap(await this.commands.execute(command)).record));
  }
}
