import { isDisplaySafe, parseIsoInstant } from './input-text';

describe('parseIsoInstant', () => {
  it('reads date-times with Z or an offset, with or without seconds and fractions', () => {
    expect(parseIsoInstant('2026-12-01T12:00:00Z')?.toISOString()).toBe('2026-12-01T12:00:00.000Z');
    expect(parseIsoInstant('2026-12-01T12:00Z')?.toISOString()).toBe('2026-12-01T12:00:00.000Z');
    expect(parseIsoInstant('2026-12-01T12:00:00.5+02:00')?.toISOString()).toBe('2026-12-01T10:00:00.500Z');
    expect(parseIsoInstant('2026-12-01T12:00:00.123456789-05:30')?.toISOString()).toBe('2026-12-01T17:30:00.123Z');
  });

  it('refuses days the month does not have instead of rolling over', () => {
    for (const text of [
      '2027-02-30T00:00:00Z',
      '2027-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '2026-06-31T23:59:59+01:00',
      '2026-09-31T00:00Z',
      '2026-11-31T00:00:00Z',
    ]) {
      expect([text, parseIsoInstant(text)]).toEqual([text, null]);
    }
  });

  it('accepts the last day of every month, and February 29 in leap years', () => {
    const last = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    last.forEach((day, i) => {
      const text = `2027-${String(i + 1).padStart(2, '0')}-${day}T00:00:00Z`;
      expect(parseIsoInstant(text)?.toISOString()).toBe(text.replace('Z', '.000Z'));
    });
    for (const year of ['2028', '2000', '2400']) expect(parseIsoInstant(`${year}-02-29T00:00:00Z`)).not.toBeNull();
  });

  it('refuses anything else', () => {
    for (const text of [
      '2026-12-01',
      '2026-12-01T12:00:00',
      '2026-13-01T00:00:00Z',
      '2026-12-00T00:00:00Z',
      '2026-12-01T24:00:00Z',
      '2026-12-01T12:00:60Z',
      '1700000000',
      '',
      'tomorrow',
      ' 2026-12-01T12:00:00Z',
    ]) {
      expect([text, parseIsoInstant(text)]).toEqual([text, null]);
    }
    expect(parseIsoInstant(null)).toBeNull();
    expect(parseIsoInstant(1700000000)).toBeNull();
  });
});

describe('isDisplaySafe', () => {
  it('accepts ordinary text in any script, emoji included', () => {
    for (const text of [
      'Checkout widget',
      'café ✓',
      'ключ для оплаты',
      'מפתח',
      '決済キー',
      'rocket 🚀',
      'a\u00a0b',
      'tab-free "quotes" <b>',
    ]) {
      expect([text, isDisplaySafe(text)]).toEqual([text, true]);
    }
  });

  it('refuses control characters: NUL, newlines, tabs, ESC, DEL, C1', () => {
    for (const text of [
      'a\u0000b',
      'line\nbreak',
      'cr\r',
      'tab\t',
      '\u001b[31mred\u001b[0m',
      'del\u007f',
      'c1\u0085',
      'c1\u009b',
      'ls\u2028',
      'ps\u2029',
    ]) {
      expect([JSON.stringify(text), isDisplaySafe(text)]).toEqual([JSON.stringify(text), false]);
    }
  });

  it('refuses bidirectional embeddings, overrides and isolates', () => {
    for (const code of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      expect([code.toString(16), isDisplaySafe(`invoice${String.fromCharCode(code)}fdp.exe`)]).toEqual([code.toString(16), false]);
    }
  });

  it('refuses unpaired surrogates, high or low, anywhere; paired ones are fine', () => {
    for (const text of ['\ud800', 'a\ud83d', '\ude80b', 'x\udc00\ud800y', '\ud83d\ud83d']) {
      expect([JSON.stringify(text), isDisplaySafe(text)]).toEqual([JSON.stringify(text), false]);
    }
    expect(isDisplaySafe('\ud83d\ude80')).toBe(true);
  });
});
