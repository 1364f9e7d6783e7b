import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { KeyKind } from '@cs/domain';
import type { VerifyResult } from '@cs/validity';
import { InternalCall, ServiceTokenGuard } from '../auth/guards';
import { badRequest, joinMessages } from '../http/problem';
import { unknownFieldErrors } from '../http/validation';
import { VerifyService } from './verify.service';

@ApiTags('internal')
@ApiBearerAuth()
@Controller('v1/verify')
@UseGuards(ServiceTokenGuard)
@InternalCall('verify')
export class VerifyController {
  constructor(private readonly verifier: VerifyService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Is this API key valid (from this IP)? Answers with a code, never an error, for any key.' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['key'],
      properties: {
        key: { type: 'string' },
        ip: { type: 'string', description: "the merchant client's IP address" },
        kind: {
          type: 'string',
          enum: ['api', 'signing'],
          default: 'api',
          description: 'the kind of key accepted; a key of another kind is NOT_FOUND',
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
