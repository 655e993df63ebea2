import { createReadStream, statSync, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>POS store node</title></head>
<body><h1>The POS user interface has not been built yet</h1>
<p>This store node is running and its command channel works, but there is no renderer build to show.
Build it with <code>npm run build -w @retail/pos-desktop</code>, or start pos-store with <code>--ui DIR</code>
pointing at a renderer build.</p></body></html>
`;

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(body);
}

/**
 * Serves the renderer build. Paths are resolved inside the root only (no `..` escape); unknown paths
 * without a file extension get index.html so client-side routes survive a reload; without a build a
 * plain page says so instead of a bare 404.
 */
export function createStaticHandler(root: string | undefined) {
  const base = root === undefined ? undefined : resolve(root);
  return (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed.\n');
      return;
    }
    const index = base === undefined ? undefined : join(base, 'index.html');
    if (base === undefined || index === undefined || !statOrUndefined(index)?.isFile()) {
      send(response, 200, 'text/html; charset=utf-8', NOT_BUILT_PAGE);
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      send(response, 400, 'text/plain; charset=utf-8', 'Bad request path.\n');
      return;
    }
    let file = resolve(base, `.${pathname}`);
    // Source maps are never served, even when a build left some behind.
    if ((file !== base && !file.startsWith(base + sep)) || extname(file).toLowerCase() === '.map') {
      send(response, 404, 'text/plain; charset=utf-8', 'Not found.\n');
      return;
    }
    let stats = statOrUndefined(file);
    if (stats?.isDirectory()) {
      file = join(file, 'index.html');
      stats = statOrUndefined(file);
    }
    if (!stats?.isFile()) {
      if (extname(pathname) !== '') {
        send(response, 404, 'text/plain; charset=utf-8', 'Not found.\n');
        return;
      }
      file = index;
      stats = statOrUndefined(file);
      if (!stats?.isFile()) {
        send(response, 404, 'text/plain; charset=utf-8', 'Not found.\n');
        return;
      }
    }
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    response.writeHead(200, {
      'Content-Type': type,
      'Content-Length': stats.size,
      // The shell must be re-fetched so a new build is picked up; hashed assets may be cached.
      'Cache-Control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600',
      'X-Content-Type-Options': 'nosniff',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file).pipe(response);
  };
}
