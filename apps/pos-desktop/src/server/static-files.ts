import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve } from 'node:path';
import sirv from 'sirv';
import { bundleContentType } from './content-type';

export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>POS store node</title></head>
<body><h1>The POS user interface has not been built yet</h1>
<p>This store node is running and its command channel works, but there is no renderer build to show.
Build it with <code>npm run build -w @retail/pos-desktop</code>, or start pos-store with <code>--ui DIR</code>
pointing at a renderer build.</p></body></html>
`;

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(body);
}

function notFound(response: ServerResponse): void {
  send(response, 404, 'text/plain; charset=utf-8', 'Not found.\n');
}

/**
 * Serves the renderer build through sirv: paths stay inside the root, unknown paths without a file
 * extension get index.html so client-side routes survive a reload, source maps and files the build does
 * not ship are never served, and without a build a plain page says so instead of a bare 404. The build
 * is looked for on every request, so a node started before its renderer was built picks it up.
 */
export function createStaticHandler(root: string | undefined) {
  const base = root === undefined ? undefined : resolve(root);
  let serve: ReturnType<typeof sirv> | undefined;
  return (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed.\n');
      return;
    }
    if (base === undefined || !existsSync(join(base, 'index.html'))) {
      send(response, 200, 'text/html; charset=utf-8', NOT_BUILT_PAGE);
      return;
    }
    serve ??= sirv(base, {
      single: true,
      // Only extension-less paths are the app's routes; a missing file (even one spelled `..%2f`) is a 404.
      ignores: ['\\.\\w+$'],
      etag: true,
      // Look files up on disk per request rather than indexing them once: a build replaced under a
      // running node (an update, a developer's rebuild) is served at once, as before.
      dev: true,
      setHeaders: (res, pathname) => {
        // The shell must be re-fetched so a new build is picked up; hashed assets may be cached.
        const shell = extname(pathname) === '' || pathname.endsWith('index.html');
        res.setHeader('Cache-Control', shell ? 'no-cache' : 'public, max-age=3600');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        const type = bundleContentType(shell ? 'index.html' : pathname);
        if (type !== undefined) res.setHeader('Content-Type', type);
      },
    });
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      send(response, 400, 'text/plain; charset=utf-8', 'Bad request path.\n');
      return;
    }
    // Source maps and files the build does not ship (a database copied beside it) are never served.
    if (extname(decoded) !== '' && bundleContentType(decoded) === undefined) {
      notFound(response);
      return;
    }
    serve(request, response, () => notFound(response));
  };
}
