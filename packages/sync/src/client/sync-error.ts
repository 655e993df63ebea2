import { DomainError, type ErrorBody, type ErrorCode } from '@retail/domain';

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

export class SyncTransportError extends DomainError {
  readonly failure: TransportFailure;
  readonly retryAfterMs: number | undefined;

  constructor(
    failure: TransportFailure,
    message: string,
    options: { retryAfterMs?: number; code?: ErrorCode; details?: Record<string, unknown> } = {},
  ) {
    const details = {
      ...options.details,
      failure,
      ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
    };
    super(options.code ?? CODES[failure], message, details);
    this.failure = failure;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isSyncTransportError(value: unknown): value is SyncTransportError {
  return value instanceof SyncTransportError;
}

/** Messages for the failures every transport reports the same way. */
export const TRANSPORT_MESSAGES = {
  unreachable: 'The hub cannot be reached. Sales continue offline and will be sent when it is back.',
  disconnected: 'The connection to the hub dropped. Sales continue offline and will be sent when it is back.',
  timeout: 'The hub did not answer in time. The request will be retried; nothing is lost or sent twice.',
  busy: 'The hub is busy and asked this till to try again later. Sales continue offline meanwhile.',
  unauthorized:
    'The hub refused this till’s credential. Ask HQ to check the device, or enroll it again with a new code.',
  tooOld: 'The hub no longer supports this version of the till software. Install the update to sync again.',
} as const;

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
