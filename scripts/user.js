#!/usr/bin/env node
/**
 * Local users of the embedded sign-in (README, "Sign-in"), in DATA_DIR/users.json (mode 0600): the
 * service reads the file at every sign-in (apps/credential-service/src/identity/users.ts), so changes
 * apply at once. Passwords are read from the terminal (not echoed) or, with --password-stdin, from the
 * first line of stdin; never from an argument. They are stored as scrypt hashes with a per-user salt and
 * the parameters used.
 *
 *   npm run user -- add --email <email> --account <account id> --role <role> [--password-stdin]
 *   npm run user -- list
 *   npm run user -- passwd --email <email> [--password-stdin]
 *   npm run user -- remove --email <email>
 */
const { randomBytes, scryptSync } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const ROLES = ['owner', 'admin', 'developer', 'auditor', 'viewer'];
const MIN_PASSWORD = 12;
const MAX_PASSWORD = 1024;
const SCRYPT = { N: 32768, r: 8, p: 1, keyLength: 64 };

const USAGE = `usage: npm run user -- add --email <email> --account <account id> --role <role> [--password-stdin]
       npm run user -- list
       npm run user -- passwd --email <email> [--password-stdin]
       npm run user -- remove --email <email>
       npm run user -- --help

Manages the people who can sign in to the console with the embedded sign-in (no OIDC_ISSUER).

commands:
  add        a user: email, the account they act for, one role; asks for the password twice
  list       the users: email, account, role, id (never a password or hash)
  passwd     sets a new password for a user (a signed-in session is asked for it again)
  remove     deletes a user (signed out at their next sign-in step; issued tokens expire within 15 min)

options:
  --email <email>     the sign-in name (stored in lower case)
  --account <id>      the account (claim acct): 1-64 letters, digits, ".", "_", "-"
  --role <role>       ${ROLES.join(', ')} (viewer: may see nothing; the console says why)
  --password-stdin    read the password from the first line of stdin instead of the terminal
  -h, --help          this text

The password is never taken as an argument (it would stay in the shell history and the process list).
It must be ${MIN_PASSWORD} to ${MAX_PASSWORD} characters.

environment:
  DATA_DIR            where the service keeps its data (users.json); default ./data
`;

function fail(message, code = 1) {
  process.stderr.write(`user: ${message}\n`);
  process.exit(code);
}

