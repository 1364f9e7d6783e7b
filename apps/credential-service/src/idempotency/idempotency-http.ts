/** The `Idempotency-Key` request header on HTTP: its OpenAPI description, and the replay marker on the answer. */
import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiProblems } from '../http/openapi';
import { IDEMPOTENCY_KEY_MAX_LENGTH } from './idempotency-key';
import { REPLAYED_HEADER, type IdempotentOutcome, type SecretAnswerBody } from './idempotency';

export const IdempotencyKeyHeader = (): MethodDecorator =>
  applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'a key of your choosing (a UUID, say): the same request with the same key within 24 h answers the first answer again ' +
        '(with `Idempotent-Replayed: true`) and changes nothing',
      schema: {
        type: 'string',
        minLength: 1,
        maxLength: IDEMPOTENCY_KEY_MAX_LENGTH,
        pattern: '^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$',
      },
    }),
    ApiProblems('VALIDATION_FAILED', 'IDEMPOTENCY_KEY_IN_USE', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_UNAVAILABLE'),
  );

/** The answer's body; a replay is marked `Idempotent-Replayed: true`. */
export function replayed(reply: FastifyReply, outcome: IdempotentOutcome): SecretAnswerBody {
  if (outcome.replayed) void reply.header(REPLAYED_HEADER, 'true');
  return outcome.answer;
}
