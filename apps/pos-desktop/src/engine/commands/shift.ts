import { DomainError, assertAmountWithinBounds, money, multiply, subtract, sum } from '@retail/domain';
import type { CommandRequest, ShiftReport, ShiftSummary, ZReport } from '../../shared/commands';
import { ROLE_RANK } from '../../shared/commands';
import type { CommandContext, CommandHandlers } from '../command-context';
import { sql, type TxContext } from '../context';
import { formatAmount, formatLocalTime } from '../format';
import { consumeOverride } from '../services/manager-overrides';
import {
  cashExpected,
  drawerExpected,
  findOpenShift,
  requireOpenShift,
  takings,
  type ShiftRow,
} from '../services/shifts';
import { shiftBreakdown } from './shift-breakdown';

function toSummary(row: ShiftRow): ShiftSummary {
  return {
    shiftId: row.shiftId,
    registerId: row.registerId,
    staffId: row.staffId,
    currency: row.currency,
    float: row.float,
    status: row.status,
    openedAt: row.openedAt,
    closedAt: row.closedAt,
  };
}

export function shiftReport(ctx: TxContext, shift: ShiftRow, kind: 'X' | 'Z'): ShiftReport {
  const taken = takings(ctx, shift);
  const expected = cashExpected(shift, taken);
  return {
    kind,
    shift: toSummary(shift),
    currency: shift.currency,
    float: shift.float,
    salesCount: taken.salesCount,
    salesTotal: taken.salesTotal.amount,
    giftCardLoads: { count: taken.giftCardLoadsCount, total: taken.giftCardLoadsTotal.amount },
    returnsCount: taken.returnsCount,
    returnsTotal: taken.returnsTotal.amount,
    cashSales: taken.cashSales.amount,
    cashRefunds: taken.cashRefunds.amount,
    cashIn: taken.cashIn.amount,
    cashOut: taken.cashOut.amount,
    expectedCash: expected.amount,
    byTender: Object.fromEntries(
      [...taken.byTender.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([type, value]) => [type, value.amount]),
    ),
    generatedAt: ctx.nowIso,
    breakdown: shiftBreakdown(ctx, shift.shiftId),
  };
}

