import { applied, rejected, type ApplyContext, type Applier } from './apply-context';
import type { ShiftFact } from './claim-facts';

/** A till's shift opened and closed at the hub (its totals arrive with `shift.closed`). */

function findShift(ctx: ApplyContext, shiftId: string): ShiftFact | undefined {
  return ctx.batchShifts.get(shiftId) ?? ctx.facts.shifts.get(shiftId);
}

export const applyShiftOpened: Applier<'shift.opened'> = async (ctx, _event, shift) => {
  if (findShift(ctx, shift.shiftId) !== undefined)
    return rejected(`Shift ${shift.shiftId} was already opened.`);
  await ctx.tx.trx
    .insertInto('shifts')
    .values({
      shift_id: shift.shiftId,
      node_id: ctx.facts.nodeId,
      device_id: ctx.facts.deviceId,
      staff_id: shift.staffId,
      currency: shift.currency,
      status: 'open',
      float: shift.float,
      expected_cash: null,
      counted_cash: null,
      over_short: null,
      opened_at: shift.openedAt,
      closed_at: null,
      updated_at: ctx.tx.at,
    })
    .execute();
  ctx.batchShifts.set(shift.shiftId, { nodeId: ctx.facts.nodeId, status: 'open' });
  return applied;
};

export const applyShiftClosed: Applier<'shift.closed'> = async (ctx, _event, shift) => {
  // Store scope (another store's shift) was checked before: this shift is unknown or this store's.
  const existing = findShift(ctx, shift.shiftId);
  if (existing?.status === 'closed') return rejected(`Shift ${shift.shiftId} was already closed.`);
  const figures = {
    status: 'closed' as const,
    expected_cash: shift.expectedCash,
    counted_cash: shift.countedCash,
    over_short: shift.overShort,
    closed_at: shift.closedAt,
    updated_at: ctx.tx.at,
  };
  if (existing === undefined) {
    await ctx.tx.trx
      .insertInto('shifts')
      .values({
        shift_id: shift.shiftId,
        node_id: ctx.facts.nodeId,
        device_id: ctx.facts.deviceId,
        staff_id: shift.staffId,
        currency: shift.currency,
        float: shift.float,
        opened_at: null,
        ...figures,
      })
      .execute();
  } else {
    await ctx.tx.trx.updateTable('shifts').set(figures).where('shift_id', '=', shift.shiftId).execute();
  }
  ctx.batchShifts.set(shift.shiftId, { nodeId: ctx.facts.nodeId, status: 'closed' });
  return applied;
};
