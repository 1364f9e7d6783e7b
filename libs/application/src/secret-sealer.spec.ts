/**
 * SecretSealer: AES-256-GCM with the key id and secret version bound in as additional data, and
 * master-key rotation through MASTER_KEYS_PREVIOUS (each sealed copy names its master key by kid).
 */
import type { SealedSecret } from '@cs/domain';
import { SealedSecretUnavailableError, SecretSealer } from './secret-sealer';

const OLD_MASTER = Buffer.alloc(32, 1);
const NEW_MASTER = Buffer.alloc(32, 2);
const OTHER_MASTER = Buffer.alloc(32, 3);
const SECRET = 'ak_live_4eC39HqLyjWDarjtT1zdp7dc0123456789AbCdEfGhIjK';
const BINDING = { keyId: 'key_01J9ZQ4XKM3V8Y2T6B7N5C1D0E', secretVersion: 2 };

/** Flips one bit of a base64url field, keeping its length. */
function flipBit(field: string, byte = 0): string {
  const bytes = Buffer.from(field, 'base64url');
  bytes[byte] ^= 0x01;
  return bytes.toString('base64url');
}

/** Asserts `open` refuses with SealedSecretUnavailableError whose message matches. */
function expectUnavailable(open: () => string, message: RegExp): void {
  let thrown: unknown = null;
  try {
    open();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SealedSecretUnavailableError);
  expect((thrown as SealedSecretUnavailableError).message).toMatch(message);
  expect((thrown as SealedSecretUnavailableError).retryable).toBe(false);
  // Never the plaintext in an error.
  expect((thrown as Error).message).not.toContain(SECRET);
}