function moveCash(
  ctx: CommandContext,
  input: CommandRequest<'shift-cash-in'> | CommandRequest<'shift-cash-out'>,
  direction: 'in' | 'out',
) {
  const actor = ctx.staff();
  const shift = requireOpenShift(ctx, input.registerId);
  let override: ReturnType<typeof consumeOverride> | undefined;
  if (direction === 'out') {
    const drawer = drawerExpected(ctx, shift);
    if (input.amount > drawer) {
      throw new DomainError(
        'INSUFFICIENT_BALANCE',
        'shift.drawerHoldCannotTake',
        { identity: formatAmount(ctx.identity, drawer), identity2: formatAmount(ctx.identity, input.amount) },
        { expectedCash: drawer, amount: input.amount },
      );
    }
    const limit = ctx.settings().cashOutOverrideLimit;
    if (input.amount > limit) {
      const overrideId = 'overrideId' in input ? input.overrideId : undefined;
      override = consumeOverride(
        ctx,
        overrideId,
        'cash-out-over-limit',
        input.reason,
        `Taking out more than ${formatAmount(ctx.identity, limit)} needs a manager override.`,
      );
    }
  }
  const movementId = ctx.newId();
  const event = ctx.appendEvent('shift.cash_moved', {
    shiftId: shift.shiftId,
    movementId,
    direction,
    amount: input.amount,
    reason: input.reason,
    staffId: actor.staffId,
    ...(override
      ? { override: { managerId: override.managerId, reason: override.reason, at: override.at } }
      : {}),
    movedAt: ctx.nowIso,
  });
  const overrideId = override && override.overrideId !== '' ? override.overrideId : null;
  sql(
    ctx.db,
    `INSERT INTO cash_movements (movement_id, shift_id, direction, amount, reason, staff_id, override_id, moved_at,
       moved_at_ms, device_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    movementId,
    shift.shiftId,
    direction,
    input.amount,
    input.reason,
    actor.staffId,
    overrideId,
    ctx.nowIso,
    ctx.nowMs,
    event.deviceSeq,
  );
  ctx.auditNote = {
    subject: shift.shiftId,
    overrideId,
    details: {
      movementId,
      direction,
      amount: input.amount,
      reason: input.reason,
      ...(override ? { authorizedBy: override.managerId } : {}),
    },
  };
  return {
    movementId,
    shiftId: shift.shiftId,
    direction,
    amount: input.amount,
    reason: input.reason,
    staffId: actor.staffId,
    overrideId,
    movedAt: ctx.nowIso,
  };
}

function closeShift(ctx: CommandContext, input: CommandRequest<'shift-close'>): ZReport {
  const actor = ctx.staff();
  const shift = requireOpenShift(ctx, input.registerId);
  if (shift.staffId !== actor.staffId && ROLE_RANK[actor.role] < ROLE_RANK.supervisor) {
    throw new DomainError('FORBIDDEN', 'shift.onlyCashierOpenedShift', {}, { shiftId: shift.shiftId });
  }
  const unfinished = sql(
    ctx.db,
    "SELECT COUNT(*) AS count FROM sales WHERE shift_id = ? AND status IN ('open', 'parked')",
  ).get(shift.shiftId) as { count: number };
  if (unfinished.count > 0) {
    throw new DomainError(
      'CONFLICT',
      'shift.finishVoidOpenParked',
      { count: unfinished.count, registerId: shift.registerId },
      { openSales: unfinished.count },
    );
  }
  const report = shiftReport(ctx, shift, 'Z');
  assertAmountWithinBounds(
    input.denominations.reduce((total, { value, count }) => total + BigInt(value) * BigInt(count), 0n),
    'The counted cash',
  );
  const counted = sum(
    input.denominations.map((denomination) =>
      multiply(money(denomination.value, shift.currency), denomination.count),
    ),
    shift.currency,
  );
  const overShort = subtract(counted, money(report.expectedCash, shift.currency));
  const denominations = [...input.denominations].sort((a, b) => b.value - a.value);
  // A till clock set back (an NTP correction) after the shift opened must not close it before it opened:
  // HQ and the Z report would show a shift of negative length.
  const closedAt = new Date(Math.max(ctx.nowMs, shift.openedAtMs)).toISOString();
  const zReport: ZReport = {
    ...report,
    kind: 'Z',
    shift: { ...report.shift, status: 'closed', closedAt },
    countedCash: counted.amount,
    overShort: overShort.amount,
    denominations,
  };
  ctx.appendEvent('shift.closed', {
    shiftId: shift.shiftId,
    staffId: actor.staffId,
    currency: shift.currency,
    float: shift.float,
    expectedCash: report.expectedCash,
    countedCash: counted.amount,
    overShort: overShort.amount,
    denominations,
    totals: {
      // The event's figure has always been the sales' whole totals, loads included: its meaning stays.
      sales: report.salesTotal + (report.giftCardLoads?.total ?? 0),
      returns: report.returnsTotal,
      cashIn: report.cashIn,
      cashOut: report.cashOut,
      byTender: report.byTender,
    },
    closedAt,
  });
  sql(
    ctx.db,
    `UPDATE shifts SET status = 'closed', closed_at = ?, closed_by = ?, expected_cash = ?, counted_cash = ?,
       over_short = ?, denominations = ?, z_report = ?
     WHERE shift_id = ?`,
  ).run(
    closedAt,
    actor.staffId,
    report.expectedCash,
    counted.amount,
    overShort.amount,
    JSON.stringify(denominations),
    JSON.stringify(zReport),
    shift.shiftId,
  );
  ctx.notify({ name: 'shift-changed', payload: { shift: zReport.shift } });
  ctx.auditNote = {
    subject: shift.shiftId,
    details: { expectedCash: report.expectedCash, countedCash: counted.amount, overShort: overShort.amount },
  };
  return zReport;
}

export const shiftHandlers = {
  'shift-open': {
    mutates: true,
    handle(ctx, input) {
      const actor = ctx.staff();
      const existing = findOpenShift(ctx, input.registerId);
      if (existing) {
        throw new DomainError(
          'CONFLICT',
          'shift.registerAlreadyShiftOpen',
          { registerId: input.registerId, identity: formatLocalTime(ctx.identity, existing.openedAtMs) },
          { shiftId: existing.shiftId },
        );
      }
      const row: ShiftRow = {
        shiftId: ctx.newId(),
        registerId: input.registerId,
        staffId: actor.staffId,
        currency: ctx.identity.currency,
        float: input.float,
        status: 'open',
        openedAt: ctx.nowIso,
        openedAtMs: ctx.nowMs,
        closedAt: null,
      };
      sql(
        ctx.db,
        `INSERT INTO shifts (shift_id, register_id, staff_id, currency, float, status, opened_at, opened_at_ms)
         VALUES (?, ?, ?, ?, ?, 'open', ?, ?)`,
      ).run(row.shiftId, row.registerId, row.staffId, row.currency, row.float, row.openedAt, row.openedAtMs);
      ctx.appendEvent('shift.opened', {
        shiftId: row.shiftId,
        staffId: actor.staffId,
        currency: row.currency,
        float: row.float,
        openedAt: ctx.nowIso,
      });
      const summary = toSummary(row);
      ctx.notify({ name: 'shift-changed', payload: { shift: summary } });
      ctx.auditNote = { subject: row.shiftId, details: { registerId: row.registerId, float: row.float } };
      return summary;
    },
  },
  'shift-current': {
    mutates: false,
    handle(ctx, input) {
      const shift = findOpenShift(ctx, input.registerId);
      return { shift: shift ? toSummary(shift) : null };
    },
  },
  'shift-cash-in': { mutates: true, handle: (ctx, input) => moveCash(ctx, input, 'in') },
  'shift-cash-out': { mutates: true, handle: (ctx, input) => moveCash(ctx, input, 'out') },
  'shift-x-report': {
    mutates: false,
    handle: (ctx, input) => shiftReport(ctx, requireOpenShift(ctx, input.registerId), 'X'),
  },
  'shift-close': { mutates: true, handle: closeShift },
} satisfies Pick<
  CommandHandlers,
  'shift-open' | 'shift-current' | 'shift-cash-in' | 'shift-cash-out' | 'shift-x-report' | 'shift-close'
>;
