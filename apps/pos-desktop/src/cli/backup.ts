import { z } from 'zod';
import { backupStoreDatabase, type BackupResult } from '../engine/backup';
import { requireDatabase } from './data-folder';
import { validateOptions, type CliIo, type ParsedOptions } from './options';

const BackupOptionsSchema = z.object({
  data: z.string({ error: 'is required.' }).min(1),
  out: z.string({ error: 'is required (the backup file to write).' }).min(1),
});

export type { BackupResult };

/** The CLI's backup: the data folder's database into `outFile` (see backupStoreDatabase). */
export function backupDatabase(dataDir: string, outFile: string): Promise<BackupResult> {
  return backupStoreDatabase(requireDatabase(dataDir), outFile);
}

export async function runBackup(values: ParsedOptions, io: CliIo): Promise<number> {
  const options = validateOptions(BackupOptionsSchema, values);
  const result = await backupDatabase(options.data, options.out);
  io.out(
    `pos-store: backup written to ${result.file} (${result.pages} pages, schema ${result.migrations.at(-1) ?? 'none'}, integrity ok)`,
  );
  return 0;
}
