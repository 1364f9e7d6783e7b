import { MAX_ALLOWED_IPS, isIpAllowed, parseAllowList } from './ip-allow-list';

const entries = (list: string[]): string[] => {
  const parsed = parseAllowList(list);
  if (!parsed.ok) throw new Error(`expected a valid list, got ${parsed.errors.join('; ')}`);
  return parsed.entries;
};
const errors = (list: string[]): string[] => {
  const parsed = parseAllowList(list);
  if (parsed.ok) throw new Error(`expected errors, got ${JSON.stringify(parsed.entries)}`);
  return parsed.errors;
};

describe('parseAllowList', () => {
  it('accepts IPv4 addresses', () => {
    expect(entries(['192.0.2.7', '0.0.0.0', '255.255.255.255'])).toEqual(['192.0.2.7', '0.0.0.0', '255.255.255.255']);
  });

  it('accepts IPv6 addresses, in canonical (RFC 5952) form', () => {
    expect(entries(['2001:0DB8:0000:0000:0000:0000:0000:0001', '::1', 'fe80::a:b'])).toEqual(['2001:db8::1', '::1', 'fe80::a:b']);
  });

  it('accepts CIDR ranges of both families', () => {
    expect(entries(['203.0.113.0/24', '10.0.0.0/8', '192.0.2.7/32', '2001:db8::/32', '2001:DB8:0:0:1::/80'])).toEqual([
      '203.0.113.0/24',
      '10.0.0.0/8',
      '192.0.2.7/32',
      '2001:db8::/32',
      '2001:db8:0:0:1::/80',
    ]);
  });

  it('accepts /0 ranges', () => {
    expect(entries(['0.0.0.0/0', '::/0'])).toEqual(['0.0.0.0/0', '::/0']);
  });

  it('stores an IPv4-mapped IPv6 address as IPv4 and trims whitespace', () => {
    expect(entries(['::ffff:192.0.2.7', '  198.51.100.1\t'])).toEqual(['192.0.2.7', '198.51.100.1']);
  });

  it('collapses duplicates, including ones that differ only in spelling', () => {
    expect(entries(['192.0.2.7', ' 192.0.2.7', '::ffff:192.0.2.7', '2001:db8::1', '2001:DB8:0::1', '10.0.0.0/8', '10.0.0.0/8'])).toEqual([
      '192.0.2.7',
      '2001:db8::1',
      '10.0.0.0/8',
    ]);
  });

  it('an empty list is valid (no restriction)', () => {
    expect(entries([])).toEqual([]);
  });

  it('rejects a range with host bits set, suggesting the network', () => {
    expect(errors(['10.0.0.1/8'])).toEqual([expect.stringContaining('did you mean 10.0.0.0/8?')]);
    expect(errors(['203.0.113.77/24'])).toEqual([expect.stringContaining('did you mean 203.0.113.0/24?')]);
    expect(errors(['2001:db8::1/32'])).toEqual([expect.stringContaining('did you mean 2001:db8::/32?')]);
  });

  it('rejects garbage, naming each bad entry by index', () => {
    const found = errors(['192.0.2.7', 'not-an-ip', '10.0.0.0/33', '300.1.2.3', '1.2.3', '10.0.0.0/', 'fe80::/129', '::gg']);
    expect(found).toHaveLength(7);
    expect(found[0]).toMatch(/^entry 1: /);
    expect(found[1]).toMatch(/^entry 2: .*CIDR/);
    expect(found[2]).toMatch(/^entry 3: .*IPv4 or IPv6/);
  });

  it('rejects shorthand IPv4 forms that are not four decimal parts', () => {
    for (const odd of ['127.1', '0x7f.0.0.1', '2130706433']) expect(errors([odd])).toHaveLength(1);
  });

  it('rejects legacy IPv4 spellings inside ranges too, instead of reading them as another network', () => {
    for (const odd of [
      '192.168.010.0/24',
      '3405803783/32',
      '0x7f.0.0.0/8',
      '0177.0.0.0/8',
      '127.1/32',
      '10.0/16',
      '::ffff:192.168.010.0/120',
      '::ffff:0x7f.0.0.0/104',
    ]) {
      expect([odd, errors([odd])]).toEqual([odd, [expect.stringMatching(/^entry 0: not a valid CIDR range/)]]);
    }
    for (const odd of ['10.0.0.0/08', '10.0.0.0/8/8', '10.0.0.0/+8', '10.0.0.0/0x8', '2001:db8::/032'])
      expect(errors([odd])).toHaveLength(1);
    expect(entries(['192.168.10.0/24', '203.0.113.7/32', '::ffff:192.168.20.0/120'])).toEqual([
      '192.168.10.0/24',
      '203.0.113.7/32',
      '192.168.20.0/24',
    ]);
  });

  it('rejects an IPv6 address whose embedded IPv4 part is not four-part decimal', () => {
    for (const odd of ['::ffff:192.168.010.1', '::ffff:0x7f.0.0.1', '::ffff:127.1']) expect(errors([odd])).toHaveLength(1);
    expect(entries(['::ffff:192.168.10.1', '64:ff9b::192.0.2.33'])).toEqual(['192.168.10.1', '64:ff9b::c000:221']);
  });

  it('rejects an empty or blank entry', () => {
    expect(errors([''])).toEqual([expect.stringContaining('entry 0')]);
    expect(errors(['   '])).toHaveLength(1);
  });

  it('describes at most 20 bad entries and counts the rest', () => {
    const found = errors(Array.from({ length: MAX_ALLOWED_IPS }, (_, i) => `bad-${i}`));
    expect(found).toHaveLength(21);
    expect(found[19]).toMatch(/^entry 19: /);
    expect(found[20]).toBe('and 80 more entries are not valid');
    expect(errors(Array.from({ length: 20 }, (_, i) => `bad-${i}`))).toHaveLength(20);
  });

  it('truncates a very long bad entry in the message', () => {
    const [message] = errors(['x'.repeat(10_000)]);
    expect(message.length).toBeLessThan(200);
  });

  it('never repeats a bad entry: it could be anything pasted, a secret even', () => {
    const pasted = ['ak_live_0123456789abcdefghijkl', 'whsec_c2VjcmV0', '10.0.0.0/ak_live_x', 'ak_live_x/8', '  sk_test_abc  '];
    for (const message of errors(pasted)) {
      for (const text of ['ak_live', 'whsec', 'sk_test', 'c2VjcmV0']) expect(message).not.toContain(text);
    }
  });

  it(`accepts ${MAX_ALLOWED_IPS} entries and refuses more`, () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${Math.floor(i / 256)}.${i % 256}`);
    expect(entries(list(MAX_ALLOWED_IPS))).toHaveLength(MAX_ALLOWED_IPS);
    expect(errors(list(MAX_ALLOWED_IPS + 1))).toEqual([`at most ${MAX_ALLOWED_IPS} entries are allowed, got ${MAX_ALLOWED_IPS + 1}`]);
  });
});

describe('isIpAllowed', () => {
  it('answers from its parsed-list cache exactly as from a fresh parse, one list never standing in for another', () => {
    const lists = [['203.0.113.0/24'], ['203.0.113.0/25'], ['203.0.113.0/24', '2001:db8::/32'], ['198.51.100.7']];
    for (let round = 0; round < 3; round++) {
      expect(lists.map((list) => isIpAllowed(list, '203.0.113.200'))).toEqual([true, false, true, false]);
      expect(lists.map((list) => isIpAllowed(list, '2001:db8::1'))).toEqual([false, false, true, false]);
      expect(lists.map((list) => isIpAllowed(list, '198.51.100.7'))).toEqual([false, false, false, true]);
    }
  });

  const list = entries(['192.0.2.7', '203.0.113.0/24', '2001:db8::/32', '2001:db8:ffff::1']);

  it('an empty list allows every client, even without an address', () => {
    expect(isIpAllowed([], '198.51.100.1')).toBe(true);
    expect(isIpAllowed([], '2001:db8::1')).toBe(true);
    expect(isIpAllowed([], undefined)).toBe(true);
  });

  it('matches exact IPv4 and IPv6 entries', () => {
    expect(isIpAllowed(list, '192.0.2.7')).toBe(true);
    expect(isIpAllowed(list, '192.0.2.8')).toBe(false);
    expect(isIpAllowed(entries(['2001:db8:ffff::1']), '2001:DB8:FFFF:0:0:0:0:1')).toBe(true);
    expect(isIpAllowed(entries(['2001:db8:ffff::1']), '2001:db8:ffff::2')).toBe(false);
  });

  it('matches IPv4 ranges at their edges only', () => {
    expect(isIpAllowed(list, '203.0.113.0')).toBe(true);
    expect(isIpAllowed(list, '203.0.113.255')).toBe(true);
    expect(isIpAllowed(list, '203.0.114.0')).toBe(false);
    expect(isIpAllowed(list, '203.0.112.255')).toBe(false);
  });

  it('matches IPv6 ranges', () => {
    expect(isIpAllowed(list, '2001:db8:1234::42')).toBe(true);
    expect(isIpAllowed(list, '2001:db9::1')).toBe(false);
  });

  it('an IPv4-mapped IPv6 client matches IPv4 entries', () => {
    expect(isIpAllowed(list, '::ffff:192.0.2.7')).toBe(true);
    expect(isIpAllowed(list, '::ffff:203.0.113.9')).toBe(true);
    expect(isIpAllowed(list, '::ffff:198.51.100.1')).toBe(false);
  });

  it('an IPv6 client never matches an IPv4 entry', () => {
    const v4Only = entries(['192.0.2.7', '0.0.0.0/0']);
    expect(isIpAllowed(v4Only, '2001:db8::1')).toBe(false);
    expect(isIpAllowed(v4Only, '::c000:207')).toBe(false); // the same 32 bits as 192.0.2.7, but IPv6
  });

  it('a missing or malformed client address is refused when there is a list', () => {
    expect(isIpAllowed(list, undefined)).toBe(false);
    expect(isIpAllowed(list, '')).toBe(false);
    expect(isIpAllowed(list, 'localhost')).toBe(false);
  });

  it('0.0.0.0/0 allows every IPv4 client (mapped too), ::/0 every IPv6 client', () => {
    const anyV4 = entries(['0.0.0.0/0']);
    expect(isIpAllowed(anyV4, '1.2.3.4')).toBe(true);
    expect(isIpAllowed(anyV4, '255.255.255.255')).toBe(true);
    expect(isIpAllowed(anyV4, '::ffff:1.2.3.4')).toBe(true);
    expect(isIpAllowed(anyV4, '2001:db8::1')).toBe(false);
    const anyV6 = entries(['::/0']);
    expect(isIpAllowed(anyV6, '2001:db8::1')).toBe(true);
    expect(isIpAllowed(anyV6, '::1')).toBe(true);
    expect(isIpAllowed(anyV6, '1.2.3.4')).toBe(false);
  });
  it('treats an IPv4-mapped IPv6 range as the IPv4 range it names, so it matches clients', () => {
    const parsed = parseAllowList(['::ffff:10.0.0.0/104']);
    expect(parsed).toEqual({ ok: true, entries: ['10.0.0.0/8'] });
    if (parsed.ok) {
      expect(isIpAllowed(parsed.entries, '10.20.30.40')).toBe(true);
      expect(isIpAllowed(parsed.entries, '::ffff:10.20.30.40')).toBe(true);
      expect(isIpAllowed(parsed.entries, '11.0.0.1')).toBe(false);
    }
  });
});
