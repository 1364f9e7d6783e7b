/**
 * Observability of the built service (README, "Observability"), run as operators run it:
 *
 * - with OTEL_EXPORTER_OTLP_ENDPOINT set, a generate and a verify are traced to a local OTLP/HTTP
 *   receiver: the request span is the parent of the command span, the event store's call is a child
 *   of the command (a manual span on SQLite, the gRPC client's on EventStoreDB), a Redis read is a child
 *   of the verify request, the relay's Kafka send is traced, background store reads are not, and the correlation id
 *   recorded in the event is the trace id;
 * - without it, the OpenTelemetry SDK is not even loaded;
 * - LOG_FORMAT=json: every line on stdout and stderr is one JSON object with time, level, context, message;
 * - /metrics refuses a scrape without the service credential and serves the counts with it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEsdbDouble } from '../doubles/eventstoredb/esdb-double';
import { actorMetadata, GrpcClients } from '../grpc/grpc-client';
import { Client, eventually, TEST_SECRETS } from '../support';
import {
  attribute,
  freePort,
  PROJECTOR_MAIN,
  SERVICE_MAIN,
  startOtlpReceiver,
  startProcess,
  type OtlpReceiver,
  type OtlpSpan,
  type ServiceProcess,
} from './process';

/** Preloaded with --require: reports, once main.js has loaded its modules, whether the OpenTelemetry SDK was loaded. */
const PROBE = `setImmediate(() => process.stderr.write(JSON.stringify({ probe: 'otel', sdkLoaded: Object.keys(require.cache).some((p) => p.includes('@opentelemetry/sdk-node')) }) + '\\n'));`;

let probeDir: string;
let probe: string;
beforeAll(() => {
  probeDir = mkdtempSync(join(tmpdir(), 'cs-probe-'));
  probe = join(probeDir, 'otel-probe.js');
  writeFileSync(probe, PROBE);
});
afterAll(() => rmSync(probeDir, { recursive: true, force: true }));

const sdkLoaded = (service: ServiceProcess): boolean | undefined => {
  const line = service.stderr.find((l) => l.includes('"probe":"otel"'));
  return line ? (JSON.parse(line) as { sdkLoaded: boolean }).sdkLoaded : undefined;
};

async function generateAndVerify(url: string, account: string): Promise<{ keyId: string; correlationId: string }> {
  const owner = await Client.actor(url, { acct: account });
  const generated = await owner.generate(account, { kind: 'api' });
  expect(generated.status).toBe(201);
  const keyId = generated.body.key.id as string;
  const verified = await Client.service(url).verify({ key: generated.body.secret as string });
  expect(verified.body.code).toBe('VALID');
  const history = await owner.history(account, keyId);
  expect(history.status).toBe(200);
  const events = history.body.events as { type: string; correlationId: string }[];
  return { keyId, correlationId: events[0].correlationId };
}

const byName = (spans: OtlpSpan[], name: string | RegExp): OtlpSpan[] =>
  spans.filter((s) => (typeof name === 'string' ? s.name === name : name.test(s.name)));

