/**
 * RFC 9457 problem details: every error leaves the HTTP edge as application/problem+json with a
 * stable `code`, so clients branch on codes, not on prose.
 */
export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** An answer lists at most this many field errors; `errorsOmitted` counts the rest. */
export const MAX_FIELD_ERRORS = 20;

type ProblemExtras = { errors?: FieldError[]; errorsOmitted?: number; headers?: Record<string, string>; [k: string]: unknown };

export class ProblemException extends Error {
  readonly extras: ProblemExtras;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    extras: ProblemExtras = {},
  ) {
    super(detail);
    this.name = 'ProblemException';
    const errors = extras.errors;
    this.extras =
      errors && errors.length > MAX_FIELD_ERRORS
        ? {
            ...extras,
            errors: errors.slice(0, MAX_FIELD_ERRORS),
            errorsOmitted: (extras.errorsOmitted ?? 0) + errors.length - MAX_FIELD_ERRORS,
          }
        : extras;
  }

  body(): ProblemBody {
    const { headers: _headers, ...extensions } = this.extras;
    return {
      type: `/problems/${this.code.toLowerCase().replace(/_/g, '-')}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...extensions,
    };
  }
}

export const badRequest = (detail: string, errors?: FieldError[]): ProblemException =>
  new ProblemException(400, 'VALIDATION_FAILED', 'Request is not valid', detail, errors ? { errors } : {});

/** Messages joined for a `detail`: the first MAX_FIELD_ERRORS, then how many more there are. */
export function joinMessages(messages: string[], fallback: string): string {
  if (messages.length === 0) return fallback;
  const shown = messages.slice(0, MAX_FIELD_ERRORS).join('; ');
  return messages.length > MAX_FIELD_ERRORS ? `${shown}; and ${messages.length - MAX_FIELD_ERRORS} more` : shown;
}

/** 503 NOT_READY with Retry-After: starting or stopping, or (with a reason and details) not ready to answer. */
export const notReady = (
  detail = 'the service is loading its read model; retry shortly',
  extras: Record<string, unknown> = {},
): ProblemException => new ProblemException(503, 'NOT_READY', 'Service not ready', detail, { ...extras, headers: { 'retry-after': '1' } });
