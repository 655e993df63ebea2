import { DomainError } from '@retail/domain';
import type { FastifyInstance } from 'fastify';

/** The methods the hub answers at all; anything else (TRACE, CONNECT, QUERY, WebDAV…) is 405 everywhere. */
export const SUPPORTED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The methods some route answers at `path` (a concrete path, without its query). The dashboard's
 * catch-all GET does not count: it stands for pages, not for resources another method could act on.
 */
export function allowedMethods(app: FastifyInstance, path: string): string[] {
  return SUPPORTED_METHODS.filter((method) => {
    const found = app.findRoute({ method, url: path });
    return (
      found !== null && !(found.params !== undefined && '*' in (found.params as Record<string, unknown>))
    );
  });
}

/** 405 (with Allow) when the path exists under other methods or the method is one the hub never answers. */
export function methodNotAllowed(
  app: FastifyInstance,
  method: string,
  path: string,
): { allow: string[]; error: DomainError } | undefined {
  const allow = allowedMethods(app, path);
  const supported = (SUPPORTED_METHODS as readonly string[]).includes(method);
  if (supported && (allow.length === 0 || allow.includes(method))) return undefined;
  return {
    allow,
    error:
      allow.length === 0
        ? new DomainError('NOT_ALLOWED', 'hub.api.methodNotAnswered', { method })
        : new DomainError('NOT_ALLOWED', 'hub.api.pathAnswersOtherMethods', {
            path,
            allow: allow.join(', '),
            method,
          }),
  };
}
