/** The closed set of error codes; every DomainError carries one (see errors.ts). */
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
