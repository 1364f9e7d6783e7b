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

export class ProblemException extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extras: { errors?: FieldError[]; headers?: Record<string, string>; [k: string]: unknown } = {},
  ) {
    super(detail);
    this.name = 'ProblemException';
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
