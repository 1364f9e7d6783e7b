/**
 * Configuration from the environment (README), validated once at start-up. A bad value stops the
 * service with a message naming the variable. Secrets missing in embedded use are generated into
 * DATA_DIR (see dev-secrets.ts) with a warning.
 */
import { KEY_ENVS, parseIsoDuration, type KeyEnv } from '@cs/domain';
import { DEFAULT_RECREATE_AFTER, DEFAULT_TIMEOUT_MS, parseEventStoreUrl } from '@cs/event-store';
import type { RedisClusterNode, RedisTarget } from '@cs/validity';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { loadOrCreateIdentityKeys, type IdentityKeys } from './identity-keys';

export interface AppConfig {
  port: number;
  grpcPort: number;
  host: string;
  dataDir: string;
  auth: { jwtSecret: Buffer | null; jwksUrl: string | null; issuer: string | null; audience: string | null };
  /** PUBLIC_URL: the service's address as browsers reach it (origin of the embedded issuer and the console). */
  publicUrl: string | null;
  /** Sign-in for the console (README, "Sign-in"): the embedded OpenID provider, or the company's (OIDC_ISSUER). */
  identity: IdentityConfig;
  serviceToken: string;
  masterKey: Buffer;
  previousMasterKeys: Buffer[];
  stepUpMaxAgeSeconds: number;
  keyEnv: KeyEnv;
  /** EventStoreDB/KurrentDB connection string (credentials included: never log it, see redactConnectionString). */
  eventStoreUrl: string | null;
  /** Bound on each event-store call (an append with its retries, a read, a subscription's start). */
  eventStoreTimeoutMs: number;
  /** Replace the event-store client after this many failures in a row a new client may cure; 0 never. */
  eventStoreRecreateAfter: number;
  /**
   * The shared Redis (validity index, its checkpoints, leader leases, rate limits): REDIS_URL (one
   * server, `{ url }`) or REDIS_CLUSTER_NODES (a Redis Cluster's startup nodes, `{ clusterNodes }`); null:
   * none, the in-process index. The URL holds credentials: never log it.
   */
  redis: RedisTarget | null;
  /** REDIS_URL alone (null with REDIS_CLUSTER_NODES): what decides where Redis is, is `redis`. */
  redisUrl: string | null;
  /** Prefix of every Redis key, so several deployments can share one Redis (on a cluster, also a hash tag). */
  redisNamespace: string;
  /** Bound on each Redis read that answers a caller (verify, key views): past it, 503 INDEX_UNAVAILABLE. */
  indexTimeoutMs: number;
  kafka: { brokers: string[]; topic: string; clientId: string } | null;
  expirySweepMs: number;
  /** Lead times (seconds) before a secret's expiry at which KeyExpiryWarned is recorded; empty: none. */
  expiryWarningLeadsSeconds: number[];
  expiryWarningIntervalMs: number;
  bodyLimitBytes: number;
  /** Which workers run in this process: 'all' in embedded mode, 'none' when apps/projector runs them. */
  workers: 'all' | 'none';
  logLevel: 'error' | 'warn' | 'log' | 'debug';
  /** `text` (Nest's human format) or `json` (one JSON object per line). */
  logFormat: 'text' | 'json';
  /** Requests allowed per window (0: no limit); see apps/credential-service/src/rate-limit. */
  rateLimits: RateLimitConfig;
  /** Generated secrets, so start-up can warn that they are for local use only. */
  generated: string[];
  /** Key usage (README, "Key usage"): USAGE=on|off, USAGE_FLUSH_MS, USAGE_MAX_KEYS. */
  usage: UsageConfig;
  /** Leak reports from secret scanning partners (README, "Secret scanning"). */
  secretScanning: SecretScanningConfig;
}

export interface SecretScanningConfig {
  /** SECRET_SCANNING_KEYS_URL: where the partner's public keys are fetched from (GitHub's by default). */
  keysUrl: string;
  /** How long fetched keys are used before they are fetched again. */
  keysTtlMs: number;
  /** At most one fetch per this interval for a key id not in the cache (a partner's new key). */
  refetchIntervalMs: number;
  /** How long a report's body is remembered, so the same report is refused when sent again. */
  replayTtlMs: number;
}