describe('traces (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  const tracedEnv = (): Record<string, string> => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: '50',
    NODE_OPTIONS: `--require ${probe}`,
  });

  it('SQLite: request span → command span → event-store span, and the event’s correlation id is the trace id', async () => {
    const grpcPort = await freePort();
    const service = await startProcess(SERVICE_MAIN, { ...tracedEnv(), GRPC_PORT: String(grpcPort) });
    const grpc = new GrpcClients(`127.0.0.1:${grpcPort}`);
    try {
      expect(sdkLoaded(service)).toBe(true);
      const { correlationId } = await generateAndVerify(service.url, 'acct_traced');
      const command = await eventually(async () => byName(receiver.spans, 'command GenerateKey')[0]);
      expect(attribute(command, 'cs.command')).toBe('GenerateKey');
      expect(attribute(command, 'cs.command.outcome')).toBe('ok');
      // The events record the trace id as their correlation id: the history leads to the trace.
      expect(correlationId).toBe(command.traceId);
      const request = receiver.spans.find((s) => s.spanId === command.parentSpanId);
      expect(request?.name).toBe('POST /v1/accounts/:accountId/keys');
      expect(request?.kind).toBe(2); // SERVER
      const append = await eventually(async () =>
        byName(receiver.spans, 'event-store appendToStream').find(
          (s) => s.parentSpanId === command.spanId && attribute(s, 'cs.stream_id') !== undefined,
        ),
      );
      expect(attribute(append, 'db.system.name')).toBe('sqlite');
      const verify = await eventually(async () => byName(receiver.spans, 'POST /v1/verify')[0]);
      expect(verify.traceId).not.toBe(command.traceId);
      // Nothing secret in any span: no key, no token, no service credential.
      const everything = JSON.stringify(receiver.spans);
      expect(everything).not.toMatch(/ak_(live|test)_/);
      expect(everything).not.toContain(TEST_SECRETS.SERVICE_TOKEN);
      expect(everything).not.toMatch(/eyJ[\w-]+\.[\w-]+/); // a JWT

      // Over gRPC: the server span of KeyService/GenerateKey is the command's parent.
      receiver.spans.length = 0;
      const md = await actorMetadata({ acct: 'acct_traced_grpc' });
      await grpc.key('GenerateKey', { accountId: 'acct_traced_grpc', kind: 'KEY_KIND_API' }, md);
      const grpcCommand = await eventually(async () => byName(receiver.spans, 'command GenerateKey')[0]);
      const grpcRequest = await eventually(async () => receiver.spans.find((s) => s.spanId === grpcCommand.parentSpanId));
      expect(grpcRequest.kind).toBe(2); // SERVER
      expect(grpcRequest.name).toMatch(/credentials\.v1\.KeyService\/GenerateKey$/);
      expect(JSON.stringify(receiver.spans)).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
    } finally {
      grpc.close();
      await service.stop();
    }
  });

  const redisUrl = process.env.REDIS_URL_TEST;
  const brokers = process.env.KAFKA_BROKERS_TEST;
  (redisUrl && brokers ? it : it.skip)(
    'production stack (EventStoreDB double, Redis, Kafka): store calls are gRPC client spans of the command, the verify reads Redis, the relay sends to Kafka',
    async () => {
      const double = await startEsdbDouble();
      const id = `${process.pid}-${Date.now().toString(36)}`;
      const service = await startProcess(SERVICE_MAIN, {
        ...tracedEnv(),
        EVENTSTORE_URL: double.url,
        REDIS_URL: redisUrl!,
        REDIS_NAMESPACE: `obs-${id}`,
        KAFKA_BROKERS: brokers!,
        KAFKA_TOPIC: `credentials.obs.${id}`,
      });
      try {
        receiver.spans.length = 0;
        const { correlationId } = await generateAndVerify(service.url, 'acct_traced_prod');
        const command = await eventually(async () => byName(receiver.spans, 'command GenerateKey')[0]);
        expect(correlationId).toBe(command.traceId);
        const request = await eventually(async () => receiver.spans.find((s) => s.spanId === command.parentSpanId));
        expect(request.name).toBe('POST /v1/accounts/:accountId/keys');
        // EventStoreDB: the append is a gRPC client call, a child of the command.
        const append = await eventually(async () =>
          receiver.spans.find((s) => s.parentSpanId === command.spanId && /Streams\/Append$/.test(s.name)),
        );
        expect(append.kind).toBe(3); // CLIENT
        // Redis: the verify's one MGET (entry, generation, position), recorded by command name only.
        const verify = await eventually(async () => byName(receiver.spans, 'POST /v1/verify')[0]);
        const mget = await eventually(async () =>
          receiver.spans.find((s) => s.parentSpanId === verify.spanId && attribute(s, 'db.system.name') === 'redis' && s.name === 'mget'),
        );
        expect(mget.kind).toBe(3);
        expect(attribute(mget, 'db.query.text')).toBe('mget');
        // Kafka: the relay's publish, a trace of its own (the relay works in the background).
        const send = await eventually(async () => receiver.spans.find((s) => s.kind === 4 && s.name.startsWith('send credentials.obs.')));
        expect(attribute(send, 'messaging.system')).toBe('kafka');
        // The background loops (the trust monitor reads the store head every second) make no traces.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(receiver.spans.filter((s) => s.kind === 3 && !s.parentSpanId).map((s) => s.name)).toEqual([]);
        const everything = JSON.stringify(receiver.spans);
        expect(everything).not.toMatch(/ak_(live|test)_/);
        expect(everything).not.toContain(TEST_SECRETS.SERVICE_TOKEN);
        expect(everything).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
      } finally {
        await service.stop();
        await double.stop();
      }
    },
  );
});

