// @vitest-environment happy-dom
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CatalogItem, SaleView } from '../../../shared/commands';
import {
  AT,
  catalogItem,
  cashTender,
  localStock,
  saleLine,
  saleView,
  shift,
  syncStatus,
} from '../../testing/builders';
import { failure, type FakeNode } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';

const BREAD = catalogItem();
const RICE = catalogItem({
  sku: 'SKU0000009',
  name: 'Spicy Rice (loose)',
  unit: 'kg',
  barcodes: ['2100001000004'],
  price: { ...catalogItem().price!, unitPrice: 450 },
});
const CATALOG: Readonly<Record<string, CatalogItem>> = { '4000000000013': BREAD, '2100001000004': RICE };

/**
 * A sale the fake node keeps between commands, priced the simple way (no tax); promotions are added per
 * test where they matter. It answers exactly the shapes the real node does.
 */
function scriptSale(node: FakeNode, options: { promotion?: boolean } = {}) {
  let sale: SaleView | null = null;
  let lineNo = 0;
  const withLines = (lines: SaleView['lines'], extra: Partial<SaleView> = {}) => {
    sale = saleView(lines, { ...extra, tenders: extra.tenders ?? sale?.tenders ?? [] });
    return sale;
  };
  const lineFor = (item: CatalogItem, qty: number) => {
    lineNo += 1;
    const promotion = options.promotion && item.sku === BREAD.sku && qty >= 2;
    return saleLine({
      lineId: `line-${lineNo}`,
      sku: item.sku,
      name: item.name,
      unit: item.unit,
      qty,
      unitPrice: item.price!.unitPrice,
      adjustments: promotion
        ? [{ kind: 'promotion', promotionId: 'promo-1', amount: 100, reason: 'Bread: 2 for 13.40' }]
        : [],
    });
  };
  node.handle('shift-current', () => ({ shift: shift() }));
  node.handle('sale-current', () => ({ sale: null }));
  node.handle('sale-start', () => withLines([]));
  node.handle('sale-add-line', (input) => {
    const item =
      input.code !== undefined
        ? CATALOG[input.code]
        : Object.values(CATALOG).find((c) => c.sku === input.sku);
    if (!item) {
      return failure(
        'UNKNOWN_BARCODE',
        `Barcode ${input.code} is not in this store's catalog. Key the item in by SKU or search for it by name.`,
      );
    }
    if (item.unit === 'kg' && input.qty === undefined) {
      return failure(
        'INVALID_INPUT',
        `${item.name} is sold by weight: weigh it and enter the weight in grams.`,
        { sku: item.sku },
      );
    }
    return withLines([...(sale?.lines ?? []), lineFor(item, input.qty ?? 1)]);
  });
  node.handle('sale-set-qty', (input) =>
    withLines(
      sale!.lines.map((line) =>
        line.lineId === input.lineId
          ? saleLine({ ...line, qty: input.qty, extended: undefined, paid: undefined })
          : line,
      ),
    ),
  );
  node.handle('sale-remove-line', (input) =>
    withLines(sale!.lines.filter((line) => line.lineId !== input.lineId)),
  );
  node.handle('catalog-scan', (input) => {
    const item = CATALOG[input.code];
    if (!item) return failure('UNKNOWN_BARCODE', 'Unknown barcode.');
    return { item, scan: { kind: 'gtin' as const, key: input.code, weightGrams: null, embeddedPrice: null } };
  });
  node.handle('catalog-search', (input) => ({
    items: Object.values(CATALOG).filter((item) =>
      item.name.toLowerCase().includes(input.query.toLowerCase()),
    ),
  }));
  node.handle('sale-add-tender', (input) => {
    const current = sale!;
    const remaining = current.payment.remaining;
    const given = input.tender;
    if (given.type !== 'cash' && given.type !== 'card') {
      return failure('INVALID_INPUT', 'This store takes cash and card only.');
    }
    const tender =
      given.type === 'cash'
        ? cashTender(given.amount, Math.min(remaining, given.amount), {
            tenderId: `tender-${current.tenders.length + 1}`,
          })
        : {
            tenderId: `tender-${current.tenders.length + 1}`,
            type: 'card' as const,
            tendered: given.amount,
            amount: given.amount,
            change: 0,
            reference: given.reference,
          };
    return withLines(current.lines, { tenders: [...current.tenders, tender] });
  });
  node.handle('sale-remove-tender', (input) => {
    const current = sale!;
    return withLines(current.lines, {
      tenders: current.tenders.filter((tender) => tender.tenderId !== input.tenderId),
    });
  });
  node.handle('sale-discount-order', (input) => {
    const current = sale!;
    const amount = input.discount && 'amount' in input.discount ? input.discount.amount : 0;
    // One line is enough for these tests: the whole sale discount lands on it, as the node allocates it.
    return withLines(
      current.lines.map((line, index) =>
        saleLine({
          ...line,
          paid: undefined,
          adjustments:
            index === 0 && amount > 0
              ? [{ kind: 'manual_order', promotionId: null, amount, reason: 'sale discount' }]
              : line.adjustments.filter((adjustment) => adjustment.kind !== 'manual_order'),
        }),
      ),
      { orderDiscount: input.discount },
    );
  });
  node.handle('sale-complete', () => {
    sale = { ...sale!, status: 'completed', receiptNumber: 'S001-1-000001', completedAt: AT };
    return sale;
  });
  node.handle('receipt-preview', (input) => ({
    receipt: receiptOf(input.receiptNumber),
    html: `<p>receipt ${input.receiptNumber}</p>`,
  }));
  node.handle('receipt-print', (input) => ({
    receipt: receiptOf(input.receiptNumber),
    html: `<p>print ${input.receiptNumber}</p>`,
    printNo: 1,
  }));
  node.handle('sale-park', () => {
    const parked = { ...sale!, status: 'parked' as const };
    sale = null;
    return parked;
  });
  return { current: () => sale };
}

