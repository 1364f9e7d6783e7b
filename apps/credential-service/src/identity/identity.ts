/**
 * Sign-in for the console, mounted on the service's Fastify: in embedded mode the OpenID provider under
 * /oidc (every method, handed the raw request before Fastify parses a body), started once the port is
 * bound (its issuer is `${PUBLIC_URL or http://host:port}/oidc`), with the API trusting its access
 * tokens; in both modes GET /console/config.json, what the console needs to sign in (nothing secret).
 */
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleConfig } from '@cs/client';
import { publicJwks, type AppConfig } from '@cs/composition';
import type { JwtVerifier } from '../auth/jwt-verifier';
import { createEmbeddedProvider } from './embedded-provider';
import { UserStore } from './users';

export const CONSOLE_REDIRECT_PATH = '/console/callback';

export interface Identity {
  /** Starts the embedded provider (if any) for this origin and makes the API trust its tokens. */
  start(origin: string, verifier: JwtVerifier): Promise<void>;
}

const NOT_STARTED = {
  type: '/problems/not-ready',
  title: 'Service not ready',
  status: 503,
  code: 'NOT_READY',
  detail: 'the sign-in is starting',
};

export function mountIdentity(app: NestFastifyApplication, config: AppConfig): Identity {
  const fastify = app.getHttpAdapter().getInstance();
  const logger = new Logger('sign-in');
  let consoleConfig: ConsoleConfig | null = null;
  let handler: ((req: FastifyRequest['raw'], res: FastifyReply['raw']) => void) | null = null;

  fastify.get('/console/config.json', (_request, reply) => {
    if (!consoleConfig) return reply.status(503).type('application/problem+json').header('retry-after', '1').send(NOT_STARTED);
    return reply.header('cache-control', 'no-store').send(consoleConfig);
  });

  if (config.identity.mode === 'embedded') {
    // Before Fastify reads the body: oidc-provider (Koa) parses its own forms and JSON.
    const handOver = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      if (!handler) {
        void reply.status(503).type('application/problem+json').header('retry-after', '1').send(NOT_STARTED);
        return;
      }
      reply.hijack();
      const raw = request.raw as FastifyRequest['raw'] & { originalUrl?: string };
      raw.originalUrl = raw.url;
      raw.url = (raw.url ?? '/').slice('/oidc'.length) || '/';
      if (!raw.url.startsWith('/')) raw.url = `/${raw.url}`;
      handler(raw, reply.raw);
      done();
    };
    for (const url of ['/oidc', '/oidc/*']) {
      fastify.route({
        method: ['GET', 'POST', 'OPTIONS', 'DELETE', 'PUT', 'PATCH'],
        url,
        onRequest: handOver,
        handler: () => undefined,
      });
    }
  }

  return {
    async start(origin, verifier) {
      const { identity } = config;
      if (identity.mode === 'external') {
        consoleConfig = {
          issuer: identity.issuer as string,
          clientId: identity.clientId,
          scopes: identity.scopes,
          apiBase: origin,
          redirectPath: CONSOLE_REDIRECT_PATH,
        };
        return;
      }
      const issuer = `${origin}/oidc`;
      const audience = config.auth.audience ?? `${origin}/v1`;
      const keys = identity.keys as NonNullable<typeof identity.keys>;
      const provider = await createEmbeddedProvider({
        issuer,
        clientId: identity.clientId,
        redirectUris: [`${origin}${CONSOLE_REDIRECT_PATH}`],
        postLogoutRedirectUris: [`${origin}/console/`],
        audience,
        keys,
        users: new UserStore(config.dataDir),
        throttle: identity.loginThrottle,
        logger,
      });
      verifier.trustEmbeddedProvider({ issuer, audience, jwks: publicJwks(keys) });
      handler = provider.callback();
      consoleConfig = {
        issuer,
        clientId: identity.clientId,
        scopes: identity.scopes,
        apiBase: origin,
        redirectPath: CONSOLE_REDIRECT_PATH,
      };
    },
  };
}

/** The origin browsers use: PUBLIC_URL, else the address the service listens on (0.0.0.0 read as 127.0.0.1). */
export function serviceOrigin(config: AppConfig, host: string, port: number): string {
  if (config.publicUrl) return config.publicUrl;
  const name = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}
