/**
 * Per-key IP allow-lists (a key usable only from trusted IP addresses): IPv4 and IPv6
 * addresses and CIDR ranges. IPv4-mapped IPv6 client addresses (::ffff:a.b.c.d) match IPv4 entries.
 */
import ipaddr from 'ipaddr.js';

export const MAX_ALLOWED_IPS = 100;
/** Bad entries described one by one; the rest are counted. */
const MAX_REPORTED_ERRORS = 20;

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

export type AllowListParse = { ok: true; entries: string[] } | { ok: false; errors: string[] };

/** Validates and canonicalises entries (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`). */
export function parseAllowList(entries: readonly string[]): AllowListParse {
  const errors: string[] = [];
  const canonical: string[] = [];
  if (entries.length > MAX_ALLOWED_IPS) {
    return { ok: false, errors: [`at most ${MAX_ALLOWED_IPS} entries are allowed, got ${entries.length}`] };
  }
  entries.forEach((entry, index) => {
    const result = canonicalEntry(entry);
    if (typeof result === 'string') canonical.push(result);
    // The entry itself is not repeated: whatever was pasted into the list (a secret, even) stays out of the answer.
    else errors.push(`entry ${index}: ${result.error}`);
  });
  if (errors.length > MAX_REPORTED_ERRORS) {
    return {
      ok: false,
      errors: [...errors.slice(0, MAX_REPORTED_ERRORS), `and ${errors.length - MAX_REPORTED_ERRORS} more entries are not valid`],
    };
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, entries: [...new Set(canonical)] };
}

function canonicalEntry(entry: string): string | { error: string } {
  if (typeof entry !== 'string' || entry.trim() === '') return { error: 'must be an IP address or CIDR range' };
  const text = entry.trim();
  if (text.includes('/')) {
    // The address part is held to the same spelling as a single address, and the prefix length to
    // plain decimal: ipaddr.js would read 192.168.010.0/24 as 192.168.8.0/24, and 3405803783/32 as 203.0.113.7/32.
    const [addressText, bitsText, ...rest] = text.split('/');
    let range: Range;
    try {
      if (rest.length > 0 || !isIpAddress(addressText) || !/^(0|[1-9]\d{0,2})$/.test(bitsText)) throw new Error('not strict');
      range = ipaddr.parseCIDR(text);
    } catch {
      return {
        error:
          'not a valid CIDR range: an IPv4 address in four decimal parts or an IPv6 address, "/", ' +
          'a prefix length (e.g. 203.0.113.0/24 or 2001:db8::/32)',
      };
    }
    let [address, bits] = range;
    // ::ffff:a.b.c.d/n is an IPv4 range in disguise; clients in that form are matched as IPv4.
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      address = (address as ipaddr.IPv6).toIPv4Address();
      bits -= 96;
    }
    const network = networkAddress(address, bits);
    if (network.toString() !== address.toString()) {
      return { error: `host bits are set; did you mean ${network.toString()}/${bits}?` };
    }
    return `${address.toString()}/${bits}`;
  }
  if (!isIpAddress(text)) {
    return { error: 'not a valid IPv4 or IPv6 address' };
  }
  return normalise(ipaddr.parse(text)).toString();
}

function networkAddress(address: ipaddr.IPv4 | ipaddr.IPv6, bits: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const bytes = address.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    bytes[i] &= (0xff << (8 - keep)) & 0xff;
  }
  return ipaddr.fromByteArray(bytes);
}

function normalise(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (address as ipaddr.IPv6).toIPv4Address();
  }
  return address;
}

/**
 * An IPv4 address in dotted four-part decimal, or an IPv6 address (whose embedded IPv4 part, if
 * any, is four-part decimal too). The legacy IPv4 spellings that parsers accept ("3405803783",
 * "0xcb.0.113.7", "203.0.113", "192.168.010.1") are refused: they read as another address than the
 * one a person sees.
 */
export function isIpAddress(text: string): boolean {
  if (typeof text !== 'string') return false;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return true;
  if (!ipaddr.IPv6.isValid(text)) return false;
  const tail = text.slice(text.lastIndexOf(':') + 1).split('%')[0];
  return !tail.includes('.') || ipaddr.IPv4.isValidFourPartDecimal(tail);
}

/** True if the list is empty (no restriction) or the address falls in one of its entries. */
export function isIpAllowed(allowList: readonly string[], ip: string | undefined): boolean {
  if (allowList.length === 0) return true;
  if (!ip || !isIpAddress(ip)) return false;
  const client = normalise(ipaddr.parse(ip));
  return compiledAllowList(allowList).some(([address, bits]) => {
    if (address.kind() !== client.kind()) return false;
    if (bits < 0) return address.toString() === client.toString();
    return client.match([address, bits] as Range);
  });
}

/** Bound on the lists kept parsed: about what a million-key index holds in distinct lists, not more. */
const MAX_COMPILED_LISTS = 10_000;
const compiled = new Map<string, [ipaddr.IPv4 | ipaddr.IPv6, number][]>();

/**
 * The list's entries parsed once (verify runs on every merchant request; the list is stored canonical,
 * so the same list is the same text). When the cache is full it starts over: a bound, not an LRU.
 */
function compiledAllowList(allowList: readonly string[]): [ipaddr.IPv4 | ipaddr.IPv6, number][] {
  const cacheKey = allowList.join(',');
  let ranges = compiled.get(cacheKey);
  if (ranges === undefined) {
    ranges = allowList.map((entry) =>
      entry.includes('/') ? ipaddr.parseCIDR(entry) : ([ipaddr.parse(entry), -1] as [ipaddr.IPv4 | ipaddr.IPv6, number]),
    );
    if (compiled.size >= MAX_COMPILED_LISTS) compiled.clear();
    compiled.set(cacheKey, ranges);
  }
  return ranges;
}
