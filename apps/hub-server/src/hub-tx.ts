import { sql, type QueryCreator } from 'kysely';
import { DomainError, nodeAtp, type Bucket } from '@retail/domain';
import type { StockLevel } from '@retail/sync';
import { configuredChannels } from './channels/channel-availability';
import { raiseExceptions, type RaiseException } from './exceptions/exception-queue';
import { appendFeedChanges, type FeedChangeInput } from './feed/feed-store';
import type { FollowUp, HubContext } from './hub-context';
import { TransactionEvents } from './integration/transaction-events';
import { chunks } from './storage/chunks';
import { compiledInsert } from './storage/compiled-insert';
import { compiledQuery } from './storage/compiled-query';
import { writeTogether, type JsonWrite } from './storage/json-rows';
import type { HubDatabase, StockBalanceTable } from './storage/schema';
import { RetryTransaction, type Trx } from './storage/storage';
import {
  balanceWrite,
  insertMovements,
  stockConditionExceptions,
  writeBalances,
  type BalanceState,
  type LedgerMovement,
} from './inventory/ledger';

export interface NodeSku {
  readonly nodeId: string;
  readonly sku: string;
}

export interface LockOptions {
  /**
   * The caller read these rows in this transaction (e.g. routing's candidates): balance rows are never
   * deleted, so the statement creating missing ones can be skipped.
   */
  readonly rowsExist?: boolean;
  /** Also learn whether lapsed HELD reservations sit at each key (mayHaveExpiredHolds), in the same read. */
  readonly expiredHolds?: boolean;
}

export function balanceKey(nodeId: string, sku: string): string {
  return `${nodeId}\u0000${sku}`;
}

/**
 * One hub transaction. Stock balances touched in it are locked up front (in key order, so concurrent
 * transactions on PostgreSQL queue instead of deadlocking), changed in memory, and written once at the
 * end, followed by condition detection and the feed append (always last: see appendFeedChanges).
 */
export class HubTx {
  readonly at: number;
  private readonly balances = new Map<string, BalanceState>();
  /** Locked balances with no lapsed HELD reservation (see mayHaveExpiredHolds). */
  private readonly withoutExpiredHolds = new Set<string>();
  /** Rows readBalances read without their lock, as read: settled (locked, re-read) by finish. */
  private readonly unlocked = new Map<string, BalanceState>();
  /** Of those, rows the work read to decide something: a change by another transaction means run again. */
  private readonly observed = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly feed: FeedChangeInput[] = [];
  /** Balances whose sellable this transaction lowered, with the store events that did it (if any). */
  private readonly sellableCauses = new Map<string, Set<string>>();
  private readonly raised: RaiseException[] = [];
  private readonly movements = new Map<string, LedgerMovement>();
  /** Work to hand to the hub's hooks once this transaction has committed. */
  readonly followUps = new Set<FollowUp>();
  /**
   * Checks that must see what concurrent transactions committed beside this one (each runs once, in a
   * transaction of its own, after this one commits, before inHubTransaction returns): on PostgreSQL two
   * transactions can each miss the other's uncommitted rows, and the later check sees both.
   */
  readonly recheckAfterCommit = new Set<(hub: HubContext) => Promise<void>>();
  /** Canonical events for the outbound integration log, appended by `finish` in this transaction. */
  readonly events = new TransactionEvents();
  /** See configuredChannels. */
  private channels: Promise<string[]> | undefined;
  /** See writeAtFinish. */
  private readonly finishWrites: JsonWrite[] = [];

  constructor(
    readonly trx: Trx,
    readonly hub: HubContext,
  ) {
    this.at = hub.now();
  }

