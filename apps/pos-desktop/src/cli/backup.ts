import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DomainError } from '@retail/domain';
import { z } from 'zod';
import { integrityCheck, openDatabase } from '../engine/database';
import { appliedMigrations } from '../engine/migrations';
import { requireDatabase } from './data-folder';
import { validateOptions, type CliIo, type ParsedOptions } from './options';

const BackupOptionsSchema = z.object({
  data: z.string({ error: 'is required.' }).min(1),
  out: z.string({ error: 'is required (the backup file to write).' }).min(1),
});

export interface BackupResult {
  readonly file: string;
  readonly pages: number;
  readonly migrations: readonly string[];
}

/**
 * Copies a store database with SQLite's online backup API: the copy is one consistent snapshot even while
 * the node keeps committing sales, because the backup restarts from the changed pages it sees. The copy
 * is then opened on its own and must pass integrity_check before the backup counts as done.
 */
export async function backupDatabase(dataDir: string, outFile: string): Promise<BackupResult> {
  const source = requireDatabase(dataDir);
  const target = resolve(outFile);
  if (existsSync(target)) {
    throw new DomainError(
      'CONFLICT',
      `${target} already exists. Choose a new file name; backups never overwrite.`,
    );
  }
  const db = openDatabase(source);
  let pages: number;
  try {
    if (appliedMigrations(db).length === 0) {
      throw new DomainError('INVALID_INPUT', `${source} is not a pos-store database.`);
    }
    pages = (await db.backup(target)).totalPages;
  } finally {
    db.close();
  }
  const copy = openDatabase(target, { readonly: true });
  try {
    const integrity = integrityCheck(copy);
    if (integrity !== 'ok') {
      throw new DomainError(
        'INTERNAL',
        `The backup at ${target} failed its integrity check (${integrity}). Keep the original and try again.`,
      );
    }
    return { file: target, pages, migrations: appliedMigrations(copy).map((m) => m.name) };
  } finally {
    copy.close();
  }
}

export async function runBackup(values: ParsedOptions, io: CliIo): Promise<number> {
  const options = validateOptions(BackupOptionsSchema, values);
  const result = await backupDatabase(options.data, options.out);
  io.out(
    `pos-store: backup written to ${result.file} (${result.pages} pages, schema ${result.migrations.at(-1) ?? 'none'}, integrity ok)`,
  );
  return 0;
}
