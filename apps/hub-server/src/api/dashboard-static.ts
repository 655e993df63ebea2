import { existsSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The dashboard loads only its own bundle and talks only to this hub: no inline script, no framing, no
 * plugins. React sets styles through the CSSOM, which `style-src 'self'` allows.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the API and the sync protocol: the dashboard never answers for them. */
const RESERVED = ['/api', '/sync', '/webhooks', '/socket.io', '/healthz', '/readyz', '/metrics'];

/**
 * Where `vite build` put the dashboard: next to the bundled CLI (`dist/cli.js` → `dist/dashboard`), or,
 * when the hub runs from source (tests, tsx), in the app's `dist/dashboard`. Null when it is not built.
 */
export function findDashboardRoot(): string | null {
  const candidates = [
    new URL('./dashboard/', import.meta.url),
    new URL('../../dist/dashboard/', import.meta.url),
  ];
  for (const candidate of candidates) {
    const root = fileURLToPath(candidate);
    if (existsSync(join(root, 'index.html'))) return root;
  }
  return null;
}

function isReserved(path: string): boolean {
  return RESERVED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer');
}

/**
 * Serves the HQ dashboard at `/`: its files as built (through @fastify/static, one route per file found at
 * start, never a source map), and index.html for every other GET that is not an API or sync path, so a
 * client route (`/orders/W-12`) survives a reload. Hashed assets are cached for a year; index.html is
 * revalidated so a new build is picked up at once.
 */
export async function registerDashboard(
  app: FastifyInstance,
  root: string | null = findDashboardRoot(),
): Promise<void> {
  if (root === null) {
    const unbuilt = (request: FastifyRequest, reply: FastifyReply) =>
      isClientRoute(request.url)
        ? secure(reply)
            .code(503)
            .type('text/plain; charset=utf-8')
            .send('The HQ dashboard is not built: run `npm run build -w @retail/hub-server`, then reload.')
        : reply.callNotFound();
    app.get('/', unbuilt);
    app.get('/*', unbuilt);
    return;
  }
  await app.register(fastifyStatic, {
    root,
    // Our own catch-all below answers client routes; the plugin registers a route per built file.
    wildcard: false,
    index: false,
    globIgnore: ['**/*.map'],
    serveDotFiles: false,
    cacheControl: false,
    setHeaders: (reply, path) => {
      // RFC 9239 made text/javascript the one JavaScript type; send's table still says application/.
      if (extname(path) === '.js') reply.type('text/javascript; charset=utf-8');
      secure(reply).header(
        'cache-control',
        path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  const shell = (request: FastifyRequest, reply: FastifyReply) =>
    isClientRoute(request.url) ? reply.sendFile('index.html') : reply.callNotFound();
  app.get('/', shell);
  app.get('/*', shell);
}

/** A path the page's router owns: not the API, sync or health, not an asset, not a source map. */
function isClientRoute(url: string): boolean {
  let path: string;
  try {
    path = decodeURIComponent(url.split('?')[0] ?? '/');
  } catch {
    return false;
  }
  return !isReserved(path) && !path.startsWith('/assets/') && extname(path).toLowerCase() !== '.map';
}