  /**
   * Locks (creating when missing) the balance rows of `keys`. Call once with everything the work touches.
   * All nodes' rows are locked by one statement (per 400 keys), in (node, SKU) byte order.
   */
  async lockBalances(keys: Iterable<NodeSku>, options: LockOptions = {}): Promise<void> {
    const wanted = new Map<string, NodeSku>();
    const toSettle: string[] = [];
    for (const key of keys) {
      const id = balanceKey(key.nodeId, key.sku);
      if (this.unlocked.has(id)) toSettle.push(id);
      else if (!this.balances.has(id)) wanted.set(id, key);
    }
    // Read earlier without its lock: locked now, before the caller decides anything from it.
    await this.settle(toSettle);
    await this.loadBalances(wanted, options, true);
  }

  /**
   * Reads (creating when missing) the balance rows of `keys` that the work will change by deltas, and
   * takes their row locks only when the transaction finishes (PostgreSQL; SQLite has one writer and
   * locks nothing). A push of sales holds its store's balances only for its final writes and commit
   * instead of from its first statement, so the pushes of one store's tills no longer run one at a time
   * (two thirds of the PostgreSQL backends' time went to waiting for these locks). At the end the rows
   * are locked in key order and read again: a row another transaction changed meanwhile gets this one's
   * deltas added to its new values, unless this transaction read it to decide something (a count's
   * expected quantity, a reservation's availability): then it runs again (RetryTransaction). Code that
   * reads a balance to decide locks it first with lockBalances, as before.
   */
  async readBalances(keys: Iterable<NodeSku>): Promise<void> {
    if (this.hub.storage.kind !== 'postgres') return this.lockBalances(keys);
    const wanted = new Map<string, NodeSku>();
    for (const key of keys) {
      const id = balanceKey(key.nodeId, key.sku);
      if (!this.balances.has(id)) wanted.set(id, key);
    }
    await this.loadBalances(wanted, {}, false);
  }

  /** Locks rows read without their lock and brings this transaction's changes onto their current values. */
  private async settle(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const keys = new Map<string, NodeSku>();
    for (const id of ids) {
      const state = this.balances.get(id)!;
      keys.set(id, { nodeId: state.nodeId, sku: state.sku });
    }
    for (const [nodeId, skus] of byNodeSorted(keys.values())) {
      for (const chunk of chunks(skus, 400)) {
        const rows = await this.trx
          .selectFrom('stock_balances')
          .selectAll()
          .where('node_id', '=', nodeId)
          .where('sku', 'in', chunk)
          .orderBy(sql`sku collate "C"`)
          .forUpdate()
          .execute();
        for (const row of rows) {
          const id = balanceKey(row.node_id, row.sku);
          const read = this.unlocked.get(id);
          const state = this.balances.get(id);
          if (read === undefined || state === undefined) continue;
          const fresh = balanceOf(row);
          const moved = BUCKETS_AND_COUNTERS.some((field) => fresh[field] !== read[field]);
          if (moved) {
            if (this.observed.has(id)) throw new RetryTransaction('balance changed after it was read');
            for (const field of BUCKETS_AND_COUNTERS) {
              const next = fresh[field] + (state[field] - read[field]);
              if (!Number.isSafeInteger(next)) throw new RetryTransaction('balance moved near its limit');
              state[field] = next;
            }
          }
          this.unlocked.delete(id);
          this.observed.delete(id);
        }
      }
    }
  }