function receiptOf(receiptNumber: string) {
  return {
    kind: 'sale' as const,
    copy: false,
    voided: false,
    receiptNumber,
    originalReceiptNumber: null,
    issuedAt: AT,
    currency: 'EUR',
    locale: 'en-IE',
    timezone: 'Europe/Dublin',
    store: { code: 'S001', name: 'Demo store' },
    deviceNo: 1,
    staffName: 'Casey Cashier',
    lines: [],
    totals: { subtotal: 0, discount: 0, tax: 0, total: 0, cashRounding: 0, change: 0 },
    taxes: [],
    payments: [],
    promotions: [],
    loyalty: null,
    notes: [],
    barcode: { symbology: 'code128' as const, value: receiptNumber },
  };
}

async function scanField() {
  return screen.findByRole('combobox', { name: 'Scan or search' });
}

function cartLines() {
  return within(screen.getByRole('region', { name: 'Cart' })).queryAllByRole('listitem');
}

describe('sell-screen', () => {
  describe('scan', () => {
    it('starts a sale on the first scan and shows the priced line with its promotion', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => scriptSale(n, { promotion: true }),
      });
      await user.type(await scanField(), '2*4000000000013{Enter}');
      const line = await screen.findByRole('button', { name: 'Smooth Bread family size, 2, €13.40' });
      expect(line).toBeTruthy();
      expect(screen.getByText('Promotion: Bread: 2 for 13.40')).toBeTruthy();
      expect(within(screen.getByRole('region', { name: 'Cart' })).getByText('−€1.00')).toBeTruthy();
      expect(node.inputs('sale-start')).toEqual([{ registerId: 'main' }]);
      expect(node.inputs('sale-add-line')).toEqual([{ saleId: 'sale-1', code: '4000000000013', qty: 2 }]);
      expect(screen.getByTestId('sale-total').textContent).toBe('€13.40');
    });

    it('sends keystrokes typed while a button has the focus to the scan field, as a scanner does', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
      await scanField();
      screen.getByRole('button', { name: 'Parked sales' }).focus();
      await user.keyboard('4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      expect(node.inputs('sale-add-line')).toEqual([{ saleId: 'sale-1', code: '4000000000013' }]);
      expect(document.activeElement).toBe(await scanField());
    });

    it('starts one sale even when two scans arrive before the first is answered', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
      await user.type(await scanField(), '4000000000013{Enter}4000000000013{Enter}');
      await waitFor(() => expect(cartLines()).toHaveLength(2));
      expect(node.inputs('sale-start')).toHaveLength(1);
    });

    it('shows the open sale again at the new price when the node says prices switched', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
      await user.type(await scanField(), '4000000000013{Enter}');
      await screen.findByRole('button', { name: 'Smooth Bread family size, 1, €7.20' });
      node.handle('sale-get', (input) =>
        saleView([saleLine({ lineId: 'line-1', sku: BREAD.sku, name: BREAD.name, qty: 1, unitPrice: 650 })], {
          saleId: input.saleId,
        }),
      );
      node.notify('prices-changed', { at: AT });
      await screen.findByRole('button', { name: 'Smooth Bread family size, 1, €6.50' });
      expect(node.inputs('sale-get')).toEqual([{ saleId: 'sale-1' }]);
      expect(screen.getByTestId('sale-total').textContent).toBe('€6.50');
    });

    it('shows the node sentence for an unknown barcode', async () => {
      const { user } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
      await user.type(await scanField(), '999{Enter}');
      expect((await screen.findByRole('alert')).textContent).toContain(
        "Barcode 999 is not in this store's catalog.",
      );
    });

    it('asks for the weight of a weighed item scanned without a scale label', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
      await user.type(await scanField(), '2100001000004{Enter}');
      const dialog = await screen.findByRole('dialog', { name: 'Weigh Spicy Rice (loose)' });
      await user.type(within(dialog).getByLabelText('Weight (kg)'), '0,532{Enter}');
      await screen.findByRole('button', { name: /Spicy Rice \(loose\), 0\.532 kg/ });
      expect(node.inputs('sale-add-line').at(-1)).toEqual({ saleId: 'sale-1', sku: 'SKU0000009', qty: 532 });
    });
  });

  describe('search', () => {
    it('finds products while typing and adds the highlighted one with Enter', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
      await user.type(await scanField(), 'bread');
      const option = await screen.findByRole('option', { name: /Smooth Bread family size/ });
      expect(option.textContent).toContain('€7.20');
      await user.keyboard('{ArrowDown}{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      expect(node.inputs('catalog-search').at(-1)).toEqual({ query: 'bread', limit: 8 });
      expect(node.inputs('sale-add-line')).toEqual([{ saleId: 'sale-1', sku: 'SKU0000001' }]);
    });
  });

  describe('lines', () => {
    it('changes the quantity of the selected line with F6', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
      await user.type(await scanField(), '4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      await user.keyboard('{F6}');
      const dialog = await screen.findByRole('dialog', { name: 'Quantity of Smooth Bread family size' });
      const field = within(dialog).getByLabelText('Pieces');
      await user.clear(field);
      await user.type(field, '4{Enter}');
      await screen.findByRole('button', { name: 'Smooth Bread family size, 4, €28.80' });
      expect(node.inputs('sale-set-qty')).toEqual([{ saleId: 'sale-1', lineId: 'line-1', qty: 4 }]);
    });

    it('asks a supervisor to approve a discount past the cashier limit right where it is given', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          const sale = scriptSale(n);
          n.handle('sale-discount-line', (input) => {
            if (input.overrideId !== 'ov-discount') {
              return failure(
                'OVERRIDE_REQUIRED',
                'The discount on Smooth Bread family size is €3.60, more than the €0.72 (10%) allowed on that line as it now stands. Ask a supervisor or manager to approve it, or change the discount.',
                { action: 'discount-over-limit', scope: 'line', lineId: input.lineId },
              );
            }
            return sale.current()!;
          });
          n.handle('staff-override', (input) => ({
            overrideId: 'ov-discount',
            action: input.action,
            managerId: 'staff-supervisor',
            managerName: 'Sam Supervisor',
            expiresAt: AT,
          }));
        },
      });
      await user.type(await scanField(), '4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      await user.keyboard('{F7}');
      const dialog = await screen.findByRole('dialog', { name: 'Discount on Smooth Bread family size' });
      await user.type(within(dialog).getByLabelText('Percent off'), '50{Enter}');
      const override = await screen.findByRole('dialog', { name: 'Manager authorization' });
      expect(within(override).getByText(/more than the €0.72 \(10%\) allowed on that line/)).toBeTruthy();
      expect(
        within(override).getByText('For: discounts beyond your limit (a supervisor or manager approves)'),
      ).toBeTruthy();
      await user.type(within(override).getByLabelText('Manager staff code'), 'S1');
      await user.type(within(override).getByLabelText('Reason'), 'Damaged packaging');
      await user.type(within(override).getByLabelText('Manager PIN', { selector: 'input' }), '2222{Enter}');
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(node.inputs('staff-override')).toEqual([
        { managerCode: 'S1', managerPin: '2222', action: 'discount-over-limit', reason: 'Damaged packaging' },
      ]);
      expect(node.inputs('sale-discount-line')).toEqual([
        { saleId: 'sale-1', lineId: 'line-1', discount: { percent: 50 } },
        { saleId: 'sale-1', lineId: 'line-1', discount: { percent: 50 }, overrideId: 'ov-discount' },
      ]);
    });

    it('changes a price after a manager authorizes it in the override dialog', async () => {
      let overridden = false;
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          const sale = scriptSale(n);
          n.handle('sale-override-price', (input) => {
            if (input.overrideId !== 'override-1') {
              return failure(
                'OVERRIDE_REQUIRED',
                'Changing a price needs a manager. Ask a manager to authorize it.',
                {
                  action: 'price-override',
                },
              );
            }
            overridden = true;
            const current = sale.current()!;
            return saleView(
              current.lines.map((line) =>
                saleLine({
                  ...line,
                  unitPrice: input.unitPrice,
                  priceSource: 'override',
                  originalUnitPrice: line.unitPrice,
                  extended: undefined,
                  paid: undefined,
                }),
              ),
            );
          });
          n.handle('staff-override', (input) =>
            input.managerPin === '1234'
              ? {
                  overrideId: 'override-1',
                  action: input.action,
                  managerId: 'staff-manager',
                  managerName: 'Morgan Manager',
                  expiresAt: AT,
                }
              : failure('UNAUTHORIZED', 'Staff code or PIN is wrong.'),
          );
        },
      });
      await user.type(await scanField(), '4000000000013{Enter}');
      await user.click(await screen.findByRole('button', { name: /Smooth Bread family size, 1/ }));
      await user.click(screen.getByRole('button', { name: 'Change price' }));
      const priceDialog = await screen.findByRole('dialog', {
        name: 'New price for Smooth Bread family size',
      });
      const price = within(priceDialog).getByLabelText('New unit price');
      await user.clear(price);
      await user.type(price, '5.00');
      await user.type(within(priceDialog).getByLabelText('Reason'), 'Damaged packaging{Enter}');
      const override = await screen.findByRole('dialog', { name: 'Manager authorization' });
      expect(
        within(override).getByText('Changing a price needs a manager. Ask a manager to authorize it.'),
      ).toBeTruthy();
      expect((within(override).getByLabelText('Reason') as HTMLInputElement).value).toBe('Damaged packaging');
      await user.type(within(override).getByLabelText('Manager staff code'), '1001');
      await user.type(within(override).getByLabelText('Manager PIN', { selector: 'input' }), '0000{Enter}');
      expect((await within(override).findByRole('alert')).textContent).toContain(
        'Staff code or PIN is wrong.',
      );
      await user.type(within(override).getByLabelText('Manager PIN', { selector: 'input' }), '1234{Enter}');
      await screen.findByText('Price changed (was €7.20)');
      expect(overridden).toBe(true);
      expect(node.inputs('staff-override').at(-1)).toEqual({
        managerCode: '1001',
        managerPin: '1234',
        action: 'price-override',
        reason: 'Damaged packaging',
      });
      expect(node.inputs('sale-override-price').map((input) => input.overrideId)).toEqual([
        undefined,
        'override-1',
      ]);
    });

    it('keeps the node sentence when the cashier cancels the override', async () => {
      const { user } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          scriptSale(n);
          n.handle('sale-void', () =>
            failure('OVERRIDE_REQUIRED', 'Voiding a sale needs a manager. Ask a manager to authorize it.', {
              action: 'sale-void',
            }),
          );
        },
      });
      await user.type(await scanField(), '4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      await user.click(screen.getByRole('button', { name: 'Void sale' }));
      const dialog = await screen.findByRole('dialog', { name: 'Void this sale' });
      await user.type(within(dialog).getByLabelText('Reason'), 'Customer left{Enter}');
      const override = await screen.findByRole('dialog', { name: 'Manager authorization' });
      await user.click(within(override).getByRole('button', { name: 'Cancel' }));
      expect((await within(dialog).findByRole('alert')).textContent).toContain(
        'Voiding a sale needs a manager.',
      );
    });
  });

  describe('tender', () => {
    it('takes cash with a quick amount, completes the sale, shows the change and prints the receipt', async () => {
      const { user, node, devices } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
      await user.type(await scanField(), '4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      await user.keyboard('{F10}');
      const tender = await screen.findByRole('region', { name: 'Payment' });
      expect(
        within(tender)
          .getAllByRole('button', { name: /^Cash / })
          .map((button) => button.textContent),
      ).toEqual(['€7.20', '€8.00', '€10.00', '€20.00', '€50.00']);
      await user.click(within(tender).getByRole('button', { name: 'Cash €20.00' }));
      expect(await screen.findByText('Change due: €12.80')).toBeTruthy();
      expect(node.inputs('sale-add-tender')).toEqual([
        { saleId: 'sale-1', tender: { type: 'cash', amount: 2000 } },
      ]);
      expect(node.inputs('sale-complete')).toEqual([{ saleId: 'sale-1' }]);
      // The node authorizes and audits the opening; the drawer is kicked with the grant it returned.
      expect(node.inputs('drawer-open')).toEqual([
        { registerId: 'main', reason: 'sale', reference: 'sale-1' },
      ]);
      expect(devices.drawerGrants).toEqual(['grant-1']);
      expect(await screen.findByTitle('Receipt S001-1-000001')).toBeTruthy();
      await user.click(screen.getByRole('button', { name: 'Print receipt' }));
      await waitFor(() => expect(devices.printed).toEqual(['<p>print S001-1-000001</p>']));
    });

    it('splits a sale between a card payment and cash', async () => {
      const { user, node, devices } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
      await user.type(await scanField(), '3*4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 3/ });
      await user.click(screen.getByRole('button', { name: /Pay/ }));
      const tender = await screen.findByRole('region', { name: 'Payment' });
      const amount = within(tender).getByLabelText('Card amount');
      await user.clear(amount);
      await user.type(amount, '10');
      await user.type(within(tender).getByLabelText('Terminal reference'), 'AUTH-778{Enter}');
      await waitFor(() => expect(within(tender).getByTestId('remaining').textContent).toBe('€11.60'));
      expect(within(tender).getByText('Card · AUTH-778')).toBeTruthy();
      await user.type(within(tender).getByLabelText('Cash handed over (empty = exact)'), '{Enter}');
      expect(await screen.findByText('No change due')).toBeTruthy();
      expect(node.inputs('sale-add-tender')).toEqual([
        { saleId: 'sale-1', tender: { type: 'card', amount: 1000, reference: 'AUTH-778' } },
        { saleId: 'sale-1', tender: { type: 'cash', amount: 1160 } },
      ]);
      expect(devices.drawerKicks).toBe(1);
    });

    it('asks a supervisor to approve discounts past the cashier limit when the sale completes', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          const sale = scriptSale(n);
          n.handle('sale-complete', (input) => {
            if (input.overrideId !== 'ov-discount') {
              return failure(
                'OVERRIDE_REQUIRED',
                'The discount on Smooth Bread family size is €7.20, more than the €0.72 (10%) allowed on that line as it now stands. Ask a supervisor or manager to approve it, or change the discount.',
                { action: 'discount-over-limit', scope: 'line', lineId: 'line-1' },
              );
            }
            return {
              ...sale.current()!,
              status: 'completed',
              receiptNumber: 'S001-1-000002',
              completedAt: AT,
            };
          });
          n.handle('staff-override', (input) => ({
            overrideId: 'ov-discount',
            action: input.action,
            managerId: 'staff-supervisor',
            managerName: 'Sam Supervisor',
            expiresAt: AT,
          }));
        },
      });
      await user.type(await scanField(), '4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      await user.keyboard('{F10}');
      const tender = await screen.findByRole('region', { name: 'Payment' });
      await user.click(within(tender).getByRole('button', { name: 'Cash €20.00' }));
      const override = await screen.findByRole('dialog', { name: 'Manager authorization' });
      expect(within(override).getByText(/more than the €0.72 \(10%\) allowed on that line/)).toBeTruthy();
      expect(
        within(override).getByText('For: discounts beyond your limit (a supervisor or manager approves)'),
      ).toBeTruthy();
      await user.type(within(override).getByLabelText('Manager staff code'), 'S1');
      await user.type(within(override).getByLabelText('Reason'), 'Customer kept one');
      await user.type(within(override).getByLabelText('Manager PIN', { selector: 'input' }), '2222{Enter}');
      expect(await screen.findByTitle('Receipt S001-1-000002')).toBeTruthy();
      expect(node.inputs('staff-override')).toEqual([
        { managerCode: 'S1', managerPin: '2222', action: 'discount-over-limit', reason: 'Customer kept one' },
      ]);
      expect(node.inputs('sale-complete')).toEqual([
        { saleId: 'sale-1' },
        { saleId: 'sale-1', overrideId: 'ov-discount' },
      ]);
    });

    it('completes a sale that costs nothing without a payment, and leaves the drawer shut', async () => {
      const { user, node, devices } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          const sale = scriptSale(n);
          n.handle('sale-complete', () => ({
            ...sale.current()!,
            status: 'completed',
            receiptNumber: 'S001-1-000003',
            completedAt: AT,
            tenders: [cashTender(0, 0, { tenderId: 'tender-zero' })],
          }));
        },
      });
      await user.type(await scanField(), '4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      await user.click(screen.getByRole('button', { name: 'Sale discount' }));
      const dialog = await screen.findByRole('dialog', { name: 'Discount on the whole sale' });
      await user.click(within(dialog).getByRole('radio', { name: 'Amount' }));
      await user.type(within(dialog).getByLabelText('Amount off'), '7.20{Enter}');
      await waitFor(() => expect(screen.getByTestId('sale-total').textContent).toBe('€0.00'));
      await user.keyboard('{F10}');
      const tender = await screen.findByRole('region', { name: 'Payment' });
      await user.click(within(tender).getByRole('button', { name: 'Complete sale' }));
      expect(await screen.findByTitle('Receipt S001-1-000003')).toBeTruthy();
      expect(node.inputs('sale-add-tender')).toEqual([]);
      expect(devices.drawerKicks).toBe(0);
    });
  });

  describe('sale discount', () => {
    it('takes an amount off the whole sale and removes it again', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
      await user.type(await scanField(), '2*4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 2/ });
      await user.click(screen.getByRole('button', { name: 'Sale discount' }));
      const dialog = await screen.findByRole('dialog', { name: 'Discount on the whole sale' });
      await user.click(within(dialog).getByRole('radio', { name: 'Amount' }));
      await user.type(within(dialog).getByLabelText('Amount off'), '1.50{Enter}');
      await waitFor(() => expect(screen.getByTestId('sale-total').textContent).toBe('€12.90'));
      expect(screen.getByText('Share of the sale discount')).toBeTruthy();
      await user.click(screen.getByRole('button', { name: 'Sale discount' }));
      const again = await screen.findByRole('dialog', { name: 'Discount on the whole sale' });
      await user.click(within(again).getByRole('button', { name: 'Remove the discount' }));
      await waitFor(() => expect(screen.getByTestId('sale-total').textContent).toBe('€14.40'));
      expect(node.inputs('sale-discount-order')).toEqual([
        { saleId: 'sale-1', discount: { amount: 150 } },
        { saleId: 'sale-1', discount: null },
      ]);
    });
  });

  describe('tender removal', () => {
    it('takes a card payment off again before the sale completes', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
      await user.type(await scanField(), '3*4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 3/ });
      await user.keyboard('{F10}');
      const tender = await screen.findByRole('region', { name: 'Payment' });
      const amount = within(tender).getByLabelText('Card amount');
      await user.clear(amount);
      await user.type(amount, '10');
      await user.type(within(tender).getByLabelText('Terminal reference'), 'AUTH-1{Enter}');
      await waitFor(() => expect(within(tender).getByTestId('remaining').textContent).toBe('€11.60'));
      await user.click(within(tender).getByRole('button', { name: 'Remove Card payment of €10.00' }));
      await waitFor(() => expect(within(tender).getByTestId('remaining').textContent).toBe('€21.60'));
      expect(within(tender).queryByRole('list', { name: 'Payments taken' })).toBeNull();
      expect(node.inputs('sale-remove-tender')).toEqual([{ saleId: 'sale-1', tenderId: 'tender-1' }]);
      expect(node.inputs('sale-complete')).toEqual([]);
    });
  });

  describe('price drop under a payment', () => {
    it('says which payment is now more than due and takes it off with one button', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
      await user.type(await scanField(), '4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      await user.keyboard('{F10}');
      const tender = await screen.findByRole('region', { name: 'Payment' });
      const amount = within(tender).getByLabelText('Card amount');
      await user.clear(amount);
      await user.type(amount, '5');
      await user.type(within(tender).getByLabelText('Terminal reference'), 'AUTH-1{Enter}');
      await waitFor(() => expect(within(tender).getByTestId('remaining').textContent).toBe('€2.20'));

      // A sale price starts: the bread is now €4.00, less than the €5.00 already on the card.
      const cheaper = saleLine({
        lineId: 'line-1',
        sku: BREAD.sku,
        name: BREAD.name,
        qty: 1,
        unitPrice: 400,
      });
      const card = { tenderId: 'tender-1', type: 'card' as const, change: 0, reference: 'AUTH-1' };
      node.handle('sale-get', (input) =>
        saleView([cheaper], {
          saleId: input.saleId,
          tenders: [{ ...card, tendered: 500, amount: 400, overTendered: 100 }],
          payment: {
            remaining: 0,
            cashDue: 0,
            change: 0,
            cashRounding: 0,
            complete: false,
            overTendered: { amount: 100, tenderIds: ['tender-1'], dueOnceRemoved: 400 },
          },
        }),
      );
      node.handle('sale-remove-tender', (input) => saleView([cheaper], { saleId: input.saleId }));
      node.notify('prices-changed', { at: AT });

      const notice = await screen.findByRole('alert', { name: 'Payments over the total' });
      expect(notice.textContent).toContain(
        'The price dropped: Card payment €5.00 is €1.00 more than due. Remove it and take €4.00.',
      );
      expect(screen.getByRole('button', { name: 'Smooth Bread family size, 1, €4.00' })).toBeTruthy();
      expect(within(tender).queryByRole('button', { name: 'Complete sale' })).toBeNull();

      await user.click(within(notice).getByRole('button', { name: 'Remove that payment' }));
      await waitFor(() =>
        expect(screen.queryByRole('alert', { name: 'Payments over the total' })).toBeNull(),
      );
      expect(node.inputs('sale-remove-tender')).toEqual([{ saleId: 'sale-1', tenderId: 'tender-1' }]);
      const payment = screen.getByRole('region', { name: 'Payment' });
      expect(within(payment).getByTestId('remaining').textContent).toBe('€4.00');
      expect((within(payment).getByLabelText('Card amount') as HTMLInputElement).value).toBe('4.00');
      expect(node.inputs('sale-complete')).toEqual([]);
    });
    it('names every payment to take off when several are over, and takes them all off', async () => {
      const line = saleLine({ lineId: 'line-1', sku: BREAD.sku, name: BREAD.name, qty: 1, unitPrice: 400 });
      const paid = { type: 'card' as const, change: 0, reference: 'AUTH-1' };
      const over = saleView([line], {
        tenders: [
          { ...paid, tenderId: 'tender-1', tendered: 300, amount: 300 },
          { ...paid, tenderId: 'tender-2', tendered: 300, amount: 100, overTendered: 200 },
          { ...paid, tenderId: 'tender-3', tendered: 200, amount: 0, overTendered: 200 },
        ],
        payment: {
          remaining: 0,
          cashDue: 0,
          change: 0,
          cashRounding: 0,
          complete: false,
          overTendered: { amount: 400, tenderIds: ['tender-2', 'tender-3'], dueOnceRemoved: 100 },
        },
      });
      let current = over;
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          scriptSale(n);
          n.handle('sale-current', () => ({ sale: current }));
          n.handle('sale-remove-tender', (input) => {
            const tenders = current.tenders.filter((tender) => tender.tenderId !== input.tenderId);
            current = saleView([line], {
              tenders: tenders.map((tender) => ({ ...tender, amount: tender.tendered })),
            });
            return current;
          });
        },
      });
      const notice = await screen.findByRole('alert', { name: 'Payments over the total' });
      expect(notice.textContent).toContain(
        'The price dropped: Card payment €3.00 and Card payment €2.00 are €4.00 more than due. Remove them and take €1.00.',
      );
      await user.click(within(notice).getByRole('button', { name: 'Remove those payments' }));
      await waitFor(() =>
        expect(screen.queryByRole('alert', { name: 'Payments over the total' })).toBeNull(),
      );
      expect(node.inputs('sale-remove-tender')).toEqual([
        { saleId: 'sale-1', tenderId: 'tender-2' },
        { saleId: 'sale-1', tenderId: 'tender-3' },
      ]);
      const payment = await screen.findByRole('region', { name: 'Payment' });
      expect(within(payment).getByTestId('remaining').textContent).toBe('€1.00');
    });
  });

  describe('park', () => {
    it('parks the sale with F8 and resumes it from the parked list', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          const sale = scriptSale(n);
          let parked: SaleView | null = null;
          n.handle('sale-park', () => {
            parked = { ...sale.current()!, status: 'parked' };
            return parked;
          });
          n.handle('sale-list-parked', () => ({
            sales: parked
              ? [
                  {
                    saleId: parked.saleId,
                    registerId: 'main',
                    staffId: 'staff-cashier',
                    parkedAt: AT,
                    lines: 1,
                    total: 720,
                  },
                ]
              : [],
          }));
          n.handle('sale-resume', () => ({ ...parked!, status: 'open' as const }));
        },
      });
      await user.type(await scanField(), '4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      await user.keyboard('{F8}');
      await screen.findByText('Scan an item to start a sale.');
      await user.click(screen.getByRole('button', { name: 'Parked sales' }));
      const dialog = await screen.findByRole('dialog', { name: 'Parked sales' });
      expect(within(dialog).getByText(/1 line · €7.20 · Till main/)).toBeTruthy();
      await user.click(within(dialog).getByRole('button', { name: 'Resume' }));
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      expect(node.inputs('sale-resume')).toEqual([{ saleId: 'sale-1', registerId: 'main' }]);
    });
  });

  describe('shift', () => {
    it('sends the cashier to open a shift when the register has none', async () => {
      const { user } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          scriptSale(n);
          n.handle('shift-current', () => ({ shift: null }));
        },
      });
      expect(
        await screen.findByText('Till main has no open shift. Open one with a float before selling.'),
      ).toBeTruthy();
      await user.click(screen.getByRole('button', { name: 'Open a shift' }));
      expect(await screen.findByRole('heading', { name: 'Shift · Till main' })).toBeTruthy();
    });
  });

  describe('exchange', () => {
    it('takes items of an earlier receipt back in the sale and lets their refund pay for it', async () => {
      const original = saleView([saleLine({ lineId: 'old-1', qty: 2 })], {
        saleId: 'sale-0',
        status: 'completed',
        receiptNumber: 'S001-1-000001',
        completedAt: AT,
      });
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          const sale = scriptSale(n);
          n.handle('sale-find', () => original);
          n.handle('sale-set-exchange', (input) => {
            const current = sale.current()!;
            return saleView(current.lines, {
              tenders: [
                {
                  tenderId: 'exchange-credit',
                  type: 'store_credit',
                  tendered: 720,
                  amount: 720,
                  change: 0,
                  reference: 'exchange:sale-1',
                },
              ],
              exchange: {
                receiptNumber: input.exchange!.receiptNumber,
                lines: [{ lineId: 'old-1', sku: 'SKU0000001', qty: 1, refund: 720 }],
                refund: 720,
                credit: 720,
                refundDue: 0,
              },
            });
          });
        },
      });
      await user.type(await scanField(), '4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      await user.click(screen.getByRole('button', { name: 'Exchange' }));
      const dialog = await screen.findByRole('dialog', { name: 'Exchange: items coming back' });
      await user.type(
        within(dialog).getByLabelText('Receipt number (scan the receipt barcode)'),
        'S001-1-000001{Enter}',
      );
      await user.type(
        await within(dialog).findByLabelText('Quantity of Smooth Bread family size coming back'),
        '{Backspace}1',
      );
      await user.selectOptions(
        within(dialog).getByLabelText('Condition of Smooth Bread family size'),
        'damaged',
      );
      await user.click(within(dialog).getByRole('button', { name: 'Take these back in this sale' }));
      expect(await screen.findByText('Returned from S001-1-000001')).toBeTruthy();
      expect(node.inputs('sale-set-exchange')).toEqual([
        {
          saleId: 'sale-1',
          exchange: {
            receiptNumber: 'S001-1-000001',
            lines: [{ lineId: 'old-1', qty: 1, disposition: 'damaged' }],
          },
        },
      ]);
      await user.keyboard('{F10}');
      const tender = await screen.findByRole('region', { name: 'Payment' });
      expect(within(tender).getByText('Exchange credit')).toBeTruthy();
      await user.click(within(tender).getByRole('button', { name: 'Complete sale' }));
      expect(await screen.findByText('No change due')).toBeTruthy();
    });
  });

  describe('exchange refund (issue 14, bug 4)', () => {
    it('says where a refund beyond the new items went: cash, points, the gift card and a new slip by its code', async () => {
      const { user } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          const sale = scriptSale(n);
          n.handle('sale-complete', () => ({
            ...sale.current()!,
            status: 'completed' as const,
            receiptNumber: 'S001-1-000003',
            completedAt: AT,
            tenders: [],
            exchange: {
              receiptNumber: 'S001-1-000001',
              lines: [{ lineId: 'old-1', sku: 'SKU0000001', qty: 1, refund: 1_353 }],
              refund: 1_353,
              credit: 720,
              refundDue: 633,
              returnReceiptNumber: 'S001-1-000002',
              refunds: [
                { type: 'loyalty_points' as const, amount: 152, points: 152, reference: null },
                { type: 'gift_card' as const, amount: 200, points: null, reference: '****4321' },
                { type: 'store_credit' as const, amount: 81, points: null, reference: 'SC-7K3M-Q9XD-2RTA' },
                { type: 'cash' as const, amount: 200, points: null, reference: null },
              ],
            },
          }));
        },
      });
      await user.type(await scanField(), '4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      await user.keyboard('{F10}');
      const tender = await screen.findByRole('region', { name: 'Payment' });
      await user.click(within(tender).getByRole('button', { name: 'Take cash' }));
      const refunds = await screen.findByRole('list', { name: 'How the refund goes back' });
      expect(
        within(refunds)
          .getAllByRole('listitem')
          .map((item) => item.textContent),
      ).toEqual([
        '152 points back to the member (€1.52)',
        '€2.00 back onto gift card ****4321',
        '€0.81 on store credit SC-7K3M-Q9XD-2RTA (printed on the receipt)',
        'Give €2.00 in cash',
      ]);
      expect(screen.getByText('Refund due to the customer: €6.33')).toBeTruthy();
      expect(screen.getByText('Return receipt S001-1-000002')).toBeTruthy();
    });
  });

  describe('post-void', () => {
    it('cancels the sale just completed once a manager authorizes it, listing what to give back', async () => {
      const { user, node, devices } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          const sale = scriptSale(n);
          n.handle('sale-post-void', (input) =>
            input.overrideId === 'ov-9'
              ? { ...sale.current()!, status: 'voided' as const }
              : failure(
                  'OVERRIDE_REQUIRED',
                  'Cancelling a completed sale needs a manager. Ask a manager to authorize it.',
                  {
                    action: 'sale-post-void',
                  },
                ),
          );
          n.handle('staff-override', (input) => ({
            overrideId: 'ov-9',
            action: input.action,
            managerId: 'm',
            managerName: 'Morgan Manager',
            expiresAt: AT,
          }));
        },
      });
      await user.type(await scanField(), '4000000000013{Enter}');
      await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
      await user.keyboard('{F10}');
      await user.click(
        within(await screen.findByRole('region', { name: 'Payment' })).getByRole('button', {
          name: 'Cash €10.00',
        }),
      );
      await user.click(await screen.findByRole('button', { name: 'Cancel this sale' }));
      const dialog = await screen.findByRole('dialog', { name: 'Cancel this sale' });
      await user.type(within(dialog).getByLabelText('Reason'), 'Rang up on the wrong customer{Enter}');
      const override = await screen.findByRole('dialog', { name: 'Manager authorization' });
      await user.type(within(override).getByLabelText('Manager staff code'), '1001');
      await user.type(within(override).getByLabelText('Manager PIN', { selector: 'input' }), '1234{Enter}');
      expect(await screen.findByText('Sale S001-1-000001 cancelled. Give back:')).toBeTruthy();
      expect(
        within(screen.getByRole('list', { name: 'Payments to give back' })).getByText('€7.20'),
      ).toBeTruthy();
      expect(node.inputs('sale-post-void').at(-1)).toEqual({
        saleId: 'sale-1',
        reason: 'Rang up on the wrong customer',
        overrideId: 'ov-9',
      });
      expect(devices.drawerKicks).toBe(2);
    });
  });
});

