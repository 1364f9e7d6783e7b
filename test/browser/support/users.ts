/**
 * Local users of the embedded sign-in, created as an operator does: `npm run user -- add` (scripts/user.js)
 * with the service's DATA_DIR, the password on stdin (--password-stdin), never as an argument. The service
 * reads DATA_DIR/users.json at every sign-in, so users can be added while it runs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, type BuiltService } from './service';
import type { LocalUser } from './sign-in';

export type Role = 'owner' | 'admin' | 'developer' | 'auditor' | 'viewer';

export interface TestUser extends LocalUser {
  account: string;
  role: Role;
}

let users = 0;
/** A user with an email new in this process (each test service has its own DATA_DIR) and a long password (the CLI wants 12 or more). */
export function testUser(role: Role, account: string): TestUser {
  const n = ++users;
  return { email: `${role}-${n}@example.test`, password: `pw-${role}-${n}-${process.pid}-0123456789`, account, role };
}

/** Runs `scripts/user.js add` for `user` against the service's DATA_DIR; fails with the CLI's output. */
export function addLocalUser(service: BuiltService, user: TestUser): Promise<TestUser> {
  const args = [
    join(ROOT, 'scripts/user.js'),
    'add',
    '--email',
    user.email,
    '--account',
    user.account,
    '--role',
    user.role,
    '--password-stdin',
  ];
  return new Promise((done, fail) => {
    const child = execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', DATA_DIR: service.dataDir }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) fail(new Error(`npm run user -- add ${user.email} failed (${error.message}):\n${stdout}${stderr}`));
        else done(user);
      },
    );
    child.stdin!.end(`${user.password}\n`);
  });
}
