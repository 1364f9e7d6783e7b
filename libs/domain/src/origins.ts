/**
 * Allowed origins of a publishable key (`pk_live_…`): the web origins (RFC 6454: scheme, host and
 * port) whose pages may use it, as a browser sends them in the `Origin` header. Pure rules shared by
 * the decider (what may be recorded) and verify (whether a request's origin is one of them).
 * Messages name entries by index, never by value.
 */
export const MAX_ALLOWED_ORIGINS = 20;
export const MAX_ORIGIN_LENGTH = 253 + 'https://'.length + ':65535'.length;
export const ORIGIN_RULE =
  'must be an origin such as "https://shop.example" or "https://shop.example:8443": ' +
  'https (http only for localhost), a host and an optional port, nothing else';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The origin in its normal form (lower case, default port dropped), or null when it is not one. */
export function normalizeOrigin(text: unknown): string | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_ORIGIN_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname))) return null;
  // An origin has no user, path, query or fragment; `new URL` adds the "/" path itself.
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#]+\/?$/i.test(text)) return null;
  // No wildcards: each origin is listed (a "*." host would be accepted by the URL parser as is).
  if (url.hostname.includes('*')) return null;
  return url.origin;
}

export type ParsedOrigins = { ok: true; value: string[] } | { ok: false; errors: string[] };

/** A list of allowed origins as recorded: each normalised, duplicates removed, order kept. */
export function parseOrigins(list: readonly unknown[]): ParsedOrigins {
  if (list.length > MAX_ALLOWED_ORIGINS) return { ok: false, errors: [`at most ${MAX_ALLOWED_ORIGINS} allowed origins`] };
  const errors: string[] = [];
  const seen = new Set<string>();
  list.forEach((entry, index) => {
    const origin = normalizeOrigin(entry);
    if (origin === null) errors.push(`allowedOrigins[${index}] ${ORIGIN_RULE}`);
    else seen.add(origin);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: [...seen] };
}

/** Whether `origin` (a request's, as given) is one of `allowed` (normalised). No origin is never allowed. */
export function isOriginAllowed(allowed: readonly string[], origin: string | undefined): boolean {
  if (origin === undefined) return false;
  const normal = normalizeOrigin(origin);
  return normal !== null && allowed.includes(normal);
}
