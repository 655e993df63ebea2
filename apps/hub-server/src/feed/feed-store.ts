import { sql } from 'kysely';
import { DomainError } from '@retail/domain';
import type { FeedChange, FeedEntity, FeedEntityData } from '@retail/sync';
import type { Executor, Storage, Trx } from '../storage/storage';
import { chunks } from '../storage/chunks';
import { compiledInsert } from '../storage/compiled-insert';
import { commitWithNextStatement } from '../storage/prepared-statements';
import { writeTogether, type JsonWrite } from '../storage/json-rows';
import { isPlainStockLevel } from '../inventory/plain-stock-states';
import { takeCounterNumbers } from '../storage/hub-counters';
import {
  allocatedHead,
  allocateNumbers,
  FEED_SEQUENCE,
  insertNumbered,
  insertNumberedTogether,
  isPostgres,
  settledHead,
  watermark,
  type AllocationNotice,
  type AlongsideAppend,
} from '../storage/commit-watermark';
import { feedEntitySchema } from './feed-entities';

/** Chain-wide rows. Other scopes: a node id, or `region:<regionId>` for rows every node of a region gets. */
export const CHAIN_SCOPE = '*';

export function regionScope(regionId: string): string {
  return `region:${regionId}`;
}

/** Which feed rows a node receives: chain-wide ones, its region's and its own. */
export interface FeedAudience {
  readonly nodeId: string;
  readonly region?: string | undefined;
}

function scopesOf(audience: FeedAudience): string[] {
  return audience.region === undefined
    ? [CHAIN_SCOPE, audience.nodeId]
    : [CHAIN_SCOPE, audience.nodeId, regionScope(audience.region)];
}

const BUILT = Symbol('built by typed code');

export interface FeedChangeInput {
  readonly entity: FeedEntity;
  readonly key: string;
  readonly op: 'upsert' | 'delete';
  readonly data?: unknown;
  /** CHAIN_SCOPE or a node id. */
  readonly scope: string;
  /** Set by builtFeedChange only: `data` is its entity's typed schema output, not checked again. */
  readonly [BUILT]?: true;
}

/**
 * An upsert whose data the hub's own typed code built as its entity's schema output (an order state the
 * domain made or parsed): appendFeedChanges writes it without parsing it again. Rows from anywhere else
 * (a store's push, a file, HQ's input) are published as plain FeedChangeInput and checked.
 */
export function builtFeedChange<E extends FeedEntity>(change: {
  readonly entity: E;
  readonly key: string;
  readonly scope: string;
  readonly data: FeedEntityData<E>;
}): FeedChangeInput {
  return { ...change, op: 'upsert', [BUILT]: true };
}

/**
 * Appends changes to the feed with new hubSeqs. Call it as the LAST thing in a transaction.
 *
 * The feed is compacted: an (entity, key, scope) keeps only its newest row, because rows are whole states.
 *
 * Skip-safety on PostgreSQL: a sequence hands out numbers at call time but transactions commit in any
 * order, so a reader could see hubSeq 11 committed, move its cursor past 10, and never see 10 when it
 * commits later. Writers register before allocating and readers stop at the settled head
 * (storage/commit-watermark.ts, with the argument), so writers commit in parallel and no reader skips.
 * SQLite has one writer, so its counter row is enough.
 */
