/**
 * Imported first by main.ts: starts OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set, before
 * http, @grpc/grpc-js, ioredis and kafkajs are loaded, so they are instrumented (README,
 * "Observability"). Imported by path, not through @cs/composition, whose index loads those modules.
 */
import { startTracing } from '../../../libs/composition/src/observability/tracing';

startTracing('credential-projector');