  private async loadBalances(
    wanted: ReadonlyMap<string, NodeSku>,
    options: LockOptions,
    lock: boolean,
  ): Promise<void> {
    if (wanted.size === 0) return;
    const sorted = byNodeSorted(wanted.values()).flatMap(([nodeId, skus]) =>
      skus.map((sku) => ({ nodeId, sku })),
    );
    const postgres = this.hub.storage.kind === 'postgres';
    for (const chunk of chunks(sorted, 400)) {
      if (options.rowsExist !== true) {
        await createMissingBalances(
          this.trx,
          chunk.map((key) => ({
            node_id: key.nodeId,
            sku: key.sku,
            sellable: 0,
            staged: 0,
            damaged: 0,
            quality_control: 0,
            in_transit: 0,
            committed: 0,
            safety_stock: 0,
            updated_at: this.at,
          })),
        );
      }
      const byNode = new Map<string, string[]>();
      for (const key of chunk) byNode.set(key.nodeId, [...(byNode.get(key.nodeId) ?? []), key.sku]);
      const expiredHolds = options.expiredHolds === true;
      const rows = await balanceRows(
        this.trx,
        `${expiredHolds}:${postgres}:${lock}:${[...byNode.values()].map((skus) => skus.length).join(',')}`,
        [
          ...(expiredHolds ? ['HELD', this.at] : []),
          ...[...byNode].flatMap(([nodeId, skus]) => [nodeId, ...skus]),
        ],
        () => this.balancesQuery(byNode, expiredHolds, postgres, lock),
      );
      for (const row of rows) {
        const id = balanceKey(row.node_id, row.sku);
        const state = balanceOf(row);
        this.balances.set(id, state);
        if (!lock) this.unlocked.set(id, { ...state });
        const expired = (row as { expired_holds?: unknown }).expired_holds;
        if (expired !== undefined && !expired) this.withoutExpiredHolds.add(id);
      }
    }
    if (options.rowsExist === true) {
      // Should a row the caller took for granted be missing, create it rather than fail the work.
      const missing = sorted.filter((key) => !this.balances.has(balanceKey(key.nodeId, key.sku)));
      if (missing.length > 0) {
        const again = new Map(missing.map((key) => [balanceKey(key.nodeId, key.sku), key]));
        await this.loadBalances(again, { ...options, rowsExist: false }, lock);
      }
    }
  }

  /** The statement of loadBalances (built only while its text is not known yet: see compiledQuery). */
  private balancesQuery(
    byNode: ReadonlyMap<string, string[]>,
    expiredHolds: boolean,
    postgres: boolean,
    lock: boolean,
  ) {
    return (
      this.trx
        .selectFrom('stock_balances')
        .selectAll()
        .$if(expiredHolds, (query) =>
          query.select((eb) =>
            eb
              .exists(
                eb
                  .selectFrom('reservations')
                  .select('reservations.reservation_id')
                  .whereRef('reservations.node_id', '=', 'stock_balances.node_id')
                  .whereRef('reservations.sku', '=', 'stock_balances.sku')
                  .where('reservations.status', '=', 'HELD')
                  .where('reservations.expires_at', '<=', this.at),
              )
              .as('expired_holds'),
          ),
        )
        .where((eb) =>
          eb.or(
            [...byNode].map(([nodeId, skus]) =>
              eb.and([eb('stock_balances.node_id', '=', nodeId), eb('stock_balances.sku', 'in', skus)]),
            ),
          ),
        )
        // Byte order on both backends, matching the JS sort above, so every transaction locks in one order.
        .$if(postgres, (query) =>
          query
            .orderBy(sql`stock_balances.node_id collate "C"`)
            .orderBy(sql`stock_balances.sku collate "C"`)
            .$if(lock, (locking) => locking.forUpdate()),
        )
        .$if(!postgres, (query) => query.orderBy('stock_balances.node_id').orderBy('stock_balances.sku'))
    );
  }

  /**
   * False only when the lock found no lapsed HELD reservation at (node, sku): none can appear while the
   * balance is locked (a reservation needs that lock, and this transaction's clock stands still).
   */
  mayHaveExpiredHolds(nodeId: string, sku: string): boolean {
    return !this.withoutExpiredHolds.has(balanceKey(nodeId, sku));
  }

  /** The balance as this transaction sees it, if it locked it: reads inside the transaction overlay it. */
  lockedBalance(nodeId: string, sku: string): Readonly<BalanceState> | undefined {
    const id = balanceKey(nodeId, sku);
    if (this.unlocked.has(id)) this.observed.add(id);
    return this.balances.get(id);
  }

  /** A balance locked earlier in this transaction (or read by readBalances: then what it decides is checked). */
  balance(nodeId: string, sku: string): BalanceState {
    const id = balanceKey(nodeId, sku);
    if (this.unlocked.has(id)) this.observed.add(id);
    return this.stateOf(nodeId, sku);
  }

