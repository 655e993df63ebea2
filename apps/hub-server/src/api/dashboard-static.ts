import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

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
const RESERVED = ['/api', '/sync', '/socket.io', '/healthz', '/readyz', '/metrics'];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

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

async function fileAt(root: string, path: string): Promise<string | null> {
  const file = resolve(root, `.${path}`);
  // `..` (also percent-encoded) must never leave the build folder.
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) return null;
  try {
    return (await stat(file)).isFile() ? file : null;
  } catch {
    return null;
  }
}

/**
 * Serves the HQ dashboard at `/`: its files as built, and index.html for every other GET that is not an
 * API or sync path, so a client route (`/orders/W-12`) survives a reload. Hashed assets are cached for a
 * year; index.html is revalidated so a new build is picked up at once.
 */
export function registerDashboard(app: FastifyInstance, root: string | null = findDashboardRoot()): void {
  const serve = async (url: string, reply: FastifyReply) => {
    let path: string;
    try {
      path = decodeURIComponent(url.split('?')[0] ?? '/');
    } catch {
      return reply.callNotFound();
    }
    // Source maps are never served, even when a build left some behind.
    if (isReserved(path) || extname(path).toLowerCase() === '.map') return reply.callNotFound();
    if (root === null) {
      return secure(reply)
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The HQ dashboard is not built: run `npm run build -w @retail/hub-server`, then reload.');
    }
    const file = path === '/' ? null : await fileAt(root, path);
    if (file === null && path.startsWith('/assets/')) return reply.callNotFound();
    const served = file ?? join(root, 'index.html');
    const body = await readFile(served);
    return secure(reply)
      .header(
        'cache-control',
        served.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      )
      .type(CONTENT_TYPES[extname(served)] ?? 'application/octet-stream')
      .send(body);
  };
  app.get('/', (request, reply) => serve(request.url, reply));
  app.get('/*', (request, reply) => serve(request.url, reply));
}
