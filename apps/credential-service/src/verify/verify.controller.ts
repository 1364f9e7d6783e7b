import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MAX_PERMISSION_LENGTH, MAX_PERMISSIONS, PERMISSION_PATTERN } from '@cs/domain';
import type { VerifyResult } from '@cs/validity';
import { InternalCall, ServiceTokenGuard } from '../auth/guards';
import { VerifyAnswer } from '../http/answers';
import { ApiProblems, ApiService, IP_SCHEMA } from '../http/openapi';
import { DIRECT_VERIFY_ROUTE, readVerifyBody } from './verify.route';
import { VerifyService } from './verify.service';

/**
 * The route's contract: its decorators make its OpenAPI document. Requests are answered by
 * verify.route.ts, which bootstrap.ts swaps in for this handler as the route registers (the hot path
 * skips Nest's per-request pipeline); the method below does the same through Nest, for a module
 * started without that hook.
 */
@ApiTags('internal')
@Controller('v1/verify')
@UseGuards(ServiceTokenGuard)
@InternalCall('verify')
export class VerifyController {
  constructor(private readonly verifier: VerifyService) {}

  @Post()
  @HttpCode(200)
  @RouteConfig(DIRECT_VERIFY_ROUTE)
  @ApiOperation({
    operationId: 'verifyKey',
    summary: 'Is this API key valid (from this IP)? Answers with a code, never an error, for any key.',
  })
  @ApiService()
  @ApiProblems('INDEX_UNAVAILABLE')
  @ApiOkResponse({ type: VerifyAnswer })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['key'],
      additionalProperties: false,
      properties: {
        key: { type: 'string', maxLength: 4096, example: 'ak_live_…' },
        // null reads as absent here (verify.service.ts checkInput)
        ip: {
          anyOf: [...IP_SCHEMA.anyOf, { type: 'null' }],
          example: IP_SCHEMA.example,
          description: "the merchant client's IP address; null or absent: none",
        },
        kind: {
          type: ['string', 'null'],
          enum: ['api', 'signing', 'publishable', null],
          default: 'api',
          description: 'the kind of key accepted; a key of another kind is NOT_FOUND; null or absent: api',
        },
        permissions: {
          type: ['array', 'null'],
          maxItems: MAX_PERMISSIONS,
          items: { type: 'string', maxLength: MAX_PERMISSION_LENGTH, pattern: PERMISSION_PATTERN.source },
          example: ['payments:write'],
          description:
            'permissions the call needs, all of them: a key that lacks one is INSUFFICIENT_PERMISSIONS ' +
            '(a key with none is unrestricted; `payments:*` and `*` grant by wildcard); null or absent: none',
        },
        origin: {
          type: ['string', 'null'],
          maxLength: 2048,
          example: 'https://shop.example',
          description:
            "the browser's Origin header, for a publishable key (kind publishable): one not among the key's allowed origins " +
            '(or none) is ORIGIN_NOT_ALLOWED; ignored for other kinds; null or absent: none',
        },
      },
    },
  })
  async verify(@Body() body: unknown): Promise<VerifyResult> {
    const { key, ip, kind, permissions, origin } = readVerifyBody(this.verifier, body);
    return this.verifier.verify(key, ip, kind, 'http', permissions, origin);
  }
}