export async function appendFeedChanges(
  trx: Trx,
  storage: Storage,
  changes: readonly FeedChangeInput[],
  now: number,
  /**
   * Rows of the integration log this transaction appends too, before the feed's: on PostgreSQL the feed's
   * statement carries them when both are small (one round trip for both), else they go first alone.
   */
  alongside?: AlongsideAppend,
  /**
   * `last`: nothing of the transaction can fail after this append (`HubTx.finish` in `inHubTransaction`):
   * on PostgreSQL its one statement goes out with the COMMIT, one round trip fewer. `writes`: rows no
   * statement reads before the commit (PostgreSQL, json-rows.ts jsonInsert's), run as CTEs of the feed's
   * statement when it carries the log's, else written first.
   */
  options: { last?: boolean; writes?: readonly JsonWrite[] } = {},
): Promise<number[]> {
  const writes = options.writes ?? [];
  // Within one transaction the last change per (entity, key, scope) wins; insertion order is kept so a
  // delete in an old scope gets a lower hubSeq than the upsert in the new one.
  const latest = new Map<string, FeedChangeInput>();
  for (const change of changes) {
    const id = `${change.entity}\u0000${change.key}\u0000${change.scope}`;
    latest.delete(id);
    latest.set(id, validated(change));
  }
  const rows = [...latest.values()];
  if (rows.length === 0) {
    await writeTogether(trx, writes);
    await alongside?.appendAlone();
    return [];
  }

  const scopes = rows.map((row) => row.scope);
  // PostgreSQL: registering, allocating and the NOTIFY for other hub processes are one statement, and
  // with the insert too for the appends of a push or an order.
  const notice = storage.feedNotice(scopes);
  const ranked = rows.map((row, index) => ({
    hub_seq: index + 1,
    entity: row.entity,
    entity_key: row.key,
    op: row.op,
    data: row.op === 'upsert' ? JSON.stringify(row.data) : null,
    scope: row.scope,
    created_at: now,
  }));
  // Writers run concurrently on PostgreSQL: the row of a key replaces the one another writer committed
  // (an upsert waits for that writer instead of failing on the unique key), and rows go in key order so
  // two writers of overlapping keys wait for each other in the same order instead of deadlocking.
  ranked.sort((a, b) => compareKeys(a, b));
  let seqs: number[];
  if (storage.kind === 'postgres' && ranked.length <= ONE_STATEMENT_ROWS) {
    const feed = {
      seq: FEED_SEQUENCE,
      insert: {
        table: 'feed_changes' as const,
        numberColumn: 'hub_seq' as const,
        columns: FEED_COLUMNS,
        rows: ranked,
        onConflict: sql`on conflict (entity, entity_key, scope) do update set hub_seq = excluded.hub_seq,
          op = excluded.op, data = excluded.data, created_at = excluded.created_at`,
      },
      register: storage.commitOrderGuard,
    };
    if (alongside?.part !== undefined) {
      if (options.last === true) await commitWithNextStatement(trx, storage.kind);
      [, seqs] = await insertNumberedTogether(trx, alongside.part, feed, notice, writes);
    } else {
      await writeTogether(trx, writes);
      await alongside?.appendAlone();
      if (options.last === true) await commitWithNextStatement(trx, storage.kind);
      seqs = await insertNumbered(trx, feed.seq, feed.insert, { register: feed.register, notice });
    }
  } else {
    await writeTogether(trx, writes);
    await alongside?.appendAlone();
    seqs = await allocateHubSeqs(trx, storage, rows.length, notice);
    const values = ranked.map((row) => ({ ...row, hub_seq: seqs[row.hub_seq - 1]! }));
    for (const chunk of chunks(values, 500)) {
      await insertFeedRows(trx, chunk);
    }
  }
  // Stores whose feed this advanced get a poke once it commits (and other hub processes hear of it).
  // hubSeqs are allocated in increasing order, so the last one is the transaction's head.
  await storage.feedAppended(trx, scopes, seqs[seqs.length - 1]!, { notified: notice !== undefined });
  return seqs;
}

/** Appends up to this many rows in one statement with their allocation (PostgreSQL). */
const ONE_STATEMENT_ROWS = 500;

const FEED_COLUMNS = ['entity', 'entity_key', 'op', 'data', 'scope', 'created_at'] as const;

// The chunked path's insert; insertNumbered's ON CONFLICT above says the same.
const insertFeedRows = compiledInsert('feed_changes', (query) =>
  query.onConflict((conflict) =>
    conflict.columns(['entity', 'entity_key', 'scope']).doUpdateSet((eb) => ({
      hub_seq: eb.ref('excluded.hub_seq'),
      op: eb.ref('excluded.op'),
      data: eb.ref('excluded.data'),
      created_at: eb.ref('excluded.created_at'),
    })),
  ),
);