  /** For changes by delta, which readBalances' rows take at the end whatever others did meanwhile. */
  private stateOf(nodeId: string, sku: string): BalanceState {
    const state = this.balances.get(balanceKey(nodeId, sku));
    if (state === undefined) throw new Error(`balance ${nodeId}/${sku} used without lockBalances`);
    return state;
  }

  applyDelta(nodeId: string, sku: string, bucket: Bucket, delta: number, causeEventId?: string): void {
    const state = this.stateOf(nodeId, sku);
    const next = state[bucket] + delta;
    // Checked here, while the change can still be blamed on the event or request that made it: found at
    // the end of the transaction it would fail the whole batch.
    if (!Number.isSafeInteger(next)) {
      throw new DomainError(
        'LIMIT_EXCEEDED',
        'hub.inventory.changeBeyondCountable',
        { delta, bucket, sku, nodeId },
        { nodeId, sku, bucket, delta },
      );
    }
    state[bucket] = next;
    const id = balanceKey(nodeId, sku);
    this.dirty.add(id);
    if (bucket === 'sellable' && delta < 0) {
      // Hub-made movements (adjustments, picks) have no event id but can cause a condition too.
      const causes = this.sellableCauses.get(id) ?? new Set<string>();
      if (causeEventId !== undefined) causes.add(causeEventId);
      this.sellableCauses.set(id, causes);
    }
  }

  /**
   * Adds movements to the ledger: balances move now (so later reads in this transaction see them) and
   * the rows are inserted in bulk by `finish`. Callers drop movements already in the ledger first
   * (see checkMovements); a movement id repeated within the transaction counts once.
   */
  addMovements(movements: readonly LedgerMovement[]): LedgerMovement[] {
    const added: LedgerMovement[] = [];
    for (const movement of movements) {
      if (this.movements.has(movement.movementId)) continue;
      this.movements.set(movement.movementId, movement);
      this.applyDelta(movement.nodeId, movement.sku, movement.bucket, movement.delta, movement.eventId);
      added.push(movement);
    }
    return added;
  }

  /** Movements added so far, in order. */
  pendingMovements(): Iterable<LedgerMovement> {
    return this.movements.values();
  }

  hasMovement(movementId: string): boolean {
    return this.movements.has(movementId);
  }

  changeCommitted(nodeId: string, sku: string, delta: number): void {
    this.stateOf(nodeId, sku).committed += delta;
    this.dirty.add(balanceKey(nodeId, sku));
  }

  setSafetyStock(nodeId: string, sku: string, safetyStock: number): void {
    this.balance(nodeId, sku).safety_stock = safetyStock;
    this.dirty.add(balanceKey(nodeId, sku));
  }

  publish(change: FeedChangeInput): void {
    this.feed.push(change);
  }

  raise(exception: RaiseException): void {
    this.raised.push(exception);
  }

  /**
   * PostgreSQL: rows no statement of this transaction reads before it finishes (a new order's: nothing
   * else can know them yet), as data-modifying statements (storage/json-rows.ts jsonInsert). `finish` sends
   * them with a statement it sends anyway, together with the balance write: one round trip for what took
   * one per table, all while the balances are locked.
   */
  writeAtFinish(writes: readonly JsonWrite[]): void {
    this.finishWrites.push(...writes);
  }

  /** Asks for `kind` of work after commit (never inside: it would run on a transaction that may roll back). */
  requestFollowUp(kind: FollowUp): void {
    this.followUps.add(kind);
  }

