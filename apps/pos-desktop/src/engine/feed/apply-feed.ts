import { DomainError } from '@retail/domain';
import {
  areFeedChanges,
  FEED_ENTITIES,
  FeedChangeSchema,
  type FeedChange,
  type FeedEntity,
} from '@retail/sync';
import { z } from 'zod';
import { sql } from '../context';
import type { Db } from '../database';
import type { NodeIdentity } from '../identity';
import { readLabelRules } from '../settings';
import { ownDevices, type OwnDevice } from '../sync/device-succession';
import {
  BARCODE_ROWS,
  ENTITY_APPLIERS,
  rebuildBarcodes,
  type ApplyState,
  type EntityApplier,
} from './entities';
import { isCanonicalRow } from './row-checks';
import { RowBatch, RowByRow } from './row-writer';
import { SearchIndexBatch, searchIndexLive } from './search-index';

export interface FeedPage {
  /** The feed the changes belong to. A replica follows one epoch; another one needs `reset`. */
  readonly epoch: string;
  readonly changes: readonly FeedChange[];
  /**
   * The cursor to save with the page. The hub may move it past rows it filtered out for this store, so
   * it can be above the last change's hubSeq; it defaults to that hubSeq.
   */
  readonly cursor?: number;
  /** Throw away every hub-owned row first (initial snapshot, or `mustRefetch` after an epoch change). */
  readonly reset?: boolean;
}

export interface FeedApplyResult {
  readonly applied: number;
  /** Changes at or below the saved cursor: already applied, ignored (a page delivered twice). */
  readonly skipped: number;
  /** Changes for entities this version does not know, kept in feed_deferred. */
  readonly deferred: number;
  readonly cursor: number;
  /** SKUs whose stock snapshot at this node changed. */
  readonly stockSkus: readonly string[];
}

export const HUB_OWNED_TABLES = [
  'categories',
  'products',
  'skus',
  'barcodes',
  'price_books',
  'prices',
  'promotions',
  'tax_rates',
  'stores',
  'config',
  'stock_levels',
  'bopis_orders',
  'receiving_documents',
  'feed_deferred',
] as const;

const PageHeaderSchema = z.object({
  epoch: z.string().min(1).max(100),
  cursor: z.number().int().min(0).safe().optional(),
  reset: z.boolean().optional(),
});
const PageSchema = PageHeaderSchema.extend({ changes: z.array(FeedChangeSchema) });
type ParsedPage = z.output<typeof PageSchema>;

/**
 * The page as PageSchema reads it. Its changes are checked by a hand-written equivalent of
 * FeedChangeSchema (a zod object per change cost more than applying some of them); only a page that fails
 * it goes through the schema, for the schema's own error.
 */
function parsePage(page: FeedPage): ParsedPage {
  const header = PageHeaderSchema.safeParse(page);
  if (header.success && areFeedChanges(page.changes)) return { ...header.data, changes: [...page.changes] };
  const parsed = PageSchema.safeParse(page);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError('INVALID_INPUT', 'feed.feedPageMalformed', {
      path: issue?.path.join('.') || 'its top level',
      issueMessage: issue?.message ?? 'invalid',
    });
  }
  return parsed.data;
}

function isKnownEntity(entity: string): entity is FeedEntity {
  return (FEED_ENTITIES as readonly string[]).includes(entity);
}

export function invalidChange(change: FeedChange, message: string): DomainError {
  return new DomainError(
    'INVALID_INPUT',
    'feed.feedChangeCannotApplied',
    { hubSeq: change.hubSeq, entity: change.entity, key: change.key, message },
    { hubSeq: change.hubSeq, entity: change.entity, key: change.key },
  );
}

/** What applying a run of changes did, before the position is saved. */
export interface ChangesApplied {
  readonly applied: number;
  readonly skipped: number;
  readonly deferred: number;
  /** The highest hubSeq seen (0 for none). */
  readonly lastSeq: number;
  readonly stockSkus: readonly string[];
}

