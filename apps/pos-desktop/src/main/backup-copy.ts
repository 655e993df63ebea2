import { existsSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';

/**
 * The renderer may ask the main process to copy a backup elsewhere, naming the file the node reported.
 * Only a file in this node's backups folder qualifies: the page must not be able to read any other file
 * off the disk by calling the copy with a path of its choosing.
 */
export function backupToCopy(file: unknown, dataDir: string): string | null {
  if (typeof file !== 'string' || file.length === 0 || file.length > 4096 || file.includes('\0')) return null;
  const folder = resolve(join(dataDir, 'backups'));
  const source = resolve(file);
  if (!source.startsWith(folder + sep) || !/^store-[0-9TZ]+\.db$/.test(basename(source))) return null;
  return existsSync(source) ? source : null;
}
