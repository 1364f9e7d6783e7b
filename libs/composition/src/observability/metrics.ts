/**
 * Prometheus metrics (README, "Observability"), served at /metrics by both apps with the service
 * credential. Labels take values from small fixed sets only (transport, verify code, command type,
 * outcome code, limit name, state): never a key id, an account id, a token or anything from a request.
 *
 * One registry per composition (tests start several in one process) plus the process's default
 * metrics, registered once per process. The hot path (verify) records into plain arrays (VerifyRecorder),
 * a few array increments per verify, turned into Prometheus text only when scraped.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, register as processRegistry, Registry } from 'prom-client';
import { commandOutcomeLabel, type CommandObserver } from '@cs/application';
import { VERIFY_CODES } from '@cs/validity';
import { inSpan } from './tracing';

export type Transport = 'http' | 'grpc';
const TRANSPORTS: readonly Transport[] = ['http', 'grpc'];

/** The verify answers (libs/validity VERIFY_CODES) plus the two ways a verify can fail to answer. */
export const VERIFY_METRIC_CODES = [...VERIFY_CODES, 'INDEX_UNAVAILABLE', 'ERROR'] as const;
export type VerifyMetricCode = (typeof VERIFY_METRIC_CODES)[number];

export type RateLimitName = 'verify' | 'signing' | 'actor' | 'account';
const RATE_LIMITS: readonly RateLimitName[] = ['verify', 'signing', 'actor', 'account'];

/** What the scrape reads from the running composition; each figure is already kept in memory. */
export interface MetricsSource {
  ready(): boolean;
  trust(): {
    storeReachable: boolean;
    storeHead: bigint | null;
    indexState: string;
    indexTrusted: boolean;
    lag: bigint | null;
    rebuilds: number;
  };
  relay(): {
    running: boolean;
    published: number;
    publishFailures: number;
    consecutiveFailures: number;
    lastPosition: string | null;
    checkpoint: string | null;
    lag: 'caught-up' | 'catching-up' | 'stalled';
  };
  expiry(): { backlog: number; recorded: number };
  /** Key usage's flusher (null with USAGE=off); optional so older sources still fit. */
  usage?(): { flushes: number; failures: number; failing: boolean; dropped: number; pending: number } | null;
}

const INDEX_STATES = ['trusted', 'behind', 'untrusted', 'unreachable', 'rebuilding'] as const;
const RELAY_STATES = ['caught-up', 'catching-up', 'stalled'] as const;