export interface ApplyChangesOptions {
  /** Changes at or below it were applied before: skipped (a page delivered twice). */
  readonly afterSeq: number;
  /**
   * A snapshot page into a replica that was reset: upserts only, and no row can exist yet, so an SKU's
   * old barcodes need no clean-up. Validation is exactly the same.
   */
  readonly snapshot?: boolean;
  /** The devices this till has been; default: read from `db` (a staging database passes the live one's). */
  readonly ownDevices?: readonly OwnDevice[];
  /** When the till applies the changes (when an HQ deactivation ends sessions); default: the wall clock. */
  readonly nowMs?: number;
  /**
   * 'batched' (the default) writes catalog rows many to a statement; 'row-by-row' a statement each, as
   * the appliers ask: the reference the batched writes are tested against.
   */
  readonly rows?: 'batched' | 'row-by-row';
  /** Rows a batched statement writes at most (row-writer.ts CHUNK_ROWS); tests make it small. */
  readonly chunkRows?: number;
}

/** Throws away every hub-owned row. The caller saves the position in the same transaction. */
export function clearReplica(db: Db): void {
  const live = searchIndexLive(db);
  // One 'delete-all' instead of the per-SKU delete trigger: the page that follows indexes what it writes.
  if (live) {
    sql(db, "INSERT INTO sku_search (sku_search) VALUES ('delete-all')").run();
    sql(db, 'UPDATE sync_state SET search_index_deferred = 1').run();
  }
  for (const table of HUB_OWNED_TABLES) db.prepare(`DELETE FROM ${table}`).run();
  if (live) sql(db, 'UPDATE sync_state SET search_index_deferred = 0').run();
}

/**
 * Validates and applies changes inside the caller's transaction, in hubSeq order, each with the schema of
 * its entity in the shared registry. One invalid change throws and, the caller's transaction rolling
 * back, writes nothing. The caller saves the position.
 */
export function applyChanges(
  db: Db,
  identity: NodeIdentity,
  changes: readonly FeedChange[],
  options: ApplyChangesOptions,
): ChangesApplied {
  const state: ApplyState = {
    db,
    identity,
    touchedSkus: new Set(),
    labelRulesChanged: false,
    labelRules: readLabelRules(db),
    fresh: options.snapshot === true,
    ownDevices: options.ownDevices ?? ownDevices(db),
    nowMs: options.nowMs ?? Date.now(),
    searchIndex: new SearchIndexBatch(db, options.snapshot === true),
    rows:
      options.rows === 'row-by-row' ? new RowByRow(db) : new RowBatch(db, BARCODE_ROWS, options.chunkRows),
  };
  state.searchIndex.beforePage(
    changes
      .filter((change) => change.entity === 'sku' && change.hubSeq > options.afterSeq)
      .map((change) => change.key),
  );
  let applied = 0;
  let skipped = 0;
  let deferred = 0;
  let previousSeq = 0;
  for (const change of changes) {
    if (change.hubSeq <= previousSeq) {
      throw invalidChange(change, 'changes must come in increasing hubSeq order.');
    }
    previousSeq = change.hubSeq;
    if (change.hubSeq <= options.afterSeq) {
      skipped += 1;
      continue;
    }
    const checked = checkChange(change, options.snapshot === true);
    // Held catalog rows are written before anything else touches the database (row-writer.ts).
    if (checked.kind !== 'upsert' || !checked.applier.batched) state.rows.flush();
    if (checked.kind === 'deferred') {
      sql(
        db,
        'INSERT OR REPLACE INTO feed_deferred (hub_seq, entity, key, op, data) VALUES (?, ?, ?, ?, ?)',
      ).run(
        change.hubSeq,
        change.entity,
        change.key,
        change.op,
        change.data === undefined ? null : JSON.stringify(change.data),
      );
      deferred += 1;
      continue;
    }
    if (checked.kind === 'delete') {
      checked.applier.remove(state, change.key);
    } else {
      try {
        checked.applier.upsert(state, checked.data as never, checked.json);
      } catch (error) {
        if (error instanceof DomainError) throw invalidChange(change, error.message);
        throw error;
      }
    }
    applied += 1;
  }
  state.rows.flush();
  state.searchIndex.finish();
  if (state.labelRulesChanged) {
    state.labelRules = readLabelRules(db);
    rebuildBarcodes(state);
  }
  return { applied, skipped, deferred, lastSeq: previousSeq, stockSkus: [...state.touchedSkus] };
}