describe('SecretSealer', () => {
  const sealer = new SecretSealer(NEW_MASTER);

  it('opens what it sealed, with the same key id and version', () => {
    const sealed = sealer.seal(SECRET, BINDING);
    expect(sealer.open(sealed, BINDING)).toBe(SECRET);
  });

  it('seals with AES-256-GCM under the current master key id, a 96-bit IV and a 128-bit tag, never the plaintext', () => {
    const sealed = sealer.seal(SECRET, BINDING);
    expect(sealed.alg).toBe('A256GCM');
    expect(sealed.kid).toBe(SecretSealer.kidOf(NEW_MASTER));
    expect(Buffer.from(sealed.iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(sealed.tag, 'base64url')).toHaveLength(16);
    expect(Buffer.from(sealed.ciphertext, 'base64url')).toHaveLength(Buffer.byteLength(SECRET));
    expect(JSON.stringify(sealed)).not.toContain(SECRET);
    expect(Buffer.from(sealed.ciphertext, 'base64url').toString('utf8')).not.toContain(SECRET.slice(8, 20));
  });

  it('uses a fresh IV for every seal of the same secret', () => {
    const a = sealer.seal(SECRET, BINDING);
    const b = sealer.seal(SECRET, BINDING);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  describe('binding to the key id and secret version', () => {
    it('a copy opened for another key id fails', () => {
      const sealed = sealer.seal(SECRET, BINDING);
      expectUnavailable(() => sealer.open(sealed, { ...BINDING, keyId: 'key_01J9ZQ4XKM3V8Y2T6B7N5C1D0F' }), /failed authentication/);
    });

    it('a copy opened for another secret version of the same key fails', () => {
      const sealed = sealer.seal(SECRET, BINDING);
      expectUnavailable(() => sealer.open(sealed, { ...BINDING, secretVersion: 1 }), /failed authentication/);
      expectUnavailable(() => sealer.open(sealed, { ...BINDING, secretVersion: 3 }), /failed authentication/);
    });

    it('the binding is not ambiguous where key id and version meet', () => {
      // "key_1#23" must not be the additional data of ("key_1#2", 3) as well: ids never hold '#',
      // but a version and a key id that end in digits must not run together.
      const sealed = sealer.seal(SECRET, { keyId: 'key_1', secretVersion: 23 });
      expectUnavailable(() => sealer.open(sealed, { keyId: 'key_12', secretVersion: 3 }), /failed authentication/);
    });
  });

  describe('tampering', () => {
    const sealed = (): SealedSecret => sealer.seal(SECRET, BINDING);

    it.each([
      ['ciphertext', (s: SealedSecret): SealedSecret => ({ ...s, ciphertext: flipBit(s.ciphertext) })],
      [
        'ciphertext (last byte)',
        (s: SealedSecret): SealedSecret => ({ ...s, ciphertext: flipBit(s.ciphertext, Buffer.byteLength(SECRET) - 1) }),
      ],
      ['iv', (s: SealedSecret): SealedSecret => ({ ...s, iv: flipBit(s.iv) })],
      ['tag', (s: SealedSecret): SealedSecret => ({ ...s, tag: flipBit(s.tag) })],
      [
        'tag truncated to 4 bytes',
        (s: SealedSecret): SealedSecret => ({ ...s, tag: Buffer.from(s.tag, 'base64url').subarray(0, 4).toString('base64url') }),
      ],
      ['tag removed', (s: SealedSecret): SealedSecret => ({ ...s, tag: '' })],
      [
        'ciphertext truncated',
        (s: SealedSecret): SealedSecret => ({ ...s, ciphertext: Buffer.from(s.ciphertext, 'base64url').subarray(1).toString('base64url') }),
      ],
    ])('an altered %s fails authentication', (_field, alter) => {
      expectUnavailable(() => sealer.open(alter(sealed()), BINDING), /failed authentication/);
    });

    it('the ciphertext of one sealed copy with the iv and tag of another fails', () => {
      const a = sealed();
      const b = sealer.seal('ak_live_someOtherSecret0000000000000000000000000', BINDING);
      expectUnavailable(() => sealer.open({ ...a, ciphertext: b.ciphertext }, BINDING), /failed authentication/);
    });
  });

  describe('master keys', () => {
    it('a copy naming a master key that is not configured fails clearly, naming the kid', () => {
      const foreign = new SecretSealer(OTHER_MASTER).seal(SECRET, BINDING);
      expectUnavailable(
        () => sealer.open(foreign, BINDING),
        new RegExp(`master key ${SecretSealer.kidOf(OTHER_MASTER)} is not configured`),
      );
    });

    it('an unknown kid is refused as not configured, not as tampering', () => {
      const copy = sealer.seal(SECRET, BINDING);
      expectUnavailable(() => sealer.open({ ...copy, kid: 'ffffffffffff' }, BINDING), /master key ffffffffffff is not configured/);
    });

    it('a copy relabelled with another configured kid fails authentication', () => {
      const both = new SecretSealer(NEW_MASTER, [OLD_MASTER]);
      const copy = both.seal(SECRET, BINDING);
      expectUnavailable(() => both.open({ ...copy, kid: SecretSealer.kidOf(OLD_MASTER) }, BINDING), /failed authentication/);
    });

    it('the kid is a stable fingerprint of the master key, and differs between master keys', () => {
      expect(SecretSealer.kidOf(NEW_MASTER)).toBe(SecretSealer.kidOf(Buffer.alloc(32, 2)));
      expect(SecretSealer.kidOf(NEW_MASTER)).toMatch(/^[0-9a-f]{12}$/);
      expect(SecretSealer.kidOf(NEW_MASTER)).not.toBe(SecretSealer.kidOf(OLD_MASTER));
      // The kid does not reveal the key: it is not a prefix of its hex or base64.
      expect(NEW_MASTER.toString('hex')).not.toContain(SecretSealer.kidOf(NEW_MASTER));
    });

    it('refuses a master key that is not 32 bytes, current or previous', () => {
      expect(() => new SecretSealer(Buffer.alloc(31, 1))).toThrow(RangeError);
      expect(() => new SecretSealer(NEW_MASTER, [Buffer.alloc(16, 1)])).toThrow(RangeError);
    });
  });

  describe('rotation (MASTER_KEYS_PREVIOUS)', () => {
    const before = new SecretSealer(OLD_MASTER);
    const after = new SecretSealer(NEW_MASTER, [OLD_MASTER]);

    it('a copy sealed under the older master key opens after the rotation', () => {
      const old = before.seal(SECRET, BINDING);
      expect(old.kid).toBe(SecretSealer.kidOf(OLD_MASTER));
      expect(after.open(old, BINDING)).toBe(SECRET);
    });

    it('a new seal uses the current master key, which the old configuration cannot open', () => {
      const fresh = after.seal(SECRET, BINDING);
      expect(fresh.kid).toBe(SecretSealer.kidOf(NEW_MASTER));
      expect(new SecretSealer(NEW_MASTER).open(fresh, BINDING)).toBe(SECRET);
      expectUnavailable(() => before.open(fresh, BINDING), /is not configured/);
    });

    it('the binding still holds for copies under the previous master key', () => {
      const old = before.seal(SECRET, BINDING);
      expectUnavailable(() => after.open(old, { ...BINDING, secretVersion: 1 }), /failed authentication/);
    });

    it('without the previous key, an older copy is refused as not configured', () => {
      const old = before.seal(SECRET, BINDING);
      expectUnavailable(() => new SecretSealer(NEW_MASTER).open(old, BINDING), /is not configured/);
    });

    it('with several previous master keys, copies sealed under each open; new seals use the current one', () => {
      const oldest = Buffer.alloc(32, 9);
      const rotated = new SecretSealer(NEW_MASTER, [OLD_MASTER, oldest]);
      expect(rotated.open(before.seal(SECRET, BINDING), BINDING)).toBe(SECRET);
      expect(rotated.open(new SecretSealer(oldest).seal(SECRET, BINDING), BINDING)).toBe(SECRET);
      expect(rotated.seal(SECRET, BINDING).kid).toBe(SecretSealer.kidOf(NEW_MASTER));
    });
  });
});
