import {
  DomainError,
  applyBopisTransition,
  checkHandover,
  describeBopisStatus,
  normaliseOrderNumber,
  normalisePickupCode,
  orderHead,
  verifyPickup,
  type BopisTransitionInput,
  type PickupAttempt,
} from '@retail/domain';
import type { EventPayloads, MovementPayload } from '@retail/sync';
import type { BopisOrderDetail } from '../../shared/bopis-commands';
import type { StoreNotification } from '../../shared/notifications';
import {
  detail,
  findLocalOrders,
  listLocalOrders,
  queueCounts,
  queueNow,
  readLocalOrder,
  requireLocalOrder,
  stagedUnits,
  summarise,
  type LocalOrder,
} from '../bopis/bopis-view';
import { scanBarcode } from '../catalog';
import type { CommandContext, CommandHandlers } from '../command-context';
import { sql, type TxContext } from '../context';
import type { Db } from '../database';
import type { NodeIdentity } from '../identity';
import { recordMovements } from '../services/stock-movements';

/**
 * BOPIS at the store. Each step is one transaction: the domain state machine checks it against the
 * store's view of the order (the hub's state plus this store's earlier steps), then the step is kept in
 * bopis_steps and sent to the hub as an event; steps that move stock record their movements like any
 * other stock command (PICK sellable → staged on ready, PICKUP_HANDOVER −staged on handover, UNSTAGE to
 * put back what a cancelled or moved order had staged). Nothing here needs the hub to be reachable.
 */

/** How long an order that left this store stays in the open list with its explanation. */
const RECENTLY_CHANGED_MS = 24 * 3_600_000;

type StepEventType = Exclude<Extract<keyof EventPayloads, `bopis.${string}`>, 'bopis.unstaged'>;

type StepBody =
  | { action: 'accept' }
  | { action: 'start_picking' }
  | { action: 'pick'; lineId: string; scannedSku: string; qty: number }
  | { action: 'report_short'; found: { lineId: string; foundQty: number }[] }
  | { action: 'mark_ready' }
  | { action: 'hand_over'; verifiedBy: 'pickup_code' | 'order_number_and_name' }
  | { action: 'short_line'; lineId: string; foundQty: number }
  | { action: 'pack'; parcels: { parcelId: string; weightGrams: number }[] }
  | { action: 'ship'; carrier: string; trackingNumber: string; lines: { lineId: string; qty: number }[] };

const EVENT_OF: Readonly<Record<StepBody['action'], StepEventType>> = {
  accept: 'bopis.accepted',
  start_picking: 'bopis.picking_started',
  pick: 'bopis.picked',
  report_short: 'bopis.short_picked',
  mark_ready: 'bopis.ready',
  hand_over: 'bopis.handed_over',
  short_line: 'bopis.line_short',
  pack: 'bopis.packed',
  ship: 'bopis.shipped',
};

function queueNotification(ctx: TxContext): StoreNotification {
  return { name: 'bopis-queue', payload: queueNow(ctx.db, ctx.identity) };
}

