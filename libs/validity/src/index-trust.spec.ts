import { IndexUnavailableError, TrustTracker } from './index-trust';

/** A tracker as a running process has it: connected, revalidated once, and reading position `at`. */
function current(at = '10'): TrustTracker {
  const tracker = new TrustTracker();
  tracker.connected();
  tracker.revalidate(0n);
  tracker.observe('g1', at);
  return tracker;
}

describe('TrustTracker: when a shared index may answer', () => {
  it('starts untrusted: nothing is answered before the first revalidation against the store', () => {
    const tracker = new TrustTracker();
    expect(() => tracker.check()).toThrow(IndexUnavailableError);
    tracker.connected();
    expect(() => tracker.check()).toThrow('not yet revalidated');
    tracker.revalidate(5n);
    expect(() => tracker.check()).not.toThrow();
    expect(() => tracker.observe('g1', '4')).toThrow('behind');
    expect(() => tracker.observe('g1', '5')).not.toThrow();
    expect(tracker.health()).toMatchObject({ state: 'trusted', trusted: true, position: 5n, required: 5n });
  });

  it('never trusts a position below one it has already seen (an index that went back in time)', () => {
    const tracker = current('10');
    expect(() => tracker.observe('g1', '9')).toThrow('behind');
    expect(tracker.health()).toMatchObject({ state: 'behind', trusted: false, position: 9n, required: 10n });
    expect(() => tracker.observe('g2', '10')).not.toThrow(); // a rebuild's generation, as far on: fine
    expect(tracker.health().trusted).toBe(true);
  });

  it('treats a missing generation or position as an empty index: untrusted, and an incident', () => {
    const tracker = current();
    expect(() => tracker.observe(null, null)).toThrow('empty');
    expect(tracker.health()).toMatchObject({ state: 'untrusted', empty: true, incident: true });
    expect(() => tracker.check()).toThrow('not yet revalidated');
  });

  it('opens on a failed read or a lost connection, and closes only on revalidation with a head that is then applied', () => {
    const tracker = current('10');
    tracker.fail(new Error('Command timed out'));
    expect(() => tracker.check()).toThrow('not yet revalidated');
    tracker.revalidate(12n);
    expect(() => tracker.check()).not.toThrow();
    expect(() => tracker.observe('g1', '11')).toThrow('behind');
    expect(() => tracker.observe('g1', '12')).not.toThrow();

    tracker.disconnected('connection closed');
    expect(tracker.health()).toMatchObject({ state: 'unreachable', incident: true });
    expect(() => tracker.check()).toThrow('unreachable');
    tracker.connected();
    expect(() => tracker.check()).toThrow('not yet revalidated'); // reconnected is not enough
    tracker.revalidate(12n);
    expect(() => tracker.check()).not.toThrow();
  });

  it('requires an appended position whose inline write failed', () => {
    const tracker = current('10');
    tracker.requirePosition(15n);
    expect(() => tracker.observe('g1', '14')).toThrow('behind');
    expect(() => tracker.observe('g1', '15')).not.toThrow();
    tracker.requirePosition(3n); // lower: no effect
    expect(tracker.health()).toMatchObject({ trusted: true, required: 15n });
  });

  it('reports a changed identity (another server behind the same address) as an incident', () => {
    const tracker = current();
    tracker.setIdentity('redis run_id a');
    expect(tracker.health().incident).toBe(false);
    tracker.setIdentity('redis run_id b');
    expect(tracker.health()).toMatchObject({ incident: true, trusted: false });
  });

  it('tells listeners about each change of state', () => {
    const tracker = current();
    const states: string[] = [];
    tracker.onChange((health) => states.push(health.state));
    tracker.disconnected('x');
    tracker.connected();
    tracker.revalidate(10n);
    expect(states).toEqual(['unreachable', 'untrusted', 'trusted']);
  });
});
