import { z } from 'zod';
import { DomainError, assertNever, toErrorBody, type ErrorBody, type ErrorCode } from '@retail/domain';
import { databaseUnavailable, isDatabaseUnavailable } from '../storage/database-errors';
import { isStorageFull, storageFull } from '../storage/storage-full';

/**
 * The envelope for anything a handler threw, over HTTP and socket.io alike: a lost database is the
 * retryable HUB_UNAVAILABLE with a retry hint (tills back off and push again), never INTERNAL.
 */
export function errorBodyOf(error: unknown): ErrorBody {
  if (error instanceof DomainError) return error.toJSON();
  if (isDatabaseUnavailable(error)) return databaseUnavailable().toJSON();
  if (isStorageFull(error)) return storageFull().toJSON();
  return toErrorBody(error);
}

/** Seconds a client should wait before retrying, for the answers that carry one (`Retry-After`). */
export function retryAfterSecondsOf(body: ErrorBody): number | undefined {
  if (body.code !== 'RATE_LIMITED' && body.code !== 'HUB_UNAVAILABLE') return undefined;
  const seconds = (body.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : undefined;
}

/** HTTP status for each domain error code: the body always carries the code and an actionable sentence. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
    case 'INVALID_BARCODE':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
    case 'UNKNOWN_BARCODE':
      return 404;
    case 'CONFLICT':
    case 'NOT_ALLOWED':
    case 'INSUFFICIENT_STOCK':
    case 'SEQUENCE_GAP':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'SCHEMA_VERSION':
      return 426;
    case 'RATE_LIMITED':
    case 'LOCKED_OUT':
      return 429;
    case 'HUB_UNAVAILABLE':
      return 503;
    case 'STORAGE_FULL':
      return 507;
    case 'INTERNAL':
      return 500;
    case 'CURRENCY_MISMATCH':
    case 'NO_PRICE':
    case 'INSUFFICIENT_TENDER':
    case 'INSUFFICIENT_BALANCE':
    case 'OVERRIDE_REQUIRED':
    case 'LIMIT_EXCEEDED':
    case 'OFFLINE_LIMIT':
    case 'SHIFT_NOT_OPEN':
    case 'RETURN_EXCEEDS_SOLD':
      return 422;
    default:
      return assertNever(code, 'error code');
  }
}

/** A zod failure as INVALID_INPUT with every field path, e.g. `body.lines.0.qty`. */
export function invalidInput(where: 'body' | 'query' | 'params' | 'headers', error: z.ZodError): DomainError {
  const issues = error.issues.slice(0, 50).map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  return new DomainError(
    'INVALID_INPUT',
    first === undefined ? 'hub.api.requestPartNotValid' : 'hub.api.fieldProblem',
    first === undefined ? { where } : { path: first.path, problem: first.message },
    { issues },
  );
}

/** Errors fastify raises itself (body parsing, size limits) turned into the same envelope. */
export function frameworkError(error: { statusCode?: number; code?: string; message: string }): ErrorBody {
  switch (error.statusCode) {
    case 413:
      return new DomainError('PAYLOAD_TOO_LARGE', 'hub.api.bodyTooLarge').toJSON();
    case 415:
      return new DomainError('INVALID_INPUT', 'hub.api.unsupportedContentType', {
        reason: error.message,
      }).toJSON();
    case 400:
      return new DomainError('INVALID_INPUT', 'hub.api.requestNotReadable', {
        reason: error.message,
      }).toJSON();
    default:
      return errorBodyOf(error);
  }
}

export const ErrorEnvelopeSchema = z.object({
  ok: z.literal(false),
  error: z.object({
    code: z.string(),
    message: z.string(),
    // A client in another language shows the catalog sentence of `key` filled with `params` (docs/conventions.md).
    key: z.string().optional().describe('The sentence in the error catalog, for translation.'),
    params: z
      .record(z.string(), z.union([z.string(), z.number()]))
      .optional()
      .describe('The values the sentence of `key` is filled with.'),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
