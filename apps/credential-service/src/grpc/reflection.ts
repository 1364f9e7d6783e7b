/**
 * Server reflection (grpcurl, Postman, grpcui) that works across .proto files.
 *
 * @grpc/proto-loader hands over one FileDescriptorProto per package (credentials_v1.proto,
 * google_protobuf.proto, …) with an empty `dependency` list, and @grpc/reflection 1.0.4 serves them
 * as they are (grpc/grpc-node#3034). A client that builds descriptors strictly, as grpcurl does,
 * then cannot resolve a field whose type lives in another file, e.g. google.protobuf.Struct:
 * `message field "credentials.v1.KeyEvent.data" cannot resolve type`. Here each file's
 * `dependency` is filled with the files that define the types it refers to, before the definition
 * is given to the reflection service, which then also sends those files with every answer; and
 * map entry types and well-known types' fields get the names protoc gives them.
 */
import type { PackageDefinition } from '@grpc/proto-loader';
// The descriptor codec of the protobufjs that @grpc/proto-loader and @grpc/reflection load and use.
import { FileDescriptorProto, type IDescriptorProto, type IFileDescriptorProto } from 'protobufjs/ext/descriptor';

type Descriptors = { fileDescriptorProtos?: Buffer[] };

/** Every message and enum a file defines, by absolute name (".credentials.v1.KeyView"). */
function definedTypes(file: IFileDescriptorProto): string[] {
  const names: string[] = [];
  const prefix = file.package ? `.${file.package}` : '';
  const visit = (scope: string, message: IDescriptorProto): void => {
    const name = `${scope}.${message.name}`;
    names.push(name);
    for (const e of message.enumType ?? []) names.push(`${name}.${e.name}`);
    for (const nested of message.nestedType ?? []) visit(name, nested);
  };
  for (const message of file.messageType ?? []) visit(prefix, message);
  for (const e of file.enumType ?? []) names.push(`${prefix}.${e.name}`);
  return names;
}

/** The type names a file refers to (field types, method input/output types), each with the scope it is written in. */
function referencedTypes(file: IFileDescriptorProto): { scope: string; name: string }[] {
  const names: { scope: string; name: string }[] = [];
  const prefix = file.package ? `.${file.package}` : '';
  const visit = (scope: string, message: IDescriptorProto): void => {
    const inner = `${scope}.${message.name}`;
    for (const field of message.field ?? []) if (field.typeName) names.push({ scope: inner, name: field.typeName });
    for (const nested of message.nestedType ?? []) visit(inner, nested);
  };
  for (const message of file.messageType ?? []) visit(prefix, message);
  for (const service of file.service ?? [])
    for (const method of service.method ?? [])
      for (const name of [method.inputType, method.outputType]) if (name) names.push({ scope: `${prefix}.${service.name}`, name });
  return names;
}

/**
 * The absolute name a type reference stands for: as is when it starts with a dot, otherwise looked
 * up from the innermost scope outwards (protobuf's scoping rule; proto-loader writes names as they
 * appear in the .proto file, e.g. "google.protobuf.Struct" or "KeyView").
 */
function resolve(reference: { scope: string; name: string }, known: Map<string, string>): string | undefined {
  if (reference.name.startsWith('.')) return known.has(reference.name) ? reference.name : undefined;
  for (let scope = reference.scope; ; scope = scope.slice(0, Math.max(0, scope.lastIndexOf('.')))) {
    const candidate = `${scope}.${reference.name}`;
    if (known.has(candidate)) return candidate;
    if (scope === '') return undefined;
  }
}

/** protoc's name for the entry type of a map field: `fields` → `FieldsEntry`, `allowed_ips` → `AllowedIpsEntry`. */
const mapEntryName = (field: string): string =>
  `${field.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^[a-z]/, (c) => c.toUpperCase())}Entry`;

/**
 * protobufjs names a map field's entry type after the field (`Fields`), where protoc, and the
 * descriptor validation of clients such as grpcurl, expect `FieldsEntry` ("incorrect implicit map
 * entry name"). Renames them in place, with the fields that use them.
 */
function nameMapEntriesAsProtoc(message: IDescriptorProto): void {
  for (const nested of message.nestedType ?? []) {
    nameMapEntriesAsProtoc(nested);
    if (!nested.options?.mapEntry) continue;
    const field = (message.field ?? []).find((f) => f.typeName === nested.name || f.typeName?.endsWith(`.${message.name}.${nested.name}`));
    if (!field?.name) continue;
    nested.name = mapEntryName(field.name);
    field.typeName = nested.name;
  }
}

/**
 * protobufjs bundles the well-known types (google/protobuf/struct.proto, …) as JSON with camelCase
 * field names (`nullValue`); the published files, and so every other client, spell them
 * `null_value`. Reflection gives them their published names; the JSON names are derived from them.
 */
function publishedWellKnownNames(file: IFileDescriptorProto): void {
  if (file.package !== 'google.protobuf') return;
  const visit = (message: IDescriptorProto): void => {
    for (const field of message.field ?? []) if (field.name) field.name = field.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    for (const nested of message.nestedType ?? []) visit(nested);
  };
  for (const message of file.messageType ?? []) visit(message);
}

/**
 * The same package definition, with each file descriptor naming the files it depends on. A type
 * reference that resolves to no known file is left alone.
 */
export function withFileDependencies(definition: PackageDefinition): PackageDefinition {
  const files = new Map<string, IFileDescriptorProto>();
  for (const entry of Object.values(definition) as Descriptors[]) {
    for (const bytes of entry.fileDescriptorProtos ?? []) {
      const file = FileDescriptorProto.decode(bytes) as unknown as IFileDescriptorProto;
      if (file.name && !files.has(file.name)) files.set(file.name, file);
    }
  }
  for (const file of files.values()) {
    publishedWellKnownNames(file);
    for (const message of file.messageType ?? []) nameMapEntriesAsProtoc(message);
  }
  const owner = new Map<string, string>();
  for (const [name, file] of files) for (const type of definedTypes(file)) owner.set(type, name);
  const encoded = new Map<string, Buffer>();
  for (const [name, file] of files) {
    const dependencies = new Set(
      referencedTypes(file)
        .map((reference) => resolve(reference, owner))
        .map((type) => (type === undefined ? undefined : owner.get(type)))
        .filter((dep): dep is string => dep !== undefined && dep !== name),
    );
    file.dependency = [...dependencies].sort();
    encoded.set(name, Buffer.from(FileDescriptorProto.encode(file).finish()));
  }
  const patched = [...encoded.values()];
  return Object.fromEntries(
    Object.entries(definition).map(([name, entry]) => [
      name,
      (entry as Descriptors).fileDescriptorProtos ? { ...entry, fileDescriptorProtos: patched } : entry,
    ]),
  ) as PackageDefinition;
}
