import {
  BopisOrderStateSchema,
  BopisTransitionSchema,
  DomainError,
  applyBopisTransition,
  canHandOver,
  describeBopisStatus,
  isShipOrder,
  isTerminalBopisStatus,
  type BopisOrderState,
  type BopisTransition,
} from '@retail/domain';
import type { BopisOrderDetail, BopisOrderSummary, BopisTask } from '../../shared/bopis-commands';
import { sql } from '../context';
import type { Db } from '../database';
import type { NodeIdentity } from '../identity';

/**
 * The store's view of a BOPIS order: the hub's latest state (bopis_orders, from the feed) with this
 * store's own steps (bopis_steps) replayed on top with the same domain function the hub uses. A step
 * the hub already has is a replay (a no-op); one the hub has not seen yet moves the order on here, so
 * picking and handing over work offline; one the hub overtook (a cancel reached it first) comes out
 * superseded exactly as it will at the hub — or, for a handover, wins, as it will there too.
 */
export interface LocalOrder {
  /** The hub's latest state as the feed brought it. */
  readonly hub: BopisOrderState;
  /** What the store works with: the hub's state plus its own steps. */
  readonly state: BopisOrderState;
  /** Own steps the hub's state does not carry yet. */
  readonly pendingSteps: number;
}

interface OrderRow {
  orderId: string;
  state: string;
}

interface StepRow {
  transition: string;
}

function parseState(row: OrderRow): BopisOrderState {
  const parsed = BopisOrderStateSchema.safeParse(JSON.parse(row.state));
  if (!parsed.success) {
    throw new DomainError('INTERNAL', 'bopis.storedCopyOrderUnreadable', { orderId: row.orderId });
  }
  return parsed.data;
}

function replay(db: Db, hub: BopisOrderState): LocalOrder {
  const steps = sql(db, 'SELECT transition FROM bopis_steps WHERE order_id = ? ORDER BY device_seq').all(
    hub.order.orderId,
  ) as StepRow[];
  let state = hub;
  let pendingSteps = 0;
  for (const step of steps) {
    const transition: BopisTransition = BopisTransitionSchema.parse(JSON.parse(step.transition));
    let outcome;
    try {
      outcome = applyBopisTransition(state, transition);
    } catch (error) {
      // The hub refuses it too (it will come back as a rejected event); the store's view skips it.
      if (error instanceof DomainError) continue;
      throw error;
    }
    if (outcome.kind === 'replayed') continue;
    state = outcome.state;
    pendingSteps += 1;
  }
  return { hub, state, pendingSteps };
}

export function readLocalOrder(db: Db, orderId: string): LocalOrder | undefined {
  const row = sql(db, 'SELECT order_id AS orderId, state FROM bopis_orders WHERE order_id = ?').get(
    orderId,
  ) as OrderRow | undefined;
  return row === undefined ? undefined : replay(db, parseState(row));
}

export function requireLocalOrder(db: Db, orderId: string): LocalOrder {
  const order = readLocalOrder(db, orderId);
  if (order === undefined) {
    throw new DomainError('NOT_FOUND', 'bopis.orderNotStoreMay', { orderId }, { orderId });
  }
  return order;
}

/**
 * Orders that may need someone here: open at the hub, or with units still staged here. Closed orders stay
 * in the replica (a late cancel must still reach the till) but are only listed for `all`, newest first.
 */
export function listLocalOrders(db: Db, scope: 'open' | 'all' = 'open', limit = 500): LocalOrder[] {
  const rows = (
    scope === 'open'
      ? sql(
          db,
          `SELECT order_id AS orderId, state FROM bopis_orders
           WHERE hub_status NOT IN ('PICKED_UP', 'SHIPPED', 'EXPIRED', 'CANCELLED')
              OR order_id IN (
                SELECT substr(source_doc, 7) FROM stock_movements
                WHERE source_doc LIKE 'bopis:%' AND bucket = 'staged'
                GROUP BY source_doc, sku HAVING SUM(delta) > 0)
           ORDER BY rowid DESC LIMIT ?`,
        ).all(limit)
      : sql(db, 'SELECT order_id AS orderId, state FROM bopis_orders ORDER BY rowid DESC LIMIT ?').all(limit)
  ) as OrderRow[];
  return rows.map((row) => replay(db, parseState(row)));
}

