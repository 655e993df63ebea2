import { extname, join, normalize, resolve, sep } from 'node:path';
import { bundleContentType } from '../server/content-type';

export type BundleRequest =
  | { readonly kind: 'file'; readonly path: string; readonly contentType: string }
  | { readonly kind: 'not-found' };

/**
 * Maps a `pos-app://bundle/...` request to a file of the renderer build, refusing anything outside it
 * (`..`, encoded separators) and any other host. Unknown extension-less paths get index.html so an in-app
 * route survives a reload.
 */
export function resolveBundleRequest(requestUrl: string, rendererDir: string): BundleRequest {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { kind: 'not-found' };
  }
  if (url.host !== 'bundle') return { kind: 'not-found' };
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return { kind: 'not-found' };
  }
  if (pathname.includes('\0')) return { kind: 'not-found' };
  const root = resolve(rendererDir);
  const relative =
    pathname === '/' || extname(pathname) === '' ? 'index.html' : normalize(pathname).replace(/^[/\\]+/, '');
  const file = resolve(join(root, relative));
  if (!file.startsWith(root + sep)) return { kind: 'not-found' };
  const contentType = bundleContentType(file);
  return contentType ? { kind: 'file', path: file, contentType } : { kind: 'not-found' };
}

/** Response headers of a bundle file: the CSP on every document, nothing cached across app updates. */
export function bundleHeaders(contentType: string, csp: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
}
