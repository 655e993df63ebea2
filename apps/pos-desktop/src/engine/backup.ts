import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DomainError } from '@retail/domain';
import { integrityCheck, openDatabase } from './database';
import { appliedMigrations } from './migrations';
import { preparePrivateFile } from './private-files';
import { holdNumberingAsCopy } from './sync/device-succession';

export interface BackupResult {
  readonly file: string;
  readonly pages: number;
  readonly migrations: readonly string[];
}

/**
 * Copies a store database with SQLite's online backup API: the copy is one consistent snapshot even while
 * the node keeps committing sales, because the backup restarts from the changed pages it sees. The copy
 * is then marked as a backup copy and opened on its own, and must pass integrity_check before the backup
 * counts as done.
 */
export async function backupStoreDatabase(source: string, outFile: string): Promise<BackupResult> {
  if (!existsSync(source)) {
    throw new DomainError('NOT_FOUND', 'backup.noStoreDatabaseBack', { source });
  }
  const target = resolve(outFile);
  if (existsSync(target)) {
    throw new DomainError('CONFLICT', 'backup.alreadyExistsChooseNew', { target });
  }
  const db = openDatabase(source);
  let pages: number;
  try {
    if (appliedMigrations(db).length === 0) {
      throw new DomainError('INVALID_INPUT', 'backup.notPosStoreDatabase', { source });
    }
    // A backup is the whole store (sales, customers, the hub credential): owner only, like the original.
    preparePrivateFile(target);
    pages = (await db.backup(target)).totalPages;
  } finally {
    db.close();
  }
  // A restored backup must never issue receipt or sequence numbers the hub may already hold: the copy
  // waits for the hub from the last event it holds (docs/sync.md §2). A copy of a schema older than
  // that hold gets it from `pos-store restore`.
  const marked = openDatabase(target);
  try {
    holdNumberingAsCopy(marked);
  } finally {
    marked.close();
  }
  const copy = openDatabase(target, { readonly: true });
  try {
    const integrity = integrityCheck(copy);
    if (integrity !== 'ok') {
      throw new DomainError('INTERNAL', 'backup.backupFailedIntegrityCheck', { target, integrity });
    }
    return { file: target, pages, migrations: appliedMigrations(copy).map((m) => m.name) };
  } finally {
    copy.close();
  }
}

/** Where the installed app keeps the backups a manager makes from its settings screen. */
export function backupFolder(databasePath: string): string {
  return join(dirname(resolve(databasePath)), 'backups');
}

/** `store-20261123T100000Z.db`: sorts by time, never collides within a second on one till. */
export function backupFileName(nowMs: number): string {
  const stamp = new Date(nowMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `store-${stamp}.db`;
}

export function ensureBackupFolder(databasePath: string): string {
  const folder = backupFolder(databasePath);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  return folder;
}
