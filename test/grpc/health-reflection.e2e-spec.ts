/**
 * grpc.health.v1 (SERVING once ready, for "" and each credentials.v1 service; NOT_SERVING and
 * UNAVAILABLE while the read model is not loaded) and server reflection, which lets grpcurl and
 * similar tools list and describe the services without the .proto files.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FileDescriptorProto } = require('protobufjs/ext/descriptor') as { FileDescriptorProto: { decode(bytes: Uint8Array): unknown } };
import { HEALTH_SERVICE, KEY_SERVICE, VERIFICATION_SERVICE } from '@cs/contracts';
import { startTestApp, uniqueAccount, type TestApp } from '../support';
import { actorMetadata, failure, GrpcClients, Status } from './grpc-client';

const REFLECTION_PROTO = join(require.resolve('@grpc/reflection'), '..', '..', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');

describe('gRPC health and reflection', () => {
  let app: TestApp;
  let client: GrpcClients;

  beforeAll(async () => {
    app = await startTestApp();
    client = new GrpcClients(app.service.grpcUrl);
  });
  afterAll(async () => {
    client?.close();
    await app?.close();
  });

  describe('grpc.health.v1.Health', () => {
    it.each(['', KEY_SERVICE, VERIFICATION_SERVICE])('Check(%j) is SERVING without credentials', async (service) => {
      expect(await client.unary(client.health, 'Check', { service })).toEqual({ status: 'SERVING' });
    });

    it('an unknown service is NOT_FOUND', async () => {
      expect((await failure(client.unary(client.health, 'Check', { service: 'nope.v1.Nope' }))).code).toBe(Status.NOT_FOUND);
    });

    it('Watch streams the current status', async () => {
      const call = (client.health as any).Watch({ service: '' }) as grpc.ClientReadableStream<{ status: string }>;
      const first = await new Promise<{ status: string }>((resolve, reject) => {
        call.once('data', resolve);
        call.once('error', reject);
      });
      call.cancel();
      expect(first).toEqual({ status: 'SERVING' });
    });

    it('while the read model is not loaded: NOT_SERVING, and calls are UNAVAILABLE (HTTP says 503)', async () => {
      const acct = uniqueAccount();
      const md = await actorMetadata({ acct });
      app.service.infra.ready = false;
      try {
        expect(await client.unary(client.health, 'Check', { service: '' })).toEqual({ status: 'NOT_SERVING' });
        const verify = await failure(client.verify('VerifyKey', { key: 'ak_live_x' }));
        expect(verify.code).toBe(Status.UNAVAILABLE);
        expect(verify.details).toMatch(/retry/);
        expect((await failure(client.key('ListKeys', { accountId: acct }, md))).code).toBe(Status.UNAVAILABLE);
      } finally {
        app.service.infra.ready = true;
      }
      expect((await client.key('ListKeys', { accountId: acct }, md)).keys).toEqual([]);
    });
  });

  describe('server reflection', () => {
    const definition = protoLoader.loadSync(REFLECTION_PROTO, {
      keepCase: false,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const Reflection = (grpc.loadPackageDefinition(definition) as any).grpc.reflection.v1.ServerReflection as grpc.ServiceClientConstructor;

    async function ask(request: Record<string, unknown>): Promise<any> {
      const reflection = new Reflection(app.service.grpcUrl, grpc.credentials.createInsecure());
      try {
        const call = (reflection as any).ServerReflectionInfo() as grpc.ClientDuplexStream<unknown, any>;
        const answer = new Promise<any>((resolve, reject) => {
          call.once('data', resolve);
          call.once('error', reject);
        });
        call.write(request);
        const response = await answer;
        call.end();
        return response;
      } finally {
        reflection.close();
      }
    }

    it('lists the credentials services and health', async () => {
      const response = await ask({ listServices: '' });
      const names = response.listServicesResponse.service.map((s: { name: string }) => s.name);
      expect(names.sort()).toEqual([KEY_SERVICE, VERIFICATION_SERVICE, HEALTH_SERVICE].sort());
    });

    it('describes every service with self-contained descriptors, fields named as in the .proto files (what grpcurl needs)', async () => {
      for (const service of [KEY_SERVICE, VERIFICATION_SERVICE, HEALTH_SERVICE]) {
        const response = await ask({ fileContainingSymbol: service });
        const files = (response.fileDescriptorResponse.fileDescriptorProto as Buffer[]).map(
          (bytes) => FileDescriptorProto.decode(bytes) as any,
        );
        const defined = new Set<string>();
        const referenced = new Set<string>();
        const fieldNames: string[] = [];
        const visit = (prefix: string, message: any): void => {
          defined.add(`${prefix}.${message.name}`);
          for (const field of message.field ?? []) {
            fieldNames.push(field.name);
            if (field.typeName) referenced.add(field.typeName);
          }
          for (const nested of message.nestedType ?? []) visit(`${prefix}.${message.name}`, nested);
          for (const e of message.enumType ?? []) defined.add(`${prefix}.${message.name}.${e.name}`);
        };
        for (const file of files) {
          const prefix = file.package ? `.${file.package}` : '';
          for (const message of file.messageType ?? []) visit(prefix, message);
          for (const e of file.enumType ?? []) defined.add(`${prefix}.${e.name}`);
          for (const s of file.service ?? [])
            for (const m of s.method ?? []) for (const t of [m.inputType, m.outputType]) referenced.add(t);
        }
        // Relative names resolve outwards from the referring scope (protobuf scoping), as grpcurl does.
        const resolves = (name: string): boolean =>
          name.startsWith('.') ? defined.has(name) : [...defined].some((d) => d.endsWith(`.${name}`));
        expect([...referenced].filter((name) => !resolves(name))).toEqual([]);
        if (service !== HEALTH_SERVICE) expect(fieldNames).toContain('account_id');
        expect(fieldNames.filter((n) => /[A-Z]/.test(n))).toEqual([]);
      }
      const keys = await ask({ fileContainingSymbol: KEY_SERVICE });
      expect(keys.fileDescriptorResponse).toBeTruthy();
      const text = Buffer.concat(keys.fileDescriptorResponse.fileDescriptorProto).toString('latin1');
      for (const name of [
        'GenerateKey',
        'RegenerateKey',
        'SetExpiry',
        'RevealKey',
        'UpdateKey',
        'RevokeKey',
        'GetKeyHistory',
        'GetKeyValidityAt',
        'GetAccountHistory',
        'KeyView',
      ])
        expect(text).toContain(name);
    });

    /**
     * What grpcurl does (and fails on with "cannot resolve type" when a file does not declare its
     * imports, grpc/grpc-node#3034): fetch the file of a symbol, then each of its `dependency` files
     * by name, and resolve every type reference only through the file itself and its declared
     * dependencies, with protoc's names for map entries.
     */
    it('each file declares its imports and reflection serves them by name, as grpcurl needs for google.protobuf.Struct', async () => {
      const decode = (response: any): any[] =>
        (response.fileDescriptorResponse.fileDescriptorProto as Buffer[]).map((bytes) => FileDescriptorProto.decode(bytes) as any);
      const files = new Map<string, any>();
      const fetch = async (name: string): Promise<void> => {
        if (files.has(name)) return;
        const [file] = decode(await ask({ fileByFilename: name }));
        expect(file?.name).toBe(name);
        files.set(name, file);
        for (const dependency of file.dependency ?? []) await fetch(dependency);
      };
      for (const service of [KEY_SERVICE, VERIFICATION_SERVICE, HEALTH_SERVICE])
        await fetch(decode(await ask({ fileContainingSymbol: service }))[0].name);

      const definedIn = (file: any): Set<string> => {
        const names = new Set<string>();
        const visit = (scope: string, message: any): void => {
          names.add(`${scope}.${message.name}`);
          for (const nested of message.nestedType ?? []) visit(`${scope}.${message.name}`, nested);
          for (const e of message.enumType ?? []) names.add(`${scope}.${message.name}.${e.name}`);
        };
        const prefix = file.package ? `.${file.package}` : '';
        for (const message of file.messageType ?? []) visit(prefix, message);
        for (const e of file.enumType ?? []) names.add(`${prefix}.${e.name}`);
        return names;
      };
      const unresolved: string[] = [];
      const mapEntries: string[] = [];
      for (const file of files.values()) {
        const visible = new Set([file, ...(file.dependency ?? []).map((d: string) => files.get(d))].flatMap((f) => [...definedIn(f)]));
        const resolves = (scope: string, name: string): boolean => {
          if (name.startsWith('.')) return visible.has(name);
          for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
            if (visible.has(`${s}.${name}`)) return true;
            if (s === '') return false;
          }
        };
        const visit = (scope: string, message: any): void => {
          const inner = `${scope}.${message.name}`;
          for (const field of message.field ?? [])
            if (field.typeName && !resolves(inner, field.typeName)) unresolved.push(`${inner}.${field.name}`);
          for (const nested of message.nestedType ?? []) {
            if (nested.options?.mapEntry) mapEntries.push(nested.name);
            visit(inner, nested);
          }
        };
        const prefix = file.package ? `.${file.package}` : '';
        for (const message of file.messageType ?? []) visit(prefix, message);
      }
      expect(unresolved).toEqual([]);
      expect([...files.values()].some((f) => definedIn(f).has('.google.protobuf.Struct'))).toBe(true);
      expect(mapEntries.filter((name) => !name.endsWith('Entry'))).toEqual([]);
    });
  });
});
