/**
 * "Secrets never in URLs or the browser's storage or history" (issue 11), asserted on the browser's own
 * records: every localStorage and sessionStorage key and value, every cookie, the current URL and every
 * entry of the tab's navigation history (url and title, read through the DevTools protocol, which sees
 * what history.back() would revisit).
 */
import type { Page } from 'playwright-core';
import type { PageGlobals, StorageLike } from './page-globals';

export interface BrowserRecords {
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  cookies: string[];
  url: string;
  history: string[];
}

export async function browserRecords(page: Page): Promise<BrowserRecords> {
  const storage = await page.evaluate(() => {
    const dump = (s: StorageLike) =>
      Object.fromEntries(Array.from({ length: s.length }, (_, i) => s.key(i)!).map((k) => [k, s.getItem(k) ?? '']));
    const { localStorage, sessionStorage } = globalThis as unknown as PageGlobals;
    return { localStorage: dump(localStorage), sessionStorage: dump(sessionStorage) };
  });
  const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`);
  const cdp = await page.context().newCDPSession(page);
  const { entries } = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string; title: string }[] };
  await cdp.detach();
  return { ...storage, cookies, url: page.url(), history: entries.map((e) => `${e.url} ${e.title}`) };
}

/** Fails naming where a secret (or a recognisable part of it, its last 16 characters) was found. */
export async function expectSecretsNowhere(page: Page, secrets: string[]): Promise<void> {
  const records = await browserRecords(page);
  const places: Array<[string, string]> = [
    ...Object.entries(records.localStorage).map(([k, v]): [string, string] => [`localStorage[${k}]`, `${k} ${v}`]),
    ...Object.entries(records.sessionStorage).map(([k, v]): [string, string] => [`sessionStorage[${k}]`, `${k} ${v}`]),
    ...records.cookies.map((c): [string, string] => [`cookie ${c.split('=')[0]}`, c]),
    ['URL', records.url],
    ...records.history.map((h, i): [string, string] => [`history entry ${i}`, h]),
  ];
  const found: string[] = [];
  for (const secret of secrets) {
    if (secret.length < 16) throw new Error('expectSecretsNowhere: pass the whole secret');
    const needles = [secret, encodeURIComponent(secret), secret.slice(-16)];
    for (const [where, text] of places) if (needles.some((n) => text.includes(n))) found.push(where);
  }
  if (found.length) throw new Error(`a secret was found in the browser's records: ${found.join(', ')}`);
}
