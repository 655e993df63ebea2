/**
 * One error type for the whole system with a closed set of codes. Messages are sentences a cashier,
 * picker or HQ operator can act on; `details` carries machine-readable context (field paths, ids).
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'NOT_ALLOWED',
  'CURRENCY_MISMATCH',
  'INVALID_BARCODE',
  'UNKNOWN_BARCODE',
  'NO_PRICE',
  'INSUFFICIENT_STOCK',
  'INSUFFICIENT_TENDER',
  'INSUFFICIENT_BALANCE',
  'OVERRIDE_REQUIRED',
  'LIMIT_EXCEEDED',
  'OFFLINE_LIMIT',
  'HUB_UNAVAILABLE',
  'SHIFT_NOT_OPEN',
  'RETURN_EXCEEDS_SOLD',
  'LOCKED_OUT',
  'SEQUENCE_GAP',
  'SCHEMA_VERSION',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  /** The node cannot write its database (disk full, read-only): nothing was saved. */
  'STORAGE_FULL',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }

  toJSON(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Result envelope used across every process boundary. */
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorBody };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, details?: Record<string, unknown>): Result<never> {
  return { ok: false, error: new DomainError(code, message, details).toJSON() };
}

/** Turns anything thrown into an envelope; unknown failures never leak internals to the caller. */
export function toErrorBody(thrown: unknown): ErrorBody {
  if (thrown instanceof DomainError) return thrown.toJSON();
  return {
    code: 'INTERNAL',
    message: 'Something went wrong. Nothing was saved; try again or call a supervisor.',
  };
}

export function invalid(message: string, details?: Record<string, unknown>): DomainError {
  return new DomainError('INVALID_INPUT', message, details);
}

export function assertNever(value: never, context = 'value'): never {
  throw new DomainError('INTERNAL', `Unexpected ${context}: ${JSON.stringify(value)}`);
}
