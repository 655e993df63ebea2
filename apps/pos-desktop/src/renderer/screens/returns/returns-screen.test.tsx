// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import {
  AT,
  catalogItem,
  customerSummary,
  returnView,
  saleLine,
  saleView,
  shift,
} from '../../testing/builders';
import { failure, type FakeNode } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';
import { ReturnsScreen } from './returns-screen';

const SOLD = saleView(
  [
    saleLine({ lineId: 'line-1', qty: 2, unitPrice: 720 }),
    saleLine({
      lineId: 'line-2',
      sku: 'SKU0000009',
      name: 'Spicy Rice (loose)',
      unit: 'kg',
      qty: 532,
      unitPrice: 450,
    }),
  ],
  { status: 'completed', receiptNumber: 'S001-1-000001', completedAt: AT },
);

function scriptReturns(node: FakeNode) {
  node.handle('shift-current', () => ({ shift: shift() }));
  node.handle('sale-find', (input) =>
    input.receiptNumber === 'S001-1-000001'
      ? SOLD
      : failure('NOT_FOUND', `There is no sale with receipt number ${input.receiptNumber} at this store.`),
  );
  node.handle('receipt-print', (input) => ({
    receipt: {
      kind: 'return',
      copy: false,
      voided: false,
      receiptNumber: input.receiptNumber,
      originalReceiptNumber: 'S001-1-000001',
      issuedAt: AT,
      currency: 'EUR',
      locale: 'en-IE',
      timezone: 'Europe/Dublin',
      store: { code: 'S001', name: 'Demo store' },
      deviceNo: 1,
      staffName: null,
      lines: [],
      totals: { subtotal: 0, discount: 0, tax: 0, total: 0, cashRounding: 0, change: 0 },
      taxes: [],
      payments: [],
      promotions: [],
      loyalty: null,
      notes: [],
      barcode: { symbology: 'code128', value: input.receiptNumber },
    },
    html: `<p>${input.receiptNumber}</p>`,
    printNo: 1,
  }));
}

