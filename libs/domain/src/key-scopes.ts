/**
 * What an API key may do and what it says about its owner, returned by verify in the same lookup:
 * its permissions (`resource:action`, with `resource:*` and `*`), its metadata (a small JSON object)
 * and its external id (the owner's label in the caller's system). Pure rules, shared by the decider
 * (what may be recorded) and verify (what a request requires). Messages never quote a value.
 */
import { isDisplaySafe } from './input-text';
import type { KeyKind } from './events';
import { ISSUED_SECRET_PREFIXES } from './key-format';
import { parseOrigins } from './origins';

/**
 * What a publishable key may carry: read-only permissions for what a checkout page shows. A
 * publishable key has some of these (all of them when generated without a list), never anything
 * else and never none: none would mean unrestricted.
 */
export const PUBLISHABLE_PERMISSIONS: readonly string[] = ['checkout:read', 'payment-links:read', 'products:read', 'prices:read'];

export const MAX_PERMISSIONS = 50;
export const MAX_PERMISSION_LENGTH = 64;
/** `resource:action` (each lower-case `[a-z][a-z0-9_-]*`), `resource:*`, or `*` (everything). */
export const PERMISSION_PATTERN = /^(?:\*|[a-z][a-z0-9_-]*:(?:\*|[a-z][a-z0-9_-]*))$/;
export const PERMISSION_RULE =
  'must be "resource:action", "resource:*" or "*" (lower-case letters, digits, "_" and "-", starting with a letter)';

export const MAX_METADATA_BYTES = 4096;
export const MAX_METADATA_DEPTH = 5;
export const MAX_EXTERNAL_ID_LENGTH = 128;

/** A key's metadata: a JSON object. */
export type KeyMetadata = Record<string, unknown>;

/** Prefixes of secrets that must never be kept as metadata: this service's own and common ones of other services. */
export const SECRET_PREFIXES: readonly string[] = [
  ...ISSUED_SECRET_PREFIXES,
  'sk_live_',
  'sk_test_',
  'rk_live_',
  'rk_test_',
  'whsec_',
  'ghp_',
  'github_pat_',
  'xoxb-',
  'xoxp-',
  'AKIA',
  '-----BEGIN',
];

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * A permission list as recorded: each entry checked, duplicates removed, the caller's order kept
 * (the first occurrence stays). Errors name entries by index, never by value.
 */
export function parsePermissions(list: readonly unknown[]): Parsed<string[]> {
  if (list.length > MAX_PERMISSIONS) return { ok: false, errors: [`at most ${MAX_PERMISSIONS} permissions`] };
  const errors: string[] = [];
  const seen = new Set<string>();
  list.forEach((entry, index) => {
    if (typeof entry !== 'string' || entry.length > MAX_PERMISSION_LENGTH || !PERMISSION_PATTERN.test(entry)) {
      errors.push(`permissions[${index}] ${PERMISSION_RULE}, at most ${MAX_PERMISSION_LENGTH} characters`);
    } else seen.add(entry);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: [...seen] };
}

/** Whether one granted permission covers one required permission (`*` covers all, `payments:*` covers `payments:…`). */
export function grants(granted: string, required: string): boolean {
  if (granted === '*' || granted === required) return true;
  if (!granted.endsWith(':*')) return false;
  const resource = granted.slice(0, -1); // "payments:"
  return required.startsWith(resource);
}

/**
 * Whether a key with `granted` permissions holds every `required` one. An empty grant is an
 * unrestricted key (keys generated without permissions keep working), so it holds everything.
 */
export function holdsPermissions(granted: readonly string[], required: readonly string[]): boolean {
  if (granted.length === 0) return true;
  for (const need of required) {
    let held = false;
    for (const have of granted) {
      if (grants(have, need)) {
        held = true;
        break;
      }
    }
    if (!held) return false;
  }
  return true;
}

/** Why metadata cannot be recorded: malformed (INVALID_METADATA) or holding what looks like a secret (SECRET_IN_METADATA). */
export type MetadataProblem = { kind: 'invalid' | 'secret'; message: string };

const looksLikeSecret = (text: string): boolean => {
  const trimmed = text.trimStart();
  return SECRET_PREFIXES.some((prefix) => trimmed.startsWith(prefix));
};

/**
 * Metadata as recorded: a JSON object (not an array or a scalar), at most MAX_METADATA_DEPTH levels
 * deep and MAX_METADATA_BYTES of UTF-8 JSON, with no string (value or name) that starts like a secret.
 */
export function checkMetadata(value: unknown): MetadataProblem | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { kind: 'invalid', message: 'metadata must be a JSON object' };
  let problem: MetadataProblem | null = null;
  const walk = (node: unknown, depth: number, path: string): void => {
    if (problem) return;
    if (typeof node === 'string') {
      if (looksLikeSecret(node))
        problem = { kind: 'secret', message: `metadata${path} looks like a secret; secrets must never be stored as metadata` };
      return;
    }
    if (node === null || typeof node === 'boolean') return;
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) problem = { kind: 'invalid', message: `metadata${path} must be a finite number` };
      return;
    }
    if (typeof node !== 'object') {
      problem = { kind: 'invalid', message: `metadata${path} is not a JSON value` };
      return;
    }
    if (depth > MAX_METADATA_DEPTH) {
      problem = { kind: 'invalid', message: `metadata must be at most ${MAX_METADATA_DEPTH} levels deep` };
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, depth + 1, `${path}[${index}]`));
      return;
    }
    Object.entries(node).forEach(([name, item], index) => {
      if (problem) return;
      if (looksLikeSecret(name)) {
        problem = {
          kind: 'secret',
          message: `a field name of metadata${path} looks like a secret; secrets must never be stored as metadata`,
        };
        return;
      }
      // Named by position: a field name is caller input and could itself be sensitive.
      walk(item, depth + 1, `${path} (field ${index + 1})`);
    });
  };
  walk(value, 1, '');
  if (problem) return problem;
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') > MAX_METADATA_BYTES) {
    return { kind: 'invalid', message: `metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON` };
  }
  return null;
}

