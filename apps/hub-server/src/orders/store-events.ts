import {
  DomainError,
  applyBopisTransition,
  type BopisOrderState,
  type BopisTransitionInput,
  type BopisTransitionOutcome,
} from '@retail/domain';
import type { ApplyOutcome, EventEnvelope, EventPayloads, MovementPayload, ValidPayload } from '@retail/sync';
import type { ApplyContext } from '../ingest/apply-context';
import { prepareMovements } from '../inventory/ledger';
import { OrderChange } from './order-change';
import { requireOrder, type StoredOrder } from './order-records';

/**
 * The hub's applier for the BOPIS steps stores take (packages/sync events `bopis.*`). Runs inside the
 * push's transaction. Everything that can make the event invalid forever (unknown order, a step the
 * state machine refuses on the head the store saw, movements that are not what the step implies) is
 * decided before anything is written, so a rejected event leaves no trace but its exception.
 *
 * A step made on an older head was made offline: the domain decides (a handover wins over a cancel or
 * expiry that reached the hub first, and becomes a refund exception; other steps are superseded, their
 * physical facts kept). The movements a step carries are physical facts the store already recorded, so
 * they enter the ledger whatever the order's fate.
 */

type BopisEventType = Extract<keyof EventPayloads, `bopis.${string}`>;
type TransitionEventType = Exclude<BopisEventType, 'bopis.unstaged'>;

const rejected = (reason: string): ApplyOutcome => ({ status: 'rejected', reason });
const applied: ApplyOutcome = { status: 'applied' };

function transitionOf(
  type: TransitionEventType,
  payload: EventPayloads[TransitionEventType],
  nodeId: string,
): BopisTransitionInput {
  const common = {
    transitionId: payload.transitionId,
    basedOn: payload.basedOn,
    at: Date.parse(payload.at),
    actor: {
      kind: 'store' as const,
      nodeId,
      ...(payload.staffId === undefined ? {} : { staffId: payload.staffId }),
    },
  };
  switch (type) {
    case 'bopis.accepted':
      return { ...common, action: 'accept' };
    case 'bopis.picking_started':
      return { ...common, action: 'start_picking' };
    case 'bopis.picked': {
      const picked = payload as EventPayloads['bopis.picked'];
      return {
        ...common,
        action: 'pick',
        lineId: picked.lineId,
        scannedSku: picked.scannedSku,
        qty: picked.qty,
      };
    }
    case 'bopis.short_picked':
      return {
        ...common,
        action: 'report_short',
        found: (payload as EventPayloads['bopis.short_picked']).found,
      };
    case 'bopis.ready':
      return { ...common, action: 'mark_ready' };
    case 'bopis.handed_over':
      return {
        ...common,
        action: 'hand_over',
        verifiedBy: (payload as EventPayloads['bopis.handed_over']).verifiedBy,
      };
    case 'bopis.line_short': {
      const short = payload as EventPayloads['bopis.line_short'];
      return { ...common, action: 'short_line', lineId: short.lineId, foundQty: short.foundQty };
    }
    case 'bopis.packed':
      return { ...common, action: 'pack', parcels: (payload as EventPayloads['bopis.packed']).parcels };
    case 'bopis.shipped': {
      const shipped = payload as EventPayloads['bopis.shipped'];
      return {
        ...common,
        action: 'ship',
        carrier: shipped.carrier,
        trackingNumber: shipped.trackingNumber,
        lines: shipped.lines,
      };
    }
    default: {
      const never: never = type;
      throw new DomainError('INTERNAL', 'hub.orders.unexpectedBopisEvent', { never: String(never) });
    }
  }
}

interface MovementShape {
  readonly sku: string;
  readonly type: string;
  readonly bucket: string;
  readonly delta: number;
}

/** Movements compared as totals per (SKU, type, bucket): how the store split them into rows is its business. */
function totals(movements: readonly MovementShape[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const movement of movements) {
    const key = `${movement.sku}\u0000${movement.type}\u0000${movement.bucket}`;
    sums.set(key, (sums.get(key) ?? 0) + movement.delta);
  }
  for (const [key, value] of sums) if (value === 0) sums.delete(key);
  return sums;
}

function sameTotals(a: readonly MovementShape[], b: readonly MovementShape[]): boolean {
  const left = totals(a);
  const right = totals(b);
  return left.size === right.size && [...left].every(([key, value]) => right.get(key) === value);
}