function takeStep(ctx: CommandContext, local: LocalOrder, body: StepBody): LocalOrder {
  const staff = ctx.staff();
  const orderId = local.state.order.orderId;
  const transition = {
    transitionId: ctx.newId(),
    basedOn: orderHead(local.state),
    at: ctx.nowMs,
    actor: { kind: 'store' as const, nodeId: ctx.identity.storeId, staffId: staff.staffId },
    ...body,
  } satisfies BopisTransitionInput;
  // Refusals (wrong store, wrong state, wrong item, too many) throw here, before anything is written.
  const outcome = applyBopisTransition(local.state, transition);
  if (outcome.kind !== 'applied') {
    throw new DomainError('INTERNAL', 'bopis.stepCurrentHeadOrder', { orderId, outcomeKind: outcome.kind });
  }
  const movements: MovementPayload[] = outcome.effects.storeMovements
    .filter((movement) => movement.nodeId === ctx.identity.storeId)
    .map((movement) => ({
      movementId: ctx.newId(),
      sku: movement.sku,
      type: movement.type,
      bucket: movement.bucket,
      delta: movement.delta,
      reason: `order ${local.state.order.orderNumber}`,
    }));
  const common = {
    orderId,
    transitionId: transition.transitionId,
    basedOn: transition.basedOn,
    staffId: staff.staffId,
    at: ctx.nowIso,
  };
  const payload = (() => {
    switch (body.action) {
      case 'pick':
        return { ...common, lineId: body.lineId, scannedSku: body.scannedSku, qty: body.qty };
      case 'report_short':
        return { ...common, found: body.found };
      case 'mark_ready':
        return { ...common, movements };
      case 'hand_over':
        return { ...common, verifiedBy: body.verifiedBy, movements };
      case 'short_line':
        return { ...common, lineId: body.lineId, foundQty: body.foundQty };
      case 'pack':
        return { ...common, parcels: body.parcels, movements };
      case 'ship':
        return {
          ...common,
          carrier: body.carrier,
          trackingNumber: body.trackingNumber,
          lines: body.lines,
          movements,
        };
      case 'accept':
      case 'start_picking':
        return common;
      default: {
        const never: never = body;
        throw new DomainError('INTERNAL', 'bopis.unexpectedBopisStep', { never: JSON.stringify(never) });
      }
    }
  })();
  const event = ctx.appendEvent(EVENT_OF[body.action], payload as never);
  sql(
    ctx.db,
    `INSERT INTO bopis_steps (transition_id, order_id, device_seq, action, transition, created_at_ms)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(
    transition.transitionId,
    orderId,
    event.deviceSeq,
    body.action,
    JSON.stringify(transition),
    ctx.nowMs,
  );
  if (movements.length > 0) recordMovements(ctx, movements, event.deviceSeq, `bopis:${orderId}`);
  ctx.auditNote = {
    subject: orderId,
    details: {
      action: body.action,
      orderNumber: local.state.order.orderNumber,
      ...(body.action === 'ship' ? { carrier: body.carrier, trackingNumber: body.trackingNumber } : {}),
    },
  };
  ctx.notify(queueNotification(ctx));
  return requireLocalOrder(ctx.db, orderId);
}

function step(ctx: CommandContext, orderId: string, body: StepBody): BopisOrderDetail {
  const local = takeStep(ctx, requireLocalOrder(ctx.db, orderId), body);
  return detail(local, ctx.db, ctx.identity);
}

/** The order a customer at the till came for: by pickup code, or by order number. */
function orderForAttempt(ctx: TxContext, attempt: PickupAttempt): LocalOrder {
  const candidates =
    attempt.kind === 'pickup_code'
      ? (() => {
          const code = normalisePickupCode(attempt.code);
          if (code === undefined) {
            throw new DomainError('INVALID_INPUT', 'bopis.notPickupCodeMore2');
          }
          return findLocalOrders(ctx.db, { pickupCode: code });
        })()
      : findLocalOrders(ctx.db, { orderNumberKey: normaliseOrderNumber(attempt.orderNumber) });
  if (candidates.length === 0) {
    throw new DomainError(
      'NOT_FOUND',
      attempt.kind === 'pickup_code' ? 'bopis.noOrderPickupCode' : 'bopis.orderNotComeStore',
      attempt.kind === 'pickup_code' ? {} : { orderNumber: attempt.orderNumber.trim() },
    );
  }
  // Codes are unique among open orders; an old closed order may share one. Prefer the one waiting here.
  const here = ctx.identity.storeId;
  return (
    candidates.find((local) => local.state.status === 'READY_FOR_PICKUP' && local.state.nodeId === here) ??
    candidates.find((local) => local.state.nodeId === here) ??
    (candidates[0] as LocalOrder)
  );
}

function verified(ctx: TxContext, local: LocalOrder, attempt: PickupAttempt) {
  const check = checkHandover(local.state, attempt, ctx.identity.storeId);
  if (!check.ok) throw DomainError.fromBody(check.error);
  return check.value.verifiedBy;
}

function lineForScan(local: LocalOrder, sku: string, lineId: string | undefined, name: string) {
  const { order } = local.state;
  if (lineId !== undefined) {
    const line = order.lines.find((candidate) => candidate.lineId === lineId);
    if (line === undefined) {
      throw new DomainError(
        'NOT_FOUND',
        'bopis.orderNoLine2',
        { orderNumber: order.orderNumber, lineId },
        { lineId },
      );
    }
    return line;
  }
  const lines = order.lines.filter((line) => line.sku === sku);
  if (lines.length === 0) {
    throw new DomainError(
      'NOT_ALLOWED',
      'bopis.wrongItemSkuNot',
      { name, sku, orderNumber: order.orderNumber },
      { orderId: order.orderId, scannedSku: sku },
    );
  }
  // The first line of that SKU that still needs units; when all are complete the domain says so.
  return (
    lines.find((line) => {
      const index = order.lines.indexOf(line);
      return (local.state.progress[index]?.pickedQty ?? 0) < line.qty;
    }) ?? (lines[0] as (typeof lines)[number])
  );
}

/** Orders the hub routed here since the tills last heard: each is announced once. */
export function bopisFeedNotifications(db: Db, identity: NodeIdentity, nowMs: number): StoreNotification[] {
  const summaries = listLocalOrders(db).map((local) => ({ local, summary: summarise(local, db, identity) }));
  const announce = sql(
    db,
    'INSERT INTO bopis_announced (order_id, announced_at_ms) VALUES (?, ?) ON CONFLICT (order_id) DO NOTHING',
  );
  const notifications: StoreNotification[] = [];
  for (const { local, summary } of summaries) {
    if (summary.task !== 'accept') continue;
    if (announce.run(summary.orderId, nowMs).changes === 0) continue;
    notifications.push({
      name: 'bopis-order-arrived',
      payload: {
        orderId: summary.orderId,
        orderNumber: summary.orderNumber,
        customerName: summary.customerName,
        lineCount: summary.lineCount,
        units: summary.units,
        pickupDeadline:
          local.state.pickupDeadline === undefined
            ? null
            : new Date(local.state.pickupDeadline).toISOString(),
      },
    });
  }
  notifications.push({ name: 'bopis-queue', payload: queueCounts(summaries.map((entry) => entry.summary)) });
  return notifications;
}

export const bopisHandlers = {
  'bopis-list': {
    mutates: false,
    handle(ctx, input) {
      const summaryOf = (local: LocalOrder) => summarise(local, ctx.db, ctx.identity);
      const open = listLocalOrders(ctx.db, 'open', 500).map(summaryOf);
      const work = open.filter((summary) => summary.task !== 'none');
      // Orders that just left this store stay listed for a day with the sentence that says so: a picker
      // may be holding their items.
      const left = listLocalOrders(ctx.db, 'all', 200)
        .filter((local) => (local.state.log.at(-1)?.at ?? 0) >= ctx.nowMs - RECENTLY_CHANGED_MS)
        .map(summaryOf)
        .filter(
          (summary) =>
            summary.task === 'none' &&
            summary.message !== null &&
            !work.some((entry) => entry.orderId === summary.orderId),
        );
      const shown = (
        input.scope === 'open'
          ? [...work, ...left]
          : listLocalOrders(ctx.db, 'all', input.limit).map(summaryOf)
      ).filter((summary) => input.fulfilment === undefined || summary.fulfilment === input.fulfilment);
      // Most urgent first: what waits longest for a picker, then ready ones by deadline.
      const order = {
        put_back: 0,
        accept: 1,
        pick: 2,
        pack: 3,
        ship: 4,
        hand_over: 5,
        wait_for_hub: 6,
        none: 7,
      } as const;
      const sorted =
        input.scope === 'open'
          ? [...shown].sort(
              (a, b) =>
                order[a.task] - order[b.task] ||
                (a.pickupDeadline ?? a.waitingSince).localeCompare(b.pickupDeadline ?? b.waitingSince),
            )
          : shown;
      return { orders: sorted.slice(0, input.limit), queue: queueCounts(open) };
    },
  },
  'bopis-get': {
    mutates: false,
    handle: (ctx, input) => detail(requireLocalOrder(ctx.db, input.orderId), ctx.db, ctx.identity),
  },
  'bopis-accept': {
    mutates: true,
    handle: (ctx, input) => step(ctx, input.orderId, { action: 'accept' }),
  },
  'bopis-start-picking': {
    mutates: true,
    handle: (ctx, input) => step(ctx, input.orderId, { action: 'start_picking' }),
  },
  'bopis-pick-scan': {
    mutates: true,
    handle(ctx, input) {
      const local = requireLocalOrder(ctx.db, input.orderId);
      let sku: string;
      let name: string;
      let scannedQty: number | undefined;
      if (input.code !== undefined) {
        const scan = scanBarcode(ctx, input.code);
        sku = scan.item.sku;
        name = scan.item.name;
        // A scale label carries the weight picked (grams): that is the quantity of the scan.
        scannedQty = scan.scan.weightGrams ?? undefined;
      } else {
        sku = input.sku as string;
        const row = sql(ctx.db, 'SELECT name FROM skus WHERE sku = ?').get(sku) as
          { name: string } | undefined;
        name = row?.name ?? `SKU ${sku}`;
      }
      const line = lineForScan(local, sku, input.lineId, name);
      const qty = input.qty ?? scannedQty ?? 1;
      const after = takeStep(ctx, local, { action: 'pick', lineId: line.lineId, scannedSku: sku, qty });
      const index = after.state.order.lines.findIndex((candidate) => candidate.lineId === line.lineId);
      const pickedQty = after.state.progress[index]?.pickedQty ?? 0;
      return {
        order: detail(after, ctx.db, ctx.identity),
        picked: {
          lineId: line.lineId,
          sku,
          qty,
          pickedQty,
          remainingQty: Math.max(0, line.qty - pickedQty),
          lineComplete: pickedQty >= line.qty,
        },
      };
    },
  },
  'bopis-short-pick': {
    mutates: true,
    handle: (ctx, input) => step(ctx, input.orderId, { action: 'report_short', found: input.lines }),
  },
  'bopis-mark-ready': {
    mutates: true,
    handle: (ctx, input) => step(ctx, input.orderId, { action: 'mark_ready' }),
  },
  'bopis-short-line': {
    mutates: true,
    handle: (ctx, input) =>
      step(ctx, input.orderId, { action: 'short_line', lineId: input.lineId, foundQty: input.foundQty }),
  },
  'bopis-pack': {
    mutates: true,
    handle: (ctx, input) =>
      step(ctx, input.orderId, {
        action: 'pack',
        // Numbered in packing order: the label the packer writes on the box matches what the hub shows.
        parcels: input.parcels.map((parcel, index) => ({
          parcelId: `${index + 1}`,
          weightGrams: parcel.weightGrams,
        })),
      }),
  },
  'bopis-ship': {
    mutates: true,
    handle(ctx, input) {
      const local = requireLocalOrder(ctx.db, input.orderId);
      const shipment = local.state.shipment;
      if (local.state.status !== 'PACKED' || shipment === undefined) {
        throw new DomainError(
          'NOT_ALLOWED',
          'bopis.orderPackBeforeShipped',
          {
            orderNumber: local.state.order.orderNumber,
            stateStatus: describeBopisStatus(local.state.status),
          },
          { orderId: input.orderId, status: local.state.status },
        );
      }
      const after = takeStep(ctx, local, {
        action: 'ship',
        carrier: input.carrier,
        trackingNumber: input.trackingNumber,
        lines: shipment.lines.map((line) => ({ lineId: line.lineId, qty: line.qty })),
      });
      return detail(after, ctx.db, ctx.identity);
    },
  },
  'bopis-lookup': {
    mutates: false,
    handle(ctx, input) {
      const local = orderForAttempt(ctx, input.attempt);
      // A wrong code or name is an error; an order that may not be handed over (cancelled, not ready,
      // another store's) is shown, with the reason in `handover`.
      const customer = verifyPickup(local.state.order, local.state.pickupCode, input.attempt);
      if (!customer.ok) throw DomainError.fromBody(customer.error);
      return detail(local, ctx.db, ctx.identity);
    },
  },
  'bopis-handover': {
    mutates: true,
    handle(ctx, input) {
      const local = orderForAttempt(ctx, input.attempt);
      const verifiedBy = verified(ctx, local, input.attempt);
      const after = takeStep(ctx, local, { action: 'hand_over', verifiedBy });
      return { order: detail(after, ctx.db, ctx.identity), verifiedBy };
    },
  },
  'bopis-unstage': {
    mutates: true,
    handle(ctx, input) {
      const local = requireLocalOrder(ctx.db, input.orderId);
      const number = local.state.order.orderNumber;
      if (local.state.status === 'READY_FOR_PICKUP' && local.state.nodeId === ctx.identity.storeId) {
        throw new DomainError(
          'NOT_ALLOWED',
          'bopis.orderWaitingCustomerHere',
          { number },
          { orderId: input.orderId },
        );
      }
      const staged = stagedUnits(ctx.db, input.orderId);
      if (staged.size === 0) {
        throw new DomainError(
          'NOT_ALLOWED',
          'bopis.nothingOrderStagedStore',
          { number },
          {
            orderId: input.orderId,
          },
        );
      }
      const movements: MovementPayload[] = [...staged].flatMap(([sku, qty]) => [
        { movementId: ctx.newId(), sku, type: 'UNSTAGE' as const, bucket: 'staged' as const, delta: -qty },
        { movementId: ctx.newId(), sku, type: 'UNSTAGE' as const, bucket: 'sellable' as const, delta: qty },
      ]);
      const event = ctx.appendEvent('bopis.unstaged', {
        orderId: input.orderId,
        unstageId: ctx.newId(),
        staffId: ctx.staff().staffId,
        movements,
        at: ctx.nowIso,
      });
      recordMovements(ctx, movements, event.deviceSeq, `bopis:${input.orderId}`);
      ctx.auditNote = { subject: input.orderId, details: { action: 'unstage', orderNumber: number } };
      ctx.notify(queueNotification(ctx));
      const after = readLocalOrder(ctx.db, input.orderId) as LocalOrder;
      return {
        order: detail(after, ctx.db, ctx.identity),
        movedBack: [...staged].map(([sku, qty]) => ({ sku, qty })),
      };
    },
  },
} satisfies Partial<CommandHandlers>;
