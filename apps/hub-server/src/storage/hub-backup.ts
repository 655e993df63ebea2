import { spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { DomainError } from '@retail/domain';
import { feedHead } from '../feed/feed-store';
import { recordRestore } from '../sync/feed-marker';
import { describeDatabaseUrl, openStorage, readFeedEpoch } from './storage';
import { PRIVATE_FILE_MODE, preparePrivateDatabaseFile } from './private-files';

/**
 * `pos-hub backup` and `pos-hub restore` (docs/hub-backup.md). A backup is one consistent snapshot taken
 * while the hub keeps serving: SQLite's online backup API, or `pg_dump` (one repeatable-read snapshot).
 * A restore puts a backup back while no hub runs, keeps what it replaces, and starts a new feed epoch so
 * every till re-snapshots; tills then find the hub behind what it once acknowledged and send again what
 * the backup lacks (docs/sync.md §2).
 */

export interface BackupResult {
  readonly kind: 'sqlite' | 'postgres';
  readonly file: string;
  readonly bytes: number;
  /** SQLite: the backup's own feed head and epoch, read from the checked copy. */
  readonly feedHead?: number;
  readonly feedEpoch?: string;
  /** PostgreSQL: the entries of the dump's table of contents (pg_restore --list). */
  readonly entries?: number;
}

export interface RestoreResult {
  readonly kind: 'sqlite' | 'postgres';
  readonly from: string;
  /** Where the database that was replaced now is (a folder for SQLite, a dump for PostgreSQL). */
  readonly replaced: string | null;
  readonly backupEpoch: string;
  readonly feedEpoch: string;
  readonly feedHead: number;
}

export interface PgToolsOptions {
  /** Folder holding pg_dump, pg_restore and psql; else POS_HUB_PG_BIN, else the newest /usr/lib/postgresql/N/bin, else PATH. */
  readonly pgBin?: string;
}

/** `20261206T091500Z`: sorts by time. */
function stamp(nowMs: number): string {
  return new Date(nowMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function refuseExisting(target: string): void {
  if (existsSync(target)) {
    throw new DomainError('CONFLICT', 'backup.alreadyExistsChooseNew', { target });
  }
}

export function pgTool(name: 'pg_dump' | 'pg_restore' | 'psql', options: PgToolsOptions = {}): string {
  const folder = options.pgBin ?? process.env['POS_HUB_PG_BIN'];
  if (folder !== undefined && folder !== '') return join(folder, name);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((entry) => /^\d+$/.test(entry) && existsSync(join(root, entry, 'bin', name)))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin', name);
  }
  return name;
}

/** Runs a PostgreSQL client tool; its stderr becomes the operator's message when it fails. */
function runTool(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (error) =>
      reject(
        new DomainError('NOT_FOUND', 'hub.storage.couldNotStartedInstall', {
          command: basename(command),
          message: error.message,
        }),
      ),
    );
    child.once('exit', (code) => {
      if (code === 0) resolveRun(stdout);
      else
        reject(
          new DomainError('INTERNAL', 'hub.storage.commandFailed', {
            command: basename(command),
            code: String(code),
            stderr: stderr.trim().split('\n').slice(-3).join(' '),
          }),
        );
    });
  });
}

