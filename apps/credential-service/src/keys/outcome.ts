import type { CommandOutcome, CommandRejection } from '@cs/application';
import { ProblemException } from '../http/problem';
import { REJECTION_STATUS } from './rejections';

export function rejectionProblem(rejection: CommandRejection): ProblemException {
  const status = REJECTION_STATUS[rejection.code];
  return new ProblemException(status.http, rejection.code, status.title, rejection.message);
}

/** The success branch of a command outcome, or the rejection as a problem. */
export function unwrap<T>(outcome: CommandOutcome<T>): Extract<CommandOutcome<T>, { ok: true }> {
  if (!outcome.ok) throw rejectionProblem(outcome.rejection);
  return outcome;
}

export const keyNotFound = (): ProblemException => rejectionProblem({ code: 'KEY_NOT_FOUND', message: 'key not found' });
