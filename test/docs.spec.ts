/**
 * Keeps the written contract true to the code (unit tier; jest.config.js):
 *
 * - every problem code the service can send, collected from the source (each `new ProblemException(…)`
 *   and `grpcStatus(Status.…, …)` of apps/credential-service, with the tables their codes come from:
 *   the rejection table, Fastify's client errors, the signing outcome; and problem bodies written out
 *   whole, as the /metrics 401), is a row of docs/api.md's code
 *   table with the HTTP status the code sends and the gRPC status grpc-status.ts gives it, and is listed
 *   in the README; the table has no row for a code the service cannot send;
 * - every event type of the domain (key and account streams) is a row of docs/events.md's catalogue
 *   with its stream, schema version, upcasters and notification type, and there is no other row;
 * - no file of the repository points at design files outside it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  ACCOUNT_EVENT_SCHEMA_VERSION,
  ACCOUNT_EVENT_TYPES,
  ACCOUNT_EVENT_UPCASTERS,
  ACCOUNT_STREAM_PREFIX,
  KEY_EVENT_SCHEMA_VERSION,
  KEY_EVENT_TYPES,
  KEY_EVENT_UPCASTERS,
  KEY_STREAM_PREFIX,
} from '@cs/domain';
import { CE_TYPES } from '@cs/notifications';
import { problemStatus } from '../apps/credential-service/src/grpc/grpc-status';
import { ProblemException } from '../apps/credential-service/src/http/problem';
import { REJECTION_STATUS } from '../apps/credential-service/src/keys/rejections';

const ROOT = join(__dirname, '..');
const SERVICE = join(ROOT, 'apps/credential-service/src');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

function tsSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsSources(path);
    return /\.ts$/.test(entry.name) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The family of codes `HTTP_${status}` (any other 4xx/5xx of the framework), as the docs spell it. */
const HTTP_FAMILY = 'HTTP_<status>';

interface SentCode {
  /** null: the status varies (HTTP_<status>). */
  http: number | null;
  where: string;
}

/** Every problem code the service can send, with the HTTP status it is sent with. */
function sentProblemCodes(): Map<string, SentCode> {
  const codes = new Map<string, SentCode>();
  /** `http` undefined: a gRPC-only sighting, which says nothing about the HTTP status. */
  const add = (code: string, http: number | null | undefined, where: string): void => {
    const known = codes.get(code);
    if (http === undefined) {
      if (!known) codes.set(code, { http: null, where });
      return;
    }
    if (known && known.http !== null && known.http !== http)
      throw new Error(`${code} is sent with HTTP ${known.http} (${known.where}) and ${http} (${where})`);
    codes.set(code, { http, where });
  };
  for (const file of tsSources(SERVICE)) {
    const text = readFileSync(file, 'utf8');
    const where = relative(ROOT, file);
    // Where a code is not a literal, the table or type it comes from.
    const resolve = (expression: string, status: string, at: string): void => {
      const literal = /^'([A-Z][A-Z0-9_]*)'$/.exec(expression);
      const httpStatus = status === 'grpc' ? undefined : /^\d{3}$/.test(status) ? Number(status) : null;
      if (literal) return add(literal[1], httpStatus, at);
      if (expression === '`HTTP_${status}`') return add(HTTP_FAMILY, null, at);
      if (expression === 'rejection.code') {
        for (const [code, { http }] of Object.entries(REJECTION_STATUS)) add(code, http, 'apps/credential-service/src/keys/rejections.ts');
        return;
      }
      if (expression === 'problemCode') {
        // The FASTIFY_CLIENT_ERRORS table of the same file: [status, code, title, detail].
        const rows = [...text.matchAll(/\[\s*(\d{3}),\s*'([A-Z][A-Z0-9_]*)'/g)];
        expect(rows.length).toBeGreaterThan(0);
        for (const [, rowStatus, code] of rows) add(code, Number(rowStatus), at);
        return;
      }
      if (expression === 'outcome.code') {
        // The signing outcome's failure codes (signing.service.ts).
        const signing = readFileSync(join(SERVICE, 'signing/signing.service.ts'), 'utf8');
        const failures = [...signing.matchAll(/ok: false; code: '([A-Z][A-Z0-9_]*)'/g)];
        expect(failures.length).toBeGreaterThan(0);
        for (const [, code] of failures) add(code, httpStatus, at);
        return;
      }
      throw new Error(`${at}: a problem code \`${expression}\` that is not a literal: teach test/docs.spec.ts where its values come from`);
    };
    for (const [, status, code] of text.matchAll(/new ProblemException\(\s*([^,()]+?),\s*([^,()]+?),/g)) resolve(code, status, where);
    // gRPC answers built without a ProblemException: the error-code trailer is their third argument.
    for (const [, code] of text.matchAll(/grpcStatus\(\s*Status\.[A-Z_]+,\s*(?:'[^']*'|[\w.]+),\s*([^,()]+?)\s*[,)]/g)) {
      resolve(code, 'grpc', where);
    }
  }
  // Problem bodies written out whole, outside the HTTP edge (e.g. the /metrics 401 of both apps).
  for (const file of ['apps', 'libs'].flatMap((dir) => tsSources(join(ROOT, dir)))) {
    const text = readFileSync(file, 'utf8');
    for (const [, status, code] of text.matchAll(/type: '\/problems\/[a-z-]+',[^}]*?status: (\d{3}),[^}]*?code: '([A-Z][A-Z0-9_]*)'/g))
      add(code, Number(status), relative(ROOT, file));
  }
  return codes;
}

interface CodeRow {
  http: string;
  grpc: string;
}

/** docs/api.md's code table: `| \`CODE\` | HTTP | gRPC | when |`. */
function documentedCodes(): Map<string, CodeRow> {
  const rows = new Map<string, CodeRow>();
  for (const line of read('docs/api.md').split('\n')) {
    const row = /^\|\s*`([A-Z][A-Z0-9_]*|HTTP_<status>)`\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|/.exec(line);
    if (!row) continue;
    if (rows.has(row[1])) throw new Error(`docs/api.md: two rows for ${row[1]}`);
    rows.set(row[1], { http: row[2], grpc: row[3].replace(/`/g, '') });
  }
  return rows;
}

describe('docs/api.md and the README list every problem code the service sends', () => {
  const sent = sentProblemCodes();
  const documented = documentedCodes();

  it('finds the codes in the source (a sanity check of the collection itself)', () => {
    for (const code of [
      'VALIDATION_FAILED',
      'ROUTE_NOT_FOUND',
      'BAD_REQUEST',
      'INTERNAL',
      'RATE_LIMITED',
      'NO_SIGNING_KEY',
      'BODY_TOO_LARGE',
    ]) {
      expect(sent.has(code)).toBe(true);
    }
    for (const code of Object.keys(REJECTION_STATUS)) expect(sent.has(code)).toBe(true);
  });

  const rows: [string, number | null][] = [...sent].map(([code, { http }]) => [code, http]);
  it.each(rows)('%s (HTTP %s) is a row of the docs/api.md table', (code, http) => {
    const row = documented.get(code);
    expect(row).toBeDefined();
    if (http === null) return;
    expect(row?.http).toBe(String(http));
    if (row?.grpc !== '—') {
      // The gRPC status the edge gives this problem (grpc-status.ts), by name.
      expect(row?.grpc).toBe(GrpcStatus[problemStatus(new ProblemException(http, code, 't', 'd')).code]);
    }
  });

  it('the docs/api.md table has no code the service cannot send', () => {
    expect([...documented.keys()].filter((code) => !sent.has(code))).toEqual([]);
  });

  it('the README names every code', () => {
    const readme = read('README.md');
    expect([...sent.keys()].filter((code) => !readme.includes(`\`${code}\``))).toEqual([]);
  });
});

