/**
 * The domain is pure (ARCHITECTURE.md, CONVENTIONS.md): no framework, no infrastructure client, no
 * other layer. This reads every source file's imports, so a stray import fails here, not in review.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ALLOWED = [/^node:(crypto|zlib)$/, /^ipaddr\.js$/, /^\.\.?\//];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('libs/domain layering', () => {
  const files = sources(__dirname);

  it('has sources to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files.map((f) => [f.slice(__dirname.length + 1), f]))('%s imports only the standard library, ipaddr.js and itself', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const imports = [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
      (m) => m[1] ?? m[2] ?? m[3],
    );
    const forbidden = imports.filter((spec) => !ALLOWED.some((rule) => rule.test(spec)));
    expect(forbidden).toEqual([]);
  });
});