export const GITHUB_SECRET_SCANNING_KEYS_URL = 'https://api.github.com/meta/public_keys/secret_scanning';

/** https, or http to this machine only (a partner's keys served locally, in tests). */
function secretScanningKeysUrl(env: Env): string {
  const raw = url(env, 'SECRET_SCANNING_KEYS_URL', ['https:', 'http:']);
  if (!raw) return GITHUB_SECRET_SCANNING_KEYS_URL;
  const parsed = new URL(raw);
  if (parsed.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname))
    throw new ConfigError('SECRET_SCANNING_KEYS_URL', 'must be https (http only to 127.0.0.1, localhost or [::1])');
  if (parsed.username || parsed.password) throw new ConfigError('SECRET_SCANNING_KEYS_URL', 'must not hold credentials');
  return raw;
}

export interface UsageConfig {
  /** USAGE=on (default): verify counts per key into an in-process aggregate; off: nothing at all is recorded. */
  enabled: boolean;
  /** How often the aggregate is written to the usage store. */
  flushMs: number;
  /** Bound on the key-days the aggregate holds between writes; past it, verifies of further keys are not counted. */
  maxKeys: number;
}

export interface IdentityConfig {
  /** `embedded`: oidc-provider in this process under /oidc, local users in DATA_DIR; `external`: OIDC_ISSUER. */
  mode: 'embedded' | 'external';
  /** OIDC_ISSUER (external mode); the embedded issuer is known once the port is bound. */
  issuer: string | null;
  clientId: string;
  scopes: string;
  /** Where the API reads roles and account in tokens from AUTH_JWKS_URL (a dotted path, e.g. realm_access.roles). */
  rolesClaim: string;
  accountClaim: string;
  /** The embedded provider's keys (DATA_DIR/oidc-keys.json); null in external mode. */
  keys: IdentityKeys | null;
  /** Failed sign-ins allowed per email and per client IP within the window before sign-in is refused. */
  loginThrottle: { perUser: number; perIp: number; windowSeconds: number };
}

