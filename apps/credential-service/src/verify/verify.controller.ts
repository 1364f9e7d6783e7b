import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { KeyKind } from '@cs/domain';
import type { VerifyResult } from '@cs/validity';
import { InternalCall, ServiceTokenGuard } from '../auth/guards';
import { VerifyAnswer } from '../http/answers';
import { ApiProblems, ApiService, IP_SCHEMA } from '../http/openapi';
import { badRequest, joinMessages } from '../http/problem';
import { unknownFieldErrors } from '../http/validation';
import { VerifyService } from './verify.service';

@ApiTags('internal')
@Controller('v1/verify')
@UseGuards(ServiceTokenGuard)
@InternalCall('verify')
export class VerifyController {
  constructor(private readonly verifier: VerifyService) {}

  @Post()
  @HttpCode(200)
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
          enum: ['api', 'signing', null],
          default: 'api',
          description: 'the kind of key accepted; a key of another kind is NOT_FOUND; null or absent: api',
        },
      },
    },
  })
  async verify(@Body() body: unknown): Promise<VerifyResult> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object { key, ip? }');
    const { key, ip, kind } = body as Record<string, unknown>;
    const unknown = unknownFieldErrors(body, ['key', 'ip', 'kind']);
    if (unknown.length > 0)
      throw badRequest(
        joinMessages(
          unknown.map((e) => e.message),
          '',
        ),
        unknown,
      );
    const error = this.verifier.checkInput(key, ip, kind);
    if (error) throw badRequest(error.message, [error]);
    return this.verifier.verify(key as string, (ip ?? undefined) as string | undefined, (kind ?? 'api') as KeyKind);
  }
}
