import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// NestJS 12 and jose 6 are published as ES modules only. The built service (CommonJS) loads them with
// Node's require(esm), which Jest's module runtime does not use: jest.config.js compiles them to CommonJS
// for the suites. This loads them the way `npm start` does, in a child process of the Node running the
// tests, so a package that stops loading through require(esm) on Node 20.19+ or 24 fails here.
const ROOT = resolve(__dirname, '..');
const ESM_ONLY = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/cqrs',
  '@nestjs/microservices',
  '@nestjs/platform-fastify',
  '@nestjs/swagger',
  '@nestjs/terminus',
  'jose',
  'oidc-provider',
];

describe('ES-module-only dependencies through require(esm)', () => {
  it(`load in a CommonJS process on Node ${process.versions.node}`, () => {
    const script = `for (const p of ${JSON.stringify(ESM_ONLY)}) { const m = require(p); if (!m || Object.keys(m).length === 0) throw new Error(p + ' loaded empty'); } console.log('loaded');`;
    const child = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    if (child.status !== 0) throw new Error(`require failed (${child.signal ?? `exit ${child.status}`}):\n${child.stderr}`);
    expect(child.stdout.trim()).toBe('loaded');
    expect(child.stderr).not.toMatch(/ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE/);
  });
});
