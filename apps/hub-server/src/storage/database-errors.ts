import { DomainError } from '@retail/domain';

/** What the hub tells a client to wait before trying again while its database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * SQLSTATEs meaning the connection or the server went away, not that the request was wrong: class 08
 * (connection exception), 57P01 admin_shutdown (restart, pg_terminate_backend), 57P02 crash_shutdown,
 * 57P03 cannot_connect_now (starting up, shutting down, recovering), 53300 too_many_connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** node-postgres reports a lost connection with plain errors and these messages. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
];

/** True when `error` (or its cause) says the database could not be reached or dropped the connection. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    // The hub's own errors already say what went wrong, whatever their wording.
    if (current instanceof DomainError) return false;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code.startsWith('08') && code.length === 5) return true;
      if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_NODE_CODES.has(code)) return true;
    }
    const message = current.message;
    if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The retryable answer for a request the hub could not finish because its database went away. Its
 * transaction either committed whole before the loss or rolled back whole: never half-saved.
 */
export function databaseUnavailable(): DomainError {
  return new DomainError(
    'HUB_UNAVAILABLE',
    'hub.storage.hubLostDatabaseConnection',
    {},
    { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
  );
}
