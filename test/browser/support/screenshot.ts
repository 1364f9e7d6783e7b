/**
 * Screenshots of each screen, under a fixed name (docs/screenshots/<name>.png, referenced by the README).
 * A test run writes them to .cache/screenshots/ (git-ignored), so running the tests leaves the tree clean;
 * `npm run screenshots` (UPDATE_SCREENSHOTS=1) writes the README's copies in docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './service';

export const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs/screenshots') : join(ROOT, '.cache/screenshots');

/** `name`: lower-case words and dashes, e.g. `sign-in`, `authentication-keys`. Returns the file written. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new Error(`screenshot name "${name}": use lower-case words and dashes`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // caret hidden and animations stopped, so two runs of an unchanged screen give the same picture
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
  return path;
}
