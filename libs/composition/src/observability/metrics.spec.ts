/**
 * The exposition an operator scrapes from ServiceMetrics: the verify figures recorded on the hot path,
 * commands labelled by outcome (ok, the rejection code, error), and the gauges read from the composition.
 */
import { ServiceMetrics, type MetricsSource } from './metrics';

const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

const source = (overrides: Partial<ReturnType<MetricsSource['relay']>> = {}): MetricsSource => ({
  ready: () => true,
  trust: () => ({ storeReachable: true, storeHead: 42n, indexState: 'behind', indexTrusted: false, lag: 2n, rebuilds: 1 }),
  relay: () => ({
    running: true,
    published: 40,
    publishFailures: 3,
    consecutiveFailures: 0,
    lastPosition: '30',
    checkpoint: '30',
    lag: 'catching-up',
    ...overrides,
  }),
  expiry: () => ({ backlog: 5, recorded: 7 }),
});

describe('ServiceMetrics', () => {
  it('writes verify answers by transport and code, and a cumulative latency histogram per transport', async () => {
    const metrics = new ServiceMetrics();
    const now = performance.now();
    metrics.verified('http', 'VALID', now);
    metrics.verified('http', 'VALID', now);
    metrics.verified('grpc', 'INDEX_UNAVAILABLE', now - 1000); // one second ago: above every bound but +Inf
    const { body, contentType } = await metrics.exposition();
    expect(contentType).toMatch(/^text\/plain/);
    expect(sample(body, 'cs_verify_total{transport="http",code="VALID"}')).toBe(2);
    expect(sample(body, 'cs_verify_total{transport="grpc",code="INDEX_UNAVAILABLE"}')).toBe(1);
    expect(sample(body, 'cs_verify_total{transport="grpc",code="VALID"}')).toBeUndefined();
    expect(sample(body, 'cs_verify_duration_seconds_count{transport="http"}')).toBe(2);
    expect(sample(body, 'cs_verify_duration_seconds_bucket{le="0.5",transport="http"}')).toBe(2);
    expect(sample(body, 'cs_verify_duration_seconds_bucket{le="0.5",transport="grpc"}')).toBe(0);
    expect(sample(body, 'cs_verify_duration_seconds_bucket{le="+Inf",transport="grpc"}')).toBe(1);
    expect(sample(body, 'cs_verify_duration_seconds_sum{transport="grpc"}')).toBeGreaterThanOrEqual(1);
    expect(body).toContain('# TYPE cs_verify_duration_seconds histogram');
  });

  it('labels commands ok, by rejection code, or error, and rethrows what a command throws', async () => {
    const metrics = new ServiceMetrics();
    const observe = metrics.commandObserver.observe.bind(metrics.commandObserver);
    await observe('RevokeKey', async () => ({ ok: true }));
    await observe('RevokeKey', async () => ({ ok: false, rejection: { code: 'KEY_REVOKED', message: 'already revoked' } }));
    await expect(observe('RevokeKey', () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    const { body } = await metrics.exposition();
    expect(sample(body, 'cs_commands_total{command="RevokeKey",outcome="ok"}')).toBe(1);
    expect(sample(body, 'cs_commands_total{command="RevokeKey",outcome="KEY_REVOKED"}')).toBe(1);
    expect(sample(body, 'cs_commands_total{command="RevokeKey",outcome="error"}')).toBe(1);
    expect(sample(body, 'cs_command_duration_seconds_count{command="RevokeKey",result="rejected"}')).toBe(1);
    expect(body).not.toContain('already revoked');
    expect(body).not.toContain('store down');
  });

  it('reads the index, relay and expiry figures from the composition at scrape time', async () => {
    const metrics = new ServiceMetrics();
    metrics.watch(source());
    const { body } = await metrics.exposition();
    expect(sample(body, 'cs_index_trusted')).toBe(0);
    expect(sample(body, 'cs_index_state{state="behind"}')).toBe(1);
    expect(sample(body, 'cs_index_state{state="trusted"}')).toBe(0);
    expect(sample(body, 'cs_index_lag_positions')).toBe(2);
    expect(sample(body, 'cs_index_rebuilds_total')).toBe(1);
    expect(sample(body, 'cs_relay_lag_positions')).toBe(12);
    expect(sample(body, 'cs_relay_state{state="catching-up"}')).toBe(1);
    expect(sample(body, 'cs_relay_publish_failures_total')).toBe(3);
    expect(sample(body, 'cs_expiry_backlog')).toBe(5);
    expect(sample(body, 'cs_expiry_recorded_total')).toBe(7);

    metrics.watch(source({ running: false }));
    const standby = (await metrics.exposition()).body;
    expect(sample(standby, 'cs_relay_running')).toBe(0);
    expect(sample(standby, 'cs_relay_lag_positions')).toBeUndefined();
    expect(sample(standby, 'cs_relay_state{state="catching-up"}')).toBe(0);
  });
});
