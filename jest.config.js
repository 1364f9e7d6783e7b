// Four tiers told apart by suffix (README, "Tests"): *.spec.ts pure units, *.int-spec.ts against real
// adapters, test/**/*.e2e-spec.ts against the running app, test/browser/**/*.browser-spec.ts in Chromium.
// TIER selects one; unset runs all.
const fs = require('fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const tiers = {
  // test/docs.spec.ts (the docs kept true to the code) is a unit test too: it reads files, nothing runs
  unit: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/*.spec.ts'],
  int: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts', '!**/*.cluster.int-spec.ts'],
  // the same against a real Redis Cluster (scripts/services.sh start-cluster): *.cluster.int-spec.ts, and the
  // production e2e suites, run with E2E_STACK=production E2E_REDIS=cluster (scripts/test.sh, tier `cluster`)
  cluster: ['<rootDir>/{apps,libs,test}/**/*.cluster.int-spec.ts', '<rootDir>/test/production/**/*.e2e-spec.ts'],
  e2e: ['<rootDir>/test/**/*.e2e-spec.ts'],
  // Debian's Chromium driven by playwright-core against the built service (test/browser/support)
  browser: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
};
const tier = process.env.TIER;
// ESM-only dependencies: Node 20.19+ and 24 load them through require(esm) (npm start), but Jest's CommonJS
// runtime cannot (Jest 30 only can on Node 24.9+ with --experimental-vm-modules), so Jest compiles them to
// CommonJS with swc, the same way on both runtimes.
const ESM_ONLY = ['content-disposition', 'jose', '@nestjs', 'oidc-provider', 'oauth4webapi'];
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: tier ? tiers[tier] : Object.values(tiers).flat(),
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }],
    [`^.+/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: [
      '@swc/jest',
      { ...swc, swcrc: false, jsc: { ...swc.jsc, parser: { syntax: 'ecmascript' } } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // .cache/node24/tree is a copy of this tree for the Node 24 run (scripts/test.sh): not part of this one
  modulePathIgnorePatterns: ['<rootDir>/.cache/'],
  moduleNameMapper: {
    '^@cs/(domain|event-store|validity|notifications|contracts|signature|application|composition|client)$': '<rootDir>/libs/$1/src',
  },
  testTimeout: 30000,
};
