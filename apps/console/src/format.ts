/** Display helpers: times, "expires in 58 min", "5 minutes ago", masked keys, lists as the API wants them. */

export const formatTime = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '—');

export function expiresIn(iso: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  if (ms <= 0) return 'expired';
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 120) return `expires in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `expires in ${hours} h`;
  return `expires in ${Math.round(hours / 24)} days`;
}

export const masked = (start: string): string => `${start}••••••••`;

/** One entry per line, comma or space; blanks dropped. The API validates each (and names a bad one by its index). */
export const parseList = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** IP addresses and ranges: one per line or comma. */
export const parseIps = parseList;

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** A past instant as people say it: "just now", "5 minutes ago", "yesterday", "3 weeks ago". */
export function timeAgo(iso: string, now = Date.now()): string {
  const ms = now - new Date(iso).getTime();
  if (ms < 60_000) return 'just now';
  for (const [unit, size] of UNITS) if (ms >= size) return RELATIVE.format(-Math.floor(ms / size), unit);
  return 'just now';
}

const STATUS_LABEL: Record<string, string> = { active: 'Active', suspended: 'Suspended', revoked: 'Revoked', expired: 'Expired' };
export const statusLabel = (status: string): string => STATUS_LABEL[status] ?? status;

/** A datetime-local value (the user's zone) as an ISO instant, or null when empty or invalid. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}
