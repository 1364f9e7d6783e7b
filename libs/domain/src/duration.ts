/**
 * ISO-8601 durations for a regenerate's grace period ("PT1H", "P1D", "P7D", "P1W", "PT90M").
 * Years and months are refused: their length depends on the calendar, and a grace period should
 * mean the same number of seconds for everyone.
 */
export const MAX_GRACE_SECONDS = 366 * 24 * 3600;

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export type DurationParse = { ok: true; milliseconds: number } | { ok: false; error: string };

export function parseIsoDuration(text: string): DurationParse {
  if (typeof text !== 'string' || text.length > 40) return { ok: false, error: 'must be an ISO-8601 duration such as PT1H, P1D or P7D' };
  if (/^P/.test(text) && /\d+[YM]/.test(text.split('T')[0])) {
    return { ok: false, error: 'years and months are not supported; use days or weeks (e.g. P30D)' };
  }
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) {
    return { ok: false, error: 'must be an ISO-8601 duration such as PT1H, P1D or P7D' };
  }
  const [, weeks, days, hours, minutes, seconds] = match;
  const total =
    Number(weeks ?? 0) * 604800 + Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
  if (total > MAX_GRACE_SECONDS) return { ok: false, error: `must be at most ${MAX_GRACE_SECONDS / 86400} days` };
  return { ok: true, milliseconds: Math.round(total * 1000) };
}
