import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../errors.ts';

/** Where `npm run build:web` (run by `npm ci`) puts the console. */
export const CONSOLE_DIR = path.join(import.meta.dirname, '..', '..', 'dist', 'web');

/**
 * The web console at /ui/: its built files, and index.html for any other
 * path under it (the console routes in the browser). `/` leads there.
 */
export const consoleRoutes: FastifyPluginAsync<{ dir?: string }> = async (app, { dir = CONSOLE_DIR }) => {
  const hidden = { schema: { hide: true } };
  app.get('/', hidden, async (_request, reply) => reply.redirect('/ui/'));
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    app.log.warn(`the web console is not built (${dir}); run npm run build:web`);
    app.get('/ui/*', hidden, async () => {
      throw new AppError('unavailable', 'the web console is not built on this server; run npm run build:web');
    });
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/ui/',
    wildcard: false,
    index: 'index.html',
    cacheControl: false,
    // Hashed file names never change content: cached for a year. index.html names them, so it is asked for each time.
    setHeaders: (response, file) => {
      response.header('cache-control', file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
  });
  app.get('/ui/*', hidden, async (_request, reply) => reply.sendFile('index.html'));
};
