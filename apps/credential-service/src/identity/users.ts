/**
 * Local users of the embedded sign-in: DATA_DIR/users.json (mode 0600), written by `npm run user`
 * (scripts/user.js) and read here on every sign-in, so a user added or a password changed applies at once.
 * Passwords are scrypt hashes with a per-user salt and their parameters recorded; compared in constant time.
 */
import { scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const USER_ROLES = ['owner', 'admin', 'developer', 'auditor', 'viewer'] as const;

export interface PasswordHash {
  alg: 'scrypt';
  N: number;
  r: number;
  p: number;
  keyLength: number;
  salt: string;
  hash: string;
}

export interface LocalUser {
  id: string;
  email: string;
  account: string;
  role: string;
  password: PasswordHash;
  createdAt: string;
  passwordChangedAt: string;
}

export const usersPath = (dataDir: string): string => join(dataDir, 'users.json');

const scrypt = (password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCallback(password, salt, keyLength, options, (e, key) => (e ? reject(e) : resolve(key))));

/** Compared against when the email is unknown, so an unknown user takes as long as a wrong password. */
const DECOY: PasswordHash = {
  alg: 'scrypt',
  N: 32768,
  r: 8,
  p: 1,
  keyLength: 64,
  salt: Buffer.alloc(16, 1).toString('base64url'),
  hash: Buffer.alloc(64, 2).toString('base64url'),
};

function plausible(hash: PasswordHash): boolean {
  return (
    hash?.alg === 'scrypt' &&
    Number.isInteger(hash.N) &&
    hash.N >= 1024 &&
    hash.N <= 1 << 20 &&
    Number.isInteger(hash.r) &&
    hash.r >= 1 &&
    hash.r <= 32 &&
    Number.isInteger(hash.p) &&
    hash.p >= 1 &&
    hash.p <= 16 &&
    Number.isInteger(hash.keyLength) &&
    hash.keyLength >= 32 &&
    hash.keyLength <= 128
  );
}

export async function passwordMatches(password: string, stored: PasswordHash): Promise<boolean> {
  if (!plausible(stored)) return false;
  const expected = Buffer.from(stored.hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(stored.salt, 'base64url'), stored.keyLength, {
    N: stored.N,
    r: stored.r,
    p: stored.p,
    maxmem: 256 * stored.N * stored.r + 1024 * 1024,
  });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export class UserStore {
  constructor(private readonly dataDir: string) {}

  all(): LocalUser[] {
    const path = usersPath(this.dataDir);
    if (!existsSync(path)) return [];
    const file = JSON.parse(readFileSync(path, 'utf8')) as { users?: LocalUser[] };
    return Array.isArray(file.users) ? file.users : [];
  }

  byId(id: string): LocalUser | undefined {
    return this.all().find((u) => u.id === id);
  }

  byEmail(email: string): LocalUser | undefined {
    const wanted = email.trim().toLowerCase();
    return this.all().find((u) => u.email === wanted);
  }

  /** The user when the password is theirs; the same work is done for an unknown email. */
  async authenticate(email: string, password: string): Promise<LocalUser | null> {
    const user = this.byEmail(email);
    const ok = await passwordMatches(password, user?.password ?? DECOY);
    return user && ok ? user : null;
  }
}