export interface RateLimitConfig {
  /** POST /v1/verify and VerifyKey, per service credential, per second. */
  verifyPerSecond: number;
  /** Signing and signature verification, per service credential, per second. */
  signingPerSecond: number;
  /** Management calls per actor (JWT `sub`), per minute. */
  actorPerMinute: number;
  /** Management calls per account (all its actors together), per minute. */
  accountPerMinute: number;
  /** The longest a counter's Redis command may take before the in-memory count answers instead. */
  redisTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** EXPIRY_WARNING_LEADS: ISO-8601 durations, comma-separated (default P7D,P1D); `off` for none. */
function warningLeads(env: Env): number[] {
  const raw = env.EXPIRY_WARNING_LEADS;
  if (raw === undefined || raw.trim() === '') return [7 * 86400, 86400];
  if (raw.trim() === 'off') return [];
  const leads = raw.split(',').map((part, i) => {
    const parsed = parseIsoDuration(part.trim());
    if (!parsed.ok) throw new ConfigError('EXPIRY_WARNING_LEADS', `entry ${i + 1} ${parsed.error} (or the whole value "off")`);
    if (parsed.milliseconds < 60_000) throw new ConfigError('EXPIRY_WARNING_LEADS', `entry ${i + 1} must be at least one minute`);
    return Math.round(parsed.milliseconds / 1000);
  });
  return [...new Set(leads)].sort((a, b) => b - a);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function url(env: Env, name: string, schemes: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a URL (e.g. ${schemes[0]}//localhost)`);
  }
  if (!schemes.includes(parsed.protocol)) throw new ConfigError(name, `must use ${schemes.join(' or ')}, got ${parsed.protocol}`);
  return raw;
}

export function masterKeyFrom(name: string, raw: string): Buffer {
  const key = Buffer.from(raw.trim(), 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/=_-]+$/.test(raw.trim()))
    throw new ConfigError(name, 'must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)');
  return key;
}

/**
 * EVENTSTORE_URL as client 6.2.1 reads it (one node, several gossip seeds separated by commas, or
 * esdb+discover:// for DNS discovery; `kurrentdb` spelled `esdb`). The message of a refusal never
 * quotes the value: it may hold a password.
 */
function eventStoreConnection(env: Env): string | null {
  const raw = env.EVENTSTORE_URL;
  if (raw === undefined || raw === '') return null;
  try {
    return parseEventStoreUrl(raw).connectionString;
  } catch (error) {
    throw new ConfigError('EVENTSTORE_URL', (error as Error).message);
  }
}

/**
 * REDIS_URL or REDIS_CLUSTER_NODES (`host:port,host:port,...`, startup nodes of a Redis Cluster; the client
 * discovers the rest), not both: a deployment has one Redis. A cluster's credentials are
 * REDIS_CLUSTER_PASSWORD (and REDIS_CLUSTER_USERNAME for an ACL user), the same on every node; REDIS_URL
 * carries its own. A refusal never quotes a value (someone may put a URL with a password in it).
 */
function redisTarget(env: Env): RedisTarget | null {
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const raw = env.REDIS_CLUSTER_NODES;
  const username = nonEmpty(env.REDIS_CLUSTER_USERNAME);
  const password = nonEmpty(env.REDIS_CLUSTER_PASSWORD);
  if (raw === undefined || raw.trim() === '') {
    for (const [name, value] of [
      ['REDIS_CLUSTER_PASSWORD', password],
      ['REDIS_CLUSTER_USERNAME', username],
    ] as const) {
      if (value !== undefined) {
        throw new ConfigError(name, 'is for REDIS_CLUSTER_NODES, which is not set (REDIS_URL carries its own credentials)');
      }
    }
    return redisUrl ? { url: redisUrl } : null;
  }
  if (username !== undefined && password === undefined) {
    throw new ConfigError('REDIS_CLUSTER_USERNAME', 'needs REDIS_CLUSTER_PASSWORD too (AUTH takes a user and its password)');
  }
  if (redisUrl) {
    throw new ConfigError('REDIS_CLUSTER_NODES', 'set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (Redis Cluster), not both');
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  const nodes: RedisClusterNode[] = entries.map((entry, i) => {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) {
      throw new ConfigError(
        'REDIS_CLUSTER_NODES',
        `entry ${i + 1} of ${entries.length} is not host:port (a host name, IPv4 or [IPv6] address, and a port 1-65535)`,
      );
    }
    return { host: match[1] ?? match[2], port };
  });
  return {
    clusterNodes: nodes,
    ...(password === undefined ? {} : { password }),
    ...(username === undefined ? {} : { username }),
  };
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

function namespace(env: Env): string {
  const raw = env.REDIS_NAMESPACE || 'cs';
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(raw))
    throw new ConfigError('REDIS_NAMESPACE', 'may hold only letters, digits, ".", "_" and "-" (1-40)');
  return raw;
}

/** A dotted claim path: names of letters, digits, `_`, `-`, `:` or `/`, separated by dots. */
function claimPath(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/.test(raw) || raw.length > 200)
    throw new ConfigError(name, 'must be a claim name or a dotted path such as realm_access.roles');
  return raw;
}