/** Seconds; verify is a hash and one index read (sub-millisecond in memory, ~1 ms over Redis). */
const VERIFY_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5];
/** Seconds; a command is a stream read, an append and an index write (more with a signing-key slot). */
const COMMAND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processMetricsRegistered = false;

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly verifyStats = new VerifyRecorder();
  private readonly commands: Counter<'command' | 'outcome'>;
  private readonly commandTime: Histogram<'command' | 'result'>;
  private readonly refusals: Record<RateLimitName, Counter.Internal>;
  private source: MetricsSource | null = null;

  /** Times commands and counts their outcomes; wraps each in a span when tracing is on. */
  readonly commandObserver: CommandObserver = {
    observe: <T>(type: string, run: () => Promise<T>): Promise<T> =>
      inSpan(`command ${type}`, { 'cs.command': type }, async (span) => {
        const started = performance.now();
        let outcome = 'error';
        try {
          const result = await run();
          outcome = commandOutcomeLabel(result);
          return result;
        } finally {
          span.setAttribute('cs.command.outcome', outcome);
          const result = outcome === 'ok' ? 'ok' : outcome === 'error' ? 'error' : 'rejected';
          this.commands.labels(type, outcome).inc();
          this.commandTime.labels(type, result).observe((performance.now() - started) / 1000);
        }
      }),
  };

  constructor() {
    if (!processMetricsRegistered) {
      processMetricsRegistered = true;
      collectDefaultMetrics({ register: processRegistry });
    }
    const registers = [this.registry];
    // Recorded into plain arrays on the hot path, turned into the exposition at scrape time (verify-recorder below).
    for (const metric of this.verifyStats.metrics()) this.registry.registerMetric(metric as unknown as Counter);
    this.commands = new Counter({
      name: 'cs_commands_total',
      help:
        'Commands by type (GenerateKey, RegenerateKey, SetExpiry, RevealKey, UpdateKey, RevokeKey, ExpireSecret) ' +
        'and outcome: ok, the rejection code, or error',
      labelNames: ['command', 'outcome'] as const,
      registers,
    });
    this.commandTime = new Histogram({
      name: 'cs_command_duration_seconds',
      help: 'Command time by type and result (ok, rejected, error)',
      labelNames: ['command', 'result'] as const,
      buckets: COMMAND_BUCKETS,
      registers,
    });
    const refused = new Counter({
      name: 'cs_rate_limit_refusals_total',
      help: 'Calls refused with 429 RATE_LIMITED / RESOURCE_EXHAUSTED, by limit (verify, signing, actor, account)',
      labelNames: ['limit'] as const,
      registers,
    });
    this.refusals = Object.fromEntries(RATE_LIMITS.map((l) => [l, refused.labels(l)])) as ServiceMetrics['refusals'];
    this.registerSourceGauges(registers);
  }

  /** The composition the scrape reads its gauges from (index, relay, expiry). */
  watch(source: MetricsSource): void {
    this.source = source;
  }

  /** `started` from performance.now() at the start of the verify. */
  verified(transport: Transport, code: VerifyMetricCode, started: number): void {
    this.verifyStats.record(transport, code, (performance.now() - started) / 1000);
  }

  rateLimited(limit: RateLimitName): void {
    this.refusals[limit].inc();
  }

  /** The text exposition: the process's default metrics, then this composition's. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    const [processMetrics, own] = await Promise.all([processRegistry.metrics(), this.registry.metrics()]);
    return { contentType: this.registry.contentType, body: `${processMetrics}\n${own}` };
  }

  private registerSourceGauges(registers: Registry[]): void {
    const read = <T>(pick: (source: MetricsSource) => T): T | undefined => (this.source ? pick(this.source) : undefined);
    // Read at scrape time from figures the composition already keeps; a figure not known yet is left out, not 0.
    const gauge = (name: string, help: string, value: () => number | undefined): void =>
      computedMetric(registers, name, help, 'gauge', () => single(value()));
    const counterFrom = (name: string, help: string, value: () => number | undefined): void =>
      computedMetric(registers, name, help, 'counter', () => single(value()));
    const bigToNumber = (v: bigint | null | undefined): number | undefined => (v === null || v === undefined ? undefined : Number(v));
    gauge('cs_ready', '1 when this process answers (started, event store reachable, index trusted), else 0', () =>
      read((s) => (s.ready() ? 1 : 0)),
    );
    gauge('cs_event_store_reachable', "1 when the trust monitor's last read of the store head succeeded", () =>
      read((s) => (s.trust().storeReachable ? 1 : 0)),
    );
    gauge(
      'cs_event_store_head_position',
      'Position of the last key event in the store, as the trust monitor last read it (about every second)',
      () => read((s) => bigToNumber(s.trust().storeHead)),
    );
    gauge('cs_index_trusted', '1 while the validity index is trusted (answers come from it), else 0', () =>
      read((s) => (s.trust().indexTrusted ? 1 : 0)),
    );
    stateGaugeOf(
      'cs_index_state',
      'The validity index state: 1 for the current one (trusted, behind, untrusted, unreachable, rebuilding)',
      INDEX_STATES,
      registers,
      () => read((s) => s.trust().indexState),
    );
    gauge(
      'cs_index_lag_positions',
      "Store head minus the index's position (what its projection applied), from the trust monitor's last check; absent while unknown",
      () => read((s) => bigToNumber(s.trust().lag)),
    );
    counterFrom('cs_index_rebuilds_total', 'Validity index rebuilds made by this process (found empty, flushed)', () =>
      read((s) => s.trust().rebuilds),
    );
    gauge('cs_relay_running', '1 where the notification relay runs (holds the relay lease), else 0', () =>
      read((s) => (s.relay().running ? 1 : 0)),
    );
    gauge(
      'cs_relay_lag_positions',
      'Store head minus the last position the relay published (0 when caught up); only where the relay runs',
      () =>
        read((s) => {
          const relay = s.relay();
          if (!relay.running) return undefined;
          if (relay.lag === 'caught-up') return 0;
          const head = s.trust().storeHead;
          if (head === null) return undefined;
          const done = BigInt(relay.lastPosition ?? relay.checkpoint ?? '0');
          return Math.max(0, Number(head - done));
        }),
    );
    stateGaugeOf(
      'cs_relay_state',
      'The notification relay state: 1 for the current one (caught-up, catching-up, stalled); all 0 where it does not run',
      RELAY_STATES,
      registers,
      () => read((s) => (s.relay().running ? s.relay().lag : undefined)),
    );
    counterFrom('cs_relay_published_total', 'Notifications the broker acknowledged, published by this process', () =>
      read((s) => s.relay().published),
    );
    counterFrom('cs_relay_publish_failures_total', 'Failed publish attempts (each retry of a batch counts)', () =>
      read((s) => s.relay().publishFailures),
    );
    gauge('cs_relay_consecutive_failures', 'Failed publish attempts in a row on the current batch (0 when publishing works)', () =>
      read((s) => s.relay().consecutiveFailures),
    );
    gauge(
      'cs_expiry_backlog',
      "Due expiries the scheduler's last sweep found and did not record (at most its batch of 100); only where the scheduler runs",
      () => read((s) => s.expiry().backlog),
    );
    counterFrom('cs_expiry_recorded_total', 'KeyExpired events recorded by the expiry scheduler in this process', () =>
      read((s) => s.expiry().recorded),
    );
    const usage = <T>(pick: (stats: NonNullable<ReturnType<NonNullable<MetricsSource['usage']>>>) => T): T | undefined =>
      read((s) => {
        const stats = s.usage?.();
        return stats ? pick(stats) : undefined;
      });
    counterFrom('cs_usage_flushes_total', 'Key usage batches written to the usage store (absent with USAGE=off)', () =>
      usage((u) => u.flushes),
    );
    counterFrom('cs_usage_write_failures_total', 'Failed writes of key usage (each retried at the next flush)', () =>
      usage((u) => u.failures),
    );
    counterFrom(
      'cs_usage_dropped_total',
      'Verifies not counted in key usage because the in-process counts were full (USAGE_MAX_KEYS)',
      () => usage((u) => u.dropped),
    );
    gauge('cs_usage_pending', 'Key-days of key usage counted in memory and not yet written', () => usage((u) => u.pending));
  }
}

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };

const single = (value: number | undefined): Sample[] => (value === undefined ? [] : [{ labels: {}, value }]);

/**
 * A metric whose samples are computed when scraped, in the shape a prom-client Registry writes
 * (name, help, type, get, reset): prom-client's own gauges cannot leave a sample out.
 */
