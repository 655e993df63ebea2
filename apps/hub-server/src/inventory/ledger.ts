/**
 * The stock ledger's writes in a hub transaction, and what may enter it. A transaction's stock is one
 * TransactionLedger (`tx.ledger`, owned by HubTx in hub-tx.ts): the balances it locks or reads up front
 * (in key order, so concurrent transactions on PostgreSQL queue instead of deadlocking), the movements
 * and deltas applied to them in memory, and, when the transaction finishes, the movements inserted, the
 * balances written and the oversell / negative-stock exceptions a lowered balance raises. A store
 * event's movements are checked and prepared here before they are added. The ledger's reads are in
 * ledger-reads.ts.
 */
import { sql } from 'kysely';
import {
  DomainError,
  chooseOversellVictims,
  detectStockConditions,
  type Bucket,
  type MovementType,
} from '@retail/domain';
import type { EventEnvelope, MovementPayload } from '@retail/sync';
import { conditionKey, type RaiseException } from '../exceptions/exception-queue';
import { chunks } from '../storage/chunks';
import { compiledInsert } from '../storage/compiled-insert';
import { compiledQuery } from '../storage/compiled-query';
import { jsonInsert, writeTogether, type InsertSuffix, type JsonWrite } from '../storage/json-rows';
import type { StockBalanceTable } from '../storage/schema';
import { RetryTransaction, type Executor, type Trx } from '../storage/storage';
import { sameMovement, type StoredMovement } from './ledger-reads';

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
  /**
   * PostgreSQL, with the lock: the same statement also reads the devices of the locked rows' nodes and the
   * configured sales channels, and tells whether another transaction changed a locked row after the
   * statement's snapshot (the lock waited for it). See settledAtLock.
   */
  readonly devices?: boolean;
}

/** What a locking read with `devices` learnt, while it holds (see TransactionLedger.settledAtLock). */
export interface SettledAtLock {
  /** Each node's devices and their lastSeq, as HubTx's devices read gives them. */
  readonly deviceSeqs: Map<string, Record<string, number>>;
  /** The configured sales channels, sorted. */
  readonly channels: string[];
}

function balanceKey(nodeId: string, sku: string): string {
  return `${nodeId}\u0000${sku}`;
}

/** A movement as the hub records it: the domain movement plus where it came from. */
export interface LedgerMovement {
  readonly movementId: string;
  readonly nodeId: string;
  readonly sku: string;
  readonly type: MovementType;
  readonly bucket: Bucket;
  readonly delta: number;
  readonly reason?: string | undefined;
  readonly sourceDoc?: string | undefined;
  /** The store event that carried it; absent for movements the hub made itself. */
  readonly eventId?: string | undefined;
  /** `device:<id>`, `user:<id>`, `api-key:<id>` or `hub`. */
  readonly actor: string;
}

/** A stock balance (the ledger's projection at one node and SKU) as a hub transaction holds it. */
export interface BalanceState {
  readonly nodeId: string;
  readonly sku: string;
  sellable: number;
  staged: number;
  damaged: number;
  quality_control: number;
  in_transit: number;
  committed: number;
  safety_stock: number;
}

/**
 * A hub transaction's stock (`tx.ledger`): the balances it touches, locked up front (lockBalances) or read
 * now and locked when it finishes (readBalances), changed in memory by movements and deltas so later
 * reads in the transaction see them, and written once by `finish`.
 */
export class TransactionLedger {
  private readonly balances = new Map<string, BalanceState>();
  /** Locked balances with no lapsed HELD reservation (see mayHaveExpiredHolds). */
  private readonly withoutExpiredHolds = new Set<string>();
  /** Rows readBalances read without their lock, as read: settled (locked, re-read) by finish. */
  private readonly unlocked = new Map<string, BalanceState>();
  /** Of those, rows the work read to decide something: a change by another transaction means run again. */
  private readonly observed = new Set<string>();
  private readonly dirty = new Set<string>();
  /** Balances whose sellable this transaction lowered, with the store events that did it (if any). */
  private readonly sellableCauses = new Map<string, Set<string>>();
  private readonly movements = new Map<string, LedgerMovement>();
  /**
   * The one locking read with `devices` of this transaction: what it read and the balances it locked
   * unchanged since its snapshot; null once a second such read ran or a locked row had moved.
   */
  private atLock: (SettledAtLock & { readonly ids: Set<string> }) | null | undefined;

