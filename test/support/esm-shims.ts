/**
 * Jest (CommonJS) cannot load ESM-only packages that Node 20.19+ loads natively via require(esm).
 * @fastify/static 10 (used by @nestjs/swagger to serve /docs) requires `content-disposition` 3,
 * which is ESM-only, so under Jest the app would exit at SwaggerModule.setup. Only its `create`
 * (Content-Disposition for reply.download) is used by @fastify/static, and the service never
 * sends downloads, so a CommonJS stand-in is enough. Imported first by ./app.ts.
 * (The proper fix belongs in jest.config.js: transform node_modules/content-disposition.)
 */
jest.mock('content-disposition', () => ({
  create: (filename: string, options?: { type?: string }) =>
    `${options?.type ?? 'attachment'}; filename="${String(filename).replace(/["\\]/g, '_')}"`,
}));

export {};