function usage(message) {
  process.stderr.write(`user: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** An argument named in an error only when it looks like an option name (it could be a pasted password). */
const named = (arg, index) => (/^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(arg) ? arg : `at position ${index + 1}`);

function parse(argv) {
  const options = { passwordStdin: false };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) usage(`${flag} needs a value`);
      return next;
    };
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (flag === '--email') options.email = value();
    else if (flag === '--account') options.account = value();
    else if (flag === '--role') options.role = value();
    else if (flag === '--password-stdin') options.passwordStdin = true;
    else if (flag === '--password' || flag.startsWith('--password='))
      usage('a password is never taken as an argument: use the prompt or --password-stdin');
    else if (flag.startsWith('-')) usage(`unknown option ${named(flag, i)}`);
    else rest.push([flag, i]);
  }
  if (rest.length === 0) usage('a command is needed: add, list, passwd or remove');
  if (rest.length > 1) usage(`one command only; unexpected argument ${named(rest[1][0], rest[1][1])}`);
  const command = rest[0][0];
  if (!['add', 'list', 'passwd', 'remove'].includes(command)) usage(`unknown command ${named(command, rest[0][1])}`);
  return { command, ...options };
}

const dataDir = () => (process.env.DATA_DIR && process.env.DATA_DIR !== '' ? process.env.DATA_DIR : './data');
const usersFile = () => join(dataDir(), 'users.json');

function load() {
  const path = usersFile();
  if (!existsSync(path)) return { version: 1, users: [] };
  try {
    const file = JSON.parse(readFileSync(path, 'utf8'));
    if (!Array.isArray(file.users)) throw new Error('no users array');
    return file;
  } catch (error) {
    return fail(`${path} is not a users file this tool wrote (${error.message}); fix or move it`);
  }
}

function save(file) {
  mkdirSync(dataDir(), { recursive: true });
  const path = usersFile();
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

function checkEmail(email) {
  if (email === undefined) usage('--email is required');
  const normal = email.trim().toLowerCase();
  if (normal.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normal)) fail('--email is not an email address (name@example.com)', 2);
  return normal;
}

function hash(password) {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = SCRYPT;
  const key = scryptSync(password, salt, keyLength, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return { alg: 'scrypt', N, r, p, keyLength, salt: salt.toString('base64url'), hash: key.toString('base64url') };
}

function checkPassword(password) {
  const length = [...password].length;
  if (length < MIN_PASSWORD) fail(`the password is too short: at least ${MIN_PASSWORD} characters`, 2);
  if (length > MAX_PASSWORD) fail(`the password is too long: at most ${MAX_PASSWORD} characters`, 2);
  if ([...password].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    fail('the password may not contain control characters', 2);
}

/** The first line of stdin (a trailing newline removed). */
async function passwordFromStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.split(/\r?\n/)[0];
  if (line === '') fail('--password-stdin: stdin was empty; send the password as its first line', 2);
  return line;
}

/** Asks on the terminal without echoing what is typed. */
function prompt(question) {
  return new Promise((resolve) => {
    const input = process.stdin;
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    let answer = '';
    const onData = (chunk) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          input.setRawMode(false);
          input.pause();
          input.removeListener('data', onData);
          process.stderr.write('\n');
          return resolve(answer);
        }
        if (ch === '\u0003') {
          input.setRawMode(false);
          process.stderr.write('\n');
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    input.on('data', onData);
  });
}

async function newPassword(options) {
  if (options.passwordStdin) {
    const password = await passwordFromStdin();
    checkPassword(password);
    return password;
  }
  if (!process.stdin.isTTY) fail('no terminal to ask for the password: use --password-stdin and send it on stdin', 2);
  const password = await prompt('Password: ');
  checkPassword(password);
  if ((await prompt('Password again: ')) !== password) fail('the two passwords differ; nothing changed', 2);
  return password;
}

async function main() {
  const options = parse(process.argv.slice(2));
  const file = load();
  if (options.command === 'list') {
    if (file.users.length === 0) {
      process.stdout.write(`no users in ${usersFile()}; add one with: npm run user -- add --email … --account … --role …\n`);
      return;
    }
    for (const u of file.users) process.stdout.write(`${u.email}\t${u.account}\t${u.role}\t${u.id}\n`);
    return;
  }
  const email = checkEmail(options.email);
  const index = file.users.findIndex((u) => u.email === email);
  if (options.command === 'add') {
    if (options.account === undefined) usage('--account is required');
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(options.account))
      fail('--account must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit', 2);
    if (options.role === undefined) usage('--role is required');
    if (!ROLES.includes(options.role)) fail(`--role must be one of ${ROLES.join(', ')}`, 2);
    if (index >= 0) fail(`a user with this email already exists; change their password with: npm run user -- passwd --email ${email}`);
    const password = await newPassword(options);
    const now = new Date().toISOString();
    const user = {
      id: `usr_${randomBytes(12).toString('hex')}`,
      email,
      account: options.account,
      role: options.role,
      password: hash(password),
      createdAt: now,
      passwordChangedAt: now,
    };
    file.users.push(user);
    save(file);
    process.stdout.write(`added ${email} (${user.id}): account ${user.account}, role ${user.role}\n`);
    return;
  }
  if (index < 0) fail('no user with this email; see: npm run user -- list');
  if (options.command === 'passwd') {
    const password = await newPassword(options);
    file.users[index] = { ...file.users[index], password: hash(password), passwordChangedAt: new Date().toISOString() };
    save(file);
    process.stdout.write(`password changed for ${email}\n`);
    return;
  }
  file.users.splice(index, 1);
  save(file);
  process.stdout.write(`removed ${email}\n`);
}

main().catch((error) => fail(error.message));
