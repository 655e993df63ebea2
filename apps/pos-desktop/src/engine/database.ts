import Database, { type Statement } from 'better-sqlite3';
import { DomainError } from '@retail/domain';
import { preparePrivateFile } from './private-files';

export type Db = Database.Database;

const statementCache = new WeakMap<Db, Map<string, Statement>>();

/** Prepares each SQL text once per connection; handlers keep their SQL inline and readable. */
export function sql(db: Db, text: string): Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let statement = cache.get(text);
  if (!statement) {
    statement = db.prepare(text);
    cache.set(text, statement);
  }
  return statement;
}

const UNWRITABLE_CODES = /^(EROFS|EACCES|EPERM|ENOSPC|EDQUOT|SQLITE_READONLY.*|SQLITE_FULL)$/;

export interface OpenOptions {
  /** Open without writing anything (backups, inspection). The file must exist. */
  readonly readonly?: boolean;
  /** How long a writer waits for another connection's lock before failing, in ms. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens a store node database with the durability settings the sales ledger needs. better-sqlite3 is
 * compiled with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1 (NORMAL), under which a committed WAL transaction can
 * roll back after a power loss; a sale acknowledged to a cashier must survive that, so FULL is forced.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const readonly = options.readonly ?? false;
  let db: Db;
  try {
    if (!readonly) preparePrivateFile(file);
    db = new Database(file, { readonly, fileMustExist: readonly });
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    // A database on a read-only file system (remounted after disk errors, a restored copy without write
    // permission) is not "not found": the operator must make it writable, and the till must not sell.
    if (typeof code === 'string' && UNWRITABLE_CODES.test(code)) {
      throw new DomainError(
        'STORAGE_FULL',
        'database.cannotOpenStoreDatabase',
        { file, code },
        { file, cause: code },
      );
    }
    throw new DomainError(
      'NOT_FOUND',
      'database.cannotOpenStoreDatabase2',
      { file, message: error instanceof Error ? error.message : String(error) },
      { file },
    );
  }
  try {
    if (!readonly) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') {
        throw new DomainError(
          'INTERNAL',
          'database.storeDatabaseCannotUse',
          { file },
          {
            file,
            mode,
          },
        );
      }
    }
    db.pragma('synchronous = FULL');
    // Statement journals and savepoint journals in memory, not in /var/tmp files: an upsert of many rows
    // copies every page it touches into its statement journal first (to undo itself on an error), and in
    // a file that was two write calls per page, two thirds of the calls a catalog load made
    // (docs/performance.md, store node, feed apply round 5). Nothing else here needs large temp storage.
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Whether another connection (a running node, the desktop app, a backup in progress) has this database
 * open. In WAL mode every open connection holds a shared lock on the file for as long as it is open, so
 * an exclusive lock is refused exactly while one exists, and granted after a crash (the kernel drops a
 * dead process's locks). A pid or token file would be left behind by a crash and say "running" forever.
 * A file too damaged to open is not in use by a working node: that is for the caller to judge.
 */
export function databaseInUse(file: string): boolean {
  let db: Db;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0 });
  } catch {
    return false;
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
  } finally {
    db.close();
  }
}

export function integrityCheck(db: Db): string {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  return rows.map((row) => row.integrity_check).join('; ');
}