function identity(env: Env, dataDir: string, jwksUrl: string | null): IdentityConfig {
  const issuer = url(env, 'OIDC_ISSUER', ['https:', 'http:']);
  if (issuer && !jwksUrl)
    throw new ConfigError('AUTH_JWKS_URL', "must be set with OIDC_ISSUER: the API verifies the identity provider's tokens with its keys");
  const clientId = env.OIDC_CLIENT_ID || 'console';
  if (!/^[\x21-\x7e]{1,200}$/.test(clientId)) throw new ConfigError('OIDC_CLIENT_ID', 'must be 1-200 visible ASCII characters');
  const scopes = (env.OIDC_SCOPES || 'openid email').trim().split(/\s+/);
  if (!scopes.includes('openid') || !scopes.every((s) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)))
    throw new ConfigError('OIDC_SCOPES', 'must be space-separated scope names including openid');
  return {
    mode: issuer ? 'external' : 'embedded',
    issuer,
    clientId,
    scopes: scopes.join(' '),
    rolesClaim: claimPath(env, 'OIDC_ROLES_CLAIM', 'roles'),
    accountClaim: claimPath(env, 'OIDC_ACCOUNT_CLAIM', 'acct'),
    keys: issuer ? null : loadOrCreateIdentityKeys(dataDir),
    loginThrottle: {
      perUser: integer(env, 'LOGIN_FAILURES_PER_USER', 5, 1, 1000),
      perIp: integer(env, 'LOGIN_FAILURES_PER_IP', 50, 1, 100_000),
      windowSeconds: integer(env, 'LOGIN_THROTTLE_WINDOW_SECONDS', 900, 1, 86_400),
    },
  };
}

