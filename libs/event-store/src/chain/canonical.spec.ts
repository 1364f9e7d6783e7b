import { createHash } from 'node:crypto';
import { auditForm, canonicalEvent, canonicalJson, chainLinkOf, eventHash, type HashableEvent } from './canonical';
import { ChainVerifier } from './chain-verifier';

const event: HashableEvent = {
  streamId: 'key-k1',
  revision: 2,
  id: '00000000-0000-4000-8000-000000000001',
  type: 'KeyRevoked',
  data: { keyId: 'k1', reason: 'rotated', tags: ['a', 'b'], nested: { z: 1, a: null } },
  metadata: { actor: { type: 'system', name: 't' }, occurredAt: '2026-01-01T00:00:00.000Z', chain: { v: 1, prev: null } },
};

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: 'é"' } })).toBe('{"a":{"c":"é\\"","d":[3,{"x":2,"y":1}]},"b":1}');
  });

  it('writes numbers and strings as JSON.stringify does, leaves out undefined members, refuses non-finite numbers', () => {
    expect(canonicalJson({ n: 1e21, m: 0.1, z: -0, u: undefined, s: '\u2028' })).toBe('{"m":0.1,"n":1e+21,"s":"\u2028","z":0}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/non-finite/);
  });
});

describe('canonicalEvent and eventHash', () => {
  it('cover exactly streamId, revision, id, type, data and metadata (not position or recordedAt)', () => {
    const withStoreFields = { ...event, position: 42n, recordedAt: new Date() } as HashableEvent;
    expect(canonicalEvent(withStoreFields)).toBe(canonicalEvent(event));
    expect(JSON.parse(canonicalEvent(event))).toEqual({ ...event });
    expect(eventHash(event)).toBe(createHash('sha256').update(canonicalEvent(event)).digest('hex'));
  });

  it('is the same whatever the order of keys', () => {
    const reordered: HashableEvent = {
      metadata: { chain: { prev: null, v: 1 }, occurredAt: '2026-01-01T00:00:00.000Z', actor: { name: 't', type: 'system' } },
      data: { nested: { a: null, z: 1 }, tags: ['a', 'b'], reason: 'rotated', keyId: 'k1' },
      type: 'KeyRevoked',
      id: event.id,
      revision: 2,
      streamId: 'key-k1',
    };
    expect(eventHash(reordered)).toBe(eventHash(event));
  });

  it('changes with any change of stream, revision, id, type, data or metadata', () => {
    const base = eventHash(event);
    const changed: HashableEvent[] = [
      { ...event, streamId: 'key-k2' },
      { ...event, revision: 3 },
      { ...event, id: '00000000-0000-4000-8000-000000000002' },
      { ...event, type: 'KeyExpired' },
      { ...event, data: { ...(event.data as object), reason: 'rotatee' } },
      { ...event, data: { ...(event.data as object), tags: ['b', 'a'] } },
      { ...event, data: { ...(event.data as object), extra: null } },
      { ...event, metadata: { ...(event.metadata as object), occurredAt: '2026-01-01T00:00:00.001Z' } },
      { ...event, metadata: { ...(event.metadata as object), chain: { v: 1, prev: 'a'.repeat(64) } } },
    ];
    const hashes = changed.map(eventHash);
    for (const hash of hashes) expect(hash).not.toBe(base);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

describe('the audit form (secret material replaced by its digest)', () => {
  const generated: HashableEvent = {
    ...event,
    revision: 0,
    type: 'KeyGenerated',
    data: { keyId: 'k1', secret: { version: 1, start: 'ak_live_abc', hash: 'f'.repeat(64), sealed: 'v1.c2VhbGVk', expiresAt: null } },
  };

  it("takes a secret's hash and sealed copy out of the data and puts the SHA-256 of their canonical JSON in their place", () => {
    const form = auditForm(generated.data);
    expect(form.data).toEqual({ keyId: 'k1', secret: { version: 1, start: 'ak_live_abc', expiresAt: null } });
    expect(form.secretDigest).toBe(
      createHash('sha256')
        .update(canonicalJson({ hash: 'f'.repeat(64), sealed: 'v1.c2VhbGVk' }))
        .digest('hex'),
    );
    expect(JSON.stringify(form)).not.toContain('f'.repeat(64));
    expect(JSON.stringify(form)).not.toContain('c2VhbGVk');
    // Data without secret material is its own audit form.
    expect(auditForm(event.data)).toEqual({ data: event.data });
    expect(auditForm({ secret: { version: 2, start: 'x' } })).toEqual({ data: { secret: { version: 2, start: 'x' } } });
  });

  it('hashes an event as stored and the same event in its audit form (an export line) alike', () => {
    const { data, secretDigest } = auditForm(generated.data);
    expect(eventHash({ ...generated, data, secretDigest })).toBe(eventHash(generated));
    expect(canonicalEvent(generated)).not.toContain('sealed');
  });

  it("changes with the secret's hash or sealed copy, and with a wrong digest on an audit form", () => {
    const secret = (generated.data as { secret: Record<string, unknown> }).secret;
    const base = eventHash(generated);
    expect(eventHash({ ...generated, data: { ...(generated.data as object), secret: { ...secret, sealed: 'v1.c2VhbGVl' } } })).not.toBe(
      base,
    );
    expect(eventHash({ ...generated, data: { ...(generated.data as object), secret: { ...secret, hash: 'e'.repeat(64) } } })).not.toBe(
      base,
    );
    const { data } = auditForm(generated.data);
    expect(eventHash({ ...generated, data, secretDigest: '0'.repeat(64) })).not.toBe(base);
  });
});

describe('chainLinkOf', () => {
  it('reads a link, tells an absent one from a malformed one', () => {
    expect(chainLinkOf({ chain: { v: 1, prev: null } })).toEqual({ v: 1, prev: null });
    expect(chainLinkOf({ chain: { v: 1, prev: 'f'.repeat(64) } })).toEqual({ v: 1, prev: 'f'.repeat(64) });
    expect(chainLinkOf({ actor: {} })).toBe('absent');
    expect(chainLinkOf(null)).toBe('absent');
    expect(chainLinkOf({ chain: { v: 2, prev: null } })).toBe('malformed');
    expect(chainLinkOf({ chain: { v: 1, prev: 'F'.repeat(64) } })).toBe('malformed');
    expect(chainLinkOf({ chain: 'x' })).toBe('malformed');
  });
});

describe('ChainVerifier', () => {
  /** A chained stream of n events, as the write side stamps them. */
  const chain = (streamId: string, n: number, from = 0, prev: string | null = null, position = 1) => {
    const events = [];
    for (let r = from; r < from + n; r++) {
      const e = {
        streamId,
        revision: r,
        id: `${streamId}-${r}`,
        type: 'T',
        data: { r },
        metadata: { chain: { v: 1, prev } },
        position: BigInt(position++),
      };
      prev = eventHash(e);
      events.push(e);
    }
    return events;
  };

  it('reports an intact chain, and counts events and streams', () => {
    const v = new ChainVerifier();
    for (const e of [...chain('a', 3), ...chain('b', 2, 0, null, 10)]) expect(v.check(e)).toBeNull();
    expect(v.report()).toMatchObject({
      intact: true,
      events: 5,
      streams: 2,
      chainedEvents: 5,
      legacyEvents: 0,
      breaks: 0,
      firstBreak: null,
    });
  });

  it('names a changed event by the next event of its stream, with the changed one as previous', () => {
    const events = chain('a', 3);
    events[1].data.r = 99;
    const v = new ChainVerifier();
    events.forEach((e) => v.check(e));
    expect(v.report().firstBreak).toMatchObject({
      kind: 'hash-mismatch',
      streamId: 'a',
      revision: 2,
      position: '3',
      previous: { revision: 1, position: '2' },
    });
  });

  it('tells a revision gap, a reorder, a link removed from a chained stream', () => {
    const gap = chain('a', 4);
    const v1 = new ChainVerifier();
    [gap[0], gap[1], gap[3]].forEach((e) => v1.check(e));
    expect(v1.report().firstBreak).toMatchObject({ kind: 'revision-gap', revision: 3 });

    const swapped = chain('a', 3);
    const v2 = new ChainVerifier();
    const found = [swapped[0], swapped[2], swapped[1]].map((e) => v2.check(e));
    // Revision 2 read before 1: it looks like a gap at first, and then 1 comes after 2.
    expect(found.map((b) => b?.kind ?? null)).toEqual([null, 'revision-gap', 'reorder']);
    expect(found[2]).toMatchObject({ revision: 1, previous: { revision: 2 } });

    const stripped = chain('a', 3);
    stripped[2].metadata = {} as never;
    const v3 = new ChainVerifier();
    stripped.forEach((e) => v3.check(e));
    expect(v3.report().firstBreak).toMatchObject({ kind: 'chain-missing', revision: 2 });
  });

  it('counts unhashed streams and a chain that starts after unhashed events, without failing them', () => {
    const legacy = (streamId: string, r: number) => ({
      streamId,
      revision: r,
      id: `${streamId}-${r}`,
      type: 'T',
      data: {},
      metadata: {},
      position: 1n,
    });
    const v = new ChainVerifier();
    const old = [legacy('a', 0), legacy('a', 1), legacy('b', 0)];
    old.forEach((e) => v.check(e));
    chain('a', 2, 2, eventHash(old[1])).forEach((e) => v.check(e));
    expect(v.report()).toMatchObject({ intact: true, legacyEvents: 3, legacyStreams: 1, lateStartStreams: 1, chainedEvents: 2 });
  });
});
