import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/**
 * Checks every request before anything else reads it, against two things a hostile web page can do:
 * - DNS rebinding: a page on evil.example re-points its name at the node and then reads it as "its own"
 *   origin. The browser then sends `Host: evil.example`; the node answers only to IP addresses and to its
 *   own names.
 * - Cross-site sockets: a page anywhere opening a WebSocket to the node. Browsers always send `Origin` on
 *   WebSocket handshakes and cross-origin requests; it must be the node itself (the page it served) or
 *   the desktop shell's bundle. Requests without `Origin` come from programs, not pages (and same-origin
 *   GETs), and still need a credential for anything that matters.
 */
export interface RequestGuard {
  hostAllowed(request: IncomingMessage): boolean;
  originAllowed(request: IncomingMessage): boolean;
}

/** The Electron shell loads the renderer from this origin (src/main/security.ts APP_ORIGIN). */
export const DESKTOP_ORIGIN = 'pos-app://bundle';

function hostName(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}`).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  } catch {
    return undefined;
  }
}

export function createRequestGuard(options: {
  readonly scheme: 'http' | 'https';
  readonly names: readonly string[];
  readonly extraOrigins?: readonly string[];
}): RequestGuard {
  const names = new Set(options.names.map((name) => name.toLowerCase()));
  const extraOrigins = new Set(options.extraOrigins ?? [DESKTOP_ORIGIN]);
  return {
    hostAllowed(request) {
      const host = request.headers.host;
      if (host === undefined) return false;
      const name = hostName(host);
      return name !== undefined && (isIP(name) !== 0 || names.has(name));
    },
    originAllowed(request) {
      const origin = request.headers.origin;
      if (origin === undefined) return true;
      if (extraOrigins.has(origin)) return true;
      const host = request.headers.host;
      if (host === undefined) return false;
      try {
        const url = new URL(origin);
        return url.protocol === `${options.scheme}:` && url.host.toLowerCase() === host.toLowerCase();
      } catch {
        return false;
      }
    },
  };
}

/**
 * The till's pages may not be framed (clickjacking: a hostile page overlaying the till's buttons) and
 * load nothing from elsewhere; sent as headers because `frame-ancestors` in a meta tag is ignored.
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; '),
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function setPageSecurityHeaders(response: ServerResponse): void {
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) response.setHeader(name, value);
}

export function refuse(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(`${message}\n`);
}