function publicUrl(env: Env): string | null {
  const raw = url(env, 'PUBLIC_URL', ['https:', 'http:']);
  if (!raw) return null;
  const parsed = new URL(raw);
  if (parsed.pathname !== '/' || parsed.search || parsed.hash || parsed.username || parsed.password)
    throw new ConfigError('PUBLIC_URL', 'must be an origin only, e.g. https://credentials.example.com');
  return parsed.origin;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const dataDir = env.DATA_DIR && env.DATA_DIR !== '' ? env.DATA_DIR : './data';
  const jwksUrl = url(env, 'AUTH_JWKS_URL', ['https:']);
  const identityConfig = identity(env, dataDir, jwksUrl);
  const eventStoreUrl = eventStoreConnection(env);
  const redis = redisTarget(env);
  if (eventStoreUrl && !redis) {
    throw new ConfigError(
      'REDIS_URL',
      'must be set (or REDIS_CLUSTER_NODES) with EVENTSTORE_URL: the read model, its checkpoints and the relay checkpoint live in Redis',
    );
  }
  const needed = [
    ...(jwksUrl || env.AUTH_JWT_SECRET ? [] : ['AUTH_JWT_SECRET' as const]),
    ...(env.SERVICE_TOKEN ? [] : ['SERVICE_TOKEN' as const]),
    ...(env.MASTER_KEY ? [] : ['MASTER_KEY' as const]),
  ];
  // Shared stores mean several processes: each would generate its own secrets, and a secret sealed by
  // one could not be opened by another. Generated secrets are for the embedded, single-process mode.
  if (needed.length > 0 && (eventStoreUrl || redis)) {
    throw new ConfigError(
      needed[0],
      'must be set when EVENTSTORE_URL, REDIS_URL or REDIS_CLUSTER_NODES is set (every process must share it); ' +
        'generated secrets are for local embedded use only',
    );
  }
  const dev = needed.length > 0 ? loadOrCreateDevSecrets(dataDir, needed) : {};
  const jwtSecret = env.AUTH_JWT_SECRET || dev.AUTH_JWT_SECRET;
  if (jwtSecret && Buffer.byteLength(jwtSecret) < 32) throw new ConfigError('AUTH_JWT_SECRET', 'must be at least 32 bytes for HS256');
  const serviceToken = (env.SERVICE_TOKEN || dev.SERVICE_TOKEN) as string;
  if (serviceToken.length < 24) throw new ConfigError('SERVICE_TOKEN', 'must be at least 24 characters');
  const masterKey = masterKeyFrom('MASTER_KEY', (env.MASTER_KEY || dev.MASTER_KEY) as string);
  const previousMasterKeys = (env.MASTER_KEYS_PREVIOUS ?? '')
    .split(',')
    .filter((k) => k.trim() !== '')
    .map((k) => masterKeyFrom('MASTER_KEYS_PREVIOUS', k));
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const broker of brokers) {
    if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(broker)) throw new ConfigError('KAFKA_BROKERS', `"${broker}" is not host:port`);
  }
  const topic = env.KAFKA_TOPIC || 'credentials.key-events';
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw new ConfigError('KAFKA_TOPIC', 'may hold only letters, digits, ".", "_" and "-"');
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    grpcPort: integer(env, 'GRPC_PORT', 50051, 0, 65535),
    host: env.HOST || '0.0.0.0',
    dataDir,
    auth: {
      jwtSecret: jwtSecret ? Buffer.from(jwtSecret, 'utf8') : null,
      jwksUrl,
      issuer: env.AUTH_ISSUER || identityConfig.issuer,
      audience: env.AUTH_AUDIENCE || null,
    },
    publicUrl: publicUrl(env),
    identity: identityConfig,
    serviceToken,
    masterKey,
    previousMasterKeys,
    stepUpMaxAgeSeconds: integer(env, 'STEP_UP_MAX_AGE_SECONDS', 300, 1, 86400),
    keyEnv: oneOf(env, 'KEY_ENV', KEY_ENVS, 'live'),
    eventStoreUrl,
    eventStoreTimeoutMs: integer(env, 'EVENTSTORE_TIMEOUT_MS', DEFAULT_TIMEOUT_MS, 50, 600_000),
    eventStoreRecreateAfter: integer(env, 'EVENTSTORE_RECREATE_AFTER', DEFAULT_RECREATE_AFTER, 0, 1000),
    redis,
    redisUrl: redis && 'url' in redis ? redis.url : null,
    redisNamespace: namespace(env),
    indexTimeoutMs: integer(env, 'INDEX_TIMEOUT_MS', 250, 10, 60_000),
    kafka: brokers.length > 0 ? { brokers, topic, clientId: env.KAFKA_CLIENT_ID || 'credential-service' } : null,
    expirySweepMs: integer(env, 'EXPIRY_SWEEP_INTERVAL_MS', 1000, 50, 3_600_000),
    expiryWarningLeadsSeconds: warningLeads(env),
    expiryWarningIntervalMs: integer(env, 'EXPIRY_WARNING_INTERVAL_MS', 60_000, 50, 3_600_000),
    bodyLimitBytes: integer(env, 'HTTP_BODY_LIMIT_BYTES', 256 * 1024, 1024, 16 * 1024 * 1024),
    workers: oneOf(env, 'WORKERS', ['all', 'none'] as const, 'all'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['error', 'warn', 'log', 'debug'] as const, 'log'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['text', 'json'] as const, 'text'),
    rateLimits: {
      verifyPerSecond: integer(env, 'RATE_LIMIT_VERIFY_PER_SECOND', 50_000, 0, 10_000_000),
      signingPerSecond: integer(env, 'RATE_LIMIT_SIGNING_PER_SECOND', 10_000, 0, 10_000_000),
      actorPerMinute: integer(env, 'RATE_LIMIT_MANAGEMENT_PER_MINUTE', 3_000, 0, 10_000_000),
      accountPerMinute: integer(env, 'RATE_LIMIT_ACCOUNT_PER_MINUTE', 6_000, 0, 10_000_000),
      redisTimeoutMs: integer(env, 'RATE_LIMIT_REDIS_TIMEOUT_MS', 100, 10, 10_000),
    },
    generated: needed,
    usage: {
      enabled: oneOf(env, 'USAGE', ['on', 'off'] as const, 'on') === 'on',
      flushMs: integer(env, 'USAGE_FLUSH_MS', 5000, 10, 600_000),
      maxKeys: integer(env, 'USAGE_MAX_KEYS', 100_000, 1, 10_000_000),
    },
    secretScanning: {
      keysUrl: secretScanningKeysUrl(env),
      keysTtlMs: integer(env, 'SECRET_SCANNING_KEYS_TTL_SECONDS', 3600, 1, 7 * 86400) * 1000,
      refetchIntervalMs: integer(env, 'SECRET_SCANNING_KEYS_REFETCH_SECONDS', 60, 0, 86400) * 1000,
      replayTtlMs: integer(env, 'SECRET_SCANNING_REPLAY_TTL_SECONDS', 30 * 86400, 60, 365 * 86400) * 1000,
    },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
