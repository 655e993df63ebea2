import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Owner only: the hub's database holds customers, sales and credential hashes. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_FOLDER_MODE = 0o700;

/** Creates missing folders readable by the owner only; folders that exist are left as the operator set them. */
export function ensurePrivateFolder(folder: string): void {
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
}

/**
 * Makes the SQLite file (and its -wal and -shm files) readable by the owner only, before SQLite opens it.
 * SQLite creates files 0644 and gives -wal and -shm the mode of the database file, so creating the
 * database file 0600 first covers all three; files left 0644 by an older version are tightened.
 */
export function preparePrivateDatabaseFile(location: string): void {
  ensurePrivateFolder(dirname(location));
  closeSync(openSync(location, 'a', PRIVATE_FILE_MODE));
  for (const file of [location, `${location}-wal`, `${location}-shm`]) tighten(file);
}

function tighten(file: string): void {
  if (!existsSync(file)) return;
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, PRIVATE_FILE_MODE);
}
