import { MAX_AMOUNT, MAX_DRAWER_AMOUNT, MAX_LINE_QTY, MAX_STOCK_QTY } from '@retail/domain';
import { afterEach, describe, expect, it } from 'vitest';
import type { SaleView } from '../../shared/commands';
import {
  TEST_STAFF,
  checkedOutbox,
  createTestNode,
  databaseSnapshot,
  expectError,
  expectOk,
  type TestNode,
} from '../testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

type Who = keyof TestNode['sessions'];
const as = (who: Who = 'cashier') => ({ session: node.sessions[who] });

function setUp(): string {
  node = createTestNode({ stock: { 'APPLE-1': 100, 'MILK-1': 100 } });
  expectOk(node.engine.execute('shift-open', { float: 10_000 }, as()));
  return expectOk(node.engine.execute('sale-start', {}, as())).saleId;
}

function add(saleId: string, sku: string, qty = 1): SaleView {
  return expectOk(node.engine.execute('sale-add-line', { saleId, sku, qty }, as()));
}

function lineOf(view: SaleView, sku: string): string {
  const line = view.lines.find((candidate) => candidate.sku === sku);
  if (!line) throw new Error(`no ${sku} line`);
  return line.lineId;
}

function payCash(saleId: string, amount: number): SaleView {
  return expectOk(node.engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount } }, as()));
}

function approve(staff: 'supervisor' | 'manager' | 'cashier2', reason = 'Customer kept one') {
  const approver = TEST_STAFF[staff];
  return node.engine.execute(
    'staff-override',
    { managerCode: approver.staffCode, managerPin: approver.pin, action: 'discount-over-limit', reason },
    as(),
  );
}

