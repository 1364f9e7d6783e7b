/**
 * axe-core in the page under test: fails on any `serious` or `critical` violation, listing each with the
 * elements it found. axe.min.js is evaluated through the DevTools protocol (page.evaluate) rather than
 * page.addScriptTag: addScriptTag inserts an inline <script>, which the service's CSP (no inline scripts)
 * rightly blocks, and turning the CSP off for the scan (bypassCSP) would hide the very policy the tests
 * check. (@axe-core/playwright is not used: it needs Node 22.)
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { PageGlobals } from './page-globals';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/** Runs axe.run() on the whole document (WCAG 2.x A/AA and axe's best practices) and returns the violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as unknown as PageGlobals).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const page = globalThis as unknown as PageGlobals;
    const result = await page.axe!.run(page.document, { resultTypes: ['violations'] });
    return (result.violations as AxeViolation[]).map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

/** Fails the test on any serious or critical axe violation of the current page, naming `screen`. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (!violations.length) return;
  const lines = violations.map(
    (v) =>
      `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
      v.nodes
        .map((n) => `      ${JSON.stringify(n.target)}${n.failureSummary ? `: ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`)
        .join('\n'),
  );
  throw new Error(`axe found ${violations.length} serious/critical violation(s) on "${screen}" (${page.url()}):\n  ${lines.join('\n  ')}`);
}
