import {
  DomainError,
  detectStockConditions,
  planOversellResolution,
  type OversellException,
  type OversellReservation,
} from '@retail/domain';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HubContext } from '../hub-context';
import { RetryTransaction } from '../storage/storage';
import { DEFAULT_BOPIS_SETTINGS, OrderChange, type BopisSettings } from './order-change';
import { requireOrder, type StoredOrder } from './order-records';
import { loadCandidates } from './routing-candidates';

/**
 * Oversell resolution (DESIGN §5). Ingest applies offline sales as facts and raises an OVERSELL
 * exception when a node's sellable stock falls below its active, unstaged reservations; this module then
 * resolves it, after that ingest has committed, in a transaction of its own: the domain planner picks
 * the victim orders (lowest priority, newest first) and re-routes each to another node with ATP (new
 * reservation there, the old one reassigned, both stores told through the feed) or cancels it with a
 * refund record. Every step goes on the victim's timeline and into the exception record; an exception
 * whose shortfall the victims cover is resolved by the hub, one that is not stays open for a person.
 */

export interface OversellResolution {
  readonly exceptionId: string;
  readonly outcome: 'resolved' | 'partly_resolved' | 'no_longer_short' | 'skipped';
  readonly plan?: OversellException;
}

interface ExceptionRow {
  exception_id: string;
  node_id: string | null;
  sku: string | null;
  details: string;
  status: string;
  updated_at: number;
}

/** Handles every open OVERSELL exception that has had a new occurrence since it was last looked at. */
export async function resolveOpenOversells(
  hub: HubContext,
  settings: BopisSettings = DEFAULT_BOPIS_SETTINGS,
): Promise<OversellResolution[]> {
  const open = await hub.storage.db
    .selectFrom('exceptions')
    .select(['exception_id', 'details', 'updated_at'])
    .where('type', '=', 'OVERSELL')
    .where('status', '=', 'open')
    .orderBy('exception_id')
    .limit(200)
    .execute();
  const results: OversellResolution[] = [];
  for (const row of open) {
    const seenAt = resolutionAt(row.details);
    if (seenAt !== undefined && Number(row.updated_at) <= seenAt) continue;
    results.push(await resolveOversell(hub, row.exception_id, settings));
  }
  return results;
}

function resolutionAt(details: string): number | undefined {
  const resolution = (JSON.parse(details) as { resolution?: { at?: unknown } }).resolution;
  return typeof resolution?.at === 'number' ? resolution.at : undefined;
}

