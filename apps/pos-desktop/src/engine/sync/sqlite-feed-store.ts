import { DomainError } from '@retail/domain';
import type { FeedPageToApply, FeedPosition, FeedStore, SnapshotPageToApply } from '@retail/sync';
import { sql } from '../context';
import type { Db } from '../database';
import { applyChanges } from '../feed/apply-feed';
import { SnapshotStaging } from '../feed/snapshot-staging';
import type { NodeIdentity } from '../identity';
import { loadMigrations, type Migration } from '../migrations';

interface PositionRow {
  epoch: string | null;
  cursor: number;
  refetchPending: number;
}

function readPosition(db: Db): PositionRow {
  return sql(
    db,
    'SELECT feed_epoch AS epoch, feed_cursor AS cursor, refetch_pending AS refetchPending FROM sync_state',
  ).get() as PositionRow;
}

/** The live replica needs a snapshot: a till that never had one, or one the hub asked to download again. */
function needsSnapshot(row: PositionRow): boolean {
  return row.epoch === null || row.refetchPending === 1;
}

export interface SqliteFeedStoreOptions {
  readonly db: Db;
  readonly identity: NodeIdentity | (() => NodeIdentity);
  /** Device wall clock (epoch ms), for `last_feed_applied_at`. */
  readonly now: () => number;
  /** The store schema, for the staging database a snapshot is built in (default: the bundled files). */
  readonly migrations?: readonly Migration[];
  /**
   * Called after a feed page committed, with the SKUs whose stock at this node it changed, so the node
   * can tell its screens. Snapshot pages report nothing until the snapshot is swapped in.
   */
  readonly onApplied?: (stockSkus: readonly string[], kind: 'page' | 'snapshot') => void;
}

/**
 * The store node's replica of hub data as the sync agent's puller sees it (packages/sync FeedStore). Each
 * method is ONE SQLite transaction that writes the data and the position together, so a crash never
 * leaves the cursor ahead of the data it stands for. Rows are validated with the shared feed schema
 * registry by `applyChanges`, the same path the fixture loader takes.
 *
 * A snapshot is built BESIDE the replica, in a staging database (`SnapshotStaging`), and swapped in with
 * its last page in one transaction: the till sells from its whole old copy until the new one is
 * complete. `reset` (the hub asked for a re-download) keeps the old copy serving and only stops
 * following the feed from it (`refetch_pending`, migration 0007).
 */
export class SqliteFeedStore implements FeedStore {
  private readonly db: Db;
  private readonly staging: SnapshotStaging;
  private readonly identity: () => NodeIdentity;

  constructor(private readonly options: SqliteFeedStoreOptions) {
    this.db = options.db;
    const identity = options.identity;
    this.identity = typeof identity === 'function' ? identity : () => identity;
    this.staging = new SnapshotStaging({
      db: options.db,
      identity: this.identity,
      migrations: options.migrations ?? loadMigrations(),
    });
  }

  async position(): Promise<FeedPosition> {
    const row = readPosition(this.db);
    if (!needsSnapshot(row)) {
      // A staging copy left by a download that was swapped in just before a crash: nothing to resume.
      return { epoch: row.epoch, cursor: row.cursor, snapshot: null };
    }
    return { epoch: null, cursor: 0, snapshot: this.staging.progress() };
  }

  async applyPage(page: FeedPageToApply): Promise<void> {
    const { db } = this;
    const stockSkus = db
      .transaction((): readonly string[] => {
        const saved = readPosition(db);
        if (needsSnapshot(saved) || saved.epoch !== page.epoch) {
          throw new DomainError(
            'CONFLICT',
            'sync.tillCopyHubData',
            {
              value:
                saved.refetchPending === 1 ? '(none: a new download is due)' : (saved.epoch ?? '(none yet)'),
              epoch: page.epoch,
            },
            { savedEpoch: saved.epoch, epoch: page.epoch },
          );
        }
        if (page.cursor < saved.cursor) {
          throw new DomainError(
            'CONFLICT',
            'sync.feedCursorCannotMove',
            { cursor: saved.cursor, cursor2: page.cursor },
            { saved: saved.cursor, cursor: page.cursor },
          );
        }
        const result = applyChanges(db, this.identity(), page.changes, { afterSeq: saved.cursor });
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
    this.staging.discard();
    sql(this.db, 'UPDATE sync_state SET refetch_pending = 1').run();
  }

  async applySnapshotPage(page: SnapshotPageToApply): Promise<void> {
    const saved = readPosition(this.db);
    if (!needsSnapshot(saved)) {
      throw new DomainError('CONFLICT', 'sync.snapshotOnlyDownloadedTill', {}, { epoch: saved.epoch });
    }
    const progress = this.staging.progress();
    if (progress !== null && (progress.epoch !== page.epoch || progress.upTo !== page.upTo)) {
      throw new DomainError(
        'CONFLICT',
        'sync.snapshotPageBelongsAnother',
        {},
        {
          epoch: page.epoch,
          upTo: page.upTo,
        },
      );
    }
    this.staging.stagePage(page, progress);
    if (!page.done) return;
    this.staging.swapIn((live) => {
      sql(
        live,
        `UPDATE main.sync_state SET feed_epoch = ?, feed_cursor = ?, last_feed_applied_at = ?, refetch_pending = 0`,
      ).run(page.epoch, page.upTo, new Date(this.options.now()).toISOString());
    });
    this.options.onApplied?.([], 'snapshot');
  }

  /** Closes the staging database (a download in progress resumes at the next start). */
  close(): void {
    this.staging.close();
  }
}