/** What the store must have recorded for this step: the domain's movements at the acting store. */
function expectedMovements(
  state: BopisOrderState,
  input: BopisTransitionInput,
  outcome: BopisTransitionOutcome,
  nodeId: string,
): readonly MovementShape[] | undefined {
  if (outcome.kind === 'applied' || outcome.kind === 'conflict_resolved') {
    return outcome.effects.storeMovements.filter((movement) => movement.nodeId === nodeId);
  }
  if (outcome.kind === 'superseded') {
    // Refused steps still happened on the shop floor: the units were staged, or handed over twice.
    if (input.action === 'mark_ready') {
      return state.order.lines.flatMap((line) => [
        { sku: line.sku, type: 'PICK', bucket: 'sellable', delta: -line.qty },
        { sku: line.sku, type: 'PICK', bucket: 'staged', delta: line.qty },
      ]);
    }
    if (input.action === 'hand_over') {
      return state.order.lines.map((line) => ({
        sku: line.sku,
        type: 'PICKUP_HANDOVER',
        bucket: 'staged',
        delta: -line.qty,
      }));
    }
    if (input.action === 'ship') {
      return input.lines.flatMap((shipped) => {
        const line = state.order.lines.find((candidate) => candidate.lineId === shipped.lineId);
        return line === undefined
          ? []
          : [{ sku: line.sku, type: 'SHIPMENT', bucket: 'staged', delta: -shipped.qty }];
      });
    }
    // A pack the hub refused still staged what the store had picked: its own figures are checked by
    // packedMovementsFit and put back through the unstage task the superseded outcome carries.
    if (input.action === 'pack') return undefined;
    return [];
  }
  // Replayed: the step is already on the order; its movements are recognised by id when re-sent.
  return undefined;
}

/** PICK sellable → staged of the order's own SKUs, unit for unit, never more than a line ordered. */
function packedMovementsFit(state: BopisOrderState, carried: readonly MovementShape[]): boolean {
  const ordered = new Map<string, number>();
  for (const line of state.order.lines) ordered.set(line.sku, (ordered.get(line.sku) ?? 0) + line.qty);
  const sums = totals(carried);
  return (
    carried.every((movement) => movement.type === 'PICK' && ordered.has(movement.sku)) &&
    [...ordered].every(([sku, qty]) => {
      const staged = sums.get(`${sku}\u0000PICK\u0000staged`) ?? 0;
      return staged >= 0 && staged <= qty && staged === -(sums.get(`${sku}\u0000PICK\u0000sellable`) ?? 0);
    })
  );
}

