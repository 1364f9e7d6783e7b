/**
 * docs/asyncapi.yaml as a validator, for tests: parsed by @asyncapi/parser (which also resolves the
 * $refs), its message schemas compiled with Ajv (+ formats). `validate` checks one Kafka message —
 * headers, key and data — against the message of its `ce_type`, and returns what is wrong
 * (ajv's paths and messages, which name no value).
 *
 * Test code only (devDependencies): the notification-contract spec checks the encoder against it,
 * and the production e2e suites check every message they consume.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Parser, DiagnosticSeverity, type Diagnostic } from '@asyncapi/parser';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export const ASYNCAPI_PATH = resolve(__dirname, '../../../../docs/asyncapi.yaml');

/** A consumed Kafka message (kafkajs' KafkaMessage fits), or one the encoder produced. */
export interface ContractMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Readonly<Record<string, Buffer | string | readonly (Buffer | string)[] | undefined>>;
}

interface CompiledMessage {
  /** The component name, e.g. keyGenerated. */
  name: string;
  type: string;
  headers: ValidateFunction;
  payload: ValidateFunction;
  key: ValidateFunction;
  /** The payload schema's property names. */
  dataFields: string[];
  examples: { name?: string; headers?: Record<string, unknown>; payload?: unknown }[];
}

export interface NotificationContract {
  /** The parser's findings (errors would have thrown). */
  diagnostics: Diagnostic[];
  /** The channel's address: the default topic. */
  topic: string;
  /** The `ce_type` of each message of the channel, in the document's order. */
  messageTypes: string[];
  /** The properties of the CloudEventHeaders schema. */
  headerNames: string[];
  /** The properties of the headers schema that are required. */
  requiredHeaderNames: string[];
  message(type: string): CompiledMessage | undefined;
  /** What is wrong with the message; empty when it conforms. */
  validate(message: ContractMessage): string[];
  /** Throws an Error listing what is wrong with the message, if anything. */
  assertConforms(message: ContractMessage, label?: string): void;
}

type Json = Record<string, any>;

/** Parses and compiles the document; throws if the parser reports an error. */
export async function loadNotificationContract(path = ASYNCAPI_PATH): Promise<NotificationContract> {
  const { document, diagnostics } = await new Parser().parse(readFileSync(path, 'utf8'));
  const errors = diagnostics.filter((d) => Number(d.severity) === Number(DiagnosticSeverity.Error));
  if (!document || errors.length > 0) {
    throw new Error(`${path} does not parse: ${errors.map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`).join('; ')}`);
  }
  const doc = withoutParserExtensions(document.json()) as Json;
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);

  const channels = Object.values(doc.channels as Json) as Json[];
  if (channels.length !== 1) throw new Error(`${path}: expected one channel, found ${channels.length}`);
  const channel = channels[0];
  if (channel.bindings?.kafka?.topic !== channel.address)
    throw new Error(`${path}: the Kafka binding's topic is not the channel's address`);
  const headerSchema = doc.components.schemas.CloudEventHeaders as Json;
  const commonHeaders = ajv.compile(headerSchema);

  const messages = new Map<string, CompiledMessage>();
  for (const [name, message] of Object.entries(channel.messages as Json) as [string, Json][]) {
    const type = typeOf(message);
    if (!type) throw new Error(`${path}: message ${name} does not fix ce_type with a const`);
    if (messages.has(type)) throw new Error(`${path}: two messages for ${type}`);
    messages.set(type, {
      name,
      type,
      headers: ajv.compile(message.headers as Json),
      payload: ajv.compile(message.payload as Json),
      key: ajv.compile(message.bindings.kafka.key as Json),
      dataFields: Object.keys((message.payload as Json).properties as Json),
      examples: (message.examples ?? []) as CompiledMessage['examples'],
    });
  }

  const validate = (message: ContractMessage): string[] => {
    const problems: string[] = [];
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) problems.push(`header ${name}: present ${value.length} times`);
      else headers[name] = typeof value === 'string' ? value : (value as Buffer).toString('utf8');
    }
    if (!commonHeaders(headers)) problems.push(...errorsOf('headers', commonHeaders));
    const compiled = messages.get(headers.ce_type);
    if (!compiled) return problems.length > 0 ? problems : ['header ce_type: no message of the document has this type'];
    if (!compiled.headers(headers)) problems.push(...errorsOf('headers', compiled.headers));
    const key = message.key === null ? null : message.key.toString();
    if (!compiled.key(key)) problems.push(...errorsOf('key', compiled.key));
    let data: unknown;
    try {
      data = JSON.parse(message.value === null ? '' : message.value.toString());
    } catch {
      return [...problems, 'value: not JSON'];
    }
    if (!compiled.payload(data)) problems.push(...errorsOf('data', compiled.payload));
    // What the descriptions promise across headers, key and data.
    const d = data as Json;
    if (key !== d?.accountId) problems.push('key: is not data.accountId');
    if (headers.ce_subject !== d?.keyId) problems.push('header ce_subject: is not data.keyId');
    if (headers.ce_time !== d?.occurredAt) problems.push('header ce_time: is not data.occurredAt');
    if (headers.ce_position !== undefined && headers.ce_sequence !== headers.ce_position.padStart(20, '0'))
      problems.push('header ce_sequence: is not ce_position zero-padded to 20 digits');
    return [...new Set(problems)];
  };

  return {
    diagnostics,
    topic: channel.address as string,
    messageTypes: [...messages.keys()],
    headerNames: Object.keys(headerSchema.properties as Json),
    requiredHeaderNames: headerSchema.required as string[],
    message: (type) => messages.get(type),
    validate,
    assertConforms(message, label) {
      const problems = validate(message);
      if (problems.length === 0) return;
      const header = (name: string) => {
        const v = message.headers?.[name];
        return typeof v === 'string' || Buffer.isBuffer(v) ? v.toString() : '?';
      };
      const what = label ?? `message ${header('ce_type')} ${header('ce_id')}`;
      throw new Error(`${what} does not conform to docs/asyncapi.yaml:\n  ${problems.join('\n  ')}`);
    },
  };
}

/** The ce_type a message's headers schema fixes: `allOf: [CloudEventHeaders, { properties: { ce_type: { const } } }]`. */
function typeOf(message: Json): string | undefined {
  const parts = ((message.headers as Json)?.allOf ?? [message.headers]) as Json[];
  for (const part of parts) {
    const type = part?.properties?.ce_type?.const as unknown;
    if (typeof type === 'string') return type;
  }
  return undefined;
}

function errorsOf(where: string, validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e) => {
    const extra = typeof e.params.additionalProperty === 'string' ? ` (${e.params.additionalProperty})` : '';
    return `${where}${e.instancePath.replace(/\//g, '.')}: ${e.message ?? e.keyword}${extra}`;
  });
}

/** A copy without the parser's `x-parser-*` annotations (Ajv's strict mode refuses unknown keywords). */
function withoutParserExtensions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutParserExtensions);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !k.startsWith('x-parser-'))
      .map(([k, v]) => [k, withoutParserExtensions(v)]),
  );
}
