import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DomainError } from '@retail/domain';
import { databaseInUse } from '../engine/database';
import { PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE } from '../engine/private-files';

/**
 * The data folder of one store node, created 0700:
 *   store.db (+ store.db-wal, store.db-shm)  the SQLite database, 0600
 *   pos-store.token                          the running node's access token, 0600
 */
export const DATABASE_FILE = 'store.db';
export const TOKEN_FILE = 'pos-store.token';

export function databasePath(dataDir: string): string {
  return join(resolve(dataDir), DATABASE_FILE);
}

export function tokenPath(dataDir: string): string {
  return join(resolve(dataDir), TOKEN_FILE);
}

export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(resolve(dataDir), { recursive: true, mode: PRIVATE_FOLDER_MODE });
  } catch (error) {
    throw new DomainError(
      'INVALID_INPUT',
      `Cannot create the data folder ${dataDir}: ${(error as Error).message}.`,
    );
  }
}

export function requireDatabase(dataDir: string): string {
  const file = databasePath(dataDir);
  if (!existsSync(file)) {
    throw new DomainError(
      'NOT_FOUND',
      `There is no store database in ${resolve(dataDir)}. Set the node up first with pos-store init --data ${dataDir} ...`,
    );
  }
  return file;
}

/**
 * For commands that replace or rewrite the database (restore, re-enroll): refuses while a node, the
 * desktop app or a backup has it open. A node that crashed (killed, power cut) holds nothing, so its
 * folder can be restored without clean-up; the token file it left behind is removed.
 */
export function requireNodeStopped(dataDir: string): void {
  const file = databasePath(dataDir);
  if (existsSync(file) && databaseInUse(file)) {
    throw new DomainError(
      'CONFLICT',
      `A node is running on ${resolve(dataDir)} (its database is open). Stop it (or close the till app) first, then run this again.`,
    );
  }
  removeTokenFile(dataDir);
}

/**
 * Writes the token readable by this user only, so local tools (the Electron shell, scripts) can connect
 * without it ever being served over HTTP. chmod after writing because an existing file keeps its mode.
 */
export function writeTokenFile(dataDir: string, token: string): string {
  const file = tokenPath(dataDir);
  writeFileSync(file, `${token}\n`, { mode: PRIVATE_FILE_MODE });
  chmodSync(file, PRIVATE_FILE_MODE);
  return file;
}

export function removeTokenFile(dataDir: string): void {
  rmSync(tokenPath(dataDir), { force: true });
}
