import { sql } from '../context';
import type { Db } from '../database';

const deferrable = new WeakMap<Db, boolean>();

/**
 * Whether the index can be switched off for a page (migration 0004 on): migration tests drive the feed
 * against databases kept at older versions, whose triggers index every row unconditionally.
 */
function canDefer(db: Db): boolean {
  let known = deferrable.get(db);
  if (known === undefined) {
    known = (db.pragma('table_info(sync_state)') as { name: string }[]).some(
      (column) => column.name === 'search_index_deferred',
    );
    deferrable.set(db, known);
  }
  return known;
}

/** Whether the product search index is maintained row by row now (its triggers are on). */
export function searchIndexLive(db: Db): boolean {
  if (!canDefer(db)) return false;
  const state = sql(db, 'SELECT search_index_deferred AS deferred FROM sync_state').get() as
    { deferred: number } | undefined;
  return state?.deferred === 0;
}

/**
 * Keeps the product search index (`sku_search`, FTS5 over `skus`) in step with one page of feed changes.
 *
 * The triggers of migration 0004 index a SKU per row as it is written. Through a trigger that costs about
 * 100 µs a SKU (five times a direct insert, fifteen times a rebuild), which made the index most of the
 * time of a catalog load. So a page switches the triggers off (`search_index_deferred`, inside the page's
 * own transaction: a rollback switches them back on), takes each written SKU's old entry out before the
 * write, and indexes every SKU it wrote in one statement at the end of the page. Readers never see the
 * difference: the page commits with its index or not at all.
 *
 * When the index is already deferred (a snapshot staging database, or the swap that rebuilds the whole
 * index), the batch does nothing.
 */
export class SearchIndexBatch {
  /** SKUs written in this page and not indexed yet: they have no entry in the index to take out. */
  private readonly pending = new Set<string>();
  private readonly active: boolean;

  constructor(
    private readonly db: Db,
    /** Nothing exists in the replica yet (a snapshot into a reset replica): no old entries to take out. */
    private readonly fresh: boolean,
  ) {
    this.active = searchIndexLive(db);
    if (this.active) sql(db, 'UPDATE sync_state SET search_index_deferred = 1').run();
  }

  /**
   * Before a page writes or removes `skus`: takes their indexed entries out in one statement instead of
   * one per SKU (the SKUs that do not exist yet cost nothing). Each is re-added at the end if it exists.
   */
  beforePage(skus: readonly string[]): void {
    if (!this.active || skus.length === 0) return;
    if (!this.fresh) {
      sql(
        this.db,
        `INSERT INTO sku_search (sku_search, rowid, name, sku)
         SELECT 'delete', rowid, name, sku FROM skus WHERE sku IN (SELECT value FROM json_each(?))`,
      ).run(JSON.stringify(skus));
    }
    for (const sku of skus) this.pending.add(sku);
  }

  /** Before `sku` is inserted or updated: its indexed entry, if any, goes (it is re-added at the end). */
  beforeWrite(sku: string): void {
    if (!this.active) return;
    if (!this.pending.has(sku) && !this.fresh) this.unindex(sku);
    this.pending.add(sku);
  }

  /** Before `sku` is deleted: its indexed entry goes with it. */
  beforeRemove(sku: string): void {
    if (!this.active) return;
    if (!this.pending.delete(sku)) this.unindex(sku);
  }

  /** Indexes every SKU the page wrote and switches the triggers back on. Call once, at the end of the page. */
  finish(): void {
    if (!this.active) return;
    if (this.pending.size > 0) {
      sql(
        this.db,
        `INSERT INTO sku_search (rowid, name, sku)
         SELECT rowid, name, sku FROM skus WHERE sku IN (SELECT value FROM json_each(?))`,
      ).run(JSON.stringify([...this.pending]));
      this.pending.clear();
    }
    sql(this.db, 'UPDATE sync_state SET search_index_deferred = 0').run();
  }

  private unindex(sku: string): void {
    // An external-content FTS5 entry is removed by naming the values it was indexed with: the row's own.
    sql(
      this.db,
      `INSERT INTO sku_search (sku_search, rowid, name, sku)
       SELECT 'delete', rowid, name, sku FROM skus WHERE sku = ?`,
    ).run(sku);
  }
}
