import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { badRequest, joinMessages, type FieldError } from './problem';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.includes('should not exist') ? { field, message: `unknown field "${field}"` } : { field, message },
    );
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** A body that is not a JSON object is a 400 of its own; an absent body counts as `{}`. */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      if (value === undefined || value === null || value === '') value = {};
      if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('the body must be a JSON object');
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
  exceptionFactory: (errors) => {
    const fieldErrors = flatten(errors);
    return badRequest(joinMessages(fieldErrors.map((e) => e.message), 'the body is not valid'), fieldErrors);
  },
});
