import { DomainError } from '@retail/domain';
import type {
  FeedPageToApply,
  FeedPosition,
  FeedStore,
  SnapshotPageToApply,
  SnapshotProgress,
} from '@retail/sync';
import { sql } from '../context';
import type { Db } from '../database';
import { applyChanges, clearReplica } from '../feed/apply-feed';
import type { NodeIdentity } from '../identity';

interface PositionRow {
  epoch: string | null;
  cursor: number;
  snapshotEpoch: string | null;
  snapshotUpTo: number | null;
  snapshotAfter: number | null;
  snapshotReceived: number | null;
  snapshotTotal: number | null;
}

function readPosition(db: Db): PositionRow {
  return sql(
    db,
    `SELECT feed_epoch AS epoch, feed_cursor AS cursor, snapshot_epoch AS snapshotEpoch,
       snapshot_up_to AS snapshotUpTo, snapshot_after AS snapshotAfter, snapshot_received AS snapshotReceived,
       snapshot_total AS snapshotTotal
     FROM sync_state`,
  ).get() as PositionRow;
}

function snapshotOf(row: PositionRow): SnapshotProgress | null {
  if (row.snapshotEpoch === null) return null;
  return {
    epoch: row.snapshotEpoch,
    upTo: row.snapshotUpTo ?? 0,
    after: row.snapshotAfter ?? 0,
    received: row.snapshotReceived ?? 0,
    total: row.snapshotTotal ?? 0,
  };
}

export interface SqliteFeedStoreOptions {
  readonly db: Db;
  readonly identity: NodeIdentity;
  /** Device wall clock (epoch ms), for `last_feed_applied_at`. */
  readonly now: () => number;
  /**
   * Called after a feed page committed, with the SKUs whose stock at this node it changed, so the node
   * can tell its screens. Snapshot pages report nothing until the snapshot is complete.
   */
  readonly onApplied?: (stockSkus: readonly string[], kind: 'page' | 'snapshot') => void;
}

/**
 * The store node's replica of hub data as the sync agent's puller sees it (packages/sync FeedStore). Each
 * method is ONE SQLite transaction that writes the data and the position together, so a crash never
 * leaves the cursor ahead of the data it stands for. Rows are validated with the shared feed schema
 * registry by `applyChanges`, the same path the fixture loader takes.
 *
 * A snapshot loads with the product search index deferred (`search_index_deferred`, migration 0004) and
 * rebuilt once in the transaction of the last page: maintaining FTS row by row was most of the cost of a
 * 100,000-SKU snapshot.
 */
export class SqliteFeedStore implements FeedStore {
  private readonly db: Db;

  constructor(private readonly options: SqliteFeedStoreOptions) {
    this.db = options.db;
  }

  async position(): Promise<FeedPosition> {
    const row = readPosition(this.db);
    return { epoch: row.epoch, cursor: row.cursor, snapshot: snapshotOf(row) };
  }

  async applyPage(page: FeedPageToApply): Promise<void> {
    const { db, identity } = this.options;
    const stockSkus = db
      .transaction((): readonly string[] => {
        const saved = readPosition(db);
        if (saved.snapshotEpoch !== null || saved.epoch === null || saved.epoch !== page.epoch) {
          throw new DomainError(
            'CONFLICT',
            `This till's copy of hub data follows feed ${saved.epoch ?? '(none yet)'}, not ${page.epoch}; it must be re-fetched from a snapshot.`,
            { savedEpoch: saved.epoch, epoch: page.epoch },
          );
        }
        if (page.cursor < saved.cursor) {
          throw new DomainError(
            'CONFLICT',
            `The feed cursor cannot move back from ${saved.cursor} to ${page.cursor}.`,
            { saved: saved.cursor, cursor: page.cursor },
          );
        }
        const result = applyChanges(db, identity, page.changes, { afterSeq: saved.cursor });
        sql(db, 'UPDATE sync_state SET feed_cursor = ?, last_feed_applied_at = ?').run(
          Math.max(page.cursor, result.lastSeq),
          new Date(this.options.now()).toISOString(),
        );
        return result.stockSkus;
      })
      .immediate();
    this.options.onApplied?.(stockSkus, 'page');
  }

  async reset(): Promise<void> {
    const { db } = this.options;
    db.transaction(() => {
      clearReplica(db);
      // The index may hold rows of an interrupted snapshot whose triggers were idle: empty it with the table.
      sql(db, "INSERT INTO sku_search (sku_search) VALUES ('delete-all')").run();
      sql(
        db,
        `UPDATE sync_state SET feed_epoch = NULL, feed_cursor = 0, snapshot_epoch = NULL, snapshot_up_to = NULL,
           snapshot_after = NULL, snapshot_received = NULL, snapshot_total = NULL, search_index_deferred = 0`,
      ).run();
    }).immediate();
  }

  async applySnapshotPage(page: SnapshotPageToApply): Promise<void> {
    const { db } = this.options;
    // A snapshot page need not survive a power loss: its progress rolls back with it and the download
    // resumes from the last durable page. Skipping the fsync per page saves a second per 100,000 SKUs.
    // The connection is only ever used synchronously, so no sale can commit while FULL is off, and the
    // next FULL commit syncs the log these pages are in.
    db.pragma('synchronous = NORMAL');
    try {
      this.applySnapshotTransaction(page);
    } finally {
      db.pragma('synchronous = FULL');
    }
    if (page.done) this.options.onApplied?.([], 'snapshot');
  }

  private applySnapshotTransaction(page: SnapshotPageToApply): void {
    const { db, identity } = this.options;
    db.transaction(() => {
      const saved = readPosition(db);
      if (saved.epoch !== null) {
        throw new DomainError('CONFLICT', 'A snapshot can only be applied to a reset copy of hub data.', {
          epoch: saved.epoch,
        });
      }
      const progress = snapshotOf(saved);
      if (progress !== null && (progress.epoch !== page.epoch || progress.upTo !== page.upTo)) {
        throw new DomainError('CONFLICT', 'This snapshot page belongs to another snapshot.', {
          epoch: page.epoch,
          upTo: page.upTo,
        });
      }
      if (progress === null) {
        // The first page: whatever a crash left behind goes, and the search index waits for the end.
        clearReplica(db);
        sql(db, "INSERT INTO sku_search (sku_search) VALUES ('delete-all')").run();
        sql(db, 'UPDATE sync_state SET search_index_deferred = 1').run();
      }
      applyChanges(db, identity, page.changes, { afterSeq: progress?.after ?? 0, snapshot: true });
      if (page.done) {
        sql(db, "INSERT INTO sku_search (sku_search) VALUES ('rebuild')").run();
        sql(
          db,
          `UPDATE sync_state SET feed_epoch = ?, feed_cursor = ?, last_feed_applied_at = ?, snapshot_epoch = NULL,
             snapshot_up_to = NULL, snapshot_after = NULL, snapshot_received = NULL, snapshot_total = NULL,
             search_index_deferred = 0`,
        ).run(page.epoch, page.upTo, new Date(this.options.now()).toISOString());
      } else {
        sql(
          db,
          `UPDATE sync_state SET snapshot_epoch = ?, snapshot_up_to = ?, snapshot_after = ?, snapshot_received = ?,
             snapshot_total = ?`,
        ).run(page.epoch, page.upTo, page.after, (progress?.received ?? 0) + page.changes.length, page.total);
      }
    }).immediate();
  }
}
