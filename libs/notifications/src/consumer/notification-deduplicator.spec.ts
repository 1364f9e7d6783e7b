import { NotificationDeduplicator } from './notification-deduplicator';

describe('NotificationDeduplicator', () => {
  it('a handled id is a duplicate; an id only looked at is not (mark after handling)', () => {
    const dedup = new NotificationDeduplicator({ maxEntries: 10 });
    expect(dedup.isDuplicate('a')).toBe(false);
    // Handling failed: nothing marked, so the redelivered copy is handled again.
    expect(dedup.isDuplicate('a')).toBe(false);
    dedup.markHandled('a');
    expect(dedup.isDuplicate('a')).toBe(true);
    expect(dedup.isDuplicate('b')).toBe(false);
  });

  it('remembers the last maxEntries ids marked; marking one again makes it the newest', () => {
    const dedup = new NotificationDeduplicator({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c']) dedup.markHandled(id);
    dedup.markHandled('a');
    dedup.markHandled('d');
    expect(['a', 'b', 'c', 'd'].map((id) => dedup.isDuplicate(id))).toEqual([true, false, true, true]);
    expect(dedup.size).toBe(3);
    for (let i = 0; i < 10_000; i++) dedup.markHandled(`id-${i}`);
    expect(dedup.size).toBe(3);
  });

  it('with ttlMs, forgets an id that long after it was marked', () => {
    let now = 1_000;
    const dedup = new NotificationDeduplicator({ maxEntries: 100, ttlMs: 60_000, now: () => now });
    dedup.markHandled('a');
    now += 30_000;
    dedup.markHandled('b');
    now += 29_999;
    expect([dedup.isDuplicate('a'), dedup.isDuplicate('b')]).toEqual([true, true]);
    now += 1;
    expect([dedup.isDuplicate('a'), dedup.isDuplicate('b')]).toEqual([false, true]);
    expect(dedup.size).toBe(1);
    now += 30_000;
    expect(dedup.size).toBe(0);
  });

  it('refuses a bound that is not one', () => {
    expect(() => new NotificationDeduplicator({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new NotificationDeduplicator({ maxEntries: 1.5 })).toThrow(RangeError);
    expect(() => new NotificationDeduplicator({ maxEntries: 1, ttlMs: 0 })).toThrow(RangeError);
  });
});
