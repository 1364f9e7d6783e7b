/** The usage calls' parameters, checked the same way for HTTP and gRPC (a 400 / INVALID_ARGUMENT otherwise). */
import { DEFAULT_USAGE_RANGE_DAYS, MAX_USAGE_RANGE_DAYS, usageToday } from '@cs/application';
import { dayNumber } from '@cs/validity';
import { badRequest, ProblemException } from '../http/problem';

export const DEFAULT_UNUSED_FOR_DAYS = 90;
export const MAX_UNUSED_FOR_DAYS = 3650;

function day(field: 'from' | 'to', value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = dayNumber(value);
  if (parsed === null) throw badRequest(`${field} must be a date YYYY-MM-DD`, [{ field, message: 'must be a date YYYY-MM-DD' }]);
  return parsed;
}

/** `from`/`to` (YYYY-MM-DD, UTC, inclusive): absent `to` is today, absent `from` 29 days before `to`; at most 366 days. */
export function usageRange(from: string | undefined, to: string | undefined): { fromDay: number; toDay: number } {
  const toDay = day('to', to) ?? usageToday();
  const fromDay = day('from', from) ?? toDay - (DEFAULT_USAGE_RANGE_DAYS - 1);
  if (fromDay > toDay) throw badRequest('from must not be after to', [{ field: 'from', message: 'must not be after to' }]);
  if (toDay - fromDay + 1 > MAX_USAGE_RANGE_DAYS) {
    const message = `the range may span at most ${MAX_USAGE_RANGE_DAYS} days`;
    throw badRequest(message, [{ field: 'from', message }]);
  }
  return { fromDay, toDay };
}

/** `unusedForDays`: a whole number from 1 to 3650; absent: 90. */
export function unusedForDays(value: number | undefined): number {
  const days = value === undefined ? DEFAULT_UNUSED_FOR_DAYS : value;
  if (!Number.isInteger(days) || days < 1 || days > MAX_UNUSED_FOR_DAYS) {
    const message = `must be a whole number from 1 to ${MAX_UNUSED_FOR_DAYS}`;
    throw badRequest(`unusedForDays ${message}`, [{ field: 'unusedForDays', message }]);
  }
  return days;
}

/** 503 USAGE_UNAVAILABLE: key usage cannot be read now (its store is down or slow), or is not recorded (USAGE=off). */
export const usageUnavailable = (): ProblemException =>
  new ProblemException(
    503,
    'USAGE_UNAVAILABLE',
    'Key usage unavailable',
    'key usage cannot be read now (its store does not answer) or is not recorded (USAGE=off); verify is not affected',
    { headers: { 'retry-after': '5' } },
  );