/** A change as validated against its entity's schema, before anything is written. */
export type CheckedChange =
  | { readonly kind: 'deferred' }
  | { readonly kind: 'delete'; readonly applier: EntityApplier }
  | {
      readonly kind: 'upsert';
      readonly applier: EntityApplier;
      readonly data: unknown;
      readonly json: string;
    };

/**
 * Validates one change with the schema of its entity in the shared registry (the hub used the same one):
 * unknown entities are deferred, a snapshot carries upserts only, and an upsert's own ids must give its
 * key. Throws INVALID_INPUT naming the change.
 */
export function checkChange(change: FeedChange, snapshot: boolean): CheckedChange {
  if (snapshot && change.op !== 'upsert') {
    throw invalidChange(change, 'a snapshot carries upserts only.');
  }
  if (!isKnownEntity(change.entity)) return { kind: 'deferred' };
  const applier = ENTITY_APPLIERS[change.entity];
  if (change.op === 'delete') return { kind: 'delete', applier };
  let data: unknown = change.data;
  // Catalog rows the schema would accept as they are skip it (row-checks.ts); the rest are parsed.
  if (!isCanonicalRow(change.entity, data)) {
    const parsed = applier.schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      throw invalidChange(change, `${where}${issue?.message ?? 'invalid data'}`);
    }
    data = parsed.data;
  }
  const key = applier.keyOf(data as never);
  if (key !== change.key) throw invalidChange(change, `its data belongs to key ${key}.`);
  return { kind: 'upsert', applier, data, json: JSON.stringify(data) };
}

/**
 * Applies one page of hub changes to the replica and saves the cursor in the same transaction, so a
 * crash can never leave the cursor ahead of the data (PouchDB #1240, RxDB #5571) or the data ahead of the
 * cursor in a way that matters (re-applying a state-based change is harmless). Every change is validated
 * with the same schema the hub used; one invalid change refuses the whole page and writes nothing.
 * This is the only way hub-owned tables are written: the fixture loader and the sync agent's feed store
 * (engine/sync) go through `applyChanges` too.
 */
export function applyFeedChanges(
  db: Db,
  identity: NodeIdentity,
  page: FeedPage,
  nowMs: number,
): FeedApplyResult {
  const parsedPage = parsePage(page);
  const { epoch, changes, reset } = parsedPage;
  return db
    .transaction((): FeedApplyResult => {
      const saved = sql(db, 'SELECT feed_epoch AS epoch, feed_cursor AS cursor FROM sync_state').get() as {
        epoch: string | null;
        cursor: number;
      };
      let cursor = saved.cursor;
      if (reset) {
        clearReplica(db);
        cursor = 0;
      } else if (saved.epoch !== null && saved.epoch !== epoch) {
        throw new DomainError(
          'CONFLICT',
          'feed.nodeFollowsFeedNot',
          { epoch: saved.epoch, epoch2: epoch },
          { savedEpoch: saved.epoch, epoch },
        );
      }
      const result = applyChanges(db, identity, changes, { afterSeq: cursor, nowMs });
      const nextCursor = Math.max(cursor, result.lastSeq, parsedPage.cursor ?? 0);
      sql(db, 'UPDATE sync_state SET feed_epoch = ?, feed_cursor = ?, last_feed_applied_at = ?').run(
        epoch,
        nextCursor,
        new Date(nowMs).toISOString(),
      );
      return {
        applied: result.applied,
        skipped: result.skipped,
        deferred: result.deferred,
        cursor: nextCursor,
        stockSkus: result.stockSkus,
      };
    })
    .immediate();
}