async function lockOrderFor(ctx: ApplyContext, orderId: string): Promise<StoredOrder | undefined> {
  const tx = ctx.tx;
  const postgres = tx.hub.storage.kind === 'postgres';
  let peek: StoredOrder;
  try {
    peek = await requireOrder(tx.trx, orderId, { lock: false, postgres });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
  const nodes = new Set([ctx.facts.nodeId]);
  if (peek.state.reservation !== undefined) nodes.add(peek.state.reservation.nodeId);
  await tx.ledger.lockBalances(
    [...nodes].flatMap((nodeId) => peek.state.order.lines.map((line) => ({ nodeId, sku: line.sku }))),
  );
  const stored = await requireOrder(tx.trx, orderId, { lock: true, postgres });
  const held = stored.state.reservation?.nodeId;
  if (held !== undefined && !nodes.has(held)) {
    await tx.ledger.lockBalances(stored.state.order.lines.map((line) => ({ nodeId: held, sku: line.sku })));
  }
  return stored;
}

/**
 * Only a store the order was routed to (or told about) can have acted on it: the conflict rule lets a late
 * handover win, and that must never let a store claim an order it was never given.
 */
function notTold(stored: StoredOrder, nodeId: string): ApplyOutcome | undefined {
  if (stored.audience.includes(nodeId) || stored.state.nodeId === nodeId) return undefined;
  return rejected(
    `Order ${stored.state.order.orderNumber} was never sent to store ${nodeId}, so this store cannot have acted on it.`,
  );
}

function unknownOrder(orderId: string): ApplyOutcome {
  return rejected(`Order ${orderId} is not known at the hub, so this step cannot be recorded. Tell HQ.`);
}

export async function applyBopisEvent(
  ctx: ApplyContext,
  event: EventEnvelope,
  valid: ValidPayload,
): Promise<ApplyOutcome> {
  const type = valid.type as BopisEventType;
  const nodeId = ctx.facts.nodeId;
  const actor = `device:${ctx.facts.deviceId}`;
  if (type === 'bopis.unstaged') {
    return applyUnstaged(ctx, event, valid.payload as EventPayloads['bopis.unstaged'], actor);
  }
  const payload = valid.payload as EventPayloads[TransitionEventType];
  const stored = await lockOrderFor(ctx, payload.orderId);
  if (stored === undefined) return unknownOrder(payload.orderId);
  const notOurs = notTold(stored, nodeId);
  if (notOurs !== undefined) return notOurs;
  const input = transitionOf(type, payload, nodeId);

  let outcome: BopisTransitionOutcome;
  try {
    outcome = applyBopisTransition(stored.state, input);
  } catch (error) {
    if (error instanceof DomainError) {
      return rejected(`Order ${stored.state.order.orderNumber}: ${error.message}`);
    }
    throw error;
  }
  const carried: readonly MovementPayload[] =
    'movements' in payload ? (payload as { movements: MovementPayload[] }).movements : [];
  const expected = expectedMovements(stored.state, input, outcome, nodeId);
  const supersededPack = outcome.kind === 'superseded' && input.action === 'pack';
  if (supersededPack && !packedMovementsFit(stored.state, carried)) {
    return rejected(
      `The stock movements of this pack do not match order ${stored.state.order.orderNumber}'s lines.`,
    );
  }
  if (expected !== undefined && !sameTotals(carried, expected)) {
    return rejected(
      `The stock movements of this ${input.action.replaceAll('_', ' ')} do not match order ${stored.state.order.orderNumber}'s lines.`,
    );
  }
  const prepared = prepareMovements(ctx, event, carried, `bopis:${payload.orderId}`);
  if (!prepared.ok) return rejected(prepared.reason);

  ctx.tx.ledger.addMovements(prepared.movements);
  if (outcome.kind === 'replayed') return applied;
  const change = OrderChange.forStored(ctx.tx, stored);
  await change.apply(input, actor);
  if (supersededPack) {
    const movements = carried.map((movement) => ({
      sku: movement.sku,
      type: 'UNSTAGE',
      bucket: movement.bucket === 'staged' ? 'sellable' : 'staged',
      delta: movement.delta,
    }));
    change.tell(nodeId);
    change.note(
      'store_task',
      actor,
      `Order ${stored.state.order.orderNumber} will not ship from here: put its packed items back on the shelf.`,
      { task: 'unstage', nodeId, movements },
    );
  }
  if (outcome.kind === 'conflict_resolved') {
    const conflict = outcome.conflict;
    ctx.tx.raise({
      type: 'HANDOVER_CONFLICT',
      severity: conflict.refund === undefined ? 'warning' : 'critical',
      nodeId,
      causeEventIds: [event.eventId],
      details: {
        orderId: conflict.orderId,
        orderNumber: conflict.orderNumber,
        conflict,
        message: conflict.message,
      },
    });
    if (conflict.refund !== undefined) {
      await change.recordRefund({ reason: conflict.type, status: 'review', message: conflict.message });
    }
  } else if (outcome.kind === 'superseded' && input.action === 'hand_over') {
    const message = `Order ${stored.state.order.orderNumber} was handed over again at store ${nodeId}: ${outcome.reason} Check with the store whether the customer received the goods twice.`;
    ctx.tx.raise({
      type: 'HANDOVER_CONFLICT',
      severity: 'critical',
      nodeId,
      causeEventIds: [event.eventId],
      details: { orderId: payload.orderId, orderNumber: stored.state.order.orderNumber, message },
    });
  }
  await change.save();
  return applied;
}

/**
 * A store put the staged units of an order back on the shelf (the order was cancelled, expired or moved
 * to another store). The order's state does not change; the units return to sellable in the ledger.
 */
async function applyUnstaged(
  ctx: ApplyContext,
  event: EventEnvelope,
  payload: EventPayloads['bopis.unstaged'],
  actor: string,
): Promise<ApplyOutcome> {
  const stored = await lockOrderFor(ctx, payload.orderId);
  if (stored === undefined) return unknownOrder(payload.orderId);
  const notOurs = notTold(stored, ctx.facts.nodeId);
  if (notOurs !== undefined) return notOurs;
  const order = stored.state.order;
  const skus = new Set(order.lines.map((line) => line.sku));
  const sums = totals(payload.movements);
  const balanced = payload.movements.every(
    (movement) =>
      movement.type === 'UNSTAGE' &&
      skus.has(movement.sku) &&
      (movement.bucket === 'staged' || movement.bucket === 'sellable'),
  );
  const perSku = [...skus].every(
    (sku) =>
      (sums.get(`${sku}\u0000UNSTAGE\u0000staged`) ?? 0) ===
      -(sums.get(`${sku}\u0000UNSTAGE\u0000sellable`) ?? 0),
  );
  if (!balanced || !perSku) {
    return rejected(
      `An unstage of order ${order.orderNumber} moves its own SKUs from staged back to sellable, unit for unit.`,
    );
  }
  const prepared = prepareMovements(ctx, event, payload.movements, `bopis:${payload.orderId}`);
  if (!prepared.ok) return rejected(prepared.reason);
  ctx.tx.ledger.addMovements(prepared.movements);
  const change = OrderChange.forStored(ctx.tx, stored);
  const units = payload.movements
    .filter((movement) => movement.bucket === 'sellable')
    .reduce((total, movement) => total + movement.delta, 0);
  change.note(
    'store_task',
    actor,
    `Store ${ctx.facts.nodeId} put ${units} staged unit(s) of order ${order.orderNumber} back on the shelf.`,
    { task: 'unstaged', nodeId: ctx.facts.nodeId, unstageId: payload.unstageId },
  );
  await change.save();
  return applied;
}
