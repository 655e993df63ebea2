import { DomainError } from '@retail/domain';

/** What the hub tells a client to wait before trying again while it cannot write. */
export const STORAGE_FULL_RETRY_AFTER_SECONDS = 30;

/**
 * Errors meaning the database could not be written rather than that the request was wrong: SQLite's
 * full disk, read-only file and I/O errors (and the rollback SQLite makes by itself after them, see
 * storage.ts); PostgreSQL's disk_full (53100), io_error (58030) and
 * read_only_sql_transaction (25006, a replica promoted late or a read-only disk).
 */
const STORAGE_CODES =
  /^(SQLITE_FULL|SQLITE_IOERR.*|SQLITE_READONLY.*|SQLITE_AUTO_ROLLBACK|53100|58030|25006|ENOSPC|EROFS)$/;

export function isStorageFull(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current instanceof DomainError) return false;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && STORAGE_CODES.test(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The retryable answer for a request the hub could not save. Its transaction rolled back whole, so a push
 * was not acknowledged: the till keeps the events and sends them again after the hint.
 */
export function storageFull(): DomainError {
  return new DomainError(
    'HUB_UNAVAILABLE',
    'hub.storage.hubCannotWriteDatabase',
    {},
    { retryAfterSeconds: STORAGE_FULL_RETRY_AFTER_SECONDS },
  );
}
