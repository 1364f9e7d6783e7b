#!/usr/bin/env node
/**
 * Prints a JWT for an acting user, signed with the service's AUTH_JWT_SECRET (from the environment
 * or, in local use, DATA_DIR/dev-secrets.json), so every call can be tried with curl.
 *
 *   npm run -s token -- --account acct_1 --role owner [--role developer] [--sub user_1]
 *                       [--auth-age 0] [--ttl 3600] [--iss <issuer>] [--aud <audience>]
 *   npm run -s token -- --service        prints the SERVICE_TOKEN for verify and sign
 *   npm run -s token -- --help
 */
const { readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const USAGE = `usage: npm run -s token -- --account <id> --role <role> [options]
       npm run -s token -- --service
       npm run -s token -- --help

Prints an actor JWT (HS256, signed with AUTH_JWT_SECRET) for calls to the credential service, or
with --service the SERVICE_TOKEN of internal callers (verify, sign).

options:
  --account <id>      the account the actor belongs to (claim acct); required for a JWT
  --role <role>       owner, admin, developer, auditor, ... (claim roles); repeat for several
  --sub <user>        the actor (claim sub); default user_1
  --auth-age <s>      seconds since the password check (auth_time = now - s); default 0
  --ttl <s>           lifetime in seconds (exp = now + s); default 3600
  --iss <issuer>      claim iss; default AUTH_ISSUER when set (the service checks it then)
  --aud <audience>    claim aud; default AUTH_AUDIENCE when set (the service checks it then)
  --service           print SERVICE_TOKEN instead of a JWT
  -h, --help          this text

environment:
  AUTH_JWT_SECRET     the signing secret; else read from DATA_DIR/dev-secrets.json
  SERVICE_TOKEN       for --service; else read from DATA_DIR/dev-secrets.json
  DATA_DIR            where npm start generated dev-secrets.json; default ./data
  AUTH_ISSUER, AUTH_AUDIENCE   defaults of --iss and --aud
`;

/** Exits 2 with the reason and the usage on stderr. */
function usage(message) {
  process.stderr.write(`token: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** An argument named in an error only when it looks like an option name (it could be a secret pasted in the wrong place). */
const named = (arg, index) => (/^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(arg) ? arg : `at position ${index + 1}`);

function parse(argv) {
  const options = {
    roles: [],
    sub: 'user_1',
    authAge: 0,
    ttl: 3600,
    service: false,
    iss: process.env.AUTH_ISSUER || undefined,
    aud: process.env.AUTH_AUDIENCE || undefined,
  };
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
    } else if (flag === '--account') options.account = value();
    else if (flag === '--role') options.roles.push(value());
    else if (flag === '--sub') options.sub = value();
    else if (flag === '--auth-age') options.authAge = Number(value());
    else if (flag === '--ttl') options.ttl = Number(value());
    else if (flag === '--iss') options.iss = value();
    else if (flag === '--aud') options.aud = value();
    else if (flag === '--service') options.service = true;
    else usage(`unknown option ${named(flag, i)}`);
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
    .setExpirationTime(now + options.ttl);
  if (options.iss) jwt.setIssuer(options.iss);
  if (options.aud) jwt.setAudience(options.aud);
  const token = await jwt.sign(Buffer.from(secret('AUTH_JWT_SECRET'), 'utf8'));
  process.stdout.write(`${token}\n`);
}

main().catch((error) => {
  process.stderr.write(`token: ${error.message}\n`);
  process.exit(1);
});