function computedMetric(
  registers: Registry[],
  name: string,
  help: string,
  type: 'gauge' | 'counter' | 'histogram',
  values: () => Sample[],
): void {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: values() }),
    reset: () => undefined,
  };
  for (const registry of registers) registry.registerMetric(metric as unknown as Gauge);
}

/** A gauge per state value, 1 for the current state and 0 for the others (all 0 when there is none). */
function stateGaugeOf(
  name: string,
  help: string,
  states: readonly string[],
  registers: Registry[],
  current: () => string | undefined,
): void {
  computedMetric(registers, name, help, 'gauge', () => {
    const now = current();
    return states.map((state) => ({ labels: { state }, value: now === state ? 1 : 0 }));
  });
}

const TRANSPORT_INDEX: Record<Transport, number> = { http: 0, grpc: 1 };
const CODE_INDEX = Object.fromEntries(VERIFY_METRIC_CODES.map((code, i) => [code, i])) as Record<VerifyMetricCode, number>;
const BUCKETS = VERIFY_BUCKETS.length + 1; // the last one is +Inf

/**
 * cs_verify_total and cs_verify_duration_seconds, recorded as array increments (prom-client's label
 * children hash their labels on every call: about 0.7 µs per verify for the two, measured) and
 * written in prom-client's metric shape when scraped.
 */