describe('sell-screen first-day fixes (issue 14)', () => {
  it('replaces the quantity a line had with what the cashier types after F6', async () => {
    const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
    await user.type(await scanField(), '4000000000013{Enter}');
    await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
    await user.keyboard('{F6}');
    await screen.findByRole('dialog', { name: 'Quantity of Smooth Bread family size' });
    await user.keyboard('3{Enter}');
    await screen.findByRole('button', { name: 'Smooth Bread family size, 3, €21.60' });
    expect(node.inputs('sale-set-qty')).toEqual([{ saleId: 'sale-1', lineId: 'line-1', qty: 3 }]);
  });

  it('replaces the old price with the one typed in the price dialog', async () => {
    const { user, node } = renderPos({
      signedInAs: 'manager',
      setup: (n) => {
        const sale = scriptSale(n);
        n.handle('sale-override-price', (input) =>
          saleView(
            sale
              .current()!
              .lines.map((line) =>
                saleLine({ ...line, unitPrice: input.unitPrice, extended: undefined, paid: undefined }),
              ),
          ),
        );
      },
    });
    await user.type(await scanField(), '4000000000013{Enter}');
    await user.click(await screen.findByRole('button', { name: /Smooth Bread family size, 1/ }));
    await user.click(screen.getByRole('button', { name: 'Change price' }));
    const dialog = await screen.findByRole('dialog', { name: 'New price for Smooth Bread family size' });
    await user.keyboard('5.00');
    await user.type(within(dialog).getByLabelText('Reason'), 'Damaged packaging{Enter}');
    await screen.findByRole('button', { name: 'Smooth Bread family size, 1, €5.00' });
    expect(node.inputs('sale-override-price')[0]).toMatchObject({ unitPrice: 500 });
  });

  it('opens a dialog without the failure of the last scan in it', async () => {
    const { user } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
    await user.type(await scanField(), '4000000000013{Enter}');
    await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
    await user.type(await scanField(), '999{Enter}');
    await screen.findByText(/Barcode 999 is not in this store's catalog/);
    await user.click(screen.getByRole('button', { name: 'Sale discount' }));
    const dialog = await screen.findByRole('dialog', { name: 'Discount on the whole sale' });
    expect(within(dialog).queryByRole('alert')).toBeNull();
  });
});

describe('sell-screen while the store node is unreachable (issue 14, bug 7)', () => {
  it('says at once which scan was not added, and stops claiming every event was sent', async () => {
    const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
    await user.type(await scanField(), '4000000000013{Enter}');
    await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
    const bar = screen.getByRole('status', { name: 'Sync status' });
    act(() => node.notify('sync-status', syncStatus({ agent: 'live', pendingEvents: 0 })));
    expect(within(bar).getByText('All events sent')).toBeTruthy();

    act(() => node.setConnection('offline'));
    await user.type(await scanField(), '4000000000020{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Not added: 4000000000020.');
    expect(alert.textContent).toContain('This till cannot reach the store node');
    expect(node.inputs('sale-add-line')).toHaveLength(1);
    expect(within(bar).queryByText('All events sent')).toBeNull();
    expect(
      within(bar).getByText('Hub and unsent events unknown until this till reaches the store node again'),
    ).toBeTruthy();
  });
});

describe('sell-screen shortcut keys (issue 14)', () => {
  it('opens customer, exchange, change price, sale discount and void with Shift and a function key', async () => {
    const { user } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptSale(n) });
    await user.type(await scanField(), '4000000000013{Enter}');
    await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
    const opens = async (keys: string, title: string) => {
      await user.keyboard(keys);
      await screen.findByRole('dialog', { name: title });
      await user.keyboard('{Escape}');
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    };
    await opens('{Shift>}{F1}{/Shift}', 'Customer');
    await opens('{Shift>}{F2}{/Shift}', 'Exchange: items coming back');
    await opens('{Shift>}{F6}{/Shift}', 'New price for Smooth Bread family size');
    await opens('{Shift>}{F7}{/Shift}', 'Discount on the whole sale');
    await opens('{Shift>}{F8}{/Shift}', 'Void this sale');
    await opens('{F7}', 'Discount on Smooth Bread family size');
    expect(screen.getByRole('button', { name: 'Sale discount' }).getAttribute('aria-keyshortcuts')).toBe(
      'Shift+F7',
    );
  });
});

describe('sell-screen reserved-for-pickup hint (issue 14)', () => {
  it('tells the cashier when the till’s copy shows the units sold as promised to pickup orders', async () => {
    let reserved = 2;
    const { user, node } = renderPos({
      signedInAs: 'cashier',
      setup: (n) => {
        scriptSale(n);
        n.handle('stock-levels', (input) => ({
          levels: input.skus.map((sku) => localStock({ sku, sellable: 2, reservedUnstaged: reserved })),
        }));
      },
    });
    await user.type(await scanField(), '4000000000013{Enter}');
    await screen.findByRole('button', { name: /Smooth Bread family size, 1/ });
    expect(
      (
        await screen.findByText(
          /this till’s copy shows 2 units of the 2 on the shelf promised to pickup orders/,
        )
      ).textContent,
    ).toContain('The sale goes on');
    expect(node.inputs('stock-levels')).toEqual([{ skus: [BREAD.sku] }]);

    reserved = 0;
    await user.type(await scanField(), '4000000000013{Enter}');
    await waitFor(() => expect(node.inputs('stock-levels')).toHaveLength(2));
    await waitFor(() => expect(screen.queryByText(/promised to pickup orders/)).toBeNull());
  });
});
