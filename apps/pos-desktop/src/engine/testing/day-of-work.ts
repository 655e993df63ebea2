import { expectOk, type TestNode } from './test-node';

/**
 * A realistic spread of commands that writes every node-created table the phase-1 commands own: staff
 * and sessions, overrides, audit, shifts, cash, stock movements and the outbox. Migration tests fill a
 * database with it before upgrading; crash tests use the same commands. Today's Z report reads columns
 * that 0003-sale-details added, so a database filled below 0003 keeps its shift open (`closeShift: false`).
 */
export function dayOfWork(node: TestNode, { closeShift = true }: { closeShift?: boolean } = {}): void {
  const { engine, sessions } = node;
  const cashier = { session: sessions.cashier };
  expectOk(engine.execute('shift-open', { float: 20_000 }, cashier));
  expectOk(engine.execute('shift-cash-in', { amount: 5_000, reason: 'coins from the safe' }, cashier));
  const override = expectOk(
    engine.execute(
      'staff-override',
      { managerCode: 'M1', managerPin: '1234', action: 'cash-out-over-limit', reason: 'supplier COD' },
      cashier,
    ),
  );
  expectOk(
    engine.execute(
      'shift-cash-out',
      { amount: 12_000, reason: 'supplier COD', overrideId: override.overrideId },
      cashier,
    ),
  );
  expectOk(
    engine.execute(
      'stock-receive',
      {
        source: { type: 'supplier', reference: 'DN-1' },
        lines: [
          { sku: 'APPLE-1', qty: 24 },
          { sku: 'CHEESE-KG', qty: 3_000 },
        ],
      },
      cashier,
    ),
  );
  expectOk(
    engine.execute(
      'stock-adjust',
      {
        reason: 'broken bottle',
        lines: [
          { sku: 'MILK-1', bucket: 'sellable', delta: -1 },
          { sku: 'MILK-1', bucket: 'damaged', delta: 1 },
        ],
      },
      { session: sessions.supervisor },
    ),
  );
  expectOk(engine.execute('stock-count', { sku: 'APPLE-1', expectedQty: 44, countedQty: 43 }, cashier));
  expectOk(
    engine.execute(
      'stock-transfer-out',
      { toNodeId: 'store-2', lines: [{ sku: 'APPLE-1', qty: 3 }] },
      cashier,
    ),
  );
  expectOk(
    engine.execute('stock-transfer-in', { transferId: 'TR-1', lines: [{ sku: 'MILK-1', qty: 2 }] }, cashier),
  );
  engine.execute('staff-sign-in', { staffCode: 'C2', pin: '0000' });
  if (!closeShift) return;
  expectOk(
    engine.execute(
      'shift-close',
      {
        denominations: [
          { value: 5_000, count: 2 },
          { value: 1_000, count: 3 },
        ],
      },
      cashier,
    ),
  );
}
