/**
 * OpenTelemetry traces (README, "Observability"), off unless OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set. Unset, the SDK and the instrumentations are never
 * loaded: only `@opentelemetry/api`, whose calls are then no-ops.
 *
 * `startTracing` must run before the modules it instruments are loaded (http, @grpc/grpc-js, ioredis,
 * kafkajs), so each app's main.ts imports its `tracing.ts` first, and this file imports nothing
 * heavy at the top. Spans go to the OTLP/HTTP endpoint (JSON, `@opentelemetry/exporter-trace-otlp-http`);
 * metrics stay Prometheus (/metrics) and logs stay on stdout, so the SDK's OTLP metrics and logs are off.
 */
import { isSpanContextValid, SpanKind, SpanStatusCode, trace, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';

let enabled = false;
let shutdown: (() => Promise<void>) | null = null;

export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * Starts the SDK when an OTLP endpoint is configured; returns whether it did. `serviceName` is the
 * default `service.name` (OTEL_SERVICE_NAME wins). Idempotent.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (enabled) return true;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return false;
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on, synchronously, before the
     instrumented modules */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { GrpcInstrumentation } = require('@opentelemetry/instrumentation-grpc') as typeof import('@opentelemetry/instrumentation-grpc');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { KafkaJsInstrumentation } =
    require('@opentelemetry/instrumentation-kafkajs') as typeof import('@opentelemetry/instrumentation-kafkajs');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME || serviceName,
    sampler: backgroundClientCallsDropped(env),
    traceExporter: new OTLPTraceExporter(),
    // Metrics are Prometheus (/metrics), logs are stdout: no OTLP metrics or logs, whatever the defaults.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes are not worth a trace each.
        ignoreIncomingRequestHook: (request) => /^\/(health|metrics)(\/|\?|$)/.test(request.url ?? ''),
      }),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch', 'ServerReflectionInfo'] }),
      // Commands and their arguments stay out of spans: the index's keys are key hashes and ids.
      new IORedisInstrumentation({ dbStatementSerializer: (command) => command }),
      new KafkaJsInstrumentation(),
    ],
  });
  sdk.start();
  enabled = true;
  shutdown = () => sdk.shutdown();
  return true;
}

type SdkNode = typeof import('@opentelemetry/sdk-node');
type Sampler = NonNullable<ConstructorParameters<SdkNode['NodeSDK']>[0]>['sampler'] & object;

/**
 * OTEL_TRACES_SAMPLER's parent-based sampling (always_on, always_off, traceidratio and their
 * parentbased_ forms, with OTEL_TRACES_SAMPLER_ARG), except that a client call with no parent is
 * not recorded: those are the background loops' store and Redis reads (the trust monitor reads the
 * head every second), which would otherwise be a trace each. Client calls inside a request or a
 * command have a parent and are sampled with it.
 */
function backgroundClientCallsDropped(env: NodeJS.ProcessEnv): Sampler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only when tracing is on
  const { tracing } = require('@opentelemetry/sdk-node') as SdkNode;
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  const root = name.endsWith('always_off')
    ? new tracing.AlwaysOffSampler()
    : name.endsWith('traceidratio')
      ? new tracing.TraceIdRatioBasedSampler(Number.isFinite(ratio) ? ratio : 1)
      : new tracing.AlwaysOnSampler();
  const sampler =
    name.startsWith('parentbased_') || !['always_on', 'always_off', 'traceidratio'].includes(name)
      ? new tracing.ParentBasedSampler({ root })
      : root;
  return {
    shouldSample: (context, traceId, spanName, spanKind, attributes, links) =>
      spanKind === SpanKind.CLIENT && !trace.getSpanContext(context)
        ? { decision: tracing.SamplingDecision.NOT_RECORD }
        : sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links),
    toString: () => `BackgroundClientCallsDropped{${sampler.toString()}}`,
  };
}

/** Flushes and stops the SDK (the spans still buffered are exported); a no-op when tracing is off. */
export async function stopTracing(): Promise<void> {
  const stop = shutdown;
  shutdown = null;
  if (stop) await stop().catch(() => undefined);
}

/**
 * The active span's ids when tracing is on, also for a request the sampler did not record (its trace
 * id exists and travels on; the trace is only not exported), so the correlation id is always a trace id.
 */
function activeSpanContext(): SpanContext | undefined {
  if (!enabled) return undefined;
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The trace id of the active span, when tracing is on and a span is active. */
export function activeTraceId(): string | undefined {
  return activeSpanContext()?.traceId;
}

/** The active span's ids, for log lines. */
export function activeSpanIds(): { traceId: string; spanId: string } | undefined {
  const spanContext = activeSpanContext();
  return spanContext ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : undefined;
}

/** Names the active request span after its route template (no ids), e.g. `POST /v1/accounts/:accountId/keys`. */
export function nameActiveSpan(name: string, attributes: Record<string, string> = {}): void {
  if (!enabled) return;
  const span = trace.getActiveSpan();
  if (!span) return;
  span.updateName(name);
  span.setAttributes(attributes);
}

let tracer: Tracer | null = null;
const getTracer = (): Tracer => (tracer ??= trace.getTracer('credential-service'));

/**
 * Runs `work` in a child span of the active one, only when tracing is on and something is being
 * traced (a request, a command): background loops (the trust monitor's head reads) make no root spans.
 */
export function inChildSpan<T>(name: string, attributes: Record<string, string>, work: () => Promise<T>): Promise<T> {
  if (!enabled || !trace.getActiveSpan()) return work();
  return getTracer().startActiveSpan(name, { attributes }, (span) => settle(span, work));
}

/** Runs `work` in a span (a root span when nothing is active); for commands. */
export function inSpan<T>(name: string, attributes: Record<string, string>, work: (span: Span) => Promise<T>): Promise<T> {
  if (!enabled) return work(NO_SPAN);
  return getTracer().startActiveSpan(name, { attributes }, (span) => settle(span, () => work(span)));
}

async function settle<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // The error's class only: messages can carry what a caller sent.
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.name ?? 'Error' });
    throw error;
  } finally {
    span.end();
  }
}

const NO_SPAN = trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 });
