/**
 * What "a strict CSP" means in these tests, checked on the header of a page as the browser received it:
 * scripts only from the service itself (no inline script, no eval, no wildcard or scheme source), no
 * plugins, no framing by anyone, and a fixed <base>.
 */
export function cspDirectives(header: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

/** Throws naming every rule the policy breaks. */
export function expectStrictCsp(header: string | undefined, where: string): void {
  if (!header) throw new Error(`${where}: no Content-Security-Policy header`);
  const d = cspDirectives(header);
  const effective = (name: string) => d.get(name) ?? d.get('default-src');
  const problems: string[] = [];
  const scripts = effective('script-src');
  if (!scripts) problems.push('neither script-src nor default-src');
  else {
    const loose = scripts.filter((s) =>
      ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*', 'data:', 'blob:', 'http:', 'https:'].includes(s),
    );
    if (loose.length) problems.push(`scripts allow ${loose.join(' ')}`);
    if (!scripts.every((s) => s === "'self'" || s === "'none'" || /^'(nonce|sha256|sha384|sha512)-/.test(s)))
      problems.push(`scripts from elsewhere than the service: ${scripts.join(' ')}`);
  }
  if (effective('object-src')?.join(' ') !== "'none'") problems.push(`object-src is not 'none'`);
  if (d.get('frame-ancestors')?.join(' ') !== "'none'") problems.push(`frame-ancestors is not 'none'`);
  if (!["'none'", "'self'"].includes(d.get('base-uri')?.join(' ') ?? '')) problems.push(`base-uri is not 'none' or 'self'`);
  if (problems.length) throw new Error(`${where}: the CSP is not strict (${problems.join('; ')}): ${header}`);
}
