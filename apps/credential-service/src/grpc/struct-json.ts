/**
 * google.protobuf.Struct of a request (a key's metadata) as the JSON object it stands for, the
 * inverse of proto-mapping.ts jsonStruct. proto-loader decodes a Value with the member that is set
 * (and, with `oneofs: true`, `kind` naming it); a Value with none set reads as null, as protobuf's
 * own JSON mapping has no other reading for it.
 */
import type { StructMessage, ValueMessage } from './proto-types';

type DecodedValue = Partial<{
  nullValue: unknown;
  numberValue: number;
  stringValue: string;
  boolValue: boolean;
  structValue: StructMessage;
  listValue: { values?: ValueMessage[] };
}>;

function valueJson(value: ValueMessage | undefined): unknown {
  const decoded = (value ?? {}) as DecodedValue;
  if (decoded.numberValue !== undefined) return decoded.numberValue;
  if (decoded.stringValue !== undefined) return decoded.stringValue;
  if (decoded.boolValue !== undefined) return decoded.boolValue;
  if (decoded.structValue !== undefined) return structJson(decoded.structValue);
  if (decoded.listValue !== undefined) return (decoded.listValue.values ?? []).map(valueJson);
  return null;
}

/** The JSON object a Struct stands for; undefined when the Struct is absent (a field not given). */
export function structJson(struct: StructMessage | undefined | null): Record<string, unknown> | undefined {
  if (struct === undefined || struct === null) return undefined;
  const object: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(struct.fields ?? {})) object[name] = valueJson(value);
  return object;
}
