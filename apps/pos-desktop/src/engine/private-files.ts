import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';

/** Owner only: the store database holds sales, customers, staff PIN hashes and the hub credential. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_FOLDER_MODE = 0o700;

/**
 * Creates `file` readable by its owner only if it does not exist yet, and tightens it (and a SQLite
 * database's -wal and -shm files) when an older version left them readable by others. SQLite creates
 * files 0644 and gives -wal and -shm the mode of the database file, so a database file created 0600
 * before SQLite opens it keeps all three private.
 */
export function preparePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const each of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(each) && (statSync(each).mode & 0o077) !== 0) chmodSync(each, PRIVATE_FILE_MODE);
  }
}
