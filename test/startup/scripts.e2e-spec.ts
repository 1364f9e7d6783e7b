/**
 * The npm scripts as a developer runs them: `--help` prints the usage (options and the environment
 * read) and exits 0 without building or touching anything; an unknown option is a clear error with
 * a non-zero exit (and an argument that is not an option name is not repeated: it could be a
 * secret); `token --iss/--aud` mint what a service with AUTH_ISSUER/AUTH_AUDIENCE accepts;
 * `projection:rebuild` names REDIS_URL, quickly and without a stack trace, when Redis is unreachable.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestApp, TEST_SECRETS, type TestApp, runScript, type ScriptRun } from '../support';

const ROOT = resolve(__dirname, '../..');

type Run = ScriptRun;
const run = (script: string, args: string[], env: Record<string, string> = {}): Promise<Run> => runScript(script, args, env, 30_000);

const SCRIPTS: Array<[string, string, string[]]> = [
  ['token', 'scripts/token.js', ['--account', '--iss', '--aud', 'AUTH_JWT_SECRET', 'SERVICE_TOKEN', 'DATA_DIR', 'AUTH_ISSUER']],
  ['projection:rebuild', 'scripts/projection-rebuild.js', ['REDIS_URL', 'REDIS_NAMESPACE', 'EVENTSTORE_URL', 'DATA_DIR']],
  ['audit:verify', 'scripts/audit-verify.js', ['--json', '--progress-every', 'EVENTSTORE_URL', 'DATA_DIR', 'exit codes']],
  ['bench:verify', 'bench/verify.bench.js', ['REDIS_URL', 'BENCH_SECONDS', 'BENCH_ROUNDS', 'BENCH_JSON', '--build']],
];

/** Modification time of a file the build writes: unchanged means nothing was built. */
const builtAt = (): number => statSync(join(ROOT, 'dist/scripts/rebuild-projection.js')).mtimeMs;

describe('scripts', () => {
  describe.each(SCRIPTS)('%s', (_name, script, mentions) => {
    it('--help and -h print the usage with the options and environment it reads, exit 0, build nothing', async () => {
      const before = builtAt();
      for (const flag of ['--help', '-h']) {
        // bench:verify is run by npm as `--build`: --help still wins.
        const result = await run(script, script.startsWith('bench') ? ['--build', flag] : [flag]);
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^usage: /);
        for (const word of mentions) expect(result.stdout).toContain(word);
        expect(result.stderr).toBe('');
      }
      expect(builtAt()).toBe(before);
    });

    it('an unknown option is an error naming it, with the usage, exit 2; a non-option argument is not repeated', async () => {
      const bogus = await run(script, ['--bogus']);
      expect(bogus.code).toBe(2);
      expect(bogus.stderr).toMatch(/unknown option --bogus/);
      expect(bogus.stderr).toContain('usage: ');
      expect(bogus.stdout).toBe('');
      const pasted = await run(script, ['ak_live_notAnOptionButASecret0123']);
      expect(pasted.code).toBe(2);
      expect(pasted.stderr).toContain('unknown option at position 1');
      expect(pasted.stderr).not.toContain('notAnOptionButASecret');
    });
  });

  describe('token --iss / --aud', () => {
    let app: TestApp;
    const issuer = 'https://id.example.test';
    const audience = 'credential-service';
    beforeAll(async () => {
      app = await startTestApp({ AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience });
    });
    afterAll(async () => app?.close());

    const mint = async (args: string[], env: Record<string, string> = {}): Promise<string> => {
      const result = await run('scripts/token.js', ['--account', 'acct_iss', '--role', 'owner', ...args], {
        AUTH_JWT_SECRET: TEST_SECRETS.AUTH_JWT_SECRET,
        ...env,
      });
      expect(result.code).toBe(0);
      return result.stdout.trim();
    };
    const status = async (token: string): Promise<number> =>
      (await fetch(`${app.url}/v1/accounts/acct_iss/keys`, { headers: { authorization: `Bearer ${token}` } })).status;

    it('a token with the issuer and audience the service checks is accepted; without them, or with others, 401', async () => {
      expect(await status(await mint(['--iss', issuer, '--aud', audience]))).toBe(200);
      expect(await status(await mint([]))).toBe(401);
      expect(await status(await mint(['--iss', 'https://other.example', '--aud', audience]))).toBe(401);
      expect(await status(await mint(['--iss', issuer, '--aud', 'another-service']))).toBe(401);
    });

    it('AUTH_ISSUER and AUTH_AUDIENCE in the environment are the defaults, as the service reads them', async () => {
      expect(await status(await mint([], { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience }))).toBe(200);
    });
  });

  describe('projection:rebuild with Redis unreachable', () => {
    it('stops within seconds with one line naming REDIS_URL, no stack trace, exit 1, and not the password', async () => {
      const closed = await new Promise<number>((done) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const address = probe.address();
          probe.close(() => done(typeof address === 'object' && address ? address.port : 1));
        });
      });
      const dataDir = mkdtempSync(join(tmpdir(), 'cs-rebuild-'));
      try {
        const result = await run('dist/scripts/rebuild-projection.js', [], {
          ...TEST_SECRETS,
          DATA_DIR: dataDir,
          REDIS_URL: `redis://:redis-password-not-to-print@127.0.0.1:${closed}`,
        });
        expect(result.code).toBe(1);
        expect(result.ms).toBeLessThan(10_000);
        const last = result.stderr.trim().split('\n').pop() ?? '';
        expect(last).toMatch(/^rebuild failed: cannot reach the validity index's Redis \(REDIS_URL\)/);
        expect(result.stderr).not.toMatch(/^\s+at /m);
        expect(result.stdout + result.stderr).not.toContain('redis-password-not-to-print');
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});
