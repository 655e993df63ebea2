import { money, toDecimal } from '@retail/domain';
import { CONFIG_KEYS, type EventEnvelope, type EventPayloads } from '@retail/sync';
import type { HubTx } from '../hub-tx';
import { effectiveSetting } from './hq-settings';

/**
 * The store settings limits the hub can recompute from what a till sends (DESIGN §5 "Trust boundary"):
 * a claim past a limit HQ has in force for the store, without the manager override the till should have
 * asked for, raises a LIMIT_EXCEEDED exception for HQ to look at. The event itself is applied: the cash
 * left the drawer, and offline work is never refused after the fact. A limit HQ never set is the till's
 * own default, which the hub does not second-guess.
 */

const cashOutLimits = new WeakMap<HubTx, Map<string, Promise<number | undefined>>>();

function cashOutLimitOf(tx: HubTx, nodeId: string): Promise<number | undefined> {
  let limits = cashOutLimits.get(tx);
  if (limits === undefined) {
    limits = new Map();
    cashOutLimits.set(tx, limits);
  }
  let limit = limits.get(nodeId);
  if (limit === undefined) {
    limit = effectiveSetting(tx.trx, nodeId, CONFIG_KEYS.cashOutOverrideLimit).then((value) =>
      typeof value === 'number' ? value : undefined,
    );
    limits.set(nodeId, limit);
  }
  return limit;
}

async function currencyOf(tx: HubTx, nodeId: string): Promise<string> {
  const node = await tx.trx
    .selectFrom('nodes')
    .select('currency')
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  return node?.currency ?? 'USD';
}

/** A cash pay-out above the store's `pos.shift.cashOutOverrideLimit` must carry a manager override. */
export async function checkCashOut(
  tx: HubTx,
  nodeId: string,
  event: EventEnvelope,
  moved: EventPayloads['shift.cash_moved'],
): Promise<void> {
  if (moved.direction !== 'out' || moved.override !== undefined) return;
  const limit = await cashOutLimitOf(tx, nodeId);
  if (limit === undefined || moved.amount <= limit) return;
  const currency = await currencyOf(tx, nodeId);
  const shown = (amount: number) => `${toDecimal(money(amount, currency))} ${currency}`;
  tx.raise({
    type: 'LIMIT_EXCEEDED',
    severity: 'warning',
    nodeId,
    causeEventIds: [event.eventId],
    details: {
      setting: CONFIG_KEYS.cashOutOverrideLimit,
      limit,
      amount: moved.amount,
      staffId: moved.staffId,
      shiftId: moved.shiftId,
      movementId: moved.movementId,
      message:
        `A cash pay-out of ${shown(moved.amount)} ("${moved.reason}") was taken without a manager's ` +
        `approval, above the ${shown(limit)} HQ allows at this store. Ask the store who authorised it.`,
    },
  });
}
