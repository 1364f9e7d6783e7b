import { MAX_GRACE_SECONDS, parseIsoDuration } from './duration';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GENERIC = 'must be an ISO-8601 duration such as PT1H, P1D or P7D';

describe('parseIsoDuration', () => {
  it.each([
    ['PT1H', HOUR],
    ['P1D', DAY],
    ['P7D', 7 * DAY],
    ['P1W', 7 * DAY],
    ['PT90M', 90 * 60_000],
    ['PT1M', 60_000],
    ['PT30S', 30_000],
    ['P1DT12H', 36 * HOUR],
    ['P1W2DT3H4M5S', 9 * DAY + 3 * HOUR + 4 * 60_000 + 5_000],
    ['PT0S', 0],
    ['P0D', 0],
  ])('%s is %i ms', (text, milliseconds) => {
    expect(parseIsoDuration(text)).toEqual({ ok: true, milliseconds });
  });

  it('accepts fractions of seconds, to the millisecond', () => {
    expect(parseIsoDuration('PT0.5S')).toEqual({ ok: true, milliseconds: 500 });
    expect(parseIsoDuration('PT1.25S')).toEqual({ ok: true, milliseconds: 1250 });
    expect(parseIsoDuration('PT0.001S')).toEqual({ ok: true, milliseconds: 1 });
  });

  it('refuses fractions of anything but seconds', () => {
    for (const text of ['PT1.5H', 'P1.5D', 'PT0.5M']) expect(parseIsoDuration(text)).toEqual({ ok: false, error: GENERIC });
  });

  it('refuses years and months, saying why and what to use instead', () => {
    const error = 'years and months are not supported; use days or weeks (e.g. P30D)';
    for (const text of ['P1Y', 'P1M', 'P1Y2M', 'P1MT1H', 'P2Y10D']) expect(parseIsoDuration(text)).toEqual({ ok: false, error });
  });

  it('reads M after T as minutes, not months', () => {
    expect(parseIsoDuration('PT5M')).toEqual({ ok: true, milliseconds: 5 * 60_000 });
  });

  it.each(['', 'P', 'PT', 'P1DT', '1h', 'PT1h', 'pt1h', 'one hour', '-PT1H', 'PT-1H', 'P1H', 'PT1D', 'PT1H1H', ' PT1H', 'PT1H ', 'P1D1W'])(
    'refuses %p',
    (text) => {
      expect(parseIsoDuration(text)).toEqual({ ok: false, error: GENERIC });
    },
  );

  it('refuses non-strings and over-long input', () => {
    expect(parseIsoDuration(undefined as unknown as string)).toEqual({ ok: false, error: GENERIC });
    expect(parseIsoDuration(3600 as unknown as string)).toEqual({ ok: false, error: GENERIC });
    expect(parseIsoDuration(`PT${'1'.repeat(100)}S`)).toEqual({ ok: false, error: GENERIC });
  });

  it(`accepts up to ${MAX_GRACE_SECONDS / 86400} days and refuses more`, () => {
    const over = { ok: false, error: 'must be at most 366 days' };
    expect(parseIsoDuration('P366D')).toEqual({ ok: true, milliseconds: MAX_GRACE_SECONDS * 1000 });
    expect(parseIsoDuration(`PT${MAX_GRACE_SECONDS}S`)).toEqual({ ok: true, milliseconds: MAX_GRACE_SECONDS * 1000 });
    expect(parseIsoDuration('P367D')).toEqual(over);
    expect(parseIsoDuration('P53W')).toEqual(over);
    expect(parseIsoDuration('P366DT1S')).toEqual(over);
    expect(parseIsoDuration(`PT${MAX_GRACE_SECONDS}.5S`)).toEqual(over);
    expect(parseIsoDuration('PT99999999999999H')).toEqual(over);
  });
});
