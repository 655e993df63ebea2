import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { DomainError } from '@retail/domain';

/**
 * Free space a sale must find before it starts. A sale writes a few kilobytes; the margin is for the
 * WAL, the outbox and everything else the node writes meanwhile (feed pages, audit), so a sale that
 * starts can be completed and its payment recorded.
 */
export const DEFAULT_MIN_FREE_DISK_BYTES = 16 * 1024 * 1024;

/** Bytes an unprivileged process may still write on the file system holding `file`. */
export function freeDiskBytes(file: string): number {
  const stats = statfsSync(dirname(file));
  return Number(stats.bavail) * Number(stats.bsize);
}

/** Refuses to start a sale the till may not be able to finish saving (before any money is taken). */
export function requireDiskHeadroom(databaseFile: string, minFreeBytes: number): void {
  const free = freeDiskBytes(databaseFile);
  if (free < minFreeBytes)
    throw new DomainError('STORAGE_FULL', 'diskSpace.cannotSave', {}, { freeBytes: free });
}

const STORAGE_CODES = /^(SQLITE_FULL|SQLITE_IOERR.*|SQLITE_READONLY.*|SQLITE_CANTOPEN|ENOSPC|EROFS|EDQUOT)$/;

/**
 * The command's failure as STORAGE_FULL when the database could not be written (disk full, read-only
 * file or file system, I/O error). SQLite rolled the command's transaction back whole, so it says so.
 */
export function storageFailureOf(error: unknown): DomainError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !STORAGE_CODES.test(code)) return undefined;
  return new DomainError('STORAGE_FULL', 'diskSpace.cannotSave', {}, { cause: code });
}
