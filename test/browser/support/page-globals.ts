/**
 * The few browser globals the tests touch inside page.evaluate(), typed here instead of adding the DOM
 * library to tsconfig.json (which would let server code use `window` unnoticed). Use it as a cast only,
 * `(globalThis as unknown as PageGlobals)`: the callback runs in the page, where imports do not exist.
 */
export interface StorageLike {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface PageGlobals {
  localStorage: StorageLike;
  sessionStorage: StorageLike;
  document: { activeElement: unknown; cookie: string; title: string };
  axe?: { run(context: unknown, options: unknown): Promise<{ violations: unknown[] }> };
}
