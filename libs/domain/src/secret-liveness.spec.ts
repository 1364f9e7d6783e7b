import { cappedExpiry, effectivePrevious, hasExpired, isLive, outlives } from './secret-liveness';

const T0 = new Date('2025-03-10T12:00:00.000Z');
const T0_ISO = T0.toISOString();
const ms = T0.getTime();
const iso = (offsetMs: number) => new Date(ms + offsetMs).toISOString();

describe('secret liveness', () => {
  describe('hasExpired / isLive', () => {
    it('a secret without expiry never expires', () => {
      expect(hasExpired(null, T0)).toBe(false);
      expect(isLive({ expiresAt: null }, new Date(8.64e15))).toBe(true);
    });

    it('is live strictly before its expiry and expired from the exact instant on', () => {
      expect(isLive({ expiresAt: T0_ISO }, ms - 1)).toBe(true);
      expect(isLive({ expiresAt: T0_ISO }, ms)).toBe(false);
      expect(isLive({ expiresAt: T0_ISO }, ms + 1)).toBe(false);
      expect(hasExpired(T0_ISO, ms - 1)).toBe(false);
      expect(hasExpired(T0_ISO, ms)).toBe(true);
    });

    it('reads the same from ISO strings or epoch milliseconds, at a Date or epoch milliseconds', () => {
      for (const now of [ms - 1, ms, ms + 1]) {
        const answers = [hasExpired(T0_ISO, now), hasExpired(ms, now), hasExpired(T0_ISO, new Date(now)), hasExpired(ms, new Date(now))];
        expect(new Set(answers).size).toBe(1);
        expect(isLive({ expiresAt: ms }, now)).toBe(!answers[0]);
      }
    });

    it('an expiry that does not parse counts as passed (fail closed)', () => {
      expect(hasExpired('not a date', T0)).toBe(true);
      expect(isLive({ expiresAt: Number.NaN }, T0)).toBe(false);
    });
  });

  describe('outlives', () => {
    it('nothing outlives a secret that never expires', () => {
      expect(outlives(null, null)).toBe(false);
      expect(outlives(iso(3_600_000), null)).toBe(false);
    });

    it('a secret that never expires outlives one that does', () => {
      expect(outlives(null, T0_ISO)).toBe(true);
    });

    it('later outlives; the same instant does not', () => {
      expect(outlives(iso(1), T0_ISO)).toBe(true);
      expect(outlives(T0_ISO, T0_ISO)).toBe(false);
      expect(outlives(ms, T0_ISO)).toBe(false);
      expect(outlives(iso(-1), T0_ISO)).toBe(false);
    });

    it('an expiry that does not parse outlives any cap (fail closed)', () => {
      expect(outlives('not a date', T0_ISO)).toBe(true);
      expect(outlives(T0_ISO, 'not a date')).toBe(true);
    });
  });

  describe('cappedExpiry', () => {
    it('is the earlier of the two, null being never', () => {
      expect(cappedExpiry(iso(60_000), T0_ISO)).toBe(T0_ISO);
      expect(cappedExpiry(iso(-60_000), T0_ISO)).toBe(iso(-60_000));
      expect(cappedExpiry(T0_ISO, null)).toBe(T0_ISO);
      expect(cappedExpiry(null, T0_ISO)).toBe(T0_ISO);
      expect(cappedExpiry(null, null)).toBeNull();
    });

    it('keeps its own expiry (the same string) at the same instant', () => {
      const sameInstant = '2025-03-10T13:00:00.000+01:00';
      expect(cappedExpiry(sameInstant, T0_ISO)).toBe(sameInstant);
    });
  });

  describe('effectivePrevious', () => {
    const previous = (expiresAt: string | null) => ({ version: 1, start: 'ak_live_old', expiresAt });

    it('is unchanged (the same object) while the current secret never expires', () => {
      const p = previous(iso(3_600_000));
      expect(effectivePrevious(p, { expiresAt: null })).toBe(p);
    });

    it('is unchanged when its own expiry comes first or at the same instant', () => {
      const earlier = previous(iso(-1));
      const same = previous(T0_ISO);
      expect(effectivePrevious(earlier, { expiresAt: T0_ISO })).toBe(earlier);
      expect(effectivePrevious(same, { expiresAt: T0_ISO })).toBe(same);
    });

    it('is cut to the current secret’s expiry when it would outlive it, keeping the rest', () => {
      const later = previous(iso(60_000));
      expect(effectivePrevious(later, { expiresAt: T0_ISO })).toEqual({ version: 1, start: 'ak_live_old', expiresAt: T0_ISO });
      expect(later.expiresAt).toBe(iso(60_000));
      expect(effectivePrevious(previous(null), { expiresAt: T0_ISO })).toEqual(previous(T0_ISO));
    });

    it('so an older secret is never live when the current one is not', () => {
      const currents = [null, iso(-1), T0_ISO, iso(1)];
      const previouses = [null, iso(-2), iso(-1), T0_ISO, iso(1), iso(2)];
      for (const c of currents) {
        for (const p of previouses) {
          const effective = effectivePrevious(previous(p), { expiresAt: c });
          for (const now of [ms - 2, ms - 1, ms, ms + 1, ms + 2]) {
            if (!isLive({ expiresAt: c }, now)) expect(isLive(effective, now)).toBe(false);
            expect(isLive(effective, now)).toBe(isLive({ expiresAt: p }, now) && isLive({ expiresAt: c }, now));
          }
        }
      }
    });
  });
});