describe('docs/events.md catalogues every event type', () => {
  /** `| \`Type\` | stream | schema version | upcasters | notification |` */
  const rows = new Map<string, string[]>();
  for (const line of read('docs/events.md').split('\n')) {
    const row = /^\|\s*`([A-Z][A-Za-z]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (row && /^(Key|SigningKey|LeakPolicy)/.test(row[1]))
      rows.set(
        row[1],
        row[2].split('|').map((cell) => cell.trim().replace(/`/g, '')),
      );
  }
  const upcasterCell = (upcasters: Readonly<Record<number, unknown>> | undefined): string => {
    const versions = Object.keys(upcasters ?? {}).map(Number);
    return versions.length === 0 ? 'none' : versions.map((v) => `${v}→${v + 1}`).join(', ');
  };

  it.each([...KEY_EVENT_TYPES])('%s: key stream, schema version, upcasters, notification type', (type) => {
    expect(rows.get(type)).toEqual([
      `${KEY_STREAM_PREFIX}<keyId>`,
      String(KEY_EVENT_SCHEMA_VERSION[type]),
      upcasterCell(KEY_EVENT_UPCASTERS[type]),
      CE_TYPES[type],
    ]);
  });

  it.each([...ACCOUNT_EVENT_TYPES])('%s: account stream, schema version, upcasters, not published', (type) => {
    expect(rows.get(type)).toEqual([
      `${ACCOUNT_STREAM_PREFIX}<accountId>`,
      String(ACCOUNT_EVENT_SCHEMA_VERSION[type]),
      upcasterCell(ACCOUNT_EVENT_UPCASTERS[type]),
      '—',
    ]);
  });

  it('has no row for a type the domain does not define', () => {
    const known: string[] = [...KEY_EVENT_TYPES, ...ACCOUNT_EVENT_TYPES];
    expect([...rows.keys()].filter((type) => !known.includes(type))).toEqual([]);
  });
});

describe('nothing in the repository points outside it', () => {
  /** Not the repository's own: git's, installed, built, cached, local state. */
  const SKIPPED = new Set(['.git', 'node_modules', '.cache', 'dist', 'data', 'coverage']);
  const FORBIDDEN: [string, RegExp][] = [
    ['a sibling directory', /\.\.\/shared\b/],
    ['a seeds directory', /\bseeds\//],
    ['an API design file', /\bAPI\.md\b/],
    ['an architecture design file', /\bARCHITECTURE\.md\b/],
    ['a conventions file', /\bCONVENTIONS\.md\b/],
    ['the design seed', /\bthe seed\b|\bseed's\b|\bPaytia seed\b/i],
  ];
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      if (SKIPPED.has(name)) return [];
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });

  it('no file names a design file, directory or seed outside the repository', () => {
    const found: string[] = [];
    for (const file of files(ROOT)) {
      if (file === __filename) continue; // the patterns above
      const bytes = readFileSync(file);
      if (bytes.includes(0)) continue; // binary
      const lines = bytes.toString('utf8').split('\n');
      lines.forEach((line, i) => {
        for (const [what, pattern] of FORBIDDEN) if (pattern.test(line)) found.push(`${relative(ROOT, file)}:${i + 1}: ${what}`);
      });
    }
    expect(found).toEqual([]);
  });
});
