import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { PartnerKeyCache, PartnerKeysUnavailableError, parsePartnerKeys, signatureMatches } from './partner-keys';
import { MemoryReplayGuard } from './replay-guard';

const pair = (namedCurve = 'P-256') => generateKeyPairSync('ec', { namedCurve });
const pemOf = (key: ReturnType<typeof pair>['publicKey']) => key.export({ type: 'spki', format: 'pem' }).toString();
const document = (...keys: [string, string][]) => ({
  public_keys: keys.map(([id, pem]) => ({ key_identifier: id, key: pem, is_current: true })),
});

describe('signatureMatches (ECDSA P-256, SHA-256, DER, base64 over the exact body)', () => {
  const { publicKey, privateKey } = pair();
  const body = Buffer.from('[{"token":"ak_live_x","type":"t","url":"u"}]');
  const signature = sign('sha256', body, { key: privateKey, dsaEncoding: 'der' }).toString('base64');

  it('accepts the partner’s signature of these bytes', () => {
    expect(signatureMatches(body, signature, publicKey)).toBe(true);
  });

  it('refuses another body, another key, and what is not a signature', () => {
    expect(signatureMatches(Buffer.from(`${body.toString()} `), signature, publicKey)).toBe(false);
    expect(signatureMatches(body, signature, pair().publicKey)).toBe(false);
    expect(signatureMatches(body, 'not base64 at all!', publicKey)).toBe(false);
    expect(signatureMatches(body, Buffer.alloc(64, 1).toString('base64'), publicKey)).toBe(false);
    // The raw (IEEE P1363) form of a valid signature is not what the program sends.
    const raw = sign('sha256', body, { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64');
    expect(signatureMatches(body, raw, publicKey)).toBe(false);
  });
});

describe('parsePartnerKeys', () => {
  it('keeps the P-256 keys by id and leaves out anything else', () => {
    const p256 = pemOf(pair().publicKey);
    const p384 = pemOf(pair('P-384').publicKey);
    const keys = parsePartnerKeys(document(['a', p256], ['b', p384], ['c', 'not a pem']));
    expect([...keys.keys()]).toEqual(['a']);
  });

  it('refuses a document with no usable key', () => {
    expect(() => parsePartnerKeys({})).toThrow(/public_keys/);
    expect(() => parsePartnerKeys(document(['b', pemOf(pair('P-384').publicKey)]))).toThrow(/P-256/);
  });
});

describe('PartnerKeyCache', () => {
  const first = pemOf(pair().publicKey);
  const second = pemOf(pair().publicKey);
  let now = 0;
  let served: unknown;
  let calls = 0;
  let failing = false;
  const fetchStub = (async () => {
    calls++;
    if (failing) throw new Error('connect ECONNREFUSED');
    return new Response(JSON.stringify(served), { status: 200 });
  }) as unknown as typeof fetch;
  const cache = () =>
    new PartnerKeyCache({
      url: 'https://keys.example/secret_scanning',
      ttlMs: 60_000,
      refetchIntervalMs: 10_000,
      fetch: fetchStub,
      now: () => now,
    });

  beforeEach(() => {
    now = 1_000_000;
    calls = 0;
    failing = false;
    served = document(['k1', first]);
  });

  it('fetches once and answers from the cache within the TTL, then fetches again', async () => {
    const keys = cache();
    expect(await keys.key('k1')).not.toBeNull();
    now += 59_000;
    expect(await keys.key('k1')).not.toBeNull();
    expect(calls).toBe(1);
    now += 2_000;
    await keys.key('k1');
    expect(calls).toBe(2);
  });

  it('fetches again for a key id it does not know (a rotation), at most once per refetch interval', async () => {
    const keys = cache();
    await keys.key('k1');
    served = document(['k1', first], ['k2', second]);
    // Fetched only 1 s ago: an unknown id does not fetch yet.
    now += 1_000;
    expect(await keys.key('k2')).toBeNull();
    expect(calls).toBe(1);
    now += 10_000;
    expect(await keys.key('k2')).not.toBeNull();
    expect(calls).toBe(2);
    // Unknown ids cannot make it fetch more than once per interval.
    expect(await keys.key('k3')).toBeNull();
    expect(await keys.key('k4')).toBeNull();
    expect(calls).toBe(2);
  });

  it('fails closed when nothing was ever fetched, and keeps the cached keys when a later fetch fails', async () => {
    failing = true;
    const keys = cache();
    await expect(keys.key('k1')).rejects.toThrow(PartnerKeysUnavailableError);
    failing = false;
    now += 10_000;
    expect(await keys.key('k1')).not.toBeNull();
    failing = true;
    now += 120_000; // past the TTL, and the keys endpoint is down
    expect(await keys.key('k1')).not.toBeNull();
  });

  it('one fetch serves the requests that arrive while it runs', async () => {
    const keys = cache();
    await Promise.all([keys.key('k1'), keys.key('k1'), keys.key('zz')]);
    expect(calls).toBe(1);
  });

  it('treats an answer that is not a keys document as a failed fetch', async () => {
    served = { message: 'rate limited' };
    await expect(cache().key('k1')).rejects.toThrow(PartnerKeysUnavailableError);
  });
});

describe('MemoryReplayGuard', () => {
  it('claims a report once until its time passes; a released claim can be taken again', async () => {
    let now = 0;
    const guard = new MemoryReplayGuard(() => now);
    const id = createHash('sha256').update('body').digest('hex');
    expect(await guard.claim(id, 1000)).toBe(true);
    expect(await guard.claim(id, 1000)).toBe(false);
    await guard.release(id);
    expect(await guard.claim(id, 1000)).toBe(true);
    now += 1000;
    expect(await guard.claim(id, 1000)).toBe(true);
  });
});
