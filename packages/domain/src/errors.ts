import { createTranslator } from '@retail/i18n';
import { ERROR_CODES, type ErrorCode } from './error-codes';
import { ERROR_MESSAGES, type ErrorMessageKey } from './error-messages';

export { ERROR_CODES, type ErrorCode } from './error-codes';
export { ERROR_CATALOGS, ERROR_MESSAGES, type ErrorCatalog, type ErrorMessageKey } from './error-messages';

/**
 * One error type for the whole system with a closed set of codes. Messages are sentences a cashier,
 * picker or HQ operator can act on; `details` carries machine-readable context (field paths, ids).
 *
 * A sentence is not written at the throw site: the error carries a message `key` and its `params`, and
 * `message` is the English sentence rendered from the catalog (error-messages/), so logs and wire bodies
 * read as before while the till and the dashboard can show the same error in another language.
 */

/** The values an error's sentence is filled with: amounts, dates and ids already formatted as shown. */
export type ErrorParams = Readonly<Record<string, string | number>>;

export interface ErrorBody {
  readonly code: ErrorCode;
  /** The English sentence (rendered from `key` and `params` when the error has a key). */
  readonly message: string;
  /** The sentence's key in the error catalog; a screen translates `key` + `params`, else shows `message`. */
  readonly key?: string;
  readonly params?: ErrorParams;
  readonly details?: Record<string, unknown>;
}

const english = createTranslator(ERROR_MESSAGES, 'en', { text: 'exact' });

export function isErrorMessageKey(value: unknown): value is ErrorMessageKey {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_MESSAGES, value);
}

/** The English sentence of `key` filled with `params`; a parameter not given shows as `{name}`. */
export function renderErrorMessage(key: ErrorMessageKey, params: ErrorParams = {}): string {
  return english.t(key, params);
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: ErrorCode;
  readonly key: ErrorMessageKey | undefined;
  readonly params: ErrorParams | undefined;
  readonly details: Record<string, unknown> | undefined;

  /** An error whose sentence is `key` in the error catalog, filled with `params`. */
  constructor(code: ErrorCode, key: ErrorMessageKey, params?: ErrorParams, details?: Record<string, unknown>);
  /**
   * An error with a sentence written in place, which no screen can translate: only for code not yet
   * moved to the catalog (a test in packages/domain lists the packages that must not use it).
   */
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>);
  constructor(
    code: ErrorCode,
    keyOrMessage: string,
    paramsOrDetails?: Record<string, unknown>,
    details?: Record<string, unknown>,
  ) {
    const keyed = isErrorMessageKey(keyOrMessage);
    const params = keyed ? ((paramsOrDetails ?? {}) as ErrorParams) : undefined;
    super(keyed ? renderErrorMessage(keyOrMessage, params) : keyOrMessage);
    this.code = code;
    this.key = keyed ? keyOrMessage : undefined;
    this.params = params;
    this.details = keyed ? details : paramsOrDetails;
  }

  /** The same error again from its body (a rethrow across a boundary): key and params kept. */
  static fromBody(body: ErrorBody): DomainError {
    const error = new DomainError(body.code, body.message, body.details);
    if (body.key !== undefined && isErrorMessageKey(body.key)) {
      Object.assign(error, { key: body.key, params: body.params ?? {} });
    }
    return error;
  }

  toJSON(): ErrorBody {
    const keyed = this.key === undefined ? {} : { key: this.key, params: this.params ?? {} };
    return this.details === undefined
      ? { code: this.code, message: this.message, ...keyed }
      : { code: this.code, message: this.message, ...keyed, details: this.details };
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

export function fail(
  code: ErrorCode,
  key: ErrorMessageKey,
  params?: ErrorParams,
  details?: Record<string, unknown>,
): Result<never>;
export function fail(code: ErrorCode, message: string, details?: Record<string, unknown>): Result<never>;
export function fail(
  code: ErrorCode,
  keyOrMessage: string,
  paramsOrDetails?: Record<string, unknown>,
  details?: Record<string, unknown>,
): Result<never> {
  return { ok: false, error: errorOf(code, keyOrMessage, paramsOrDetails, details).toJSON() };
}

function errorOf(
  code: ErrorCode,
  keyOrMessage: string,
  paramsOrDetails?: Record<string, unknown>,
  details?: Record<string, unknown>,
): DomainError {
  return isErrorMessageKey(keyOrMessage)
    ? new DomainError(code, keyOrMessage, paramsOrDetails as ErrorParams | undefined, details)
    : new DomainError(code, keyOrMessage, paramsOrDetails);
}

/** Turns anything thrown into an envelope; unknown failures never leak internals to the caller. */
export function toErrorBody(thrown: unknown): ErrorBody {
  if (thrown instanceof DomainError) return thrown.toJSON();
  return {
    code: 'INTERNAL',
    message: 'Something went wrong. Nothing was saved; try again or call a supervisor.',
  };
}

export function invalid(
  key: ErrorMessageKey,
  params?: ErrorParams,
  details?: Record<string, unknown>,
): DomainError;
export function invalid(message: string, details?: Record<string, unknown>): DomainError;
export function invalid(
  keyOrMessage: string,
  paramsOrDetails?: Record<string, unknown>,
  details?: Record<string, unknown>,
): DomainError {
  return errorOf('INVALID_INPUT', keyOrMessage, paramsOrDetails, details);
}

export function assertNever(value: never, context = 'value'): never {
  throw new DomainError('INTERNAL', 'errors.unexpected', { context, value: JSON.stringify(value) });
}