function compareKeys(
  a: { entity: string; entity_key: string; scope: string },
  b: { entity: string; entity_key: string; scope: string },
): number {
  if (a.entity !== b.entity) return a.entity < b.entity ? -1 : 1;
  if (a.scope !== b.scope) return a.scope < b.scope ? -1 : 1;
  if (a.entity_key !== b.entity_key) return a.entity_key < b.entity_key ? -1 : 1;
  return 0;
}

function validated(change: FeedChangeInput): FeedChangeInput {
  if (change.op === 'delete' || change[BUILT] === true) return change;
  // Every balance a push moves publishes one: checked without zod when the parse would return it unchanged.
  if (change.entity === 'stock_level' && isPlainStockLevel(change.data)) return change;
  const parsed = feedEntitySchema(change.entity).safeParse(change.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError(
      'INTERNAL',
      'hub.feed.invalidEntity',
      {
        entity: change.entity,
        key: change.key,
        path: issue?.path.join('.') ?? '',
        ...(issue === undefined ? { hasProblem: 'no' } : { hasProblem: 'yes', problem: issue.message }),
      },
      { entity: change.entity, key: change.key },
    );
  }
  return { ...change, data: parsed.data };
}

async function allocateHubSeqs(
  trx: Trx,
  storage: Storage,
  count: number,
  notice: AllocationNotice | undefined,
): Promise<number[]> {
  if (storage.kind === 'postgres') {
    return allocateNumbers(trx, FEED_SEQUENCE, count, { register: storage.commitOrderGuard, notice });
  }
  return takeCounterNumbers(trx, 'hub_seq', count);
}

export interface FeedPage {
  readonly changes: FeedChange[];
  /** Where the next read starts; may pass rows filtered out for this store. */
  readonly cursor: number;
  readonly upToDate: boolean;
}

/**
 * The highest hubSeq whose row is visible and below which every row that will ever commit is visible too
 * (see appendFeedChanges).
 */
export async function feedHead(executor: Executor): Promise<number> {
  const settled = isPostgres(executor) ? await settledHead(executor, FEED_SEQUENCE) : undefined;
  return highestRow(executor, settled);
}

/**
 * The highest hubSeq of any committed row. The feed keeps every key's newest row (deletes as tombstones),
 * so it never goes down while the database lives, whatever writers are still open: the head a restore
 * check compares with what this hub saw committed before (feedHead may sit below it a moment).
 */
export async function committedFeedHead(executor: Executor): Promise<number> {
  return highestRow(executor, undefined);
}

async function highestRow(executor: Executor, upTo: number | undefined): Promise<number> {
  const row = await executor
    .selectFrom('feed_changes')
    .select((eb) => eb.fn.max('hub_seq').as('head'))
    .$if(upTo !== undefined, (query) => query.where('hub_seq', '<=', upTo!))
    .executeTakeFirst();
  return row?.head === null || row?.head === undefined ? 0 : Number(row.head);
}

/**
 * The feed's commit watermark (PostgreSQL): `settled`, the head below which every row that will ever
 * commit is visible (what a pull reads up to), and `allocated`, the highest hubSeq handed out. A row
 * above `settled` stays out of every pull until the open writers below it end.
 */
export async function feedWatermark(executor: Executor): Promise<{ allocated: number; settled: number }> {
  return watermark(executor, FEED_SEQUENCE);
}

/**
 * The highest hubSeq this database has handed out, committed or not: a cursor above it came from a feed
 * this database never issued (it was restored). Not feedHead, which a writer still open may hold below a
 * cursor the hub gave out a moment ago.
 */
export async function issuedFeedHead(executor: Executor): Promise<number> {
  return isPostgres(executor) ? allocatedHead(executor, FEED_SEQUENCE) : feedHead(executor);
}

/** Changes after `cursor` for one node: chain-wide, regional and its own rows, in hubSeq order. */
export async function readFeed(
  executor: Executor,
  audience: FeedAudience | string,
  cursor: number,
  limit: number,
): Promise<FeedPage> {
  const scopes = scopesOf(typeof audience === 'string' ? { nodeId: audience } : audience);
  // Read the head first: rows committed after it are left for the next pull, so the cursor never
  // passes a row this read could not see.
  const head = await feedHead(executor);
  if (head <= cursor) return { changes: [], cursor, upToDate: true };
  const rows = await executor
    .selectFrom('feed_changes')
    .selectAll()
    .where('hub_seq', '>', cursor)
    .where('hub_seq', '<=', head)
    .where('scope', 'in', scopes)
    .orderBy('hub_seq')
    .limit(limit)
    .execute();
  const changes = rows.map(toFeedChange);
  const full = rows.length === limit;
  return { changes, cursor: full ? rows[rows.length - 1]!.hub_seq : head, upToDate: !full };
}