class VerifyRecorder {
  private readonly counts = new Float64Array(TRANSPORTS.length * VERIFY_METRIC_CODES.length);
  /** Per transport, observations per bucket (not cumulative; the last is above every bound). */
  private readonly buckets = new Float64Array(TRANSPORTS.length * BUCKETS);
  private readonly sums = new Float64Array(TRANSPORTS.length);

  record(transport: Transport, code: VerifyMetricCode, seconds: number): void {
    const t = TRANSPORT_INDEX[transport];
    this.counts[t * VERIFY_METRIC_CODES.length + CODE_INDEX[code]]++;
    let b = 0;
    while (b < VERIFY_BUCKETS.length && seconds > VERIFY_BUCKETS[b]) b++;
    this.buckets[t * BUCKETS + b]++;
    this.sums[t] += seconds;
  }

  /** Objects a prom-client Registry can hold (name, help, type, get, reset), read at scrape time. */
  metrics(): object[] {
    const total = {
      name: 'cs_verify_total',
      help:
        'Verify answers (POST /v1/verify, VerifyKey) by transport and code; ' +
        'INDEX_UNAVAILABLE and ERROR are the calls that got no verdict',
      type: 'counter',
      aggregator: 'sum',
      get: () => {
        const values: { labels: Record<string, string>; value: number }[] = [];
        TRANSPORTS.forEach((transport, t) =>
          VERIFY_METRIC_CODES.forEach((code, c) => {
            const value = this.counts[t * VERIFY_METRIC_CODES.length + c];
            if (value > 0) values.push({ labels: { transport, code }, value });
          }),
        );
        return Promise.resolve({ name: total.name, help: total.help, type: total.type, aggregator: 'sum', values });
      },
      reset: () => this.counts.fill(0),
    };
    const duration = {
      name: 'cs_verify_duration_seconds',
      help: 'Time of the verify use case (parse, checksum, hash, index read, verdict), by transport; excludes auth and rate limiting',
      type: 'histogram',
      aggregator: 'sum',
      get: () => {
        const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
        TRANSPORTS.forEach((transport, t) => {
          let cumulative = 0;
          for (let b = 0; b < BUCKETS; b++) {
            cumulative += this.buckets[t * BUCKETS + b];
            const le = b < VERIFY_BUCKETS.length ? VERIFY_BUCKETS[b] : '+Inf';
            values.push({ labels: { le, transport }, value: cumulative, metricName: `${duration.name}_bucket` });
          }
          values.push({ labels: { transport }, value: this.sums[t], metricName: `${duration.name}_sum` });
          values.push({ labels: { transport }, value: cumulative, metricName: `${duration.name}_count` });
        });
        return Promise.resolve({ name: duration.name, help: duration.help, type: duration.type, aggregator: 'sum', values });
      },
      reset: () => {
        this.buckets.fill(0);
        this.sums.fill(0);
      },
    };
    return [total, duration];
  }
}

/** Whether an Authorization header carries the service credential (constant-time, as the service routes check it). */
export function metricsAuthorized(authorization: string | string[] | undefined, serviceToken: string): boolean {
  if (typeof authorization !== 'string') return false;
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(authorization);
  if (!match) return false;
  const a = createHash('sha256').update(match[1]).digest();
  const b = createHash('sha256').update(serviceToken).digest();
  return timingSafeEqual(a, b);
}

/** The 401 of /metrics without the service credential, as problem+json (no hint of the token). */
export const METRICS_UNAUTHORIZED = {
  status: 401,
  headers: {
    'content-type': 'application/problem+json; charset=utf-8',
    'www-authenticate': 'Bearer error="invalid_token", error_description="/metrics needs the service credential"',
  },
  body: JSON.stringify({
    type: '/problems/unauthenticated',
    title: 'Authentication required',
    status: 401,
    code: 'UNAUTHENTICATED',
    detail: '/metrics needs the service credential as Authorization: Bearer <SERVICE_TOKEN>',
  }),
} as const;
