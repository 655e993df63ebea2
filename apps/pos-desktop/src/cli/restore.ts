import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DomainError } from '@retail/domain';
import { z } from 'zod';
import { integrityCheck, openDatabase } from '../engine/database';
import { readIdentity, type NodeIdentity } from '../engine/identity';
import { appliedMigrations, migrate } from '../engine/migrations';
import { preparePrivateFile } from '../engine/private-files';
import { holdNumberingAsCopy, numberingHold } from '../engine/sync/device-succession';
import { readHubConnection } from '../engine/sync/store-sync';
import { DATABASE_FILE, databasePath, ensureDataDir, requireNodeStopped } from './data-folder';
import { validateOptions, type CliIo, type ParsedOptions } from './options';

const RestoreOptionsSchema = z.object({
  data: z.string({ error: 'is required.' }).min(1),
  from: z.string({ error: 'is required (the backup file to restore).' }).min(1),
});

export interface RestoreResult {
  readonly identity: NodeIdentity;
  /** The last event and receipt numbers the backup holds. */
  readonly lastDeviceSeq: number;
  readonly lastReceiptSeq: number;
  /** Events of the backup the hub had not acknowledged when it was taken. */
  readonly unacknowledged: number;
  /** Where the database it replaced was moved, if there was one. */
  readonly replacedDir: string | null;
  /** Whether the till syncs with a hub (and so waits for it before issuing a receipt number). */
  readonly enrolled: boolean;
}

function readableIdentity(file: string): NodeIdentity | undefined {
  try {
    const db = openDatabase(file, { readonly: true });
    try {
      return readIdentity(db);
    } finally {
      db.close();
    }
  } catch {
    // A database too damaged to read is exactly what a restore replaces.
    return undefined;
  }
}

/**
 * Puts a backup back as the data folder's database (docs/store-node.md, Backups). The backup is checked
 * first (integrity, a store database of the same store); the database it replaces is moved aside, never
 * deleted; the copy is made with SQLite's backup API and upgraded to this version's schema. The restored
 * database waits for the hub before it issues any receipt or sequence number: if the hub holds events of
 * this till the backup lacks, the till becomes a new device of its store when it starts (docs/sync.md §2).
 */
export async function restoreDatabase(
  dataDir: string,
  backupFile: string,
  nowMs: number,
): Promise<RestoreResult> {
  const source = resolve(backupFile);
  if (!existsSync(source)) {
    throw new DomainError('NOT_FOUND', `There is no backup at ${source}.`, { file: source });
  }
  requireNodeStopped(dataDir);
  const backup = openDatabase(source, { readonly: true });
  let identity: NodeIdentity | undefined;
  try {
    const integrity = integrityCheck(backup);
    if (integrity !== 'ok') {
      throw new DomainError(
        'INVALID_INPUT',
        `The backup at ${source} is damaged (${integrity}). Use another backup.`,
      );
    }
    if (appliedMigrations(backup).length === 0) {
      throw new DomainError('INVALID_INPUT', `${source} is not a pos-store database.`);
    }
    identity = readIdentity(backup);
    if (identity === undefined) {
      throw new DomainError(
        'INVALID_INPUT',
        `The backup at ${source} belongs to no store: it was never set up.`,
      );
    }
  } catch (error) {
    backup.close();
    throw error;
  }

  const target = databasePath(dataDir);
  const current = existsSync(target) ? readableIdentity(target) : undefined;
  if (current !== undefined && current.storeId !== identity.storeId) {
    backup.close();
    throw new DomainError(
      'CONFLICT',
      `This backup is of store ${identity.storeCode}, but ${resolve(dataDir)} belongs to store ${current.storeCode}. Restore it into that store's data folder.`,
      { backupStore: identity.storeId, folderStore: current.storeId },
    );
  }

  let replacedDir: string | null = null;
  try {
    ensureDataDir(dataDir);
    const stamp = new Date(nowMs).toISOString().replace(/[:.]/g, '-');
    const leftovers = [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`].concat(
      ['', '-wal', '-shm'].map((suffix) => `store-snapshot.db${suffix}`),
    );
    for (const name of leftovers) {
      const file = join(resolve(dataDir), name);
      if (!existsSync(file)) continue;
      replacedDir ??= join(resolve(dataDir), `replaced-${stamp}`);
      mkdirSync(replacedDir, { recursive: true, mode: 0o700 });
      renameSync(file, join(replacedDir, name));
    }
    // Owner only, like the database it replaces (sales, customers, the hub credential).
    preparePrivateFile(target);
    await backup.backup(target);
  } finally {
    backup.close();
  }

  const restored = openDatabase(target);
  try {
    migrate(restored, undefined, () => nowMs);
    // A backup made before `pos-store backup` marked its copies is marked here.
    if (numberingHold(restored) === null) holdNumberingAsCopy(restored);
    const counters = restored
      .prepare(
        `SELECT d.last_device_seq AS lastDeviceSeq, d.last_receipt_seq AS lastReceiptSeq,
           d.last_device_seq - s.last_acked_seq AS unacknowledged
         FROM device_state d, sync_state s`,
      )
      .get() as { lastDeviceSeq: number; lastReceiptSeq: number; unacknowledged: number };
    const integrity = integrityCheck(restored);
    if (integrity !== 'ok') {
      throw new DomainError(
        'INTERNAL',
        `The restored database failed its integrity check (${integrity}). The previous one is in ${replacedDir ?? 'no folder (there was none)'}.`,
      );
    }
    return {
      identity: readIdentity(restored)!,
      ...counters,
      replacedDir,
      enrolled: readHubConnection(restored) !== null,
    };
  } finally {
    restored.close();
  }
}

export async function runRestore(values: ParsedOptions, io: CliIo): Promise<number> {
  const options = validateOptions(RestoreOptionsSchema, values);
  const result = await restoreDatabase(options.data, options.from, Date.now());
  const { identity } = result;
  io.out(
    `pos-store: restored store ${identity.storeCode} device ${identity.deviceNo} from ${resolve(options.from)} (events up to ${result.lastDeviceSeq}, ${result.unacknowledged} of them not yet acknowledged by the hub; last receipt number ${result.lastReceiptSeq})`,
  );
  if (result.replacedDir !== null) io.out(`  The database it replaced is in ${result.replacedDir}`);
  if (result.enrolled) {
    io.out(
      '  On start the till asks the hub what it holds of this device before it completes any sale or return. ' +
        'If the hub holds nothing beyond the backup, the till carries on as it was; if it holds sales the backup ' +
        'lacks, the till becomes a new device of the store (new device number, new receipt numbers), sends again ' +
        'whatever the hub lacks, and HQ gets one DEVICE_RESTORED exception saying what happened.',
    );
  }
  io.out(`Start it with: pos-store start --data ${options.data}`);
  return 0;
}
