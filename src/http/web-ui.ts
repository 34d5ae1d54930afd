import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build:web` (vite) writes the web UI. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Keel</title>
<p>The Keel web UI has not been built. Run <code>npm run build:web</code> (npm install does it too) and reload.</p>
<p>The API is at <a href="/api/docs">/api/docs</a>.</p>`;

/**
 * Serves the built web UI (web/dist) at / with a single-page-app fallback: any GET that is not under
 * /api or /auth and does not name a file gets index.html, so deep links (/tickets/12) work on reload.
 * Hashed assets are cached for a year; index.html is never cached, so a new build is picked up at once.
 * Unknown /api and /auth paths keep answering with the API's JSON 404.
 */
export async function webUi(app: FastifyInstance, opts: { root?: string } = {}): Promise<void> {
  const root = opts.root ?? WEB_DIST;
  await app.register(fastifyStatic, { root, serve: false });

  const apiNotFound = async (_request: FastifyRequest, reply: FastifyReply) => reply.callNotFound();
  for (const prefix of ['/api/*', '/auth/*']) {
    app.get(prefix, { config: { public: true }, schema: { hide: true } }, apiNotFound);
  }

  app.get('/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const path = (request.params as { '*': string })['*'] ?? '';
    const last = path.split('/').pop() ?? '';
    if (!existsSync(join(root, 'index.html'))) {
      return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    }
    if (last.includes('.')) {
      // A file (script, style, image): served from dist or a 404, never index.html.
      const immutable = path.startsWith('assets/');
      return reply.sendFile(path, { maxAge: immutable ? '365d' : 0, immutable, cacheControl: true });
    }
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', { cacheControl: false });
  });
}