  constructor(
    private readonly trx: Trx,
    /** The transaction's clock: the movements' recorded_at and the balances' updated_at. */
    private readonly at: number,
    private readonly postgres: boolean,
  ) {}

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
    if (!this.postgres) return this.lockBalances(keys);
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
    const postgres = this.postgres;
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
      const byNode = skusByNode(chunk);
      const expiredHolds = options.expiredHolds === true;
      const devices = options.devices === true && postgres && lock;
      const rows = await balanceReads(
        this.trx,
        `${expiredHolds}:${postgres}:${lock}:${devices}:${[...byNode.values()].map((skus) => skus.length).join(',')}`,
        [
          ...(expiredHolds ? ['HELD', this.at] : []),
          ...[...byNode].flatMap(([nodeId, skus]) => [nodeId, ...skus]),
        ],
        () => this.balancesQuery(byNode, expiredHolds, postgres, lock, devices),
      );
      // A second such read has another snapshot: what either read of the devices no longer goes together.
      const settled =
        devices && this.atLock === undefined
          ? {
              deviceSeqs: new Map<string, Record<string, number>>(),
              channels: [] as string[],
              ids: new Set<string>(),
            }
          : undefined;
      if (devices) this.atLock = settled ?? null;
      for (const row of rows) {
        const id = balanceKey(row.node_id, row.sku);
        const state = balanceOf(row);
        this.balances.set(id, state);
        if (!lock) this.unlocked.set(id, { ...state });
        const expired = row.expired_holds;
        if (expired !== undefined && !expired) this.withoutExpiredHolds.add(id);
        if (settled !== undefined) {
          if (row.moved !== false) this.atLock = null;
          settled.ids.add(id);
          settled.channels.splice(0, settled.channels.length, ...jsonList<string>(row.channels).sort());
          const seqs: Record<string, number> = {};
          for (const [deviceId, lastSeq] of jsonList<[string, string]>(row.node_devices)) {
            seqs[deviceId] = Number(lastSeq);
          }
          settled.deviceSeqs.set(row.node_id, seqs);
        }
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

  /**
   * What the transaction's locking read with `devices` learnt, when it still holds for `balances`: that read
   * locked every one of them (no other statement did, nor was a row read without its lock), and no other
   * transaction had changed any row it locked after its snapshot. Then no push that moved these balances
   * committed between that snapshot and the lock, so the devices' lastSeqs it read are the ones a read after
   * the lock would give for these stock levels (HubTx.finish skips that read). Undefined otherwise.
   */
  settledAtLock(balances: readonly BalanceState[]): SettledAtLock | undefined {
    const settled = this.atLock;
    if (settled === undefined || settled === null || this.unlocked.size > 0) return undefined;
    for (const state of balances) {
      if (!settled.ids.has(balanceKey(state.nodeId, state.sku))) return undefined;
    }
    return { deviceSeqs: settled.deviceSeqs, channels: settled.channels };
  }

  /** The statement of loadBalances (built only while its text is not known yet: see compiledQuery). */
  private balancesQuery(
    byNode: ReadonlyMap<string, string[]>,
    expiredHolds: boolean,
    postgres: boolean,
    lock: boolean,
    devices: boolean,
  ) {
    return (
      this.trx
        .selectFrom('stock_balances')
        .selectAll()
        // The devices and channels are read from the statement's snapshot; `moved` tells whether the row
        // locked is a newer version than the snapshot's (the lock waited for a transaction that changed it:
        // PostgreSQL then locks and returns the latest version, while the subqueries keep the snapshot).
        .$if(devices, (query) =>
          query.select([
            sql<unknown>`(select coalesce(json_agg(json_build_array(d.device_id, d.last_seq::text)), '[]'::json)
              from devices d where d.node_id = stock_balances.node_id)`.as('node_devices'),
            sql<unknown>`(select coalesce(json_agg(c.channel), '[]'::json) from sales_channels c)`.as(
              'channels',
            ),
            sql<boolean>`stock_balances.xmin::text is distinct from (select b.xmin::text from stock_balances b
              where b.node_id = stock_balances.node_id and b.sku = stock_balances.sku)`.as('moved'),
          ]),
        )
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

  /**
   * The ledger's writes when the transaction finishes (HubTx.finish, before the exceptions, integration
   * events and feed): inserts the movements, writes the balances and names the oversell / negative-stock
   * conditions of every balance whose sellable stock the transaction lowered. `pending` are the
   * transaction's other finish-time writes (HubTx.writeAtFinish); answers the balances written (in key
   * order), the conditions to raise and what of `pending` (with the balance write) is still to be sent
   * with the transaction's next statement.
   */
  async finish(pending: readonly JsonWrite[]): Promise<{
    balances: BalanceState[];
    conditions: RaiseException[];
    carried: JsonWrite[];
  }> {
    await insertMovements(this.trx, this.movements.values(), this.at);
    // Rows read without their lock: locked now (in key order), for the final writes and the commit.
    await this.settle([...this.unlocked.keys()].filter((id) => this.dirty.has(id) || this.observed.has(id)));
    const dirty = [...this.dirty].sort().map((id) => this.balances.get(id)!);
    // PostgreSQL: the balances and writeAtFinish's rows go out with the devices read of HubTx.finish (one
    // statement). Until then nothing reads them from the database unless this transaction lowered
    // sellable stock (the condition checks read reservations): then they are written first. The
    // integration events, after the devices read, read the balances (channel availability) and see them
    // written.
    const writes = [...pending];
    const balancesWrite = this.postgres && dirty.length > 0 ? balanceWrite(dirty, this.at) : undefined;
    if (balancesWrite === undefined) await writeBalances(this.trx, dirty, this.at);
    else writes.push(balancesWrite);
    if (dirty.length === 0 || this.sellableCauses.size > 0) await writeTogether(this.trx, writes.splice(0));
    const conditions: RaiseException[] = [];
    for (const state of dirty) {
      const lowered = this.sellableCauses.get(balanceKey(state.nodeId, state.sku));
      // Only a transaction that lowered sellable can have caused a condition; others leave it as it was.
      if (lowered === undefined) continue;
      conditions.push(...(await stockConditionExceptions(this.trx, state, [...lowered])));
    }
    return { balances: dirty, conditions, carried: writes };
  }
}

/**
 * Inserts a transaction's movements into the ledger (500 rows a statement), recorded at `at`. The
 * caller (TransactionLedger.finish) has already moved the balances they change.
 */
async function insertMovements(trx: Trx, movements: Iterable<LedgerMovement>, at: number): Promise<void> {
  const rows = [...movements].map((movement) => ({
    movement_id: movement.movementId,
    node_id: movement.nodeId,
    sku: movement.sku,
    type: movement.type,
    bucket: movement.bucket,
    delta: movement.delta,
    reason: movement.reason ?? null,
    source_doc: movement.sourceDoc ?? null,
    event_id: movement.eventId ?? null,
    actor: movement.actor,
    recorded_at: at,
  }));
  for (const chunk of chunks(rows, 500)) {
    const inserted = await insertMovementRows(trx, chunk);
    // Another transaction recorded one of these ids after we checked: start over so the replay is
    // recognised instead of counted twice.
    if (inserted.length !== chunk.length) throw new RetryTransaction('movement recorded concurrently');
  }
}

/**
 * Writes balances the caller has locked. One multi-row upsert (per 400) instead of an UPDATE per
 * balance: the rows exist and are locked, so every row takes the update branch; on PostgreSQL this
 * saves a round trip per touched SKU.
 */
async function writeBalances(trx: Trx, balances: readonly BalanceState[], at: number): Promise<void> {
  for (const chunk of chunks(balances, 400)) await writeBalanceRows(trx, balanceRows(chunk, at));
}

/**
 * writeBalances as a data-modifying CTE, for a statement that has to go out anyway (PostgreSQL only):
 * the same upsert, the rows as one JSON parameter. Undefined when there are too many for one statement.
 */
function balanceWrite(balances: readonly BalanceState[], at: number): JsonWrite | undefined {
  if (balances.length > 400) return undefined;
  return jsonInsert('stock_balances', balanceRows(balances, at), BALANCE_UPSERT);
}

const BALANCE_UPSERT: InsertSuffix = {
  name: 'upsert',
  sql: sql`on conflict (node_id, sku) do update set sellable = excluded.sellable,
  staged = excluded.staged, damaged = excluded.damaged, quality_control = excluded.quality_control,
  in_transit = excluded.in_transit, committed = excluded.committed, safety_stock = excluded.safety_stock,
  updated_at = excluded.updated_at`,
};

function balanceRows(balances: readonly BalanceState[], at: number): StockBalanceTable[] {
  return balances.map((state) => ({
    node_id: state.nodeId,
    sku: state.sku,
    sellable: state.sellable,
    staged: state.staged,
    damaged: state.damaged,
    quality_control: state.quality_control,
    in_transit: state.in_transit,
    committed: state.committed,
    safety_stock: state.safety_stock,
    updated_at: at,
  }));
}

/**
 * The exceptions a balance's stock conditions raise: an oversell (sales took units promised to open
 * reservations; it names the reservations it takes from) or negative sellable stock. `causes` are the
 * store events that lowered its sellable stock. Call only for a balance whose sellable stock the
 * transaction lowered: others keep whatever condition they had.
 */
export async function stockConditionExceptions(
  executor: Executor,
  state: BalanceState,
  causes: readonly string[],
): Promise<RaiseException[]> {
  const raised: RaiseException[] = [];
  for (const condition of detectStockConditions({ sellable: state.sellable, committed: state.committed })) {
    const affected =
      condition.type === 'OVERSELL' ? await oversellVictims(executor, state, condition.shortBy) : [];
    raised.push({
      type: condition.type,
      severity: condition.type === 'OVERSELL' ? 'critical' : 'warning',
      nodeId: state.nodeId,
      sku: state.sku,
      causeEventIds: [...causes],
      conditionKey: conditionKey(condition.type, state.nodeId, state.sku),
      details: {
        shortBy: condition.shortBy,
        ...(condition.type === 'OVERSELL' ? { affectedReservations: affected } : {}),
        sellable: state.sellable,
        committed: state.committed,
        message:
          condition.type === 'OVERSELL'
            ? `Sales at ${state.nodeId} took ${condition.shortBy} unit(s) of ${state.sku} promised to open reservations.`
            : `Sellable stock of ${state.sku} at ${state.nodeId} is ${state.sellable}: more was sold than the ledger held; count the shelf.`,
      },
    });
  }
  return raised;
}

/** The reservations an oversell takes from (lowest priority, newest first), for the resolver. */
async function oversellVictims(
  executor: Executor,
  state: BalanceState,
  shortBy: number,
): Promise<{ reservationId: string; qty: number; orderRef: string; priority: number }[]> {
  const rows = await executor
    .selectFrom('reservations')
    .select(['reservation_id', 'qty', 'priority', 'created_at', 'order_ref'])
    .where('node_id', '=', state.nodeId)
    .where('sku', '=', state.sku)
    .where('status', 'in', ['HELD', 'ACTIVE'])
    .execute();
  return chooseOversellVictims(
    rows.map((row) => ({
      reservationId: row.reservation_id,
      qty: Number(row.qty),
      priority: row.priority,
      createdAt: Number(row.created_at),
      orderRef: row.order_ref,
    })),
    shortBy,
  ).map(({ reservationId, qty, orderRef, priority }) => ({ reservationId, qty, orderRef, priority }));
}

const insertMovementRows = compiledInsert('inventory_movements', (query) =>
  query.onConflict((conflict) => conflict.column('movement_id').doNothing()).returning('movement_id'),
);

const writeBalanceRows = compiledInsert('stock_balances', (query) =>
  query.onConflict((conflict) =>
    conflict.columns(['node_id', 'sku']).doUpdateSet((eb) => ({
      sellable: eb.ref('excluded.sellable'),
      staged: eb.ref('excluded.staged'),
      damaged: eb.ref('excluded.damaged'),
      quality_control: eb.ref('excluded.quality_control'),
      in_transit: eb.ref('excluded.in_transit'),
      committed: eb.ref('excluded.committed'),
      safety_stock: eb.ref('excluded.safety_stock'),
      updated_at: eb.ref('excluded.updated_at'),
    })),
  ),
);

const balanceReads = compiledQuery<
  StockBalanceTable & { expired_holds?: unknown; node_devices?: unknown; channels?: unknown; moved?: boolean }
>();

/** A JSON list column (parsed by the hub's type parsers, or still text). */
function jsonList<T>(value: unknown): T[] {
  const list: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(list) ? (list as T[]) : [];
}

const createMissingBalances = compiledInsert('stock_balances', (query) =>
  query.onConflict((conflict) => conflict.columns(['node_id', 'sku']).doNothing()),
);

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

/** Each node's SKUs, in the order of `keys` (appended: a push touches hundreds of one store's SKUs). */
function skusByNode(keys: Iterable<NodeSku>): Map<string, string[]> {
  const byNode = new Map<string, string[]>();
  for (const key of keys) {
    const skus = byNode.get(key.nodeId);
    if (skus === undefined) byNode.set(key.nodeId, [key.sku]);
    else skus.push(key.sku);
  }
  return byNode;
}

/** Keys by node, nodes and SKUs in byte order: the one order every transaction locks balances in. */
function byNodeSorted(keys: Iterable<NodeSku>): [string, string[]][] {
  const byNode = skusByNode(keys);
  return [...byNode.keys()].sort().map((nodeId) => [nodeId, byNode.get(nodeId)!.sort()]);
}

/**
 * What preparing an event's movements consults: the push's facts (its store and device, the catalog's
 * SKUs, the movements already in the ledger) and the movements its transaction holds so far. The
 * ingest's ApplyContext is one.
 */
export interface MovementScope {
  readonly facts: {
    readonly nodeId: string;
    readonly deviceId: string;
    readonly knownSkus: ReadonlySet<string>;
    readonly storedMovements: ReadonlyMap<string, StoredMovement>;
  };
  readonly tx: { readonly ledger: { hasMovement(movementId: string): boolean } };
}

/**
 * Turns an event's movements into ledger movements at the store, or says why the event can never
 * apply: an unknown SKU, a repeated or reused movement id, or hub-managed in-transit stock.
 */
export function prepareMovements(
  ctx: MovementScope,
  event: EventEnvelope,
  movements: readonly MovementPayload[],
  sourceDoc: string,
): { ok: true; movements: LedgerMovement[] } | { ok: false; reason: string } {
  const ids = new Set<string>();
  const prepared: LedgerMovement[] = [];
  for (const movement of movements) {
    if (ids.has(movement.movementId)) {
      return { ok: false, reason: `Movement ${movement.movementId} appears twice in this event.` };
    }
    ids.add(movement.movementId);
    if (!ctx.facts.knownSkus.has(movement.sku)) {
      return {
        ok: false,
        reason: `SKU ${movement.sku} is not in the hub catalog, so its stock cannot be recorded. Check the item with HQ.`,
      };
    }
    if (movement.bucket === 'in_transit') {
      return {
        ok: false,
        reason: `Movement ${movement.movementId} moves in-transit stock, which only the hub records (at the destination).`,
      };
    }
    const stored = ctx.facts.storedMovements.get(movement.movementId);
    const here = {
      nodeId: ctx.facts.nodeId,
      sku: movement.sku,
      bucket: movement.bucket,
      delta: movement.delta,
    };
    if (
      (stored !== undefined && !sameMovement(stored, here)) ||
      ctx.tx.ledger.hasMovement(movement.movementId)
    ) {
      return {
        ok: false,
        reason: `Movement id ${movement.movementId} was already used for a different stock change.`,
      };
    }
    // The same movement recorded earlier (sent again inside a new event): it already counted once.
    if (stored !== undefined) continue;
    prepared.push({
      movementId: movement.movementId,
      nodeId: ctx.facts.nodeId,
      sku: movement.sku,
      type: movement.type,
      bucket: movement.bucket,
      delta: movement.delta,
      reason: movement.reason,
      sourceDoc,
      eventId: event.eventId,
      actor: `device:${ctx.facts.deviceId}`,
    });
  }
  return { ok: true, movements: prepared };
}