  /**
   * Writes balances, raises exceptions (conditions included), appends the outbound integration log and
   * the feed. Runs once, last.
   */
  async finish(): Promise<void> {
    await insertMovements(this.trx, this.movements.values(), this.at);
    // Rows read without their lock: locked now (in key order), for the final writes and the commit.
    await this.settle([...this.unlocked.keys()].filter((id) => this.dirty.has(id) || this.observed.has(id)));
    const dirty = [...this.dirty].sort().map((id) => this.balances.get(id)!);
    // PostgreSQL: the balances and writeAtFinish's rows go out with the devices read below (one statement).
    // Until then nothing reads them from the database unless this transaction lowered sellable stock (the
    // condition checks read reservations): then they are written first. The integration events, after the
    // devices read, read the balances (channel availability) and see them written.
    const writes = this.finishWrites.splice(0);
    const balancesWrite =
      this.hub.storage.kind === 'postgres' && dirty.length > 0 ? balanceWrite(dirty, this.at) : undefined;
    if (balancesWrite === undefined) await writeBalances(this.trx, dirty, this.at);
    else writes.push(balancesWrite);
    if (dirty.length === 0 || this.sellableCauses.size > 0) await writeTogether(this.trx, writes.splice(0));
    for (const state of dirty) {
      const lowered = this.sellableCauses.get(balanceKey(state.nodeId, state.sku));
      // Only a transaction that lowered sellable can have caused a condition; others leave it as it was.
      if (lowered === undefined) continue;
      const conditions = await stockConditionExceptions(this.trx, state, [...lowered]);
      // Victims that are BOPIS orders are re-routed by the BOPIS runtime once this has committed.
      if (conditions.some((condition) => condition.type === 'OVERSELL')) this.requestFollowUp('bopis');
      this.raised.push(...conditions);
    }
    const exceptionIds = await raiseExceptions(this.trx, this.raised, this.at, this.hub.newId);
    if (dirty.length > 0) {
      const deviceSeqs = await this.deviceSeqsByNode(new Set(dirty.map((state) => state.nodeId)), writes);
      for (const state of dirty) {
        this.publish({
          entity: 'stock_level',
          key: `${state.nodeId}:${state.sku}`,
          op: 'upsert',
          scope: state.nodeId,
          data: stockLevelOf(state, deviceSeqs.get(state.nodeId) ?? {}),
        });
      }
    }
    await this.events.flush(this, { balances: dirty, exceptionIds, feed: this.feed });
    await appendFeedChanges(this.trx, this.hub.storage, this.feed, this.at);
  }

  /**
   * Channels HQ configured, read at most once per transaction: the integration layer publishes channel
   * availability for each when balances moved (channels/channel-availability.ts).
   */
  configuredChannels(): Promise<string[]> {
    return (this.channels ??= configuredChannels(this.trx));
  }

  /**
   * The lastSeq of every device of these nodes: what the stock levels published now reflect. Balances
   * moved, so the channel availability events will need the configured channels: read by the same
   * statement (rows without a node), saving a round trip per transaction.
   */
  private async deviceSeqsByNode(
    nodeIds: Set<string>,
    /** Data-modifying statements the first read runs too, as its CTEs (see finish). */
    writes: readonly JsonWrite[],
  ): Promise<Map<string, Record<string, number>>> {
    const result = new Map<string, Record<string, number>>();
    let pending = writes;
    for (const chunk of chunks([...nodeIds], 500)) {
      const carried = pending;
      pending = [];
      const withChannels = this.channels === undefined;
      const rows = await deviceRows(
        this.trx,
        `${carried.map((write) => write.shape).join('\u0001')}:${chunk.length}:${withChannels}`,
        [...carried.map((write) => write.parameter), ...chunk],
        () => this.devicesQuery(carried, chunk, withChannels),
      );
      const channels: string[] = [];
      for (const row of rows) {
        if (row.node_id === null) {
          channels.push(row.device_id);
          continue;
        }
        const seqs = result.get(row.node_id) ?? {};
        seqs[row.device_id] = Number(row.last_seq);
        result.set(row.node_id, seqs);
      }
      if (withChannels) this.channels = Promise.resolve(channels.sort());
    }
    return result;
  }

