import { z } from 'zod';
import { MAX_STOCK_QTY } from '@retail/domain';
import {
  assertCanReserve,
  DomainError,
  RESERVATION_ACTIONS,
  RESERVATION_STATUSES,
  transitionReservation,
  type ReservationAction,
  type ReservationStatus,
} from '@retail/domain';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HubContext } from '../hub-context';
import type { Executor } from '../storage/storage';
import { chunks } from '../storage/chunks';
import { compiledInsert } from '../storage/compiled-insert';
import type { ReservationHistoryTable, ReservationTable } from '../storage/schema';

/**
 * Hub-owned reservations (DESIGN §5). Every change happens in one transaction that first locks the
 * (node, sku) balance row — `SELECT … FOR UPDATE` on PostgreSQL, the single writer on SQLite — so the ATP
 * check and the committed-quantity update cannot interleave with another reservation or an ingest batch
 * on the same SKU at the same node: no oversell by the hub, whatever the concurrency.
 */
export const DEFAULT_HOLD_TTL_MS = 15 * 60 * 1000;

export const CreateReservationSchema = z
  .object({
    nodeId: z.string().min(1).max(100),
    sku: z.string().min(1).max(100),
    qty: z.number().int().min(1).max(MAX_STOCK_QTY),
    /** The order (and line) this promise is for, e.g. `order-123:line-1`. */
    orderRef: z.string().min(1).max(200),
    /** Higher is more important; oversell victims are taken from the lowest priority first. */
    priority: z.number().int().min(0).max(1000).default(0),
    status: z.enum(['HELD', 'ACTIVE']).default('ACTIVE'),
    /** For HELD (checkout) reservations: how long the hold lasts. */
    holdTtlMs: z
      .number()
      .int()
      .min(1000)
      .max(7 * 24 * 3600 * 1000)
      .optional(),
    /** Backorders may exceed ATP (invariant 5); they are the only reservations that can. */
    backorder: z.boolean().default(false),
    /** Repeating a request with the same key returns the first result instead of reserving twice. */
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .refine((input) => input.status === 'HELD' || input.holdTtlMs === undefined, {
    message: 'Only HELD reservations have a hold time.',
    path: ['holdTtlMs'],
  });
export type CreateReservation = z.input<typeof CreateReservationSchema>;

export const ReservationSchema = z.object({
  reservationId: z.string(),
  nodeId: z.string(),
  sku: z.string(),
  qty: z.number().int(),
  status: z.enum(RESERVATION_STATUSES),
  priority: z.number().int(),
  orderRef: z.string(),
  backorder: z.boolean(),
  expiresAt: z.number().int().nullable(),
  replacedBy: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Reservation = z.infer<typeof ReservationSchema>;

export const ReservationTransitionSchema = z.object({
  action: z.enum(RESERVATION_ACTIONS).exclude(['reassign']),
  reason: z.string().trim().min(1).max(200).optional(),
  expectedVersion: z.number().int().min(1).optional(),
});

export function toReservation(row: ReservationTable): Reservation {
  return {
    reservationId: row.reservation_id,
    nodeId: row.node_id,
    sku: row.sku,
    qty: Number(row.qty),
    status: row.status as ReservationStatus,
    priority: row.priority,
    orderRef: row.order_ref,
    backorder: row.backorder === 1,
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    replacedBy: row.replaced_by,
    version: row.version,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

async function recordHistory(
  tx: HubTx,
  reservation: { reservationId: string; version: number },
  from: ReservationStatus | null,
  to: ReservationStatus,
  reason: string,
  actor: string,
  pending?: PendingReservations,
): Promise<void> {
  const row: ReservationHistoryTable = {
    reservation_id: reservation.reservationId,
    version: reservation.version,
    from_status: from,
    to_status: to,
    reason,
    actor,
    at: tx.at,
  };
  if (pending !== undefined) pending.history.push(row);
  else await insertHistoryRows(tx.trx, [row]);
}

const insertReservationRows = compiledInsert('reservations');
const insertHistoryRows = compiledInsert('reservation_history');

/**
 * Reservations made in this transaction for an order nothing else can see before it commits (a new
 * order): their rows, every step they take before the end (HELD at placement, ACTIVE at routing) and
 * their history are kept here and written by one multi-row statement each (`flush`), instead of an
 * insert, an update and a history row per line and step. What is written is what the single statements
 * would have left.
 */
export class PendingReservations {
  readonly rows = new Map<string, ReservationTable>();
  readonly history: ReservationHistoryTable[] = [];

  async flush(tx: HubTx): Promise<void> {
    for (const chunk of chunks([...this.rows.values()], 500)) await insertReservationRows(tx.trx, chunk);
    for (const chunk of chunks(this.history, 500)) await insertHistoryRows(tx.trx, chunk);
    this.rows.clear();
    this.history.length = 0;
  }
}

async function assertNodeAndSku(tx: HubTx, nodeId: string, sku: string): Promise<void> {
  const node = await tx.trx
    .selectFrom('nodes')
    .select('active')
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  if (node === undefined) throw new DomainError('NOT_FOUND', 'hub.auth.noNode', { nodeId }, { nodeId });
  if (node.active !== 1) {
    throw new DomainError(
      'NOT_ALLOWED',
      'hub.inventory.nodeInactiveCannotTake',
      { nodeId },
      {
        nodeId,
      },
    );
  }
  const known = await tx.trx.selectFrom('skus').select('sku').where('sku', '=', sku).executeTakeFirst();
  if (known === undefined) throw new DomainError('NOT_FOUND', 'hub.catalog.noSkuCatalog', { sku }, { sku });
}

/** Releases HELD reservations at (node, sku) whose hold ran out. The balance must be locked. */
export async function releaseExpiredAt(tx: HubTx, nodeId: string, sku: string): Promise<number> {
  if (!tx.ledger.mayHaveExpiredHolds(nodeId, sku)) return 0;
  const expired = await tx.trx
    .selectFrom('reservations')
    .selectAll()
    .where('node_id', '=', nodeId)
    .where('sku', '=', sku)
    .where('status', '=', 'HELD')
    .where('expires_at', '<=', tx.at)
    .execute();
  for (const row of expired) await applyTransition(tx, row, 'release', 'hold expired', 'hub');
  return expired.length;
}

export interface TransitionOptions {
  /**
   * Record the ledger movements the transition implies (PICK, PICKUP_HANDOVER, UNSTAGE). BOPIS orders
   * turn this off: the store that moved the units records them with its own event, and the hub must not
   * count them a second time.
   */
  readonly recordMovements?: boolean;
  /** A reservation kept there (made in this transaction) changes there instead of by an UPDATE. */
  readonly pending?: PendingReservations;
}

export async function applyTransition(
  tx: HubTx,
  row: ReservationTable,
  action: ReservationAction,
  reason: string,
  actor: string,
  extra: Partial<ReservationTable> = {},
  options: TransitionOptions = {},
): Promise<ReservationTable> {
  const current = toReservation(row);
  const decision = transitionReservation(
    {
      reservationId: current.reservationId,
      status: current.status,
      qty: current.qty,
      expiresAt: current.expiresAt ?? undefined,
    },
    action,
  );
  if (decision.needsAvailability && !current.backorder) {
    const balance = tx.ledger.balance(current.nodeId, current.sku);
    assertCanReserve(
      { sellable: balance.sellable, committed: balance.committed, safetyStock: balance.safety_stock },
      { qty: decision.committedDelta, sku: current.sku, nodeId: current.nodeId },
    );
  }
  tx.ledger.changeCommitted(current.nodeId, current.sku, decision.committedDelta);
  const version = current.version + 1;
  const movements = options.recordMovements === false ? [] : decision.movements;
  tx.ledger.addMovements(
    movements.map((movement, index) => ({
      movementId: `${current.reservationId}:v${version}:${index}`,
      nodeId: current.nodeId,
      sku: current.sku,
      type: movement.type,
      bucket: movement.bucket,
      delta: movement.delta,
      reason,
      sourceDoc: `reservation:${current.reservationId}`,
      actor,
    })),
  );
  const updated: ReservationTable = { ...row, ...extra, status: decision.to, version, updated_at: tx.at };
  const pending = options.pending?.rows.has(current.reservationId) === true ? options.pending : undefined;
  if (pending !== undefined) {
    // Only the columns the UPDATE below sets change, as they would in the database.
    const before = pending.rows.get(current.reservationId)!;
    pending.rows.set(current.reservationId, {
      ...before,
      status: updated.status,
      version,
      updated_at: tx.at,
      replaced_by: updated.replaced_by,
    });
  } else {
    await tx.trx
      .updateTable('reservations')
      .set({ status: updated.status, version, updated_at: tx.at, replaced_by: updated.replaced_by })
      .where('reservation_id', '=', current.reservationId)
      .execute();
  }
  await recordHistory(
    tx,
    { reservationId: current.reservationId, version },
    decision.from,
    decision.to,
    reason,
    actor,
    pending,
  );
  return updated;
}

export async function insertReservation(
  tx: HubTx,
  input: z.output<typeof CreateReservationSchema>,
  actor: string,
  reason: string,
  /** Keep the row and its history there, for the caller to flush, instead of inserting them now. */
  pending?: PendingReservations,
): Promise<ReservationTable> {
  const balance = tx.ledger.balance(input.nodeId, input.sku);
  assertCanReserve(
    { sellable: balance.sellable, committed: balance.committed, safetyStock: balance.safety_stock },
    { qty: input.qty, sku: input.sku, nodeId: input.nodeId, allowBeyondAtp: input.backorder },
  );
  const row: ReservationTable = {
    reservation_id: tx.hub.newId(),
    node_id: input.nodeId,
    sku: input.sku,
    qty: input.qty,
    status: input.status,
    priority: input.priority,
    order_ref: input.orderRef,
    idempotency_key: input.idempotencyKey ?? null,
    backorder: input.backorder ? 1 : 0,
    expires_at: input.status === 'HELD' ? tx.at + (input.holdTtlMs ?? DEFAULT_HOLD_TTL_MS) : null,
    replaced_by: null,
    version: 1,
    created_at: tx.at,
    updated_at: tx.at,
  };
  if (pending !== undefined) pending.rows.set(row.reservation_id, row);
  else await tx.trx.insertInto('reservations').values(row).execute();
  tx.ledger.changeCommitted(input.nodeId, input.sku, input.qty);
  await recordHistory(
    tx,
    { reservationId: row.reservation_id, version: 1 },
    null,
    input.status,
    reason,
    actor,
    pending,
  );
  return row;
}

export async function createReservation(
  hub: HubContext,
  request: CreateReservation,
  actor: string,
): Promise<Reservation> {
  const input = CreateReservationSchema.parse(request);
  return inHubTransaction(hub, async (tx) => {
    if (input.idempotencyKey !== undefined) {
      const earlier = await tx.trx
        .selectFrom('reservations')
        .selectAll()
        .where('idempotency_key', '=', input.idempotencyKey)
        .executeTakeFirst();
      if (earlier !== undefined) return sameRequestOrConflict(earlier, input);
    }
    await assertNodeAndSku(tx, input.nodeId, input.sku);
    await tx.ledger.lockBalances([{ nodeId: input.nodeId, sku: input.sku }]);
    if (input.idempotencyKey !== undefined) {
      // Re-check under the lock: a concurrent request with the same key may have committed meanwhile.
      const earlier = await tx.trx
        .selectFrom('reservations')
        .selectAll()
        .where('idempotency_key', '=', input.idempotencyKey)
        .executeTakeFirst();
      if (earlier !== undefined) return sameRequestOrConflict(earlier, input);
    }
    await releaseExpiredAt(tx, input.nodeId, input.sku);
    return toReservation(await insertReservation(tx, input, actor, `reserved for ${input.orderRef}`));
  });
}

function sameRequestOrConflict(
  row: ReservationTable,
  input: z.output<typeof CreateReservationSchema>,
): Reservation {
  if (
    row.node_id !== input.nodeId ||
    row.sku !== input.sku ||
    Number(row.qty) !== input.qty ||
    row.order_ref !== input.orderRef
  ) {
    throw new DomainError(
      'CONFLICT',
      'hub.inventory.idempotencyKeyAlreadyUsed',
      { idempotencyKey: String(input.idempotencyKey), reservation_id: row.reservation_id },
      { reservationId: row.reservation_id },
    );
  }
  return toReservation(row);
}

async function lockedReservation(tx: HubTx, reservationId: string): Promise<ReservationTable> {
  const peek = await tx.trx
    .selectFrom('reservations')
    .select(['node_id', 'sku'])
    .where('reservation_id', '=', reservationId)
    .executeTakeFirst();
  if (peek === undefined)
    throw new DomainError('NOT_FOUND', 'hub.inventory.noReservation', { reservationId }, { reservationId });
  // Balance first, reservation second: the same lock order as creation and ingest.
  await tx.ledger.lockBalances([{ nodeId: peek.node_id, sku: peek.sku }]);
  return tx.trx
    .selectFrom('reservations')
    .selectAll()
    .where('reservation_id', '=', reservationId)
    .$if(tx.hub.storage.kind === 'postgres', (query) => query.forUpdate())
    .executeTakeFirstOrThrow();
}

/** Reservations made for BOPIS order lines carry this order_ref prefix: `bopis:<orderId>/<lineId>`. */
export const BOPIS_ORDER_REF_PREFIX = 'bopis:';

/**
 * A BOPIS order's reservations move only with the order (cancel, re-route, the store's picking), or the
 * order, its store's queue and the stock would disagree.
 */
function assertNotOrderManaged(row: ReservationTable): void {
  if (row.order_ref.startsWith(BOPIS_ORDER_REF_PREFIX)) {
    const orderId = row.order_ref.slice(BOPIS_ORDER_REF_PREFIX.length).split('/')[0];
    throw new DomainError(
      'NOT_ALLOWED',
      'hub.inventory.reservationBelongsBopisOrder',
      { reservation_id: row.reservation_id, orderId: String(orderId) },
      { reservationId: row.reservation_id, orderId },
    );
  }
}

function assertVersion(row: ReservationTable, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && row.version !== expectedVersion) {
    throw new DomainError(
      'CONFLICT',
      'hub.inventory.reservationChangedMeanwhileNow',
      { reservation_id: row.reservation_id, version: row.version, rowStatus: row.status },
      { reservationId: row.reservation_id, version: row.version, status: row.status },
    );
  }
}

/** Moves a reservation along its lifecycle: activate, stage (picks units), consume, release, mark short. */
export async function moveReservation(
  hub: HubContext,
  reservationId: string,
  change: z.infer<typeof ReservationTransitionSchema>,
  actor: string,
): Promise<Reservation> {
  return inHubTransaction(hub, async (tx) => {
    const row = await lockedReservation(tx, reservationId);
    assertNotOrderManaged(row);
    assertVersion(row, change.expectedVersion);
    if (
      change.action === 'activate' &&
      row.status === 'HELD' &&
      row.expires_at !== null &&
      row.expires_at <= tx.at
    ) {
      // The sweeper releases it; confirming a lapsed hold could promise units someone else now has.
      throw new DomainError(
        'NOT_ALLOWED',
        'hub.inventory.reservationExpiredBefore',
        { reservationId },
        {
          reservationId,
        },
      );
    }
    return toReservation(
      await applyTransition(tx, row, change.action, change.reason ?? change.action, actor),
    );
  });
}

export const ReassignReservationSchema = z.object({
  toNodeId: z.string().min(1).max(100),
  reason: z.string().trim().min(1).max(200).default('reassigned'),
  expectedVersion: z.number().int().min(1).optional(),
});

/**
 * Moves the promise to another node (Medusa's updateReservationItems): the new reservation is checked
 * against ATP there; the old one ends REASSIGNED and points to its replacement. Both balances are locked
 * in one ordered pass.
 */
export async function reassignReservation(
  hub: HubContext,
  reservationId: string,
  request: z.input<typeof ReassignReservationSchema>,
  actor: string,
): Promise<{ previous: Reservation; next: Reservation }> {
  const change = ReassignReservationSchema.parse(request);
  return inHubTransaction(hub, async (tx) => {
    const peek = await tx.trx
      .selectFrom('reservations')
      .select(['node_id', 'sku'])
      .where('reservation_id', '=', reservationId)
      .executeTakeFirst();
    if (peek === undefined)
      throw new DomainError('NOT_FOUND', 'hub.inventory.noReservation', { reservationId }, { reservationId });
    if (peek.node_id === change.toNodeId) {
      throw new DomainError(
        'INVALID_INPUT',
        'hub.inventory.reservationCanOnlyReassigned',
        {},
        {
          path: 'toNodeId',
        },
      );
    }
    await assertNodeAndSku(tx, change.toNodeId, peek.sku);
    await tx.ledger.lockBalances([
      { nodeId: peek.node_id, sku: peek.sku },
      { nodeId: change.toNodeId, sku: peek.sku },
    ]);
    const row = await tx.trx
      .selectFrom('reservations')
      .selectAll()
      .where('reservation_id', '=', reservationId)
      .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirstOrThrow();
    assertNotOrderManaged(row);
    assertVersion(row, change.expectedVersion);
    await releaseExpiredAt(tx, change.toNodeId, row.sku);
    const next = await insertReservation(
      tx,
      {
        nodeId: change.toNodeId,
        sku: row.sku,
        qty: Number(row.qty),
        orderRef: row.order_ref,
        priority: row.priority,
        status: 'ACTIVE',
        backorder: row.backorder === 1,
      },
      actor,
      `reassigned from ${row.node_id}: ${change.reason}`,
    );
    const previous = await applyTransition(tx, row, 'reassign', change.reason, actor, {
      replaced_by: next.reservation_id,
    });
    return { previous: toReservation(previous), next: toReservation(next) };
  });
}

/** Sweeps HELD reservations whose hold ran out (the `serve` loop calls this every few seconds). */
export async function releaseExpiredHolds(hub: HubContext, limit = 500): Promise<number> {
  const due = await hub.storage.db
    .selectFrom('reservations')
    .select(['node_id', 'sku'])
    .distinct()
    .where('status', '=', 'HELD')
    .where('expires_at', '<=', hub.now())
    .limit(limit)
    .execute();
  let released = 0;
  for (const key of due) {
    released += await inHubTransaction(hub, async (tx) => {
      await tx.ledger.lockBalances([{ nodeId: key.node_id, sku: key.sku }]);
      return releaseExpiredAt(tx, key.node_id, key.sku);
    });
  }
  return released;
}

export const ReservationFilterSchema = z.object({
  nodeId: z.string().min(1).optional(),
  sku: z.string().min(1).optional(),
  status: z.enum(RESERVATION_STATUSES).optional(),
  orderRef: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export async function listReservations(
  executor: Executor,
  filter: z.infer<typeof ReservationFilterSchema>,
): Promise<Reservation[]> {
  let query = executor.selectFrom('reservations').selectAll();
  if (filter.nodeId !== undefined) query = query.where('node_id', '=', filter.nodeId);
  if (filter.sku !== undefined) query = query.where('sku', '=', filter.sku);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.orderRef !== undefined) query = query.where('order_ref', '=', filter.orderRef);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('reservation_id', 'desc')
    .limit(filter.limit)
    .execute();
  return rows.map(toReservation);
}

export async function getReservation(executor: Executor, reservationId: string): Promise<Reservation> {
  const row = await executor
    .selectFrom('reservations')
    .selectAll()
    .where('reservation_id', '=', reservationId)
    .executeTakeFirst();
  if (row === undefined)
    throw new DomainError('NOT_FOUND', 'hub.inventory.noReservation', { reservationId }, { reservationId });
  return toReservation(row);
}

export const SafetyStockSchema = z.object({ safetyStock: z.number().int().min(0).max(MAX_STOCK_QTY) });

/** Safety stock per (node, sku): a buffer ATP keeps back so online promises leave room for walk-ins. */
export async function setSafetyStock(
  hub: HubContext,
  nodeId: string,
  sku: string,
  safetyStock: number,
): Promise<void> {
  await inHubTransaction(hub, async (tx) => {
    await assertNodeAndSku(tx, nodeId, sku);
    await tx.ledger.lockBalances([{ nodeId, sku }]);
    tx.ledger.setSafetyStock(nodeId, sku, safetyStock);
  });
}
