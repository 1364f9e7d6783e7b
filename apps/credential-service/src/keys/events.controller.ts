/**
 * Live changes of an account's keys as server-sent events, for the console's open pages: each key
 * notification for this account — from the in-process stream (the relay's InProcessNotifier,
 * libs/notifications) in the embedded mode, from this instance's own subscription to the event store
 * (store-feed.ts) when the notifications go to Kafka — as `event: <CloudEvents type>`, `id: <event id>`,
 * `data: <notification data>`: the same safe data as the Kafka notifications (docs/asyncapi.yaml),
 * starts of secrets, never a secret or hash.
 * A comment every KEEP_ALIVE_MS keeps proxies from closing an idle stream.
 */
import { Controller, Get, Inject, Param, Res, UseGuards, UsePipes, type OnModuleDestroy } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Infrastructure } from '@cs/composition';
import { InProcessNotifier, type KafkaLikeMessage } from '@cs/notifications';
import { READ_HISTORY } from '../auth/access-rules';
import { StoreFeed } from './store-feed';
import { ActorGuard, Requires } from '../auth/guards';
import { ApiActor } from '../http/openapi';
import { ACCOUNT_ID_PATTERN, IdParamsPipe } from '../http/params';
import { INFRASTRUCTURE } from '../infrastructure/tokens';

export const KEEP_ALIVE_MS = 15_000;

/** One SSE frame of a notification: its type, id and JSON data (one line: JSON.stringify escapes newlines). */
export function eventFrame(message: KafkaLikeMessage): string {
  const type = message.headers.ce_type ?? 'message';
  const id = message.headers.ce_id;
  return `event: ${type}\n${id ? `id: ${id}\n` : ''}data: ${message.value.toString('utf8')}\n\n`;
}

@ApiTags('keys')
@Controller('v1/accounts/:accountId/events')
@UseGuards(ActorGuard)
@UsePipes(IdParamsPipe)
export class AccountEventsController implements OnModuleDestroy {
  /** Open streams, ended at shutdown (before the HTTP server closes: it would wait for them). */
  private readonly open = new Set<() => void>();

  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  /** With Kafka: started by the first stream opened. */
  private storeFeed: StoreFeed | null = null;

  onModuleDestroy(): Promise<void> | void {
    for (const close of [...this.open]) close();
    return this.storeFeed?.close();
  }

  private follow(listener: (message: KafkaLikeMessage) => void): () => void {
    const notifier = this.infra.notifier;
    if (notifier instanceof InProcessNotifier) return notifier.subscribe(listener);
    this.storeFeed ??= new StoreFeed(this.infra.store);
    return this.storeFeed.subscribe(listener);
  }

  @Get()
  @Requires(READ_HISTORY)
  @ApiOperation({
    operationId: 'streamAccountEvents',
    summary:
      'Live changes of the account’s keys (text/event-stream): one event per key notification, named by its CloudEvents type, ' +
      'with its id and data (never a secret); first a `ready` event, then comments as keep-alives',
  })
  @ApiParam({ name: 'accountId', schema: { type: 'string', pattern: ACCOUNT_ID_PATTERN.source }, example: 'acct_1' })
  @ApiActor()
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'an event stream that stays open',
    content: { 'text/event-stream': { schema: { type: 'string', example: 'event: ready\ndata: {"live":true}\n\n' } } },
  })
  stream(@Param('accountId') accountId: string, @Res() reply: FastifyReply): void {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(`retry: 5000\nevent: ready\ndata: ${JSON.stringify({ live: true })}\n\n`);
    const unsubscribe = this.follow((message) => {
      if (message.key === accountId && !raw.writableEnded) raw.write(eventFrame(message));
    });
    const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    const end = () => {
      clearInterval(keepAlive);
      unsubscribe();
      this.open.delete(close);
    };
    const close = () => {
      end();
      raw.end();
    };
    this.open.add(close);
    raw.on('close', end);
    raw.on('error', end);
  }
}
