#!/usr/bin/env node
'use strict';
/**
 * The Node load generators of bench/verify.bench.js, each run in a process of its own (never in the
 * bench's process, never in a server's):
 *
 *   node bench/verify-load.js http <url+path> <keys file>    autocannon (when wrk is not installed)
 *   node bench/verify-load.js grpc <host:port> <keys file>   @grpc/grpc-js, N calls in flight (when ghz is not)
 *
 * The keys file holds one "key<TAB>keyId" per line. BENCH_AUTHORIZATION is the authorization header
 * / metadata value; BENCH_SECONDS, BENCH_CONNECTIONS (HTTP connections, or gRPC calls in flight) and
 * BENCH_GRPC_CHANNELS (gRPC connections) the load. Every answer is checked: HTTP 200 or gRPC OK,
 * valid: true and the keyId of the key sent. Prints one line "LOAD_RESULT <json>".
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const [transport, target, keysFile] = process.argv.slice(2);
const seconds = Number(process.env.BENCH_SECONDS || 10);
const connections = Number(process.env.BENCH_CONNECTIONS || 50);
const channels = Math.max(1, Number(process.env.BENCH_GRPC_CHANNELS || 4));
const authorization = process.env.BENCH_AUTHORIZATION || '';
const keys = readFileSync(keysFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => line.split('\t'));

const check = { ok: 0, wrong: 0, kinds: {}, samples: [] };
const wrong = (kind, body) => {
  check.wrong++;
  check.kinds[kind] = (check.kinds[kind] ?? 0) + 1;
  if (check.samples.length < 5) check.samples.push(`${kind}: ${String(body).slice(0, 200)}`);
};

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function finish(result) {
  const cpu = process.cpuUsage();
  process.stdout.write(`LOAD_RESULT ${JSON.stringify({ ...result, check, cpuMicros: cpu.user + cpu.system })}\n`);
  process.exit(0);
}

function http() {
  const autocannon = require('autocannon');
  let next = Math.floor(Math.random() * keys.length);
  autocannon(
    {
      url: target,
      connections,
      pipelining: 1,
      duration: seconds,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          setupRequest(request, context) {
            const [key, keyId] = keys[next++ % keys.length];
            context.keyId = keyId;
            return { ...request, body: JSON.stringify({ key }) };
          },
          onResponse(status, body, context) {
            if (status !== 200) return wrong(`HTTP ${status}`, body);
            let answer;
            try {
              answer = JSON.parse(body);
            } catch {
              return wrong('not JSON', body);
            }
            if (answer.valid !== true) return wrong(`valid=${answer.valid} code=${answer.code}`, body);
            if (answer.keyId !== context.keyId) return wrong('another keyId', body);
            check.ok++;
          },
        },
      ],
    },
    (error, result) => {
      if (error) throw error;
      finish({
        requests: result.requests.total,
        durationMicros: result.duration * 1e6,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        errors: result.errors + result.timeouts,
        nonOk: result.non2xx,
      });
    },
  );
}

function grpc() {
  const grpcJs = require('@grpc/grpc-js');
  const protoLoader = require('@grpc/proto-loader');
  const contracts = require(join(__dirname, '..', 'dist/libs/contracts/src/index.js'));
  const definition = protoLoader.loadSync(contracts.CREDENTIALS_PROTO_FILES, contracts.PROTO_LOADER_OPTIONS);
  const { VerificationService } = grpcJs.loadPackageDefinition(definition).credentials.v1;
  // A channel option that differs per client keeps grpc-js from sharing one connection between them.
  const clients = Array.from(
    { length: channels },
    (_, i) => new VerificationService(target, grpcJs.credentials.createInsecure(), { 'bench.channel': i }),
  );
  const metadata = new grpcJs.Metadata();
  metadata.set('authorization', authorization);
  const latencies = [];
  let next = Math.floor(Math.random() * keys.length);
  let requests = 0;
  let errors = 0;
  let nonOk = 0;
  let stopping = false;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  let running = connections;
  const loop = (slot) => {
    if (stopping || Date.now() >= deadline) {
      if (--running === 0) {
        const sorted = Float64Array.from(latencies).sort();
        clients.forEach((c) => c.close());
        finish({
          requests,
          durationMicros: Number(process.hrtime.bigint() - started) / 1000,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          errors,
          nonOk,
        });
      }
      return;
    }
    const [key, keyId] = keys[next++ % keys.length];
    const t0 = process.hrtime.bigint();
    clients[slot % clients.length].VerifyKey({ key }, metadata, { deadline: Date.now() + 10_000 }, (error, answer) => {
      requests++;
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (error) {
        if (error.code === grpcJs.status.DEADLINE_EXCEEDED || error.code === grpcJs.status.UNAVAILABLE) errors++;
        else nonOk++;
        wrong(`gRPC ${grpcJs.status[error.code] ?? error.code}`, error.details);
      } else if (answer.valid !== true) wrong(`valid=${answer.valid} code=${answer.code}`, JSON.stringify(answer));
      else if (answer.keyId !== keyId) wrong('another keyId', JSON.stringify(answer));
      else check.ok++;
      setImmediate(loop, slot);
    });
  };
  for (let slot = 0; slot < connections; slot++) loop(slot);
}

if (transport === 'http') http();
else if (transport === 'grpc') grpc();
else {
  process.stderr.write('usage: node bench/verify-load.js http|grpc <target> <keys file>\n');
  process.exit(2);
}