describe('returns-screen', () => {
  describe('with a receipt', () => {
    it('finds the sale by its scanned receipt barcode, returns the chosen lines and refunds as the node decides', async () => {
      const { user, node, devices } = renderPos({
        signedInAs: 'cashier',
        ui: <ReturnsScreen />,
        setup: (n) => {
          scriptReturns(n);
          n.handle('return-create', () =>
            returnView({
              total: 720,
              refunds: [
                { tenderId: 'r-1', type: 'cash', amount: 500, reference: null, originalTenderId: 't-1' },
                {
                  tenderId: 'r-2',
                  type: 'store_credit',
                  amount: 220,
                  reference: 'SC-1',
                  originalTenderId: 't-2',
                },
              ],
              notes: ['The hub is offline, so the card share goes back as store credit.'],
            }),
          );
        },
      });
      await user.type(
        screen.getByLabelText('Receipt number (scan the receipt barcode)'),
        'S001-1-000001{Enter}',
      );
      const items = await screen.findByRole('list', { name: 'Items' });
      expect(within(items).getByText('sold 2, paid €14.40')).toBeTruthy();
      await user.type(
        within(items).getByLabelText('Quantity of Smooth Bread family size coming back'),
        '{Backspace}1',
      );
      await user.selectOptions(
        within(items).getByLabelText('Condition of Smooth Bread family size'),
        'damaged',
      );
      await user.click(within(items).getByRole('button', { name: 'Return all of Spicy Rice (loose)' }));
      expect(
        (within(items).getByLabelText('Quantity of Spicy Rice (loose) coming back') as HTMLInputElement)
          .value,
      ).toBe('0.532');
      await user.click(screen.getByRole('button', { name: 'Return the chosen items' }));
      expect(await screen.findByText('Refund €7.20 · return receipt S001-1-000002')).toBeTruthy();
      expect(node.inputs('return-create')).toEqual([
        {
          registerId: 'main',
          receiptNumber: 'S001-1-000001',
          lines: [
            { lineId: 'line-1', qty: 1, disposition: 'damaged' },
            { lineId: 'line-2', qty: 532, disposition: 'sellable' },
          ],
        },
      ]);
      const refunds = screen.getByRole('list', { name: 'Refunds' });
      expect(within(refunds).getByText('Store credit · SC-1')).toBeTruthy();
      expect(
        screen.getByText('The hub is offline, so the card share goes back as store credit.'),
      ).toBeTruthy();
      expect(devices.drawerKicks).toBe(1);
      expect(node.inputs('drawer-open')).toEqual([
        { registerId: 'main', reason: 'refund', reference: expect.any(String) },
      ]);
      await user.click(screen.getByRole('button', { name: 'Print receipt' }));
      await waitFor(() => expect(devices.printed).toEqual(['<p>S001-1-000002</p>']));
    });

    it('issues the store credit to a customer found by phone and shows the slip code to hand over', async () => {
      const robin = customerSummary({
        customerId: 'cust-robin',
        name: 'Robin Credit',
        phone: '+353861112299',
      });
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <ReturnsScreen />,
        setup: (n) => {
          scriptReturns(n);
          n.handle('customer-find', () => ({ source: 'hub', customers: [robin], note: null }));
          n.handle('return-create', () =>
            returnView({
              total: 720,
              refunds: [
                {
                  tenderId: 'r-1',
                  type: 'store_credit',
                  amount: 720,
                  reference: 'SC-7K3M-Q9TX-2HDW',
                  originalTenderId: 't-1',
                },
              ],
            }),
          );
        },
      });
      await user.type(
        screen.getByLabelText('Receipt number (scan the receipt barcode)'),
        'S001-1-000001{Enter}',
      );
      const items = await screen.findByRole('list', { name: 'Items' });
      await user.type(
        within(items).getByLabelText('Quantity of Smooth Bread family size coming back'),
        '{Backspace}1',
      );
      const owner = screen.getByRole('group', { name: 'Store credit for a customer (optional)' });
      await user.type(
        within(owner).getByLabelText('Customer’s phone, email or loyalty card'),
        '0861112299{Enter}',
      );
      await user.click(await screen.findByRole('button', { name: /^Store credit to Robin Credit/ }));
      expect(screen.getByRole('status').textContent).toBe(
        'Store credit from this return goes to Robin Credit',
      );
      await user.click(screen.getByRole('button', { name: 'Return the chosen items' }));
      expect(
        await screen.findByText(
          'Store credit slip SC-7K3M-Q9TX-2HDW for €7.20, for Robin Credit: hand the printed slip to the customer.',
        ),
      ).toBeTruthy();
      expect(node.inputs('customer-find')).toEqual([{ query: '0861112299' }]);
      expect(node.inputs('return-create')).toEqual([
        {
          registerId: 'main',
          receiptNumber: 'S001-1-000001',
          lines: [{ lineId: 'line-1', qty: 1, disposition: 'sellable' }],
          customerId: 'cust-robin',
        },
      ]);
    });

    it('shows the node sentence when more comes back than was sold', async () => {
      const { user } = renderPos({
        signedInAs: 'cashier',
        ui: <ReturnsScreen />,
        setup: (n) => {
          scriptReturns(n);
          n.handle('return-create', () =>
            failure(
              'RETURN_EXCEEDS_SOLD',
              'You can return at most 1 of SKU0000001: 2 sold, 1 already returned.',
            ),
          );
        },
      });
      await user.type(
        screen.getByLabelText('Receipt number (scan the receipt barcode)'),
        'S001-1-000001{Enter}',
      );
      await user.click(await screen.findByRole('button', { name: 'Return all of Smooth Bread family size' }));
      await user.click(screen.getByRole('button', { name: 'Return the chosen items' }));
      expect((await screen.findByRole('alert')).textContent).toContain(
        'You can return at most 1 of SKU0000001',
      );
    });

    it('returns a sale another store made, as the hub answered for it, within what is still returnable', async () => {
      const elsewhere = {
        ...saleView([saleLine({ lineId: 'hub-line-1', qty: 3, unitPrice: 500 })], {
          status: 'completed',
          receiptNumber: 'S002-1-000042',
          completedAt: AT,
        }),
        soldAt: { storeId: 'store-b', source: 'hub' as const },
      };
      elsewhere.lines = elsewhere.lines.map((line) => ({ ...line, returnableQty: 2 }));
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <ReturnsScreen />,
        setup: (n) => {
          scriptReturns(n);
          n.handle('sale-find', () => elsewhere);
          n.handle('return-create', () =>
            returnView({
              originalReceiptNumber: 'S002-1-000042',
              total: 1000,
              refunds: [
                { tenderId: 'r-1', type: 'card', amount: 1000, reference: null, originalTenderId: 't-9' },
              ],
            }),
          );
        },
      });
      await user.type(
        screen.getByLabelText('Receipt number (scan the receipt barcode)'),
        'S002-1-000042{Enter}',
      );
      expect((await screen.findByRole('note')).textContent).toContain('Sold at store store-b');
      const items = screen.getByRole('list', { name: 'Items' });
      expect(within(items).getByText('sold 3, paid €15.00, 2 can still come back')).toBeTruthy();
      await user.click(within(items).getByRole('button', { name: 'Return all of Smooth Bread family size' }));
      await user.click(screen.getByRole('button', { name: 'Return the chosen items' }));
      expect(await screen.findByText(/Refund €10\.00/)).toBeTruthy();
      expect(node.inputs('return-create')).toEqual([
        {
          registerId: 'main',
          receiptNumber: 'S002-1-000042',
          lines: [{ lineId: 'hub-line-1', qty: 2, disposition: 'sellable' }],
        },
      ]);
    });

    it('says when no sale has that receipt number', async () => {
      const { user } = renderPos({ signedInAs: 'cashier', ui: <ReturnsScreen />, setup: scriptReturns });
      await user.type(
        screen.getByLabelText('Receipt number (scan the receipt barcode)'),
        'S001-1-999999{Enter}',
      );
      expect((await screen.findByRole('alert')).textContent).toContain(
        'There is no sale with receipt number S001-1-999999 at this store.',
      );
    });
  });

  describe('without a receipt', () => {
    it('carries the receipt number the hub could not be asked about into the no-receipt return', async () => {
      const { user, node } = renderPos({
        signedInAs: 'manager',
        ui: <ReturnsScreen />,
        setup: (n) => {
          scriptReturns(n);
          n.handle('sale-find', (input) =>
            failure(
              'NOT_FOUND',
              `Receipt ${input.receiptNumber} is not on this till and the hub is offline. Take the items back as a return without a receipt.`,
              { hubUnreachable: true },
            ),
          );
          n.handle('catalog-scan', (input) => ({
            item: catalogItem(),
            scan: { kind: 'gtin', key: input.code, weightGrams: null, embeddedPrice: null },
          }));
          n.handle('return-without-receipt', () =>
            returnView({
              originalSaleId: null,
              originalReceiptNumber: 'S002-1-000042',
              refunds: [
                {
                  tenderId: 'r-1',
                  type: 'store_credit',
                  amount: 650,
                  reference: 'SC-9',
                  originalTenderId: null,
                },
              ],
              total: 650,
            }),
          );
        },
      });
      await user.type(
        screen.getByLabelText('Receipt number (scan the receipt barcode)'),
        'S002-1-000042{Enter}',
      );
      expect((await screen.findByRole('alert')).textContent).toContain('the hub is offline');
      await user.click(screen.getByRole('button', { name: 'Return without a receipt' }));
      expect(
        (screen.getByLabelText('Receipt number the customer brought (if any)') as HTMLInputElement).value,
      ).toBe('S002-1-000042');
      await user.type(
        screen.getByRole('combobox', { name: 'Scan or search the item' }),
        '4000000000013{Enter}',
      );
      await within(await screen.findByRole('list', { name: 'Items' })).findByText('Smooth Bread family size');
      await user.type(screen.getByLabelText('Reason'), 'Hub offline');
      await user.click(screen.getByRole('button', { name: 'Return without receipt' }));
      expect(await screen.findByText(/Refund €6\.50/)).toBeTruthy();
      expect(node.inputs('return-without-receipt').at(-1)).toMatchObject({
        reason: 'Hub offline',
        originalReceiptNumber: 'S002-1-000042',
      });
    });

    it('needs a manager override and refunds store credit', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <ReturnsScreen />,
        setup: (n) => {
          scriptReturns(n);
          n.handle('catalog-scan', (input) => ({
            item: catalogItem(),
            scan: { kind: 'gtin', key: input.code, weightGrams: null, embeddedPrice: null },
          }));
          n.handle('return-without-receipt', (input) =>
            input.overrideId === undefined
              ? failure(
                  'OVERRIDE_REQUIRED',
                  'A return without a receipt needs a manager. Ask a manager to authorize it.',
                  {
                    action: 'return-without-receipt',
                  },
                )
              : returnView({
                  originalSaleId: null,
                  originalReceiptNumber: null,
                  refunds: [
                    {
                      tenderId: 'r-1',
                      type: 'store_credit',
                      amount: 650,
                      reference: 'SC-9',
                      originalTenderId: null,
                    },
                  ],
                  total: 650,
                }),
          );
          n.handle('staff-override', (input) => ({
            overrideId: 'ov-7',
            action: input.action,
            managerId: 'staff-manager',
            managerName: 'Morgan Manager',
            expiresAt: AT,
          }));
        },
      });
      await user.click(screen.getByRole('button', { name: 'Return without a receipt' }));
      await user.type(
        screen.getByRole('combobox', { name: 'Scan or search the item' }),
        '4000000000013{Enter}',
      );
      const items = await screen.findByRole('list', { name: 'Items' });
      await within(items).findByText('Smooth Bread family size');
      await user.type(screen.getByLabelText('Reason'), 'Gift, no receipt');
      await user.click(screen.getByRole('button', { name: 'Return without receipt' }));
      const dialog = await screen.findByRole('dialog', { name: 'Manager authorization' });
      expect((within(dialog).getByLabelText('Reason') as HTMLInputElement).value).toBe('Gift, no receipt');
      await user.type(within(dialog).getByLabelText('Manager staff code'), '1001');
      await user.type(within(dialog).getByLabelText('Manager PIN', { selector: 'input' }), '1234{Enter}');
      expect(await screen.findByText('Refund €6.50 · return receipt S001-1-000002')).toBeTruthy();
      expect(node.inputs('return-without-receipt').at(-1)).toEqual({
        registerId: 'main',
        lines: [{ sku: 'SKU0000001', qty: 1, disposition: 'sellable' }],
        reason: 'Gift, no receipt',
        overrideId: 'ov-7',
      });
    });
  });
});
