#!/usr/bin/env node
/**
 * The typed client's types (libs/client/src/schema.d.ts) from docs/openapi.json, with
 * openapi-typescript, formatted with the repository's Prettier settings.
 *
 *   node scripts/openapi-types.js           write libs/client/src/schema.d.ts
 *   node scripts/openapi-types.js --check   exit 1 if the committed file is not what docs/openapi.json gives
 *
 * `npm run openapi` runs it after scripts/write-openapi.ts.
 */
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const SCHEMA_PATH = 'libs/client/src/schema.d.ts';

async function generate() {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const prettier = await import('prettier');
  const document = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8'));
  // defaults stay optional: a request may leave such a field out
  const ast = await openapiTS(document, { alphabetize: false, defaultNonNullable: false });
  const header = '/**\n * Generated from docs/openapi.json by scripts/openapi-types.js (npm run openapi). Do not edit.\n */\n\n';
  const options = await prettier.resolveConfig(join(ROOT, SCHEMA_PATH));
  return prettier.format(header + astToString(ast), { ...options, filepath: join(ROOT, SCHEMA_PATH) });
}

generate()
  .then((text) => {
    const target = join(ROOT, SCHEMA_PATH);
    if (process.argv.includes('--check')) {
      let current = '';
      try {
        current = readFileSync(target, 'utf8');
      } catch {
        /* missing: stale */
      }
      if (current !== text) {
        process.stderr.write(`${SCHEMA_PATH} is not what docs/openapi.json gives: run \`npm run openapi\` and commit the result\n`);
        process.exit(1);
      }
      return;
    }
    writeFileSync(target, text);
    process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
  })
  .catch((error) => {
    process.stderr.write(`openapi-types failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