/** Orders whose number or pickup code matches, newest hub version first. */
export function findLocalOrders(
  db: Db,
  by: { pickupCode: string } | { orderNumberKey: string },
): LocalOrder[] {
  const rows = (
    'pickupCode' in by
      ? sql(db, 'SELECT order_id AS orderId, state FROM bopis_orders WHERE pickup_code = ?').all(
          by.pickupCode,
        )
      : sql(db, 'SELECT order_id AS orderId, state FROM bopis_orders WHERE order_number_key = ?').all(
          by.orderNumberKey,
        )
  ) as OrderRow[];
  return rows.map((row) => replay(db, parseState(row)));
}

/** Units of this order in the staged area here, per SKU: its own PICK, handover and unstage movements. */
export function stagedUnits(db: Db, orderId: string): Map<string, number> {
  const rows = sql(
    db,
    `SELECT sku, SUM(delta) AS qty FROM stock_movements
     WHERE source_doc = ? AND bucket = 'staged' GROUP BY sku ORDER BY sku`,
  ).all(`bopis:${orderId}`) as { sku: string; qty: number }[];
  return new Map(rows.filter((row) => row.qty > 0).map((row) => [row.sku, row.qty]));
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/** When the order was (last) routed to `nodeId`: how long it has been waiting there. */
function routedAt(state: BopisOrderState, nodeId: string): number {
  if (state.nodeId === nodeId) {
    // The latest routing is the one that brought it here.
    for (let index = state.log.length - 1; index >= 0; index -= 1) {
      const entry = state.log[index];
      if (entry?.action === 'route') return entry.at;
    }
  }
  return state.order.placedAt;
}

/** Every line picked in full or marked short: a ship order can be packed. */
function pickedOrShort(state: BopisOrderState): boolean {
  return state.order.lines.every((line, index) => {
    const progress = state.progress[index];
    return (progress?.pickedQty ?? 0) >= line.qty || progress?.shortPicked === true;
  });
}

function taskOf(state: BopisOrderState, staged: number, here: boolean): BopisTask {
  const keepStaged = here && (state.status === 'READY_FOR_PICKUP' || state.status === 'PACKED');
  const left = state.status === 'PICKED_UP' || state.status === 'SHIPPED';
  if (staged > 0 && !keepStaged && !left) return 'put_back';
  if (!here) return 'none';
  switch (state.status) {
    case 'ROUTED':
      return 'accept';
    case 'ACCEPTED':
      return 'pick';
    case 'PICKING':
      return isShipOrder(state.order) && pickedOrShort(state) ? 'pack' : 'pick';
    case 'PACKED':
      return 'ship';
    case 'READY_FOR_PICKUP':
      return 'hand_over';
    case 'SHORT_PICK':
      return 'wait_for_hub';
    default:
      return 'none';
  }
}

function messageOf(state: BopisOrderState, task: BopisTask, nodeId: string): string | null {
  const here = state.nodeId === nodeId;
  const number = state.order.orderNumber;
  if (task === 'put_back') {
    const why = isTerminalBopisStatus(state.status)
      ? `it is ${describeBopisStatus(state.status)}`
      : 'it was moved to another store';
    return `Order ${number} will not be collected here (${why}): put its staged items back on the shelf and record it.`;
  }
  // Re-routing excludes the store it leaves: that is how this store knows the order was once its own.
  if (!here && !isTerminalBopisStatus(state.status) && state.excludedNodeIds.includes(nodeId)) {
    return `Order ${number} is no longer this store's to pick: stop picking and put any picked items back.`;
  }
  if (state.status === 'CANCELLED' || state.status === 'EXPIRED') {
    const check = canHandOver(state);
    return check.allowed ? null : check.reason;
  }
  if (state.status === 'SHORT_PICK')
    return `Order ${number} was reported short; the hub is finding another store.`;
  return null;
}

export function summarise(local: LocalOrder, db: Db, identity: NodeIdentity): BopisOrderSummary {
  const { state } = local;
  const here = state.nodeId === identity.storeId;
  const staged = [...stagedUnits(db, state.order.orderId).values()].reduce((total, qty) => total + qty, 0);
  const task = taskOf(state, staged, here);
  return {
    orderId: state.order.orderId,
    orderNumber: state.order.orderNumber,
    status: state.status,
    fulfilment: state.order.fulfilment.type,
    assignedHere: here,
    customerName: state.order.customer.name,
    lineCount: state.order.lines.length,
    units: state.order.lines.reduce((total, line) => total + line.qty, 0),
    waitingSince: new Date(routedAt(state, identity.storeId)).toISOString(),
    readyAt: iso(state.readyAt),
    pickupDeadline: iso(state.pickupDeadline),
    expiresAt: iso(state.expiresAt),
    task,
    message: messageOf(state, task, identity.storeId),
    pendingSync: local.pendingSteps > 0,
  };
}

export function detail(local: LocalOrder, db: Db, identity: NodeIdentity): BopisOrderDetail {
  const { state } = local;
  const skuQuery = sql(db, 'SELECT name, unit FROM skus WHERE sku = ?');
  const check = canHandOver(state, identity.storeId);
  const { fulfilment } = state.order;
  const shipment = state.shipment;
  return {
    ...summarise(local, db, identity),
    channel: state.order.channel,
    customer: {
      name: state.order.customer.name,
      email: state.order.customer.email ?? null,
      phone: state.order.customer.phone ?? null,
    },
    placedAt: new Date(state.order.placedAt).toISOString(),
    version: state.version,
    lines: state.order.lines.map((line, index) => {
      const progress = state.progress[index];
      const catalog = skuQuery.get(line.sku) as { name: string; unit: 'each' | 'kg' } | undefined;
      const pickedQty = progress?.pickedQty ?? 0;
      return {
        lineId: line.lineId,
        sku: line.sku,
        name: catalog?.name ?? null,
        unit: catalog?.unit ?? null,
        qty: line.qty,
        pickedQty,
        remainingQty: Math.max(0, line.qty - pickedQty),
        shortPicked: progress?.shortPicked ?? false,
      };
    }),
    staged: [...stagedUnits(db, state.order.orderId)].map(([sku, qty]) => ({ sku, qty })),
    shipTo:
      fulfilment.type === 'ship'
        ? {
            name: fulfilment.shipTo.name,
            line1: fulfilment.shipTo.line1,
            city: fulfilment.shipTo.city,
            postalCode: fulfilment.shipTo.postalCode,
            country: fulfilment.shipTo.country,
          }
        : null,
    shipment:
      shipment === undefined
        ? null
        : {
            parcels: shipment.parcels.map((parcel) => ({ ...parcel })),
            lines: shipment.lines.map((line) => ({ ...line })),
            carrier: shipment.carrier ?? null,
            trackingNumber: shipment.trackingNumber ?? null,
            shippedAt: iso(shipment.shippedAt),
          },
    handover: check.allowed ? { allowed: true, reason: null } : { allowed: false, reason: check.reason },
    timeline: state.log.map((entry) => ({
      at: new Date(entry.at).toISOString(),
      action: entry.action,
      by: entry.actor.kind,
      from: entry.from ?? null,
      to: entry.to,
      detail: entry.detail ?? null,
    })),
  };
}

export interface QueueCounts {
  readonly waiting: number;
  readonly picking: number;
  readonly ready: number;
  readonly toPutBack: number;
  readonly toPack: number;
  readonly toShip: number;
  readonly oldestWaitingSince: string | null;
}

export function queueCounts(summaries: readonly BopisOrderSummary[]): QueueCounts {
  let oldest: string | null = null;
  const count = (task: BopisTask) => summaries.filter((summary) => summary.task === task).length;
  for (const summary of summaries) {
    if (summary.task !== 'accept') continue;
    if (oldest === null || summary.waitingSince < oldest) oldest = summary.waitingSince;
  }
  return {
    waiting: count('accept'),
    picking: count('pick'),
    ready: count('hand_over'),
    toPutBack: count('put_back'),
    toPack: count('pack'),
    toShip: count('ship'),
    oldestWaitingSince: oldest,
  };
}

export function queueNow(db: Db, identity: NodeIdentity): QueueCounts {
  return queueCounts(listLocalOrders(db).map((local) => summarise(local, db, identity)));
}
