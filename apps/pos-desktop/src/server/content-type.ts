import { extname } from 'node:path';
import { lookup } from 'mrmime';

/** Types a renderer build may hold; anything else is not served (a database file left beside it, say). */
const SERVED = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.svg',
  '.png',
  '.jpg',
  '.woff',
  '.woff2',
  '.txt',
  '.webmanifest',
]);

/**
 * The Content-Type of a file of the renderer build, from mrmime's table, with the charset on text types
 * (the bundles are UTF-8); undefined for a file the build does not ship. Shared by the store node's
 * server and the desktop shell's `pos-app://` protocol.
 */
export function bundleContentType(fileName: string): string | undefined {
  const extension = extname(fileName).toLowerCase();
  if (!SERVED.has(extension)) return undefined;
  const type = lookup(extension);
  if (type === undefined) return undefined;
  return /^text\/|json$|javascript$/.test(type) ? `${type}; charset=utf-8` : type;
}