describe('sale limits', () => {
  describe('discount limits at sale-complete', () => {
    it('asks for approval when a quantity is lowered after an amount discount, and writes nothing until then', () => {
      const saleId = setUp();
      const lineId = lineOf(add(saleId, 'APPLE-1', 10), 'APPLE-1');
      // 10% of ten apples (4.50) as an amount: within the cashier's limit.
      expectOk(node.engine.execute('sale-discount-line', { saleId, lineId, discount: { amount: 45 } }, as()));
      const lowered = expectOk(node.engine.execute('sale-set-qty', { saleId, lineId, qty: 1 }, as()));
      // The sale now costs nothing, so it is paid in full without a payment.
      expect(lowered.payment).toMatchObject({ remaining: 0, complete: true });
      const before = databaseSnapshot(node.engine);
      const refused = expectError(
        node.engine.execute('sale-complete', { saleId }, as()),
        'OVERRIDE_REQUIRED',
      );
      expect(refused.message).toBe(
        'The discount on APPLE-1 name is €0.45, more than the €0.05 (10%) allowed on that line as it now stands. Ask a supervisor or manager to approve it, or change the discount.',
      );
      expect(refused.details).toMatchObject({ action: 'discount-over-limit', scope: 'line', lineId });
      expect(databaseSnapshot(node.engine)).toEqual(before);

      // A cashier cannot approve; a supervisor can only approve up to 30%.
      expectError(approve('cashier2'), 'FORBIDDEN');
      const bySupervisor = expectOk(approve('supervisor')).overrideId;
      const tooMuch = expectError(
        node.engine.execute('sale-complete', { saleId, overrideId: bySupervisor }, as()),
        'LIMIT_EXCEEDED',
      );
      expect(tooMuch.message).toContain('Sam Supervisor may approve at most 30% off.');
      // Refused with nothing written: the supervisor's approval is still there to use for something else.
      const unused = node.engine.db
        .prepare('SELECT consumed_at_ms AS consumedAt FROM manager_overrides WHERE override_id = ?')
        .get(bySupervisor) as { consumedAt: number | null };
      expect(unused.consumedAt).toBeNull();

      const byManager = expectOk(approve('manager')).overrideId;
      const done = expectOk(node.engine.execute('sale-complete', { saleId, overrideId: byManager }, as()));
      expect(done.status).toBe('completed');
      const event = checkedOutbox(node.engine).find((candidate) => candidate.type === 'sale.completed');
      const managerId = (
        node.engine.db.prepare("SELECT staff_id AS staffId FROM staff WHERE staff_code = 'M1'").get() as {
          staffId: string;
        }
      ).staffId;
      expect((event?.payload as { overrides: unknown[] }).overrides).toEqual([
        { managerId, reason: 'Customer kept one', at: expect.any(String), action: 'discount-over-limit' },
      ]);
      // What the hub needs to judge the discount again: who gave it, their roles, and no settings version
      // (this till never had one from HQ).
      const cashierId = (
        node.engine.db.prepare("SELECT staff_id AS staffId FROM staff WHERE staff_code = 'C1'").get() as {
          staffId: string;
        }
      ).staffId;
      expect(event?.payload).toMatchObject({
        lines: [{ adjustments: [expect.objectContaining({ kind: 'manual_line', givenBy: cashierId })] }],
        staffRoles: { [cashierId]: 'cashier', [managerId]: 'manager' },
      });
      expect(event?.payload).not.toHaveProperty('settingsVersion');
      const audit = node.engine.db
        .prepare("SELECT override_id AS overrideId FROM audit_log WHERE action = 'sale-complete'")
        .get() as { overrideId: string };
      expect(audit.overrideId).toBe(byManager);
    });

    it('asks for approval when a line is removed under an order discount (the sale would cost nothing)', () => {
      const saleId = setUp();
      add(saleId, 'APPLE-1', 10);
      const view = add(saleId, 'MILK-1', 1);
      // 4.50 + 1.29 = 5.79: 0.57 off is within 10%.
      expectOk(node.engine.execute('sale-discount-order', { saleId, discount: { amount: 57 } }, as()));
      expectOk(node.engine.execute('sale-remove-line', { saleId, lineId: lineOf(view, 'APPLE-1') }, as()));
      payCash(saleId, 100);
      const refused = expectError(
        node.engine.execute('sale-complete', { saleId }, as()),
        'OVERRIDE_REQUIRED',
      );
      expect(refused.details).toMatchObject({ scope: 'sale', discount: 57, limit: 13, limitPercent: 10 });
      // The cashier takes the discount back instead: payments first, as for any change to the items.
      const tenderId = expectOk(node.engine.execute('sale-get', { saleId }, as())).tenders[0]!.tenderId;
      expectOk(node.engine.execute('sale-remove-tender', { saleId, tenderId }, as()));
      expectOk(node.engine.execute('sale-discount-order', { saleId, discount: null }, as()));
      payCash(saleId, 129);
      expect(expectOk(node.engine.execute('sale-complete', { saleId }, as())).totals.discount).toBe(0);
    });

    it('refuses a line discount and an order discount stacked past the cashier limit when they are given', () => {
      const saleId = setUp();
      const lineId = lineOf(add(saleId, 'APPLE-1', 10), 'APPLE-1');
      expectOk(
        node.engine.execute('sale-discount-line', { saleId, lineId, discount: { percent: 10 } }, as()),
      );
      const error = expectError(
        node.engine.execute('sale-discount-order', { saleId, discount: { percent: 10 } }, as()),
        'OVERRIDE_REQUIRED',
      );
      expect(error.details).toMatchObject({ action: 'discount-over-limit', scope: 'sale', limitPercent: 10 });
      // The other way round too.
      expectOk(node.engine.execute('sale-discount-line', { saleId, lineId, discount: null }, as()));
      expectOk(node.engine.execute('sale-discount-order', { saleId, discount: { percent: 10 } }, as()));
      expectError(
        node.engine.execute('sale-discount-line', { saleId, lineId, discount: { percent: 1 } }, as()),
        'OVERRIDE_REQUIRED',
      );
    });

    it('takes a discount past the cashier limit once a supervisor approves it where it is given', () => {
      const saleId = setUp();
      const lineId = lineOf(add(saleId, 'APPLE-1', 10), 'APPLE-1');
      const before = databaseSnapshot(node.engine);
      expectError(
        node.engine.execute('sale-discount-line', { saleId, lineId, discount: { percent: 25 } }, as()),
        'OVERRIDE_REQUIRED',
      );
      expect(databaseSnapshot(node.engine)).toEqual(before);
      // Beyond the supervisor's own 30%, their approval is not enough.
      const tooFar = expectError(
        node.engine.execute(
          'sale-discount-line',
          {
            saleId,
            lineId,
            discount: { percent: 40 },
            overrideId: expectOk(approve('supervisor')).overrideId,
          },
          as(),
        ),
        'LIMIT_EXCEEDED',
      );
      expect(tooFar.message).toContain('Sam Supervisor may approve at most 30% off.');
      const approved = expectOk(
        node.engine.execute(
          'sale-discount-line',
          {
            saleId,
            lineId,
            discount: { percent: 25 },
            overrideId: expectOk(approve('supervisor')).overrideId,
          },
          as(),
        ),
      );
      expect(approved.lines[0]?.adjustments).toEqual([
        { kind: 'manual_line', promotionId: null, amount: 113, reason: 'Line discount 25%' },
      ]);
      // Judged by the supervisor's limit from then on: the sale completes without asking again.
      node.engine.db
        .prepare('INSERT OR REPLACE INTO config (key, data) VALUES (?, ?)')
        .run(
          'pos.settings.version',
          JSON.stringify({ key: 'pos.settings.version', value: { version: 7, publishedAt: 1 } }),
        );
      payCash(saleId, approved.totals.total);
      expect(expectOk(node.engine.execute('sale-complete', { saleId }, as())).status).toBe('completed');
      // The hub sees the discount as the supervisor's, at the settings version this till ran.
      const supervisorId = (
        node.engine.db
          .prepare('SELECT staff_id AS staffId FROM staff WHERE staff_code = ?')
          .get(TEST_STAFF.supervisor.staffCode) as { staffId: string }
      ).staffId;
      const event = checkedOutbox(node.engine).find((candidate) => candidate.type === 'sale.completed');
      expect(event?.payload).toMatchObject({
        lines: [{ adjustments: [expect.objectContaining({ givenBy: supervisorId })] }],
        staffRoles: { [supervisorId]: 'supervisor' },
        settingsVersion: 7,
        overrides: [],
      });
    });

    it('judges a discount a manager gave against the manager’s limit when a cashier completes the sale', () => {
      const saleId = setUp();
      const lineId = lineOf(add(saleId, 'APPLE-1', 2), 'APPLE-1');
      expectOk(
        node.engine.execute(
          'sale-discount-line',
          { saleId, lineId, discount: { percent: 50 } },
          as('manager'),
        ),
      );
      payCash(saleId, 45);
      const done = expectOk(node.engine.execute('sale-complete', { saleId }, as()));
      expect(done.totals.discount).toBe(45);
    });

    it('completes a sale a manager discounted to nothing, with a zero cash tender', () => {
      const saleId = setUp();
      add(saleId, 'APPLE-1', 2);
      const free = expectOk(
        node.engine.execute('sale-discount-order', { saleId, discount: { percent: 100 } }, as('manager')),
      );
      expect(free.payment).toMatchObject({ remaining: 0, complete: true });
      const done = expectOk(node.engine.execute('sale-complete', { saleId }, as()));
      expect(done.totals.total).toBe(0);
      expect(done.tenders).toEqual([
        expect.objectContaining({ type: 'cash', amount: 0, tendered: 0, change: 0 }),
      ]);
      const event = checkedOutbox(node.engine).find((candidate) => candidate.type === 'sale.completed');
      expect(event?.payload).toMatchObject({
        totals: { total: 0, paid: 0 },
        tenders: [{ type: 'cash', amount: 0, tendered: 0, change: 0 }],
      });
      // The free items can still come back: nothing is refunded, stock goes back.
      const returned = expectOk(
        node.engine.execute(
          'return-create',
          {
            receiptNumber: done.receiptNumber!,
            lines: [{ lineId: done.lines[0]!.lineId, qty: 1 }],
          },
          as(),
        ),
      );
      expect(returned.total).toBe(0);
      expect(
        expectOk(node.engine.execute('receipt-preview', { receiptNumber: done.receiptNumber! }, as())).receipt
          .totals.total,
      ).toBe(0);
    });
  });

  describe('bounds', () => {
    it('refuses the quantities and amounts the hub could not carry, with nothing written', () => {
      const saleId = setUp();
      const before = databaseSnapshot(node.engine);
      const huge = Number.MAX_SAFE_INTEGER;
      const receive = expectError(
        node.engine.execute(
          'stock-receive',
          { source: { type: 'supplier', reference: 'PO-1' }, lines: [{ sku: 'APPLE-1', qty: huge }] },
          as(),
        ),
        'INVALID_INPUT',
      );
      expect(receive.message).toBe(
        'The stock-receive request is not valid. lines.0.qty: One stock line moves at most 1,000,000,000 units.',
      );
      expectError(
        node.engine.execute('shift-open', { registerId: 'lane-2', float: huge }, as()),
        'INVALID_INPUT',
      );
      expectError(
        node.engine.execute('sale-add-line', { saleId, sku: 'APPLE-1', qty: MAX_LINE_QTY + 1 }, as()),
        'INVALID_INPUT',
      );
      expectError(
        node.engine.execute(
          'sale-add-tender',
          { saleId, tender: { type: 'cash', amount: MAX_AMOUNT + 1 } },
          as(),
        ),
        'INVALID_INPUT',
      );
      expect(databaseSnapshot(node.engine)).toEqual(before);
      // The bounds themselves are accepted.
      expectOk(
        node.engine.execute(
          'stock-receive',
          {
            source: { type: 'supplier', reference: 'PO-1' },
            lines: [{ sku: 'APPLE-1', qty: MAX_STOCK_QTY }],
          },
          as(),
        ),
      );
      expectOk(node.engine.execute('shift-open', { registerId: 'lane-2', float: MAX_DRAWER_AMOUNT }, as()));
      expectOk(node.engine.execute('shift-x-report', { registerId: 'lane-2' }, as()));
    });

    it('refuses a line grown past the bound by rescans, and a line whose amount passes the bound', () => {
      const saleId = setUp();
      add(saleId, 'APPLE-1', MAX_LINE_QTY);
      const grown = expectError(
        node.engine.execute('sale-add-line', { saleId, sku: 'APPLE-1', qty: 1 }, as()),
        'LIMIT_EXCEEDED',
      );
      expect(grown.details).toMatchObject({ sku: 'APPLE-1', qty: MAX_LINE_QTY + 1 });
      const lineId = expectOk(node.engine.execute('sale-get', { saleId }, as())).lines[0]!.lineId;
      const price = expectError(
        node.engine.execute(
          'sale-override-price',
          { saleId, lineId, unitPrice: MAX_AMOUNT, reason: 'Wrong label' },
          as('manager'),
        ),
        'LIMIT_EXCEEDED',
      );
      expect(price.message).toBe(
        'The line for APPLE-1 comes to more than a till can record in one line. Lower the quantity or split it over several sales.',
      );
    });

    it('refuses a drawer count whose total passes the bound instead of losing precision', () => {
      setUp();
      const voided = expectOk(node.engine.execute('sale-current', {}, as())).sale!;
      expectOk(node.engine.execute('sale-void', { saleId: voided.saleId, reason: 'test' }, as('manager')));
      const error = expectError(
        node.engine.execute(
          'shift-close',
          {
            denominations: [
              { value: MAX_DRAWER_AMOUNT, count: 1_000_000 },
              { value: MAX_DRAWER_AMOUNT - 1, count: 1_000_000 },
            ],
          },
          as(),
        ),
        'LIMIT_EXCEEDED',
      );
      expect(error.message).toBe(
        'The counted cash comes to more than a till can record (1,000,000,000,000 minor units at most).',
      );
    });
  });
});
