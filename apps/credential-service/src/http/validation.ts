import { ValidationPipe, type ArgumentMetadata, type Type, type ValidationError } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { badRequest, joinMessages, MAX_FIELD_ERRORS, ProblemException, type FieldError } from './problem';

/**
 * Every field name a request body of this API may carry (validation.spec.ts keeps it in step with
 * the DTOs). Errors name a field only if it is one of these: any other name is the caller's text,
 * which could be a pasted secret, so it is counted and located, never repeated.
 */
export const API_FIELD_NAMES: ReadonlySet<string> = new Set([
  'kind',
  'name',
  'allowedIps',
  'webhookFormat', // generate, update
  'oldKeyExpiresIn',
  'oldKeyExpiresAt',
  'expiresAt',
  'version',
  'reason', // regenerate, expiry, reveal, revoke
  'payload',
  'payloadEncoding',
  'header',
  'toleranceSeconds', // signatures
  'key',
  'ip', // verify
  'permissions', // generate, update, verify
  'metadata',
  'externalId', // generate, update
  'allowedOrigins', // generate, update (publishable keys)
  'origin', // verify (publishable keys)
  'scheme', // generate (signing keys), signatures
  'algorithm', // generate (signing keys)
  'webhookId',
  'webhookTimestamp', // signatures (standard-webhooks)
]);

const ordinals = (positions: number[]): string =>
  positions.length > MAX_FIELD_ERRORS
    ? `${positions.slice(0, MAX_FIELD_ERRORS).join(', ')} and ${positions.length - MAX_FIELD_ERRORS} more`
    : positions.join(', ');

/**
 * The fields of a body that `accepted` does not list: an API field that does not belong here by
 * name; any other by its position among the body's fields (1-based, in the order JavaScript keeps
 * them: integer-like names first) and a count, without the name.
 */
export function unknownFieldErrors(body: object, accepted: readonly string[]): FieldError[] {
  const allowed = new Set(accepted);
  const errors: FieldError[] = [];
  const positions: number[] = [];
  Object.keys(body).forEach((name, index) => {
    if (allowed.has(name)) return;
    if (API_FIELD_NAMES.has(name)) errors.push({ field: name, message: `${name} is not accepted by this endpoint` });
    else positions.push(index + 1);
  });
  if (positions.length > 0) {
    const fields = positions.length === 1 ? 'field' : 'fields';
    errors.push({
      field: '(unknown)',
      message:
        `${positions.length} unknown ${fields} (position ${ordinals(positions)} in the body; names are not repeated); ` +
        `accepted fields: ${accepted.join(', ') || 'none'}`,
    });
  }
  return errors;
}

/** The properties a DTO class declares (its own and inherited validation rules). */
export function declaredFields(metatype: Type): string[] {
  return [
    ...new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(metatype, '', true, false)
        .map((m) => m.propertyName),
    ),
  ];
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    // Unknown fields are taken out before validation (unknownFieldErrors); this is a backstop that names nothing.
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.includes('should not exist') ? { field: '(unknown)', message: 'an unknown field (name not repeated)' } : { field, message },
    );
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

const validationFailed = (fieldErrors: FieldError[]): ProblemException =>
  badRequest(
    joinMessages(
      fieldErrors.map((e) => e.message),
      'the body is not valid',
    ),
    fieldErrors,
  );

/**
 * A body that is not a JSON object is a 400 of its own; an absent body counts as `{}`. Unknown
 * fields are reported by unknownFieldErrors together with the DTO's own errors.
 */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      if (value === undefined || value === null || value === '') value = {};
      if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('the body must be a JSON object');
      const accepted = declaredFields(metadata.metatype);
      const unknown = unknownFieldErrors(value as object, accepted);
      if (unknown.length > 0) {
        const known = Object.fromEntries(Object.entries(value as object).filter(([name]) => accepted.includes(name)));
        let rest: FieldError[] = [];
        try {
          await super.transform(known, metadata);
        } catch (error) {
          if (!(error instanceof ProblemException)) throw error;
          rest = error.extras.errors ?? [];
        }
        throw validationFailed([...unknown, ...rest]);
      }
    }
    return super.transform(value, metadata);
  }
}

/** Whitelisted DTOs: unknown fields and wrong types are 400 with one entry per problem. */
export const validationPipe = new BodyValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => validationFailed(flatten(errors)),
});
