/**
 * The stock ledger: the one home of its writes (movements, the balances they project onto, and the
 * oversell / negative-stock exceptions a lowered balance raises), of what may enter it (a store event's
 * movements checked and prepared) and of its reads. A hub transaction
 * (HubTx in hub-tx.ts) collects a unit of work's movements and calls the writes once, when it finishes.
 */
import { sql } from 'kysely';
import {
  BUCKETS,
  chooseOversellVictims,
  detectStockConditions,
  type Bucket,
  type MovementType,
} from '@retail/domain';
import type { EventEnvelope, MovementPayload } from '@retail/sync';
import { conditionKey, type RaiseException } from '../exceptions/exception-queue';
import { chunks } from '../storage/chunks';
import { compiledInsert } from '../storage/compiled-insert';
import { jsonInsert, type InsertSuffix, type JsonWrite } from '../storage/json-rows';
import type { StockBalanceTable } from '../storage/schema';
import { RetryTransaction, type Executor, type Trx } from '../storage/storage';

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
 * Inserts a transaction's movements into the ledger (500 rows a statement), recorded at `at`. The
 * caller (HubTx.finish) has already moved the balances they change.
 */
export async function insertMovements(
  trx: Trx,
  movements: Iterable<LedgerMovement>,
  at: number,
): Promise<void> {
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
export async function writeBalances(trx: Trx, balances: readonly BalanceState[], at: number): Promise<void> {
  for (const chunk of chunks(balances, 400)) await writeBalanceRows(trx, balanceRows(chunk, at));
}

/**
 * writeBalances as a data-modifying CTE, for a statement that has to go out anyway (PostgreSQL only):
 * the same upsert, the rows as one JSON parameter. Undefined when there are too many for one statement.
 */
export function balanceWrite(balances: readonly BalanceState[], at: number): JsonWrite | undefined {
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

export interface StoredMovement {
  readonly nodeId: string;
  readonly sku: string;
  readonly bucket: string;
  readonly delta: number;
}

/** Movements already in the ledger, by id: a replay is recognised before anything is written. */
export async function findMovements(
  executor: Executor,
  movementIds: Iterable<string>,
): Promise<Map<string, StoredMovement>> {
  const found = new Map<string, StoredMovement>();
  for (const chunk of chunks([...new Set(movementIds)], 500)) {
    const rows = await executor
      .selectFrom('inventory_movements')
      .select(['movement_id', 'node_id', 'sku', 'bucket', 'delta'])
      .where('movement_id', 'in', chunk)
      .execute();
    for (const row of rows) {
      found.set(row.movement_id, {
        nodeId: row.node_id,
        sku: row.sku,
        bucket: row.bucket,
        delta: Number(row.delta),
      });
    }
  }
  return found;
}

/** Whether a stored movement is the same stock change as `movement` (a harmless replay). */
export function sameMovement(
  stored: StoredMovement,
  movement: Pick<LedgerMovement, 'nodeId' | 'sku' | 'bucket' | 'delta'>,
): boolean {
  return (
    stored.nodeId === movement.nodeId &&
    stored.sku === movement.sku &&
    stored.bucket === movement.bucket &&
    stored.delta === movement.delta
  );
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
  readonly tx: { hasMovement(movementId: string): boolean };
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
    if ((stored !== undefined && !sameMovement(stored, here)) || ctx.tx.hasMovement(movement.movementId)) {
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

export interface LedgerEntry {
  readonly movementId: string;
  readonly nodeId: string;
  readonly sku: string;
  readonly type: string;
  readonly bucket: string;
  readonly delta: number;
  readonly reason: string | null;
  readonly sourceDoc: string | null;
  readonly eventId: string | null;
  readonly actor: string;
  readonly recordedAt: number;
}

/**
 * Ledger history of one SKU (optionally at one node), newest first. Pages are keyset pages on
 * (recordedAt, movementId): every movement of one push shares its millisecond, so a page boundary by
 * time alone would skip the rest of a large push. The next page starts after the last row's
 * `before` = recordedAt and `beforeMovementId` = movementId.
 */
export async function readLedger(
  executor: Executor,
  filter: {
    sku: string;
    nodeId?: string | undefined;
    before?: number | undefined;
    beforeMovementId?: string | undefined;
    limit: number;
  },
): Promise<LedgerEntry[]> {
  let query = executor.selectFrom('inventory_movements').selectAll().where('sku', '=', filter.sku);
  if (filter.nodeId !== undefined) query = query.where('node_id', '=', filter.nodeId);
  const { before, beforeMovementId } = filter;
  if (before !== undefined && beforeMovementId !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('recorded_at', '<', before),
        eb.and([eb('recorded_at', '=', before), eb('movement_id', '<', beforeMovementId)]),
      ]),
    );
  } else if (before !== undefined) {
    query = query.where('recorded_at', '<', before);
  }
  const rows = await query
    .orderBy('recorded_at', 'desc')
    .orderBy('movement_id', 'desc')
    .limit(filter.limit)
    .execute();
  return rows.map((row) => ({
    movementId: row.movement_id,
    nodeId: row.node_id,
    sku: row.sku,
    type: row.type,
    bucket: row.bucket,
    delta: Number(row.delta),
    reason: row.reason,
    sourceDoc: row.source_doc,
    eventId: row.event_id,
    actor: row.actor,
    recordedAt: Number(row.recorded_at),
  }));
}

export interface ProjectionMismatch {
  readonly nodeId: string;
  readonly sku: string;
  readonly field: string;
  readonly projected: number;
  readonly refolded: number;
}

/**
 * Re-folds the whole ledger and the open reservations and compares them with the stored projections
 * (invariants 1 and 4). An empty answer means every balance equals the sum of its movements.
 */
export async function verifyProjections(executor: Executor): Promise<ProjectionMismatch[]> {
  const sums = await executor
    .selectFrom('inventory_movements')
    .select(['node_id', 'sku', 'bucket', (eb) => eb.fn.sum<number>('delta').as('total')])
    .groupBy(['node_id', 'sku', 'bucket'])
    .execute();
  const committed = await executor
    .selectFrom('reservations')
    .select(['node_id', 'sku', (eb) => eb.fn.sum<number>('qty').as('total')])
    .where('status', 'in', ['HELD', 'ACTIVE'])
    .groupBy(['node_id', 'sku'])
    .execute();
  const refolded = new Map<string, Record<string, number>>();
  const entry = (nodeId: string, sku: string) => {
    const key = `${nodeId}\u0000${sku}`;
    const value = refolded.get(key) ?? { committed: 0, ...Object.fromEntries(BUCKETS.map((b) => [b, 0])) };
    refolded.set(key, value);
    return value;
  };
  for (const row of sums) entry(row.node_id, row.sku)[row.bucket] = Number(row.total);
  for (const row of committed) entry(row.node_id, row.sku).committed = Number(row.total);

  const mismatches: ProjectionMismatch[] = [];
  const balances = await executor.selectFrom('stock_balances').selectAll().execute();
  const seen = new Set<string>();
  for (const balance of balances) {
    const key = `${balance.node_id}\u0000${balance.sku}`;
    seen.add(key);
    const expected = refolded.get(key) ?? entry(balance.node_id, balance.sku);
    for (const field of [...BUCKETS, 'committed'] as const) {
      const projected = Number(balance[field]);
      if (projected !== expected[field]) {
        mismatches.push({
          nodeId: balance.node_id,
          sku: balance.sku,
          field,
          projected,
          refolded: expected[field]!,
        });
      }
    }
  }
  for (const [key, expected] of refolded) {
    if (seen.has(key)) continue;
    const [nodeId, sku] = key.split('\u0000') as [string, string];
    for (const [field, value] of Object.entries(expected)) {
      if (value !== 0) mismatches.push({ nodeId, sku, field, projected: 0, refolded: value });
    }
  }
  return mismatches;
}