export async function resolveOversell(
  hub: HubContext,
  exceptionId: string,
  settings: BopisSettings = DEFAULT_BOPIS_SETTINGS,
): Promise<OversellResolution> {
  return inHubTransaction(hub, async (tx) => {
    const postgres = hub.storage.kind === 'postgres';
    const exception = (await tx.trx
      .selectFrom('exceptions')
      .select(['exception_id', 'node_id', 'sku', 'details', 'status', 'updated_at'])
      .where('exception_id', '=', exceptionId)
      // Two hub processes resolving the same exception take turns.
      .$if(postgres, (query) => query.forUpdate())
      .executeTakeFirst()) as ExceptionRow | undefined;
    if (
      exception === undefined ||
      exception.status !== 'open' ||
      exception.node_id === null ||
      exception.sku === null
    ) {
      return { exceptionId, outcome: 'skipped' as const };
    }
    const nodeId = exception.node_id;
    const sku = exception.sku;
    await tx.ledger.lockBalances([{ nodeId, sku }]);
    const balance = tx.ledger.balance(nodeId, sku);
    const short = detectStockConditions({
      sellable: balance.sellable,
      committed: balance.committed,
    }).find((condition) => condition.type === 'OVERSELL');
    if (short === undefined) {
      await closeException(tx, exception, {
        note: `Stock of SKU ${sku} at ${nodeId} covers its reservations again (sellable ${balance.sellable}, promised ${balance.committed}).`,
        resolution: { at: tx.at, noLongerShort: true },
      });
      return { exceptionId, outcome: 'no_longer_short' as const };
    }

    const reservations = await tx.trx
      .selectFrom('reservations')
      .leftJoin('bopis_reservations', 'bopis_reservations.reservation_id', 'reservations.reservation_id')
      .select([
        'reservations.reservation_id',
        'reservations.qty',
        'reservations.priority',
        'reservations.created_at',
        'reservations.order_ref',
        'bopis_reservations.order_id',
      ])
      .where('reservations.node_id', '=', nodeId)
      .where('reservations.sku', '=', sku)
      .where('reservations.status', '=', 'ACTIVE')
      .execute();
    const inputs: OversellReservation[] = reservations.map((row) => ({
      reservationId: row.reservation_id,
      // Reservations made outside BOPIS have no order here; the planner lists them as ignored.
      orderId: row.order_id ?? row.order_ref.slice(0, 100),
      qty: Number(row.qty),
      priority: row.priority,
      createdAt: Number(row.created_at),
    }));
    const orderIds = [
      ...new Set(reservations.flatMap((row) => (row.order_id === null ? [] : [row.order_id]))),
    ].sort();
    const stored = await lockVictimOrders(tx, orderIds);
    const skus = [
      ...new Set([...stored.values()].flatMap((order) => order.state.order.lines.map((line) => line.sku))),
    ];
    const chosenStores = [...stored.values()].flatMap((order) =>
      order.state.order.pickup.type === 'store' ? [order.state.order.pickup.storeId] : [],
    );
    const candidates = await loadCandidates(tx, skus.length > 0 ? skus : [sku], {
      offlineAfterMs: settings.offlineAfterMs,
      alsoNodeIds: chosenStores,
    });
    // Ship victims may only move to nodes that ship, within their ship capacity.
    const shipCandidates = [...stored.values()].some((order) => order.state.order.fulfilment.type === 'ship')
      ? await loadCandidates(tx, skus.length > 0 ? skus : [sku], {
          offlineAfterMs: settings.offlineAfterMs,
          fulfilment: 'ship',
        })
      : undefined;
    const plan = planOversellResolution(
      {
        nodeId,
        sku,
        shortBy: short.shortBy,
        reservations: inputs,
        orders: [...stored.values()].map((order) => order.state),
        candidates,
        ...(shipCandidates === undefined ? {} : { shipCandidates }),
        at: tx.at,
      },
      () => hub.newId(),
    );

    for (const victim of plan.victims) {
      const order = stored.get(victim.orderId);
      if (order === undefined) continue;
      const change = OrderChange.forStored(tx, order);
      const steps = plan.exception.steps.filter((step) => step.orderId === victim.orderId);
      const [first, ...rest] = steps;
      if (first !== undefined) {
        change.note('oversell', 'hub', first.message, { exceptionId, step: first.kind, nodeId, sku });
      }
      try {
        for (const transition of victim.transitions) await change.apply(transition, 'hub');
      } catch (error) {
        // The planner routed on figures read without locks; the new node's locked figures disagree
        // (another transaction took the units). Start over with fresh figures.
        if (error instanceof DomainError && error.code === 'INSUFFICIENT_STOCK') {
          throw new RetryTransaction('oversell re-route raced another reservation');
        }
        throw error;
      }
      change.setRouting(victim.routing);
      for (const step of rest) {
        change.note('oversell', 'hub', step.message, { exceptionId, step: step.kind, nodeId, sku });
      }
      if (victim.refund !== undefined) {
        await change.recordRefund({
          reason: victim.refund.reason,
          status: 'pending',
          message: victim.refund.message,
          exceptionId,
        });
      }
      await change.save();
    }

    const covered = plan.exception.resolved;
    if (covered) {
      await closeException(tx, exception, {
        note: plan.exception.message,
        resolution: { ...plan.exception, at: tx.at },
      });
    } else {
      await tx.trx
        .updateTable('exceptions')
        .set({
          details: JSON.stringify({
            ...JSON.parse(exception.details),
            resolution: { ...plan.exception, at: tx.at },
          }),
          updated_at: tx.at,
        })
        .where('exception_id', '=', exceptionId)
        .execute();
    }
    return {
      exceptionId,
      outcome: covered ? ('resolved' as const) : ('partly_resolved' as const),
      plan: plan.exception,
    };
  });
}

/** Locks the balances each victim's reservation touches, then the order rows, in id order. */
async function lockVictimOrders(tx: HubTx, orderIds: readonly string[]): Promise<Map<string, StoredOrder>> {
  const postgres = tx.hub.storage.kind === 'postgres';
  const peeks = await Promise.all(
    orderIds.map((orderId) => requireOrder(tx.trx, orderId, { lock: false, postgres })),
  );
  await tx.ledger.lockBalances(
    peeks.flatMap((order) => {
      const held = order.state.reservation?.nodeId;
      return held === undefined
        ? []
        : order.state.order.lines.map((line) => ({ nodeId: held, sku: line.sku }));
    }),
  );
  const stored = new Map<string, StoredOrder>();
  for (const orderId of orderIds) {
    stored.set(orderId, await requireOrder(tx.trx, orderId, { lock: true, postgres }));
  }
  return stored;
}

async function closeException(
  tx: HubTx,
  exception: ExceptionRow,
  outcome: { note: string; resolution: Record<string, unknown> },
): Promise<void> {
  await tx.trx
    .updateTable('exceptions')
    .set({
      status: 'resolved',
      condition_key: null,
      details: JSON.stringify({ ...JSON.parse(exception.details), resolution: outcome.resolution }),
      resolution_note: outcome.note,
      resolved_by: 'hub',
      resolved_at: tx.at,
      updated_at: tx.at,
    })
    .where('exception_id', '=', exception.exception_id)
    .execute();
  tx.events.exceptionResolved(exception.exception_id);
}