  /** The statement of deviceSeqsByNode (built only while its text is not known yet: see compiledQuery). */
  private devicesQuery(writes: readonly JsonWrite[], nodeIds: readonly string[], withChannels: boolean) {
    let creator: QueryCreator<HubDatabase> = this.trx;
    for (const [index, write] of writes.entries()) {
      creator = creator.with(
        `written_${index}`,
        () => sql`(${write.sql})` as never,
      ) as unknown as QueryCreator<HubDatabase>;
    }
    const devices = creator
      .selectFrom('devices')
      .select((eb) => [eb.ref('node_id').$castTo<string | null>().as('node_id'), 'device_id', 'last_seq'])
      .where('node_id', 'in', nodeIds);
    return withChannels
      ? devices.unionAll(
          this.trx
            .selectFrom('sales_channels')
            .select([
              sql<string | null>`null`.as('node_id'),
              'channel as device_id',
              sql<number>`0`.as('last_seq'),
            ]),
        )
      : devices;
  }
}

const deviceRows = compiledQuery<{ node_id: string | null; device_id: string; last_seq: number | string }>();

const balanceRows = compiledQuery<StockBalanceTable & { expired_holds?: unknown }>();

const createMissingBalances = compiledInsert('stock_balances', (query) =>
  query.onConflict((conflict) => conflict.columns(['node_id', 'sku']).doNothing()),
);

export function stockLevelOf(
  state: Omit<BalanceState, never>,
  deviceSeqs: Record<string, number>,
): StockLevel {
  return {
    nodeId: state.nodeId,
    sku: state.sku,
    sellable: state.sellable,
    staged: state.staged,
    damaged: state.damaged,
    qualityControl: state.quality_control,
    incoming: state.in_transit,
    reservedUnstaged: state.committed,
    safetyStock: state.safety_stock,
    atp: nodeAtp({ sellable: state.sellable, committed: state.committed, safetyStock: state.safety_stock }),
    deviceSeqs,
  };
}

/** Runs `work` as one hub transaction (retried as a whole on PostgreSQL serialization failures). */
export async function inHubTransaction<T>(hub: HubContext, work: (tx: HubTx) => Promise<T>): Promise<T> {
  let committed: HubTx | undefined;
  const result = await hub.storage.transaction(async (trx) => {
    const tx = new HubTx(trx, hub);
    const value = await work(tx);
    await tx.finish();
    // A retried attempt replaces the earlier one: only the attempt that commits asks for follow-ups.
    committed = tx;
    return value;
  });
  for (const kind of committed?.followUps ?? []) hub.hooks.followUp?.(kind);
  for (const recheck of committed?.recheckAfterCommit ?? []) await recheck(hub);
  return result;
}

const BUCKETS_AND_COUNTERS = [
  'sellable',
  'staged',
  'damaged',
  'quality_control',
  'in_transit',
  'committed',
  'safety_stock',
] as const;

function balanceOf(row: {
  node_id: string;
  sku: string;
  sellable: number | string | bigint;
  staged: number | string | bigint;
  damaged: number | string | bigint;
  quality_control: number | string | bigint;
  in_transit: number | string | bigint;
  committed: number | string | bigint;
  safety_stock: number | string | bigint;
}): BalanceState {
  return {
    nodeId: row.node_id,
    sku: row.sku,
    sellable: Number(row.sellable),
    staged: Number(row.staged),
    damaged: Number(row.damaged),
    quality_control: Number(row.quality_control),
    in_transit: Number(row.in_transit),
    committed: Number(row.committed),
    safety_stock: Number(row.safety_stock),
  };
}

/** Keys by node, nodes and SKUs in byte order: the one order every transaction locks balances in. */
function byNodeSorted(keys: Iterable<NodeSku>): [string, string[]][] {
  const byNode = new Map<string, string[]>();
  for (const key of keys) byNode.set(key.nodeId, [...(byNode.get(key.nodeId) ?? []), key.sku]);
  return [...byNode.keys()].sort().map((nodeId) => [nodeId, byNode.get(nodeId)!.sort()]);
}