describe('without OTEL_EXPORTER_OTLP_ENDPOINT, with LOG_FORMAT=json', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startProcess(SERVICE_MAIN, { LOG_FORMAT: 'json', NODE_OPTIONS: `--require ${probe}` });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('does not load the OpenTelemetry SDK at all, and the correlation id stays a random UUID', async () => {
    const { correlationId } = await generateAndVerify(service.url, 'acct_untraced');
    expect(sdkLoaded(service)).toBe(false);
    expect(correlationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('/metrics: 401 problem without the service credential, the counts with it', async () => {
    const anonymous = await fetch(`${service.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const wrong = await fetch(`${service.url}/metrics`, { headers: { authorization: 'Bearer not-the-service-token' } });
    expect(wrong.status).toBe(401);
    const scrape = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${TEST_SECRETS.SERVICE_TOKEN}` } });
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await scrape.text();
    expect(text).toMatch(/^cs_verify_total\{transport="http",code="VALID"\} [1-9]/m);
    expect(text).toMatch(/^cs_commands_total\{command="GenerateKey",outcome="ok"\} [1-9]/m);
    expect(text).toMatch(/^cs_index_trusted 1$/m);
    expect(text).toMatch(/^cs_ready 1$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).not.toContain('acct_untraced');
  });

  it('writes a configuration error as a JSON line too (exit code 78)', () => {
    const run = spawnSync(process.execPath, [SERVICE_MAIN], {
      env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', PORT: 'not-a-port', DATA_DIR: probeDir },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(78);
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'error',
      context: 'credential-service',
      message: expect.stringMatching(/^configuration error: PORT/),
    });
  });

  it('writes every log line as one JSON object with time, level, context and message', async () => {
    const lines = [...service.stdout, ...service.stderr];
    expect(lines.some((l) => l.includes('ready on http://'))).toBe(true);
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      if (record.probe) continue;
      expect(typeof record.time).toBe('string');
      expect(new Date(record.time as string).toISOString()).toBe(record.time);
      expect(['log', 'warn', 'error', 'fatal', 'debug', 'verbose']).toContain(record.level);
      expect(typeof record.context).toBe('string');
      expect(typeof record.message).toBe('string');
    }
  });
});

(process.env.REDIS_URL_TEST ? describe : describe.skip)('apps/projector with LOG_FORMAT=json', () => {
  it('writes JSON lines only and serves /metrics with the service credential', async () => {
    const projector = await startProcess(PROJECTOR_MAIN, {
      LOG_FORMAT: 'json',
      PROJECTOR_PORT: '0',
      REDIS_URL: process.env.REDIS_URL_TEST!,
      REDIS_NAMESPACE: `obs-projector-${process.pid}-${Date.now().toString(36)}`,
    });
    try {
      expect((await fetch(`${projector.url}/metrics`)).status).toBe(401);
      const scrape = await fetch(`${projector.url}/metrics`, { headers: { authorization: `Bearer ${TEST_SECRETS.SERVICE_TOKEN}` } });
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toMatch(/^cs_relay_running 1$/m);
    } finally {
      await projector.stop();
    }
    const lines = [...projector.stdout, ...projector.stderr];
    expect(lines.some((l) => l.includes('projector running'))).toBe(true);
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(typeof record.time).toBe('string');
      expect(typeof record.context).toBe('string');
      expect(typeof record.message).toBe('string');
    }
  });
});
