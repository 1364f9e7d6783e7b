/**
 * The Developer Space console (apps/console/README.md): built by `npm run build` into dist/console,
 * which the service serves under /console. `vite dev` proxies the API to a running service.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const service = process.env.CONSOLE_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/console/',
  plugins: [preact()],
  resolve: { alias: { '@cs/client': fileURLToPath(new URL('../../libs/client/src/index.ts', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    // No inline script or style (the service's CSP allows neither): one JS module and one CSS file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    // The API, the config and the sign-in are the service's: everything but the console's own files goes there.
    proxy: {
      '/v1': service,
      '/console/config.json': service,
      '/oidc': service,
      '/.well-known': service,
    },
  },
});
