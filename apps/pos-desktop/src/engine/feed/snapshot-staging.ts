import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { FeedChange, SnapshotPageToApply, SnapshotProgress } from '@retail/sync';
import { sql } from '../context';
import { openDatabase, type Db } from '../database';
import type { NodeIdentity } from '../identity';
import { migrate, type Migration } from '../migrations';
import { ownDevices } from '../sync/device-succession';
import { applyChanges, checkChange, HUB_OWNED_TABLES, invalidChange } from './apply-feed';

/**
 * Entities whose appliers also write the till's own tables (customers it created, its loyalty cache, the
 * staff table HQ's staff share with the store's own):
 * their snapshot rows wait in the staging database and are applied to the live database at the swap,
 * where they merge with what the till holds instead of replacing it.
 */
const APPLIED_AT_SWAP = new Set(['customer', 'staff']);

/**
 * Staged rows committed together. A commit per page of 500 rewrote the same last pages of every table
 * into the log each time (a tenth of a snapshot's CPU); a kill loses at most this many staged rows, whose
 * pages the resumed download asks for again (the progress is committed with them).
 */
const COMMIT_ROWS = 5_000;

const CREATE_SWAP_ROWS = `CREATE TABLE IF NOT EXISTS swap_rows (
  hub_seq INTEGER PRIMARY KEY,
  entity TEXT NOT NULL,
  key TEXT NOT NULL,
  data TEXT NOT NULL
) STRICT`;

interface ProgressRow {
  epoch: string | null;
  upTo: number | null;
  after: number | null;
  received: number | null;
  total: number | null;
}

export interface SnapshotStagingOptions {
  /** The live database the till sells from. */
  readonly db: Db;
  readonly identity: () => NodeIdentity;
  /** The store schema, to build the staging database with (the engine's own list). */
  readonly migrations: readonly Migration[];
}

/** Where the snapshot of a live database file is built: `store.db` → `store-snapshot.db` beside it. */
export function snapshotStagingFile(liveFile: string): string {
  return join(dirname(liveFile), `${basename(liveFile, '.db')}-snapshot.db`);
}

const columnsOf = (db: Db, schema: string, table: string) =>
  (db.pragma(`${schema}.table_info(${table})`) as { name: string }[]).map((column) => `"${column.name}"`);

/**
 * Replaces the rows of a live hub-owned table with the staged copy's, inside the swap's transaction.
 * Both databases are built by the same migrations, so a table's columns normally match in name and
 * order: then the copy is `INSERT INTO … SELECT *` with no column list, which SQLite runs as a transfer
 * of whole records and index entries into the emptied table (its "xfer" optimization) instead of
 * decoding, checking and encoding every row again. A table with triggers is never transferred (nor
 * emptied at once): the only ones on hub tables are the search index's on `skus`, idle during the swap
 * (`search_index_deferred`, the index is rebuilt at its end), so they are dropped and created again from
 * their own text in the same transaction, which a crash rolls back with the rest.
 */
function replaceWithStaged(live: Db, table: string): void {
  const columns = columnsOf(live, 'main', table);
  const sameShape = columns.join() === columnsOf(live, 'staged', table).join();
  const triggers = sameShape
    ? (live
        .prepare("SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND tbl_name = ?")
        .all(table) as { name: string; sql: string }[])
    : [];
  for (const trigger of triggers) live.exec(`DROP TRIGGER main."${trigger.name}"`);
  live.prepare(`DELETE FROM main.${table}`).run();
  live
    .prepare(
      sameShape
        ? `INSERT INTO main.${table} SELECT * FROM staged.${table}`
        : `INSERT INTO main.${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM staged.${table}`,
    )
    .run();
  for (const trigger of triggers) live.exec(trigger.sql);
}

/**
 * A snapshot download is built in a database BESIDE the live one (`<name>-snapshot.db` next to it,
 * the same schema), page after page through the ordinary feed appliers, each page in one transaction
 * with its progress, so a restart resumes it. The last page swaps it in: one transaction of the live
 * database replaces every hub-owned table with the staged copy (plain table copies, not re-applying
 * hundreds of thousands of rows) and rebuilds the product search index. Until that commits the till
 * sells from its whole old copy; a link that drops mid-download never leaves it with part of a catalog.
 */
export class SnapshotStaging {
  private staging: Db | null = null;
  private memoryDir: string | null = null;
  /** Rows staged in the open staging transaction (pages wait in it until COMMIT_ROWS). */
  private uncommittedRows = 0;

  constructor(private readonly options: SnapshotStagingOptions) {}

  private get file(): string {
    const live = this.options.db.name;
    if (this.options.db.memory || live === '' || live === ':memory:') {
      this.memoryDir ??= mkdtempSync(join(tmpdir(), 'pos-snapshot-'));
      return join(this.memoryDir, 'snapshot.db');
    }
    return snapshotStagingFile(live);
  }

  private open(create: boolean): Db | null {
    if (this.staging !== null) return this.staging;
    if (!create && !existsSync(this.file)) return null;
    const db = openDatabase(this.file);
    // A staging copy is rebuilt from the hub after a power loss; it need not cost an fsync per page.
    db.pragma('synchronous = NORMAL');
    // Nor a checkpoint every 4 MiB (two fsyncs, and every page written twice): the copy lives in its
    // write-ahead log until the swap reads it and the file is deleted. Crash safety is the log's own.
    db.pragma('wal_autocheckpoint = 0');
    migrate(db, this.options.migrations);
    db.exec(CREATE_SWAP_ROWS);
    // Staged SKUs are searched only in the live database, whose index the swap rebuilds.
    sql(db, 'UPDATE sync_state SET search_index_deferred = 1').run();
    this.staging = db;
    return db;
  }

