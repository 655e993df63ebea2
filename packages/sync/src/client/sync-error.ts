import {
  DomainError,
  isErrorMessageKey,
  type ErrorBody,
  type ErrorCode,
  type ErrorMessageKey,
  type ErrorParams,
} from '@retail/domain';

/**
 * How a transport call failed, which decides what the agent does next:
 * - `unreachable`: no connection (refused, DNS, socket closed): reconnect with backoff.
 * - `timeout`: no answer in time; the hub may or may not have applied it (a lost ack). Retry: pushing
 *   again is answered `duplicate` for whatever was applied.
 * - `busy`: the hub asked to come back later (429/503, admission control); `retryAfterMs` is a floor.
 * - `unauthorized`: the device credential was refused; only HQ can fix it (re-enroll).
 * - `too_old`: the hub no longer serves this client version; only an update fixes it.
 * - `rejected`: the hub refused the request as invalid; a client bug, retried slowly.
 * - `protocol`: the answer did not match the protocol (schema, or inconsistent with the request).
 */
export const TRANSPORT_FAILURES = [
  'unreachable',
  'timeout',
  'busy',
  'unauthorized',
  'too_old',
  'rejected',
  'protocol',
] as const;
export type TransportFailure = (typeof TRANSPORT_FAILURES)[number];

const CODES: Record<TransportFailure, ErrorCode> = {
  unreachable: 'HUB_UNAVAILABLE',
  timeout: 'HUB_UNAVAILABLE',
  busy: 'RATE_LIMITED',
  unauthorized: 'UNAUTHORIZED',
  too_old: 'SCHEMA_VERSION',
  rejected: 'INVALID_INPUT',
  protocol: 'INTERNAL',
};

export interface TransportErrorOptions {
  readonly retryAfterMs?: number;
  readonly code?: ErrorCode;
  readonly details?: Record<string, unknown>;
}

export class SyncTransportError extends DomainError {
  readonly failure: TransportFailure;
  readonly retryAfterMs: number | undefined;

  /** A failure whose sentence is `key` in the error catalog, filled with `params`. */
  constructor(
    failure: TransportFailure,
    key: ErrorMessageKey,
    params?: ErrorParams,
    options?: TransportErrorOptions,
  );
  /** A failure with a sentence written in place (a hub's answer, a test's fake). */
  constructor(failure: TransportFailure, message: string, options?: TransportErrorOptions);
  constructor(
    failure: TransportFailure,
    keyOrMessage: string,
    paramsOrOptions?: ErrorParams | TransportErrorOptions,
    keyedOptions?: TransportErrorOptions,
  ) {
    const keyed = isErrorMessageKey(keyOrMessage);
    const options = ((keyed ? keyedOptions : paramsOrOptions) ?? {}) as TransportErrorOptions;
    const details = {
      ...options.details,
      failure,
      ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
    };
    const code = options.code ?? CODES[failure];
    if (keyed) super(code, keyOrMessage, paramsOrOptions as ErrorParams | undefined, details);
    else super(code, keyOrMessage, details);
    this.failure = failure;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isSyncTransportError(value: unknown): value is SyncTransportError {
  return value instanceof SyncTransportError;
}

/** The sentences (catalog keys) of the failures every transport reports the same way. */
export const TRANSPORT_MESSAGES = {
  unreachable: 'sync.hubUnreachable',
  disconnected: 'sync.hubDisconnected',
  timeout: 'sync.hubTimeout',
  busy: 'sync.hubBusy',
  unauthorized: 'sync.hubRefusedCredential',
  tooOld: 'sync.tillTooOld',
} as const satisfies Record<string, ErrorMessageKey>;

/**
 * Maps an error body a hub sent (HTTP body or socket.io ack) onto a transport failure, so both
 * transports classify the same hub answer the same way.
 */
export function transportErrorFromBody(body: ErrorBody, retryAfterMs?: number): SyncTransportError {
  const details = body.details ?? {};
  const detailRetry =
    typeof details['retryAfterMs'] === 'number'
      ? details['retryAfterMs']
      : typeof details['retryAfterSeconds'] === 'number'
        ? details['retryAfterSeconds'] * 1000
        : undefined;
  const retry = retryAfterMs ?? detailRetry;
  const withRetry = retry === undefined ? {} : { retryAfterMs: retry };
  return withKeyOf(body, failureOfBody(body, details, withRetry));
}

function failureOfBody(
  body: ErrorBody,
  details: Record<string, unknown>,
  withRetry: { retryAfterMs?: number },
): SyncTransportError {
  switch (body.code) {
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
      return new SyncTransportError('unauthorized', body.message, { code: body.code, details });
    case 'SCHEMA_VERSION':
      return new SyncTransportError('too_old', body.message, { code: body.code, details });
    case 'RATE_LIMITED':
    case 'HUB_UNAVAILABLE':
      return new SyncTransportError('busy', body.message, { code: body.code, details, ...withRetry });
    default:
      return new SyncTransportError('rejected', body.message, { code: body.code, details });
  }
}

/** The hub's sentence is kept as it wrote it; its key and params come along so a screen can translate it. */
function withKeyOf(body: ErrorBody, error: SyncTransportError): SyncTransportError {
  if (isErrorMessageKey(body.key)) Object.assign(error, { key: body.key, params: body.params ?? {} });
  return error;
}