function openHubFile(file: string, readonly: boolean): BetterSqlite3.Database {
  const db = new BetterSqlite3(file, { readonly, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** The feed epoch of a SQLite hub file, or a DomainError when it is not a sound hub database. */
function checkSqliteHubFile(file: string): { epoch: string; head: number } {
  let db: BetterSqlite3.Database;
  try {
    db = openHubFile(file, true);
  } catch (error) {
    throw new DomainError('INVALID_INPUT', 'hub.storage.cannotOpenedSQLiteDatabase', {
      file,
      error: String(error),
    });
  }
  try {
    return readSqliteHubFile(db, file);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new DomainError('INVALID_INPUT', 'hub.storage.notSoundSQLiteDatabase', {
      file,
      error: String(error),
    });
  } finally {
    db.close();
  }
}

function readSqliteHubFile(db: BetterSqlite3.Database, file: string): { epoch: string; head: number } {
  const integrity = (db.pragma('integrity_check') as { integrity_check: string }[])
    .map((row) => row.integrity_check)
    .join('; ');
  if (integrity !== 'ok') {
    throw new DomainError('INVALID_INPUT', 'hub.storage.failedIntegrityCheck', { file, integrity });
  }
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'hub_meta'").get();
  const epoch = hasMeta
    ? (db.prepare("SELECT value FROM hub_meta WHERE key = 'feed_epoch'").get() as
        { value: string } | undefined)
    : undefined;
  if (epoch === undefined) throw new DomainError('INVALID_INPUT', 'hub.storage.notPosHubDatabase', { file });
  const head = db.prepare('SELECT coalesce(max(hub_seq), 0) AS head FROM feed_changes').get() as {
    head: number;
  };
  return { epoch: epoch.value, head: Number(head.head) };
}

/**
 * Whether a process has the SQLite database open: in WAL mode every connection holds a shared lock for
 * as long as it is open, so an exclusive lock is refused exactly while one exists and granted after a
 * crash (the kernel drops a dead process's locks), unlike a pid file.
 */
export function sqliteDatabaseInUse(file: string): boolean {
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(file, { fileMustExist: true, timeout: 0 });
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

export async function backupHub(
  databaseUrl: string,
  outFile: string,
  options: PgToolsOptions = {},
): Promise<BackupResult> {
  const { kind, location } = describeDatabaseUrl(databaseUrl);
  const target = resolve(outFile);
  refuseExisting(target);
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  if (kind === 'postgres') {
    // pg_dump reads one snapshot while the hub keeps writing; the custom format restores with pg_restore.
    // Created owner-only first: pg_dump keeps the mode of a file it truncates.
    closeSync(openSync(target, 'wx', PRIVATE_FILE_MODE));
    try {
      await runTool(pgTool('pg_dump', options), [
        '--format=custom',
        '--no-owner',
        '--no-privileges',
        `--file=${target}`,
        `--dbname=${databaseUrl}`,
      ]);
      const list = await runTool(pgTool('pg_restore', options), ['--list', target]);
      if (!/TABLE DATA public feed_changes/.test(list)) {
        throw new DomainError('INVALID_INPUT', 'hub.storage.nothingToBackUp', { location });
      }
      return {
        kind,
        file: target,
        bytes: statSync(target).size,
        entries: list.split('\n').filter((line) => /^\d+;/.test(line)).length,
      };
    } catch (error) {
      // Never leave a file that looks like a backup but is not one.
      rmSync(target, { force: true });
      throw error;
    }
  }
  if (location === ':memory:' || !existsSync(location)) {
    throw new DomainError('NOT_FOUND', 'hub.storage.noHubDatabaseBack', { location });
  }
  const source = openHubFile(location, true);
  try {
    // The backup holds customers, sales and credential hashes: owner only, like the database.
    preparePrivateDatabaseFile(target);
    // The online backup restarts from pages changed meanwhile: one consistent copy while the hub serves.
    await source.backup(target);
  } catch (error) {
    rmSync(target, { force: true });
    throw error;
  } finally {
    source.close();
  }
  try {
    const { epoch, head } = checkSqliteHubFile(target);
    return { kind, file: target, bytes: statSync(target).size, feedHead: head, feedEpoch: epoch };
  } catch (error) {
    rmSync(target, { force: true });
    throw error;
  }
}

export interface RestoreOptions extends PgToolsOptions {
  /** The feed marker `pos-hub serve` uses for this database (it must learn of the restore). */
  readonly markerPath: string;
  /** Where the replaced database is kept; default: next to the SQLite file, or the backup's folder. */
  readonly keepDir?: string;
  readonly nowMs?: number;
  /** PostgreSQL: how long other sessions may take to end before the restore refuses (SESSIONS_END_WAIT_MS). */
  readonly sessionsEndWaitMs?: number;
}

async function restoreSqlite(location: string, from: string, options: RestoreOptions) {
  if (location === ':memory:') throw new DomainError('INVALID_INPUT', 'hub.storage.memoryHubNothingRestore');
  if (existsSync(location) && sqliteDatabaseInUse(location)) {
    throw new DomainError('CONFLICT', 'hub.storage.databaseInUse', { location });
  }
  const { epoch } = checkSqliteHubFile(from);
  let replaced: string | null = null;
  const files = [location, `${location}-wal`, `${location}-shm`].filter((file) => existsSync(file));
  if (files.length > 0) {
    replaced = join(options.keepDir ?? dirname(location), `replaced-${stamp(options.nowMs ?? Date.now())}`);
    refuseExisting(replaced);
    mkdirSync(replaced, { recursive: true, mode: 0o700 });
    for (const file of files) renameSync(file, join(replaced, basename(file)));
  }
  // Copied beside the target and renamed, so a crash never leaves half a database in its place.
  const partial = `${location}.restoring`;
  copyFileSync(from, partial);
  renameSync(partial, location);
  preparePrivateDatabaseFile(location);
  return { replaced, backupEpoch: epoch };
}

/** Sessions other than ours on the database: a running hub holds at least its LISTEN connection. */
/**
 * How long a restore waits for other sessions to end before it refuses. A client that has just disconnected
 * (a `pos-hub serve` just stopped, a pool just closed) still shows in `pg_stat_activity` until its backend
 * process has exited, which on a busy server takes a moment: the operator who stopped the hub and ran the
 * restore at once must not be told the database is in use.
 */
export const SESSIONS_END_WAIT_MS = 5_000;

/** The other sessions on the database once they have had up to `waitMs` to end (0: none left). */
async function otherSessions(databaseUrl: string, waitMs: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const result = await client.query<{ count: string }>(
        'SELECT count(*) AS count FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      const sessions = Number(result.rows[0]?.count ?? 0);
      if (sessions === 0 || Date.now() >= deadline) return sessions;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}

async function restorePostgres(databaseUrl: string, from: string, options: RestoreOptions) {
  const sessions = await otherSessions(databaseUrl, options.sessionsEndWaitMs ?? SESSIONS_END_WAIT_MS);
  if (sessions > 0) {
    throw new DomainError('CONFLICT', 'hub.storage.databaseInUseBySessions', { sessions });
  }
  const list = await runTool(pgTool('pg_restore', options), ['--list', from]).catch((error: unknown) => {
    throw new DomainError('INVALID_INPUT', 'hub.storage.notPgDumpBackup', {
      from,
      message: (error as Error).message,
    });
  });
  if (!/TABLE DATA public feed_changes/.test(list)) {
    throw new DomainError('INVALID_INPUT', 'hub.storage.notPosHubBackup', { from });
  }
  const keepDir = options.keepDir ?? dirname(resolve(from));
  const replaced = join(keepDir, `replaced-${stamp(options.nowMs ?? Date.now())}.dump`);
  refuseExisting(replaced);
  mkdirSync(keepDir, { recursive: true, mode: 0o700 });
  closeSync(openSync(replaced, 'wx', PRIVATE_FILE_MODE));
  await runTool(pgTool('pg_dump', options), [
    '--format=custom',
    '--no-owner',
    '--no-privileges',
    `--file=${replaced}`,
    `--dbname=${databaseUrl}`,
  ]);
  const script = `${from}.restoring.sql`;
  try {
    await runTool(pgTool('pg_restore', options), ['--no-owner', '--no-privileges', `--file=${script}`, from]);
    // One transaction: the old schema goes and the backup comes, or nothing changes. Dropping the whole
    // schema (not only the dump's objects) also removes tables a newer hub version added since.
    await runTool(pgTool('psql', options), [
      '--no-psqlrc',
      '--quiet',
      '--single-transaction',
      '--set=ON_ERROR_STOP=1',
      '--command=DROP SCHEMA public CASCADE; CREATE SCHEMA public;',
      `--file=${script}`,
      `--dbname=${databaseUrl}`,
    ]);
  } finally {
    rmSync(script, { force: true });
  }
  return { replaced };
}

export async function restoreHub(
  databaseUrl: string,
  fromFile: string,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const { kind, location } = describeDatabaseUrl(databaseUrl);
  const from = resolve(fromFile);
  if (!existsSync(from)) throw new DomainError('NOT_FOUND', 'hub.storage.noBackup', { from });
  let replaced: string | null;
  let backupEpoch: string | undefined;
  if (kind === 'sqlite') {
    ({ replaced, backupEpoch } = await restoreSqlite(location, from, options));
  } else {
    ({ replaced } = await restorePostgres(databaseUrl, from, options));
  }
  // Migrations of this version run on the restored data; then the new epoch and the marker.
  const storage = await openStorage(databaseUrl, { poolSize: 1 });
  try {
    backupEpoch ??= await readFeedEpoch(storage.db);
    const recorded = await recordRestore(
      storage,
      options.markerPath,
      location,
      () => options.nowMs ?? Date.now(),
    );
    return {
      kind,
      from,
      replaced,
      backupEpoch,
      feedEpoch: recorded.epoch,
      feedHead: await feedHead(storage.db),
    };
  } finally {
    await storage.close();
  }
}