  /** The download in progress, or null when none is (no staging database, or nothing staged yet). */
  progress(): SnapshotProgress | null {
    const db = this.open(false);
    if (db === null) return null;
    const row = sql(
      db,
      `SELECT snapshot_epoch AS epoch, snapshot_up_to AS upTo, snapshot_after AS after,
         snapshot_received AS received, snapshot_total AS total FROM sync_state`,
    ).get() as ProgressRow;
    if (row.epoch === null) return null;
    return {
      epoch: row.epoch,
      upTo: row.upTo ?? 0,
      after: row.after ?? 0,
      received: row.received ?? 0,
      total: row.total ?? 0,
    };
  }

  /** Commits the staged pages that wait in the open staging transaction, with their progress. */
  private commit(): void {
    if (this.staging?.inTransaction) this.staging.exec('COMMIT');
    this.uncommittedRows = 0;
  }

  /** Throws the staged copy away (a new epoch mid-download, a new re-download, or after the swap). */
  discard(): void {
    // Pages waiting for their commit are thrown away with the rest.
    if (this.staging?.inTransaction) this.staging.exec('ROLLBACK');
    // Closing checkpoints the log into the file deleted right after: without the fsync it costs half.
    this.staging?.pragma('synchronous = OFF');
    this.staging?.close();
    this.staging = null;
    this.uncommittedRows = 0;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${this.file}${suffix}`, { force: true });
  }

  /** Closes the staging database; what it holds stays for the next start. */
  close(): void {
    this.commit();
    this.staging?.close();
    this.staging = null;
    if (this.memoryDir !== null) {
      rmSync(this.memoryDir, { recursive: true, force: true });
      this.memoryDir = null;
    }
  }

  /**
   * Applies one page to the staging copy and saves the progress with it, all or nothing (a savepoint in
   * the staging transaction, which commits every COMMIT_ROWS rows). The first page of a download starts
   * from an empty copy. Validation is the live path's own.
   */
  stagePage(page: SnapshotPageToApply, progress: SnapshotProgress | null): void {
    if (progress === null) this.discard();
    const db = this.open(true)!;
    if (!db.inTransaction) db.exec('BEGIN IMMEDIATE');
    // Nested in the open transaction, better-sqlite3 runs this in a savepoint: a page that fails rolls
    // back alone, and the pages before it stay staged.
    db.transaction(() => {
      const applied: FeedChange[] = [];
      const atSwap = sql(
        db,
        'INSERT OR REPLACE INTO swap_rows (hub_seq, entity, key, data) VALUES (?, ?, ?, ?)',
      );
      let previousSeq = 0;
      for (const change of page.changes) {
        if (change.hubSeq <= previousSeq) {
          throw invalidChange(change, 'changes must come in increasing hubSeq order.');
        }
        previousSeq = change.hubSeq;
        if (!APPLIED_AT_SWAP.has(change.entity)) {
          applied.push(change);
          continue;
        }
        const checked = checkChange(change, true);
        if (checked.kind === 'upsert' && change.hubSeq > (progress?.after ?? 0)) {
          atSwap.run(change.hubSeq, change.entity, change.key, checked.json);
        }
      }
      applyChanges(db, this.options.identity(), applied, {
        afterSeq: progress?.after ?? 0,
        snapshot: true,
        // The staging database knows nothing of this till; its stock figures are read against the live one.
        ownDevices: ownDevices(this.options.db),
      });
      sql(
        db,
        `UPDATE sync_state SET snapshot_epoch = ?, snapshot_up_to = ?, snapshot_after = ?, snapshot_received = ?,
           snapshot_total = ?`,
      ).run(page.epoch, page.upTo, page.after, (progress?.received ?? 0) + page.changes.length, page.total);
    })();
    this.uncommittedRows += page.changes.length;
    if (this.uncommittedRows >= COMMIT_ROWS) this.commit();
  }

  /**
   * Replaces the live hub data with the staged copy inside ONE transaction of the live database, and
   * runs `finish` (the position) in it. The staging database is deleted once that committed; if
   * anything fails, the live data and the staged copy both stay as they were.
   */
  swapIn(finish: (live: Db) => void): void {
    if (this.open(false) === null) throw new Error('no staged snapshot to swap in');
    this.commit();
    const live = this.options.db;
    // ATTACH is refused inside a transaction; the staged pages are all committed by now.
    live.prepare('ATTACH DATABASE ? AS staged').run(this.file);
    try {
      live
        .transaction(() => {
          sql(live, 'UPDATE main.sync_state SET search_index_deferred = 1').run();
          for (const table of HUB_OWNED_TABLES) replaceWithStaged(live, table);
          const rows = live
            .prepare('SELECT hub_seq AS hubSeq, entity, key, data FROM staged.swap_rows ORDER BY hub_seq')
            .all() as { hubSeq: number; entity: string; key: string; data: string }[];
          applyChanges(
            live,
            this.options.identity(),
            rows.map((row) => ({
              hubSeq: row.hubSeq,
              entity: row.entity,
              key: row.key,
              op: 'upsert' as const,
              data: JSON.parse(row.data) as unknown,
            })),
            { afterSeq: 0 },
          );
          sql(live, "INSERT INTO main.sku_search (sku_search) VALUES ('rebuild')").run();
          sql(live, 'UPDATE main.sync_state SET search_index_deferred = 0').run();
          finish(live);
        })
        .immediate();
    } finally {
      live.prepare('DETACH DATABASE staged').run();
    }
    this.discard();
  }
}
