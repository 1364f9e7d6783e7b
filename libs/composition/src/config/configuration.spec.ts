import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './configuration';

const SECRETS = {
  AUTH_JWT_SECRET: 'a-jwt-secret-that-is-long-enough-0123456789',
  SERVICE_TOKEN: 'a-service-token-0123456789abcdef',
  MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
};
const dataDir = () => mkdtempSync(join(tmpdir(), 'cs-config-'));

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ DATA_DIR: dataDir(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on the embedded defaults with nothing set, generating local secrets into DATA_DIR (mode 0600)', () => {
    const dir = dataDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({
      port: 3000,
      grpcPort: 50051,
      eventStoreUrl: null,
      redis: null,
      redisUrl: null,
      kafka: null,
      keyEnv: 'live',
      stepUpMaxAgeSeconds: 300,
    });
    expect(config.generated).toEqual(['AUTH_JWT_SECRET', 'SERVICE_TOKEN', 'MASTER_KEY']);
    const file = join(dir, 'dev-secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A restart reuses them: keys sealed before it still open after it.
    expect(loadConfig({ DATA_DIR: dir }).masterKey).toEqual(config.masterKey);
    expect(JSON.parse(readFileSync(file, 'utf8')).MASTER_KEY).toBe(config.masterKey.toString('base64'));
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ KEY_ENV: 'prod' }, 'KEY_ENV'],
    [{ MASTER_KEY: 'short' }, 'MASTER_KEY'],
    [{ AUTH_JWT_SECRET: 'short' }, 'AUTH_JWT_SECRET'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS'],
    [{ AUTH_JWKS_URL: 'http://idp.example/jwks' }, 'AUTH_JWKS_URL'],
    [{ STEP_UP_MAX_AGE_SECONDS: '0' }, 'STEP_UP_MAX_AGE_SECONDS'],
  ])('refuses %j with a message naming %s', (env, variable) => {
    const error = refusal(env);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  it('requires REDIS_URL with EVENTSTORE_URL', () => {
    expect(refusal({ ...SECRETS, EVENTSTORE_URL: 'esdb://localhost:2113?tls=false' }).variable).toBe('REDIS_URL');
  });

  it('never generates secrets for shared stores: each process would hold different ones', () => {
    const error = refusal({
      REDIS_URL: 'redis://127.0.0.1:6379',
      AUTH_JWT_SECRET: SECRETS.AUTH_JWT_SECRET,
      SERVICE_TOKEN: SECRETS.SERVICE_TOKEN,
    });
    expect(error.variable).toBe('MASTER_KEY');
    const config = loadConfig({
      DATA_DIR: dataDir(),
      ...SECRETS,
      REDIS_URL: 'redis://127.0.0.1:6379',
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
    });
    expect(config.generated).toEqual([]);
  });

  describe('REDIS_URL or REDIS_CLUSTER_NODES', () => {
    it('takes one Redis from REDIS_URL', () => {
      const config = loadConfig({ DATA_DIR: dataDir(), ...SECRETS, REDIS_URL: 'rediss://:pw@redis.example:6380' });
      expect(config).toMatchObject({ redis: { url: 'rediss://:pw@redis.example:6380' }, redisUrl: 'rediss://:pw@redis.example:6380' });
    });

    it('takes the startup nodes of a Redis Cluster from REDIS_CLUSTER_NODES (host names, IPv4, [IPv6])', () => {
      const config = loadConfig({
        DATA_DIR: dataDir(),
        ...SECRETS,
        REDIS_CLUSTER_NODES: 'redis-0.redis:6379, 10.0.0.7:7000,[fd00::1]:7001',
        EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      });
      expect(config.redis).toEqual({
        clusterNodes: [
          { host: 'redis-0.redis', port: 6379 },
          { host: '10.0.0.7', port: 7000 },
          { host: 'fd00::1', port: 7001 },
        ],
      });
      expect(config.redisUrl).toBeNull();
      // A shared store like REDIS_URL: no generated secrets.
      expect(refusal({ REDIS_CLUSTER_NODES: '127.0.0.1:7000' }).variable).toBe('AUTH_JWT_SECRET');
    });

    it("takes a cluster's credentials from REDIS_CLUSTER_PASSWORD and REDIS_CLUSTER_USERNAME", () => {
      const env = { DATA_DIR: dataDir(), ...SECRETS, REDIS_CLUSTER_NODES: '127.0.0.1:7000' };
      expect(loadConfig({ ...env, REDIS_CLUSTER_PASSWORD: 'hunter2pw' }).redis).toEqual({
        clusterNodes: [{ host: '127.0.0.1', port: 7000 }],
        password: 'hunter2pw',
      });
      expect(loadConfig({ ...env, REDIS_CLUSTER_USERNAME: 'cs', REDIS_CLUSTER_PASSWORD: 'hunter2pw' }).redis).toEqual({
        clusterNodes: [{ host: '127.0.0.1', port: 7000 }],
        username: 'cs',
        password: 'hunter2pw',
      });
      const userAlone = refusal({ ...SECRETS, REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_CLUSTER_USERNAME: 'cs' });
      expect(userAlone.variable).toBe('REDIS_CLUSTER_USERNAME');
      expect(userAlone.message).toContain('needs REDIS_CLUSTER_PASSWORD');
    });

    it.each(['REDIS_CLUSTER_PASSWORD', 'REDIS_CLUSTER_USERNAME'])('refuses %s without REDIS_CLUSTER_NODES, never quoting it', (name) => {
      const error = refusal({ ...SECRETS, REDIS_URL: 'redis://127.0.0.1:6379', [name]: 'hunter2pw' });
      expect(error.variable).toBe(name);
      expect(error.message).toContain('REDIS_CLUSTER_NODES, which is not set');
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('hunter2pw');
    });

    it('refuses both at once: a deployment has one Redis', () => {
      const error = refusal({ ...SECRETS, REDIS_URL: 'redis://:hunter2pw@127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' });
      expect(error.variable).toBe('REDIS_CLUSTER_NODES');
      expect(error.message).toMatch(/either REDIS_URL .* or REDIS_CLUSTER_NODES/);
      expect(error.message).not.toContain('hunter2pw');
    });

    it.each([
      ['redis://:hunter2pw@127.0.0.1:7000', 'entry 1 of 1'],
      ['127.0.0.1:7000,hunter2pw', 'entry 2 of 2'],
      ['127.0.0.1:7000,,127.0.0.1:7001', 'entry 2 of 3'],
      ['hunter2pw.example:0', 'entry 1 of 1'],
      ['hunter2pw.example:65536', 'entry 1 of 1'],
      ['[hunter2pw]:7000', 'entry 1 of 1'],
    ])('refuses REDIS_CLUSTER_NODES=%s naming the entry, never quoting it', (nodes, entry) => {
      const error = refusal({ ...SECRETS, REDIS_CLUSTER_NODES: nodes });
      expect(error.variable).toBe('REDIS_CLUSTER_NODES');
      expect(error.message).toContain(`${entry} is not host:port`);
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('hunter2pw');
    });

    it('accepts REDIS_CLUSTER_NODES instead of REDIS_URL with EVENTSTORE_URL', () => {
      const env = { DATA_DIR: dataDir(), ...SECRETS, EVENTSTORE_URL: 'esdb://localhost:2113?tls=false' };
      expect(loadConfig({ ...env, REDIS_CLUSTER_NODES: '127.0.0.1:7000' }).redis).toEqual({
        clusterNodes: [{ host: '127.0.0.1', port: 7000 }],
      });
      expect(refusal(env).message).toContain('REDIS_CLUSTER_NODES');
    });
  });

  describe('EVENTSTORE_URL and its bounds', () => {
    const shared = { ...SECRETS, REDIS_URL: 'redis://127.0.0.1:6379' };

    it.each([
      ['esdb://localhost:2113?tls=false', 'esdb://localhost:2113?tls=false'],
      ['esdb://admin:s%40cret@node1:2113,node2:2113,node3:2113?tls=true&nodePreference=leader', null],
      ['esdb+discover://admin:changeit@cluster.example.com:2113?tls=true', null],
      ['kurrentdb://admin:changeit@db.example.com:2113?tls=true', 'esdb://admin:changeit@db.example.com:2113?tls=true'],
      ['kurrentdb+discover://cluster.example.com:2113', 'esdb+discover://cluster.example.com:2113'],
    ])('accepts %s (a cluster as gossip seeds or DNS discovery; kurrentdb spelled esdb for client 6.2.1)', (url, expected) => {
      expect(loadConfig({ DATA_DIR: dataDir(), ...shared, EVENTSTORE_URL: url }).eventStoreUrl).toBe(expected ?? url);
    });

    it.each([
      ['http://admin:hunter2pw@localhost:2113', 'must start with'],
      ['esdb://admin:hunter2pw@localhost:2113?tls=true&tlsVerifyCert=false', 'tlsVerifyCert=false'],
      ['esdb://admin:hunter2pw@localhost:2113?tls=true&colour=blue', 'unknown option "colour"'],
      ['esdb://admin:hunter2pw@localhost:2113?nodePreference=fastest', 'expected'],
    ])('refuses %s without quoting the password', (url, problem) => {
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        const error = refusal({ ...shared, EVENTSTORE_URL: url });
        expect(error.variable).toBe('EVENTSTORE_URL');
        expect(error.message).toContain(problem);
        expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('hunter2pw');
        // Client 6.2.1 prints the whole string (password included) for unknown options: it must not get that far.
        expect(warn).not.toHaveBeenCalled();
      } finally {
        warn.mockRestore();
      }
    });

    it('bounds each call by EVENTSTORE_TIMEOUT_MS (default 5000) and replaces the client after EVENTSTORE_RECREATE_AFTER failures (default 3)', () => {
      const defaults = loadConfig({ DATA_DIR: dataDir(), ...shared, EVENTSTORE_URL: 'esdb://localhost:2113?tls=false' });
      expect(defaults).toMatchObject({ eventStoreTimeoutMs: 5000, eventStoreRecreateAfter: 3 });
      const set = loadConfig({ DATA_DIR: dataDir(), ...shared, EVENTSTORE_TIMEOUT_MS: '1500', EVENTSTORE_RECREATE_AFTER: '0' });
      expect(set).toMatchObject({ eventStoreTimeoutMs: 1500, eventStoreRecreateAfter: 0 });
      expect(refusal({ EVENTSTORE_TIMEOUT_MS: '10' }).variable).toBe('EVENTSTORE_TIMEOUT_MS');
    });
  });
});
