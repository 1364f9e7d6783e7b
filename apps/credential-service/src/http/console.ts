/**
 * The Developer Space console (apps/console, built by `npm run build` into dist/console) under /console:
 * its files, and index.html for /console, /console/ and every client-side route (/console/callback,
 * /console/history, …). With @fastify/helmet on these routes only: a CSP without inline scripts or
 * styles, no framing, connections to this origin and the identity provider's, and no referrer.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** dist/console beside the built service (dist/apps/credential-service/src), or under the working directory. */
export function consoleDirectory(): string | null {
  const candidates = [resolve(__dirname, '../../../../console'), resolve(process.cwd(), 'dist/console')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/** The origins the console may connect to besides its own: the identity provider's, when it is elsewhere. */
export function consoleConnectSources(issuer: string | null): string[] {
  if (!issuer) return [];
  try {
    return [new URL(issuer).origin];
  } catch {
    return [];
  }
}

export async function serveConsole(
  app: NestFastifyApplication,
  options: { directory: string | null; issuer: string | null },
): Promise<void> {
  const connect = ["'self'", ...consoleConnectSources(options.issuer)];
  await app.register(async (scope: FastifyInstance) => {
    await scope.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: connect,
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginEmbedderPolicy: false,
    });
    const directory = options.directory;
    if (!directory) {
      const notBuilt = {
        type: '/problems/http-404',
        title: 'Not Found',
        status: 404,
        code: 'HTTP_404',
        detail: 'the console is not built',
      };
      scope.get('/console', (_request, reply) => reply.status(404).type('application/problem+json').send(notBuilt));
      scope.get('/console/*', (_request, reply) => reply.status(404).type('application/problem+json').send(notBuilt));
      return;
    }
    // Only the files there at start-up get routes (wildcard: false); any other path under /console is the app's.
    await scope.register(fastifyStatic, { root: directory, prefix: '/console/', wildcard: false, index: false, cacheControl: false });
    const page = (_request: unknown, reply: { header(n: string, v: string): unknown; sendFile(f: string): unknown }) => {
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html');
    };
    scope.addHook('onSend', async (request, reply, payload) => {
      // Hashed asset names never change content: cache them; everything else is revalidated.
      if (request.url.startsWith('/console/assets/')) void reply.header('cache-control', 'public, max-age=31536000, immutable');
      return payload;
    });
    scope.get('/console', page);
    scope.get('/console/', page);
    scope.get('/console/*', page);
  });
}