export interface SnapshotSlice {
  readonly changes: FeedChange[];
  readonly after: number;
  readonly done: boolean;
  readonly total: number;
}

/** A feed row as it is stored: its data still the JSON text it was written as. */
export interface StoredFeedRow {
  readonly hub_seq: number;
  readonly entity: string;
  readonly entity_key: string;
  readonly op: 'upsert' | 'delete';
  readonly data: string | null;
}

/** A snapshot page's rows as stored (see readSnapshot). */
export interface SnapshotRows {
  readonly rows: readonly StoredFeedRow[];
  readonly after: number;
  readonly done: boolean;
  readonly total: number;
}

/**
 * One page of the state a new node starts from: every live row up to `upTo`, in hubSeq order. `total`
 * counts the whole snapshot; a caller that already knows it (it cannot change for a fixed `upTo`) passes
 * it as `knownTotal` and saves a count over the feed per page.
 */
export async function readSnapshot(
  executor: Executor,
  audience: FeedAudience | string,
  upTo: number,
  after: number,
  limit: number,
  knownTotal?: number,
): Promise<SnapshotSlice> {
  const slice = await readSnapshotRows(executor, audience, upTo, after, limit, knownTotal);
  return { changes: slice.rows.map(toFeedChange), after: slice.after, done: slice.done, total: slice.total };
}

/** readSnapshot's page with each row as stored, for a caller that writes the rows' JSON itself. */
export async function readSnapshotRows(
  executor: Executor,
  audience: FeedAudience | string,
  upTo: number,
  after: number,
  limit: number,
  knownTotal?: number,
): Promise<SnapshotRows> {
  const scopes = scopesOf(typeof audience === 'string' ? { nodeId: audience } : audience);
  const rows = await executor
    .selectFrom('feed_changes')
    .select(['hub_seq', 'entity', 'entity_key', 'op', 'data'])
    .where('hub_seq', '>', after)
    .where('hub_seq', '<=', upTo)
    .where('scope', 'in', scopes)
    .where('op', '=', 'upsert')
    .orderBy('hub_seq')
    .limit(limit)
    .execute();
  const total =
    knownTotal ??
    Number(
      (
        await executor
          .selectFrom('feed_changes')
          .select((eb) => eb.fn.countAll<number>().as('total'))
          .where('hub_seq', '<=', upTo)
          .where('scope', 'in', scopes)
          .where('op', '=', 'upsert')
          .executeTakeFirstOrThrow()
      ).total,
    );
  const done = rows.length < limit;
  return { rows, after: done ? upTo : Number(rows[rows.length - 1]!.hub_seq), done, total };
}

/**
 * The JSON text of `toFeedChange(row)`, written around the row's stored data text instead of parsing it
 * (the hub wrote that text with JSON.stringify): a snapshot page of a thousand rows was parsed here only
 * to be serialized again for the wire. JSON.parse of the result equals toFeedChange(row).
 */
export function feedChangeJson(row: StoredFeedRow): string {
  const head = `{"hubSeq":${Number(row.hub_seq)},"entity":${JSON.stringify(row.entity)},"key":${JSON.stringify(row.entity_key)},"op":${JSON.stringify(row.op)}`;
  return row.data === null ? `${head}}` : `${head},"data":${row.data}}`;
}

export function toFeedChange(row: {
  hub_seq: number;
  entity: string;
  entity_key: string;
  op: 'upsert' | 'delete';
  data: string | null;
}): FeedChange {
  const change: FeedChange = {
    hubSeq: Number(row.hub_seq),
    entity: row.entity,
    key: row.entity_key,
    op: row.op,
  };
  return row.data === null ? change : { ...change, data: JSON.parse(row.data) as unknown };
}
