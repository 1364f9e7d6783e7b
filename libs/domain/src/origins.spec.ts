import { isOriginAllowed, MAX_ALLOWED_ORIGINS, normalizeOrigin, parseOrigins } from './origins';

describe('allowed origins of publishable keys', () => {
  it('normalises an origin: lower case, default port dropped, a trailing slash allowed', () => {
    expect(normalizeOrigin('https://Shop.Example')).toBe('https://shop.example');
    expect(normalizeOrigin('https://shop.example:443/')).toBe('https://shop.example');
    expect(normalizeOrigin('https://shop.example:8443')).toBe('https://shop.example:8443');
    expect(normalizeOrigin('http://localhost:5173')).toBe('http://localhost:5173');
    expect(normalizeOrigin('https://bücher.example')).toBe('https://xn--bcher-kva.example');
  });

  it.each([
    ['plain http off localhost', 'http://shop.example'],
    ['a path', 'https://shop.example/checkout'],
    ['a query', 'https://shop.example?x=1'],
    ['a fragment', 'https://shop.example#top'],
    ['credentials', 'https://user:pw@shop.example'],
    ['another scheme', 'ftp://shop.example'],
    ['no scheme', 'shop.example'],
    ['a sandboxed page', 'null'],
    ['a wildcard', 'https://*.shop.example'],
    ['empty', ''],
    ['not a string', 42],
  ])('is not an origin: %s', (_what, text) => {
    expect(normalizeOrigin(text)).toBeNull();
  });

  it('parses a list: normalised, duplicates removed, order kept; errors by index, never quoting a value', () => {
    expect(parseOrigins(['https://b.example', 'https://A.example', 'https://b.example/'])).toEqual({
      ok: true,
      value: ['https://b.example', 'https://a.example'],
    });
    const bad = parseOrigins(['https://ok.example', 'http://SENTINEL.example/path']);
    expect(bad).toMatchObject({ ok: false });
    expect(JSON.stringify(bad)).toContain('allowedOrigins[1]');
    expect(JSON.stringify(bad)).not.toContain('SENTINEL');
    expect(parseOrigins(Array.from({ length: MAX_ALLOWED_ORIGINS + 1 }, (_, i) => `https://s${i}.example`))).toMatchObject({ ok: false });
  });

  it('allows exactly the listed origins, in any spelling of them, and never a request without one', () => {
    const allowed = ['https://shop.example', 'http://localhost:3000'];
    expect(isOriginAllowed(allowed, 'https://SHOP.example:443')).toBe(true);
    expect(isOriginAllowed(allowed, 'http://localhost:3000')).toBe(true);
    expect(isOriginAllowed(allowed, 'https://evil.example')).toBe(false);
    expect(isOriginAllowed(allowed, 'https://shop.example.evil.example')).toBe(false);
    expect(isOriginAllowed(allowed, 'http://shop.example')).toBe(false);
    expect(isOriginAllowed(allowed, 'null')).toBe(false);
    expect(isOriginAllowed(allowed, undefined)).toBe(false);
  });
});
