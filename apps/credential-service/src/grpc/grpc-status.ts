/**
 * Errors leaving the gRPC edge. The application speaks in ProblemExceptions (validation, auth,
 * rejections); this turns each into a gRPC status with a clear message and trailing metadata
 * (`error-code`: the same stable code the JSON API puts in `code`; `www-authenticate` on
 * UNAUTHENTICATED, as RFC 9470 asks for step-up). Business rejections go through the one shared
 * table (keys/rejections.ts). Only a genuine fault becomes INTERNAL, and is logged.
 */
import { ArgumentsHost, Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { Metadata, status as Status } from '@grpc/grpc-js';
import { throwError, type Observable } from 'rxjs';
import type { CommandRejection } from '@cs/application';
import { EventStoreUnavailableError, StreamDeletedError } from '@cs/event-store';
import { isHistoryUnavailable, isIndexUnavailable } from '@cs/validity';
import { ProblemException } from '../http/problem';
import { indexUnavailable, logProblemCause, toProblem } from '../http/problem.filter';
import { REJECTION_STATUS } from '../keys/rejections';

export interface GrpcStatus {
  code: Status;
  message: string;
  details: string;
  metadata: Metadata;
}

/** HTTP status of a problem → gRPC status, where no more specific rule applies. */
const BY_HTTP_STATUS: Record<number, Status> = {
  400: Status.INVALID_ARGUMENT,
  401: Status.UNAUTHENTICATED,
  403: Status.PERMISSION_DENIED,
  404: Status.NOT_FOUND,
  410: Status.NOT_FOUND,
  409: Status.FAILED_PRECONDITION,
  413: Status.RESOURCE_EXHAUSTED,
  429: Status.RESOURCE_EXHAUSTED,
  503: Status.UNAVAILABLE,
};

/** gRPC fields are snake_case; the shared validation speaks of the JSON names (allowedIps). */
export const protoFieldNames = (text: string): string =>
  text.replace(/\b([a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+)\b/g, (name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));

export function grpcStatus(code: Status, message: string, errorCode: string | null, headers: Record<string, string> = {}): GrpcStatus {
  const metadata = new Metadata();
  if (errorCode) metadata.set('error-code', errorCode);
  for (const [name, value] of Object.entries(headers)) metadata.set(name.toLowerCase(), value);
  return { code, message, details: message, metadata };
}

export function problemStatus(problem: ProblemException): GrpcStatus {
  const rejection = REJECTION_STATUS[problem.code as CommandRejection['code']];
  const code = rejection
    ? rejection.grpc
    : (BY_HTTP_STATUS[problem.status] ?? (problem.status >= 500 ? Status.INTERNAL : Status.FAILED_PRECONDITION));
  let message = problem.detail;
  if (code === Status.INVALID_ARGUMENT) {
    const fields = problem.extras.errors ?? [];
    const named = (e: { field: string; message: string }): string => {
      const [field, text] = [protoFieldNames(e.field), protoFieldNames(e.message)];
      // Named already if the message has the field as a word ("at" is not named by "date-time").
      const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return new RegExp(`(^|[^\\w-])${escaped}($|[^\\w-])`).test(text) ? text : `${field} ${text}`;
    };
    message = fields.length > 0 ? fields.map(named).join('; ') : protoFieldNames(problem.detail);
  }
  if (problem.code === 'STEP_UP_REQUIRED') {
    // RFC 9470 over gRPC: the reason and max_age in the message, the challenge as a trailer.
    message = `insufficient_user_authentication: ${problem.detail} (max_age=${String(problem.extras.maxAge)})`;
  }
  return grpcStatus(code, message, problem.code, problem.extras.headers ?? {});
}

export function toGrpcStatus(error: unknown): GrpcStatus {
  if (error instanceof ProblemException) return problemStatus(error);
  if (isIndexUnavailable(error)) return problemStatus(indexUnavailable());
  if (isHistoryUnavailable(error)) return problemStatus(toProblem(error));
  if (error instanceof EventStoreUnavailableError || error instanceof StreamDeletedError) return problemStatus(toProblem(error));
  if (error instanceof RpcException) {
    const inner = error.getError() as Partial<GrpcStatus> | string;
    if (typeof inner === 'object' && inner !== null && typeof inner.code === 'number') {
      const message = inner.message ?? inner.details ?? 'error';
      return { code: inner.code, message, details: message, metadata: inner.metadata ?? new Metadata() };
    }
  }
  return grpcStatus(Status.INTERNAL, 'the service failed to handle this request; it has been logged', 'INTERNAL');
}

/** Every exception of a gRPC handler becomes a deliberate status; nothing leaves as UNKNOWN. */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('grpc');

  catch(error: unknown, _host: ArgumentsHost): Observable<never> {
    const status = toGrpcStatus(error);
    // Logged without the request, which may hold a key.
    if (status.code === Status.INTERNAL) this.logger.error(`unhandled error: ${(error as Error)?.stack ?? String(error)}`);
    else if (error instanceof EventStoreUnavailableError || error instanceof StreamDeletedError)
      logProblemCause(this.logger, toProblem(error), error);
    return throwError(() => status);
  }
}

export { notReady as unavailable } from '../http/problem';
