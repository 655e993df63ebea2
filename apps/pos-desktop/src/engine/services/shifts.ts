import { DomainError, add, money, subtract, sum, type Money } from '@retail/domain';
import { sql, type TxContext } from '../context';
import { hasGiftCardLoads } from '../sales/gift-card-loads';

export interface ShiftRow {
  shiftId: string;
  registerId: string;
  staffId: string;
  currency: string;
  float: number;
  status: 'open' | 'closed';
  openedAt: string;
  openedAtMs: number;
  closedAt: string | null;
}

export const SHIFT_COLUMNS = `shift_id AS shiftId, register_id AS registerId, staff_id AS staffId, currency, float, status,
  opened_at AS openedAt, opened_at_ms AS openedAtMs, closed_at AS closedAt`;

export function findOpenShift(ctx: TxContext, registerId: string): ShiftRow | undefined {
  return sql(ctx.db, `SELECT ${SHIFT_COLUMNS} FROM shifts WHERE register_id = ? AND status = 'open'`).get(
    registerId,
  ) as ShiftRow | undefined;
}

/** The open shift of a register; cash operations and sales need one (SHIFT_NOT_OPEN otherwise). */
export function requireOpenShift(ctx: TxContext, registerId: string): ShiftRow {
  const shift = findOpenShift(ctx, registerId);
  if (!shift) {
    throw new DomainError(
      'SHIFT_NOT_OPEN',
      'services.noShiftOpenRegister',
      { registerId },
      {
        registerId,
      },
    );
  }
  return shift;
}

export interface Takings {
  salesCount: number;
  /** Net sales: completed sales' totals without the gift card loads sold on them. */
  salesTotal: Money;
  giftCardLoadsCount: number;
  giftCardLoadsTotal: Money;
  returnsCount: number;
  returnsTotal: Money;
  cashSales: Money;
  cashRefunds: Money;
  cashIn: Money;
  cashOut: Money;
  byTender: Map<string, Money>;
}

export function takings(ctx: TxContext, shift: ShiftRow): Takings {
  const amount = (value: number | null) => money(value ?? 0, shift.currency);
  const sales = sql(
    ctx.db,
    "SELECT COUNT(*) AS count, SUM(total) AS total FROM sales WHERE shift_id = ? AND status = 'completed'",
  ).get(shift.shiftId) as { count: number; total: number | null };
  // A load is stored value sold (a liability to the card holder), not revenue: it leaves net sales and
  // gets its own line, while the cash paid for it stays in the tenders and so in the drawer.
  const loads = hasGiftCardLoads(ctx.db)
    ? (sql(
        ctx.db,
        `SELECT COUNT(*) AS count, SUM(g.amount) AS total FROM sale_gift_cards g JOIN sales s ON s.sale_id = g.sale_id
         WHERE s.shift_id = ? AND s.status = 'completed'`,
      ).get(shift.shiftId) as { count: number; total: number | null })
    : { count: 0, total: null };
  const returns = sql(
    ctx.db,
    'SELECT COUNT(*) AS count, SUM(refund_total) AS total FROM returns WHERE shift_id = ?',
  ).get(shift.shiftId) as { count: number; total: number | null };
  // sale_tenders.amount is what the tender paid towards the sale, net of change.
  const tendered = sql(
    ctx.db,
    `SELECT t.type, SUM(t.amount) AS total FROM sale_tenders t JOIN sales s ON s.sale_id = t.sale_id
     WHERE s.shift_id = ? AND s.status = 'completed' GROUP BY t.type`,
  ).all(shift.shiftId) as { type: string; total: number }[];
  const refunded = sql(
    ctx.db,
    `SELECT r.type, SUM(r.amount) AS total FROM return_refunds r JOIN returns x ON x.return_id = r.return_id
     WHERE x.shift_id = ? GROUP BY r.type`,
  ).all(shift.shiftId) as { type: string; total: number }[];
  const cash = sql(
    ctx.db,
    'SELECT direction, SUM(amount) AS total FROM cash_movements WHERE shift_id = ? GROUP BY direction',
  ).all(shift.shiftId) as { direction: 'in' | 'out'; total: number }[];

  const byTender = new Map<string, Money>();
  for (const row of tendered)
    byTender.set(row.type, add(byTender.get(row.type) ?? amount(0), amount(row.total)));
  for (const row of refunded) {
    byTender.set(row.type, subtract(byTender.get(row.type) ?? amount(0), amount(row.total)));
  }
  return {
    salesCount: sales.count,
    salesTotal: subtract(amount(sales.total), amount(loads.total)),
    giftCardLoadsCount: loads.count,
    giftCardLoadsTotal: amount(loads.total),
    returnsCount: returns.count,
    returnsTotal: amount(returns.total),
    cashSales: amount(tendered.find((row) => row.type === 'cash')?.total ?? 0),
    cashRefunds: amount(refunded.find((row) => row.type === 'cash')?.total ?? 0),
    cashIn: amount(cash.find((row) => row.direction === 'in')?.total ?? 0),
    cashOut: amount(cash.find((row) => row.direction === 'out')?.total ?? 0),
    byTender,
  };
}

export function cashExpected(shift: ShiftRow, taken: ReturnType<typeof takings>): Money {
  return subtract(
    subtract(
      sum([money(shift.float, shift.currency), taken.cashSales, taken.cashIn], shift.currency),
      taken.cashRefunds,
    ),
    taken.cashOut,
  );
}

/** What the drawer should hold now: checked before cash leaves it, without building a whole report. */
export function drawerExpected(ctx: TxContext, shift: ShiftRow): number {
  return cashExpected(shift, takings(ctx, shift)).amount;
}
