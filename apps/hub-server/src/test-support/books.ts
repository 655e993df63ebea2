import type { Executor } from '../storage/storage';

/**
 * Everything a store event can change at the hub, read straight from its tables in a stable order, for
 * tests that prove an event applied nothing: stock balances and movements, sales, returns, transfers,
 * shifts, BOPIS orders and reservations, the staff it learned, and the loyalty and stored-value ledgers. `skipSkus` leaves out the stock
 * of SKUs a test moves on purpose next to the event it checks.
 */
export async function readBooks(
  db: Executor,
  options: { skipSkus?: readonly string[] } = {},
): Promise<Record<string, unknown>> {
  const skip = new Set(options.skipSkus ?? []);
  const balances = await db
    .selectFrom('stock_balances')
    .select(['node_id', 'sku', 'sellable', 'staged', 'damaged', 'quality_control', 'in_transit'])
    .orderBy('node_id')
    .orderBy('sku')
    .execute();
  const movements = await db
    .selectFrom('inventory_movements')
    .select(['movement_id', 'sku'])
    .orderBy('movement_id')
    .execute();
  return {
    // A batch creates the balance rows it locks; an all-zero row reads the same as none.
    balances: balances
      .filter((row) => !skip.has(row.sku))
      .filter((row) =>
        [row.sellable, row.staged, row.damaged, row.quality_control, row.in_transit].some(
          (q) => Number(q) !== 0,
        ),
      )
      .map((row) => ({
        ...row,
        sellable: Number(row.sellable),
        staged: Number(row.staged),
        damaged: Number(row.damaged),
        quality_control: Number(row.quality_control),
        in_transit: Number(row.in_transit),
      })),
    movements: movements.filter((row) => !skip.has(row.sku)).map((row) => row.movement_id),
    sales: await db.selectFrom('sales').selectAll().orderBy('sale_id').execute(),
    returns: await db.selectFrom('returns').selectAll().orderBy('return_id').execute(),
    transfers: await db.selectFrom('transfers').selectAll().orderBy('transfer_id').execute(),
    orders: await db
      .selectFrom('bopis_orders')
      .select(['order_id', 'status', 'version', 'node_id', 'state'])
      .orderBy('order_id')
      .execute(),
    reservations: await db
      .selectFrom('reservations')
      .select(['reservation_id', 'node_id', 'sku', 'qty', 'status', 'version'])
      .orderBy('reservation_id')
      .execute(),
    staff: await db.selectFrom('store_staff').selectAll().orderBy('staff_id').execute(),
    shifts: await db
      .selectFrom('shifts')
      .select(['shift_id', 'node_id', 'status', 'float', 'expected_cash', 'counted_cash', 'over_short'])
      .orderBy('shift_id')
      .execute(),
    customers: await db.selectFrom('customers').select('customer_id').orderBy('customer_id').execute(),
    loyalty: await db.selectFrom('loyalty_entries').select('entry').orderBy('entry_id').execute(),
    storedValueAccounts: await db
      .selectFrom('stored_value_accounts')
      .select(['account_id', 'status', 'customer_id'])
      .orderBy('account_id')
      .execute(),
    storedValue: await db.selectFrom('stored_value_entries').select('entry').orderBy('entry_id').execute(),
  };
}
