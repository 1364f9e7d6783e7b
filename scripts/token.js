#!/usr/bin/env node
/**
 * Prints a JWT for an acting user, signed with the service's AUTH_JWT_SECRET (from the environment
 * or, in local use, DATA_DIR/dev-secrets.json), so every call can be tried with curl.
 *
 *   npm run -s token -- --account acct_1 --role owner [--role developer] [--sub user_1]
 *                       [--auth-age 0] [--ttl 3600]
 *   npm run -s token -- --service        prints the SERVICE_TOKEN for verify and sign
 */
const { readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

function usage(message) {
  if (message) process.stderr.write(`token: ${message}\n`);
  process.stderr.write(
    'usage: npm run -s token -- --account <id> --role <owner|admin|developer|auditor|...> [--sub <user>]' +
      ' [--auth-age <seconds>] [--ttl <seconds>]\n' +
      '       npm run -s token -- --service\n',
  );
  process.exit(2);
}

function parse(argv) {
  const options = { roles: [], sub: 'user_1', authAge: 0, ttl: 3600, service: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) usage(`${flag} needs a value`);
      return next;
    };
    if (flag === '--account') options.account = value();
    else if (flag === '--role') options.roles.push(value());
    else if (flag === '--sub') options.sub = value();
    else if (flag === '--auth-age') options.authAge = Number(value());
    else if (flag === '--ttl') options.ttl = Number(value());
    else if (flag === '--service') options.service = true;
    else if (flag === '--help' || flag === '-h') usage();
    else usage(`unknown option ${flag}`);
  }
  if (!Number.isFinite(options.authAge) || options.authAge < 0) usage('--auth-age must be a number of seconds');
  if (!Number.isFinite(options.ttl) || options.ttl <= 0) usage('--ttl must be a positive number of seconds');
  return options;
}

function secret(name) {
  if (process.env[name]) return process.env[name];
  const file = join(process.env.DATA_DIR || './data', 'dev-secrets.json');
  if (existsSync(file)) {
    const value = JSON.parse(readFileSync(file, 'utf8'))[name];
    if (value) return value;
  }
  process.stderr.write(`token: ${name} is not set and ${file} has none; start the service once (npm start) or set ${name}\n`);
  process.exit(1);
}

async function main() {
  const options = parse(process.argv.slice(2));
  if (options.service) {
    process.stdout.write(`${secret('SERVICE_TOKEN')}\n`);
    return;
  }
  if (!options.account) usage('--account is required');
  if (options.roles.length === 0) usage('give at least one --role');
  const { SignJWT } = require('jose');
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({ acct: options.account, roles: options.roles, auth_time: now - options.authAge })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttl)
    .sign(Buffer.from(secret('AUTH_JWT_SECRET'), 'utf8'));
  process.stdout.write(`${jwt}\n`);
}

main().catch((error) => {
  process.stderr.write(`token: ${error.message}\n`);
  process.exit(1);
});
