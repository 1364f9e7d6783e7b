// dependency-cruiser: the import layering (README, "Architecture"), checked by `npm run lint` and so by `npm test`.
//
//   apps/*  ->  libs/composition  ->  libs/application  ->  adapter libs  ->  libs/domain
//   (transports)  (wiring, config)     (use cases)          (ports + adapters:     (pure)
//                                                            event-store, validity,
//                                                            notifications, signature, contracts)
//
// An arrow may skip layers (an app may import the domain) but never point back up. Test code (specs,
// test/, the libs' testing/ helpers) may import across layers, but not into apps/ from libs/.
// The `@cs/<lib>` aliases are resolved through tsconfig.json's paths; type-only imports count.

const TEST = '(\\.(spec|int-spec|e2e-spec)\\.ts$|/testing/)';
const ADAPTERS = '^libs/(event-store|validity|notifications|signature|contracts)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, anywhere: a cycle makes load order matter and layers meaningless.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'libs/domain is pure: it imports itself, node:crypto / node:zlib and ipaddr.js, nothing else ' +
        '(no framework, no infrastructure client, no other @cs lib).',
      from: { path: '^libs/domain/', pathNot: TEST },
      to: {
        pathNot: ['^libs/domain/', '(^|/)node_modules/ipaddr\\.js/', '^(node:)?(crypto|zlib)$'],
      },
    },
    {
      name: 'domain-tests-stay-in-domain',
      severity: 'error',
      comment: "The domain's own specs and testing/ helpers import no other layer and no framework either (test runners aside).",
      from: { path: `^libs/domain/.*${TEST}` },
      to: {
        path: [
          '^(apps|libs/(?!domain/))',
          '(^|/)node_modules/(@nestjs|ioredis|kafkajs|@eventstore|better-sqlite3|jose|fastify|@fastify|@grpc)/',
        ],
      },
    },
    {
      name: 'signature-is-standalone',
      severity: 'error',
      comment: 'libs/signature is dependency-free (merchants use it to verify webhooks): node built-ins and itself only.',
      from: { path: '^libs/signature/' },
      to: { pathNot: '^libs/signature/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'adapters-not-up',
      severity: 'error',
      comment: 'Ports/adapters libs do not know the use cases or the wiring: no libs/application, libs/composition.',
      from: { path: ADAPTERS },
      to: { path: '^libs/(application|composition)/' },
    },
    {
      name: 'application-not-to-composition',
      severity: 'error',
      comment: 'The use cases do not import the composition root; it is the other way round.',
      from: { path: '^libs/application/' },
      to: { path: '^libs/composition/' },
    },
    {
      name: 'libs-not-to-apps',
      severity: 'error',
      comment: 'Libraries never import a transport (apps/*), nor scripts/ or bench/.',
      from: { path: '^libs/' },
      to: { path: '^(apps|scripts|bench)/' },
    },
    {
      name: 'apps-independent',
      severity: 'error',
      comment: 'One app does not import another; what they share lives in libs/.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'production-not-to-test-code',
      severity: 'error',
      comment: 'Code that is built and shipped imports no spec, no test/ support and no testing/ helper.',
      from: { path: '^(apps|libs|scripts)/', pathNot: TEST },
      to: { path: ['^test/', TEST] },
    },
    {
      name: 'production-not-to-dev-deps',
      severity: 'error',
      comment: 'Shipped code imports only "dependencies": the production image installs without devDependencies.',
      from: { path: '^(apps|libs|scripts)/', pathNot: TEST },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import resolves (a missing package or a mistyped path/alias).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|\\.cache|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
