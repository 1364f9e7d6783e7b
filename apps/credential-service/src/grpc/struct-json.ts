/**
 * google.protobuf.Struct of a request (a key's metadata) as the JSON object it stands for, the
 * inverse of proto-mapping.ts jsonStruct. proto-loader decodes a Value with the member that is set
 * (and, with `oneofs: true`, `kind` naming it); a Value with none set reads as null, as protobuf's
 * own JSON mapping has no other reading for it.
 */
import { MAX_METADATA_DEPTH } from '@cs/domain';
import { badRequest } from '../http/problem';
import type { StructMessage, ValueMessage } from './proto-types';

/**
 * Deeper than metadata may be (the domain refuses it anyway): read no further. protobufjs already
 * bounds the nesting it decodes; this keeps the bound of what is read here the domain's own.
 */
const MAX_READ_DEPTH = MAX_METADATA_DEPTH + 1;

type DecodedValue = Partial<{
  nullValue: unknown;
  numberValue: number;
  stringValue: string;
  boolValue: boolean;
  structValue: StructMessage;
  listValue: { values?: ValueMessage[] };
}>;

function valueJson(value: ValueMessage | undefined, depth: number): unknown {
  const decoded = (value ?? {}) as DecodedValue;
  if (decoded.numberValue !== undefined) return decoded.numberValue;
  if (decoded.stringValue !== undefined) return decoded.stringValue;
  if (decoded.boolValue !== undefined) return decoded.boolValue;
  if (decoded.structValue !== undefined) return readStruct(decoded.structValue, depth + 1);
  if (decoded.listValue !== undefined) {
    if (depth + 1 > MAX_READ_DEPTH) throw tooDeep();
    return (decoded.listValue.values ?? []).map((item) => valueJson(item, depth + 1));
  }
  return null;
}

const tooDeep = () =>
  badRequest(`metadata must be at most ${MAX_METADATA_DEPTH} levels deep`, [
    { field: 'metadata', message: `must be at most ${MAX_METADATA_DEPTH} levels deep` },
  ]);

function readStruct(struct: StructMessage, depth: number): Record<string, unknown> {
  if (depth > MAX_READ_DEPTH) throw tooDeep();
  const object: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(struct.fields ?? {})) object[name] = valueJson(value, depth);
  return object;
}

/** The JSON object a Struct stands for; undefined when the Struct is absent (a field not given). */
export function structJson(struct: StructMessage | undefined | null): Record<string, unknown> | undefined {
  if (struct === undefined || struct === null) return undefined;
  return readStruct(struct, 1);
}