export const EXTERNAL_ID_RULE = `must be at most ${MAX_EXTERNAL_ID_LENGTH} characters without control or bidi formatting characters`;

/** An external id as recorded: 1–128 display-safe characters; the empty string (an update's "remove it") is allowed. */
export function isValidExternalId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_EXTERNAL_ID_LENGTH && isDisplaySafe(value);
}

/** The scope fields of a key, as an event or command carries them: only those that are set. */
export interface KeyScopes {
  permissions?: string[];
  metadata?: KeyMetadata;
  externalId?: string;
  /** Publishable keys only: the web origins whose pages may use the key (origins.ts); never empty. */
  allowedOrigins?: string[];
}

/** The set scope fields of `from` (an empty list, object or id is no value), for events and state. */
export function scopeProps(from: KeyScopes): KeyScopes {
  const scopes: KeyScopes = {};
  if (from.permissions && from.permissions.length > 0) scopes.permissions = from.permissions;
  if (from.metadata && Object.keys(from.metadata).length > 0) scopes.metadata = from.metadata;
  if (from.externalId) scopes.externalId = from.externalId;
  if (from.allowedOrigins && from.allowedOrigins.length > 0) scopes.allowedOrigins = from.allowedOrigins;
  return scopes;
}

/**
 * Checks the scope fields a command gives (generate or update) for a key of `kind`; returns the
 * values to record (permissions normalised) or the rejection code and message. Permissions on a
 * signing key are refused (PERMISSIONS_NOT_APPLICABLE): a signing secret never authenticates a request.
 */
export function checkScopes(
  kind: KeyKind,
  given: KeyScopes,
  /** Generate (true) or update: a publishable key is generated with its defaults and must keep an origin. */
  creating = false,
):
  | { ok: true; value: KeyScopes }
  | {
      ok: false;
      code:
        | 'INVALID_PERMISSIONS'
        | 'PERMISSIONS_NOT_APPLICABLE'
        | 'INVALID_METADATA'
        | 'SECRET_IN_METADATA'
        | 'INVALID_EXTERNAL_ID'
        | 'INVALID_ALLOWED_ORIGINS'
        | 'ORIGINS_NOT_APPLICABLE';
      message: string;
    } {
  const value: KeyScopes = {};
  if (given.permissions !== undefined) {
    if (kind === 'signing' && given.permissions.length > 0)
      return {
        ok: false,
        code: 'PERMISSIONS_NOT_APPLICABLE',
        message: 'a signing key does not authenticate requests: it cannot have permissions',
      };
    const parsed = parsePermissions(given.permissions);
    if (!parsed.ok) return { ok: false, code: 'INVALID_PERMISSIONS', message: parsed.errors.join('; ') };
    if (kind === 'publishable' && !parsed.value.every((p) => PUBLISHABLE_PERMISSIONS.includes(p)))
      return {
        ok: false,
        code: 'PERMISSIONS_NOT_APPLICABLE',
        message: `a publishable key sits in browser pages: its permissions must be among ${PUBLISHABLE_PERMISSIONS.join(', ')}`,
      };
    // An empty list would make a publishable key unrestricted: it goes back to the read-only set.
    value.permissions = kind === 'publishable' && parsed.value.length === 0 ? [...PUBLISHABLE_PERMISSIONS] : parsed.value;
  } else if (kind === 'publishable' && creating) value.permissions = [...PUBLISHABLE_PERMISSIONS];
  if (given.allowedOrigins !== undefined || (kind === 'publishable' && creating)) {
    const list = given.allowedOrigins ?? [];
    if (kind !== 'publishable' && list.length > 0)
      return {
        ok: false,
        code: 'ORIGINS_NOT_APPLICABLE',
        message: 'only a publishable key is restricted to web origins; restrict other keys by IP address',
      };
    if (kind === 'publishable') {
      if (list.length === 0)
        return { ok: false, code: 'INVALID_ALLOWED_ORIGINS', message: 'a publishable key needs at least one allowed origin' };
      const parsed = parseOrigins(list);
      if (!parsed.ok) return { ok: false, code: 'INVALID_ALLOWED_ORIGINS', message: parsed.errors.join('; ') };
      value.allowedOrigins = parsed.value;
    }
  }
  if (given.metadata !== undefined) {
    const problem = checkMetadata(given.metadata);
    if (problem)
      return { ok: false, code: problem.kind === 'secret' ? 'SECRET_IN_METADATA' : 'INVALID_METADATA', message: problem.message };
    value.metadata = given.metadata;
  }
  if (given.externalId !== undefined) {
    if (!isValidExternalId(given.externalId)) return { ok: false, code: 'INVALID_EXTERNAL_ID', message: `externalId ${EXTERNAL_ID_RULE}` };
    value.externalId = given.externalId;
  }
  return { ok: true, value };
}

/** The value a key has for a scope field when none is set: what an update is compared with. */
export function scopeDefault(field: string): unknown {
  return field === 'permissions' || field === 'allowedOrigins' ? [] : field === 'metadata' ? {} : field === 'externalId' ? '' : undefined;
}
