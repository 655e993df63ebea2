// @vitest-environment happy-dom
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { catalogItem, localStock } from '../../testing/builders';
import { failure, type FakeNode } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';
import { StockScreen } from './stock-screen';

const BREAD = catalogItem();

function scriptStock(node: FakeNode, sellable = { value: 40 }) {
  node.handle('catalog-scan', (input) => ({
    item: BREAD,
    scan: { kind: 'gtin', key: input.code, weightGrams: null, embeddedPrice: null },
  }));
  node.handle('catalog-search', () => ({ items: [BREAD] }));
  node.handle('stock-levels', (input) => ({
    levels: input.skus.map((sku) => localStock({ sku, sellable: sellable.value, onHand: sellable.value })),
  }));
}

describe('stock-screen', () => {
  describe('receive', () => {
    it('receives a supplier delivery of scanned items and shows the new local stock', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <StockScreen />,
        setup: (n) => {
          scriptStock(n);
          n.handle('stock-receive', (input) => ({
            receiptId: 'rcpt-1',
            levels: input.lines.map((line) =>
              localStock({ sku: line.sku, sellable: 40 + line.qty, onHand: 40 + line.qty }),
            ),
          }));
        },
      });
      await user.type(screen.getByLabelText('Delivery note or transfer number'), 'DN-4471');
      const picker = screen.getByRole('combobox', { name: 'Scan or search an item' });
      await user.type(picker, '4000000000013{Enter}');
      await user.type(picker, '4000000000013{Enter}');
      const items = await screen.findByRole('list', { name: 'Items' });
      await waitFor(() =>
        expect(
          (within(items).getByLabelText('Quantity of Smooth Bread family size') as HTMLInputElement).value,
        ).toBe('2'),
      );
      expect((await within(items).findByTestId('level-SKU0000001')).textContent).toBe(
        'sellable 40 · on hand 40 · available 38',
      );
      await user.selectOptions(
        within(items).getByLabelText('Stock bucket of Smooth Bread family size'),
        'quality_control',
      );
      await user.click(screen.getByRole('button', { name: 'Receive' }));
      expect(await screen.findByText('Received 1 item.')).toBeTruthy();
      expect(node.inputs('stock-receive')).toEqual([
        {
          source: { type: 'supplier', reference: 'DN-4471' },
          lines: [{ sku: 'SKU0000001', qty: 2, bucket: 'quality_control' }],
        },
      ]);
    });

    it('asks for the delivery reference before sending anything', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <StockScreen />,
        setup: (n) => scriptStock(n),
      });
      await user.type(
        screen.getByRole('combobox', { name: 'Scan or search an item' }),
        '4000000000013{Enter}',
      );
      await screen.findByRole('list', { name: 'Items' });
      await user.click(screen.getByRole('button', { name: 'Receive' }));
      expect((await screen.findByRole('alert')).textContent).toContain(
        'Enter the delivery note or transfer number.',
      );
      expect(node.inputs('stock-receive')).toEqual([]);
    });
  });

  describe('adjust', () => {
    it('removes damaged stock with a reason, and shows the role sentence for a cashier', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <StockScreen />,
        setup: (n) => {
          scriptStock(n);
          n.handle('stock-adjust', () =>
            failure('FORBIDDEN', 'Only a supervisor or above can do this; you are signed in as a cashier.'),
          );
        },
      });
      await user.click(screen.getByRole('tab', { name: 'Adjust' }));
      await user.type(screen.getByLabelText('Reason (breakage, theft, found stock…)'), 'Dropped crate');
      await user.type(
        screen.getByRole('combobox', { name: 'Scan or search an item' }),
        '4000000000013{Enter}',
      );
      const items = await screen.findByRole('list', { name: 'Items' });
      const qty = within(items).getByLabelText('Quantity of Smooth Bread family size');
      await user.clear(qty);
      await user.type(qty, '3');
      await user.click(screen.getByRole('button', { name: 'Adjust stock' }));
      expect((await screen.findByRole('alert')).textContent).toContain(
        'Only a supervisor or above can do this',
      );
      expect(node.inputs('stock-adjust')).toEqual([
        { reason: 'Dropped crate', lines: [{ sku: 'SKU0000001', bucket: 'sellable', delta: -3 }] },
      ]);
    });
  });

  describe('count', () => {
    it('sends the expected figure with the count and keeps it live with stock notifications', async () => {
      const sellable = { value: 40 };
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <StockScreen />,
        setup: (n) => {
          scriptStock(n, sellable);
          n.handle('stock-count', (input) =>
            input.expectedQty === sellable.value
              ? {
                  countId: 'count-1',
                  difference: input.countedQty - input.expectedQty,
                  level: localStock({ sku: input.sku, sellable: input.countedQty }),
                }
              : failure(
                  'CONFLICT',
                  'Stock of SKU0000001 changed while you were counting: the till now expects 39. Count again.',
                ),
          );
        },
      });
      await user.click(screen.getByRole('tab', { name: 'Count' }));
      await user.type(
        screen.getByRole('combobox', { name: 'Scan or search the item counted' }),
        '4000000000013{Enter}',
      );
      expect((await screen.findByTestId('expected-qty')).textContent).toBe('The till expects 40');
      const counted = screen.getByLabelText('Counted');
      await user.clear(counted);
      await user.type(counted, '37');
      await user.click(screen.getByRole('button', { name: 'Record count' }));
      expect(await screen.findByText('Count of SKU0000001 recorded (difference -3).')).toBeTruthy();
      expect(node.inputs('stock-count')).toEqual([
        { sku: 'SKU0000001', bucket: 'sellable', expectedQty: 40, countedQty: 37 },
      ]);
      sellable.value = 39;
      act(() => node.notify('stock-changed', { levels: [localStock({ sku: 'SKU0000001', sellable: 39 })] }));
      expect(screen.getByTestId('expected-qty').textContent).toBe('The till expects 39');
    });
  });

  describe('count write-off', () => {
    it('asks a supervisor when a cashier writes off more than the store allows, then records the count', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <StockScreen />,
        setup: (n) => {
          scriptStock(n);
          n.handle('stock-count', (input) =>
            input.overrideId === 'ov-count'
              ? {
                  countId: 'count-1',
                  difference: input.countedQty - input.expectedQty,
                  level: localStock({ sku: input.sku, sellable: input.countedQty }),
                }
              : failure(
                  'OVERRIDE_REQUIRED',
                  'This count writes off 40 of Smooth Bread family size (SKU0000001), worth €288.00; a cashier may write off up to €50.00 in one count. Ask a supervisor or manager to authorize it.',
                  { action: 'stock-count-write-off' },
                ),
          );
          n.handle('staff-override', (input) => ({
            overrideId: 'ov-count',
            action: input.action,
            managerId: 'staff-supervisor',
            managerName: 'Sam Supervisor',
            expiresAt: '2026-11-23T10:00:00.000Z',
          }));
        },
      });
      await user.click(screen.getByRole('tab', { name: 'Count' }));
      await user.type(
        screen.getByRole('combobox', { name: 'Scan or search the item counted' }),
        '4000000000013{Enter}',
      );
      await screen.findByTestId('expected-qty');
      const counted = screen.getByLabelText('Counted');
      await user.clear(counted);
      await user.type(counted, '0');
      await user.click(screen.getByRole('button', { name: 'Record count' }));
      const override = await screen.findByRole('dialog', { name: 'Manager authorization' });
      expect(within(override).getByText(/a cashier may write off up to €50.00 in one count/)).toBeTruthy();
      await user.type(within(override).getByLabelText('Manager staff code'), 'S1');
      await user.type(within(override).getByLabelText('Reason'), 'Mouldy batch');
      await user.type(within(override).getByLabelText('Manager PIN', { selector: 'input' }), '2222{Enter}');
      expect(await screen.findByText('Count of SKU0000001 recorded (difference -40).')).toBeTruthy();
      expect(node.inputs('stock-count').map((input) => input.overrideId)).toEqual([undefined, 'ov-count']);
      expect(node.inputs('staff-override')).toEqual([
        { managerCode: 'S1', managerPin: '2222', action: 'stock-count-write-off', reason: 'Mouldy batch' },
      ]);
    });
  });

  describe('transfer', () => {
    it('receives a transfer from another node by its number, and asks for the number first', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <StockScreen />,
        setup: (n) => {
          scriptStock(n);
          n.handle('stock-transfer-in', (input) => ({
            receiptId: 'rcpt-2',
            levels: input.lines.map((line) => localStock({ sku: line.sku, sellable: 40 + line.qty })),
          }));
        },
      });
      await user.click(screen.getByRole('tab', { name: 'Transfer in' }));
      const picker = screen.getByRole('combobox', { name: 'Scan or search an item' });
      for (let scan = 0; scan < 3; scan += 1) await user.type(picker, '4000000000013{Enter}');
      const items = await screen.findByRole('list', { name: 'Items' });
      await waitFor(() =>
        expect(
          (within(items).getByLabelText('Quantity of Smooth Bread family size') as HTMLInputElement).value,
        ).toBe('3'),
      );
      await user.click(screen.getByRole('button', { name: 'Receive transfer' }));
      expect((await screen.findByRole('alert')).textContent).toContain('Enter the transfer number.');
      expect(node.inputs('stock-transfer-in')).toEqual([]);
      await user.type(screen.getByLabelText('Transfer number'), 'TR-0042');
      await user.click(screen.getByRole('button', { name: 'Receive transfer' }));
      expect(await screen.findByText('Received transfer TR-0042 (1 item).')).toBeTruthy();
      expect(node.inputs('stock-transfer-in')).toEqual([
        { transferId: 'TR-0042', lines: [{ sku: 'SKU0000001', qty: 3 }] },
      ]);
    });

    it('sends stock to a store picked by code and name, shows the transfer number to pass on and prints its slip (issue 14, bug 12)', async () => {
      const { user, node, devices } = renderPos({
        signedInAs: 'cashier',
        ui: <StockScreen />,
        setup: (n) => {
          scriptStock(n);
          n.handle('stock-destinations', () => ({
            nodes: [
              { nodeId: 'store-2', code: 'S002', name: 'Store 2' },
              { nodeId: 'wh-1', code: 'W001', name: 'Central warehouse' },
            ],
          }));
          n.handle('stock-transfer-out', (input) => ({
            transferId: 'T-S001-1-000042',
            shippedAt: '2026-11-23T14:05:00.000Z',
            to: { nodeId: 'store-2', code: 'S002', name: 'Store 2' },
            lines: input.lines.map((line) => ({
              sku: line.sku,
              name: 'Smooth Bread family size',
              unit: 'each' as const,
              qty: line.qty,
            })),
            levels: input.lines.map((line) => localStock({ sku: line.sku })),
          }));
        },
      });
      await user.click(screen.getByRole('tab', { name: 'Transfer out' }));
      const destination = screen.getByLabelText('Destination store or warehouse');
      await within(destination).findByRole('option', { name: 'S002 · Store 2' });
      await user.selectOptions(destination, 'S002 · Store 2');
      await user.type(screen.getByRole('combobox', { name: 'Scan or search an item' }), 'bread');
      await user.click(await screen.findByRole('option', { name: /Smooth Bread family size/ }));
      await user.click(screen.getByRole('button', { name: 'Send transfer' }));
      expect(await screen.findByText('Sent 1 item to Store 2 (S002).')).toBeTruthy();
      const number = screen.getByRole('status', { name: 'Transfer number' });
      expect(number.textContent).toContain('Transfer number for Store 2 (S002):');
      expect(number.textContent).toContain('T-S001-1-000042');
      expect(number.textContent).toContain('Stock → Transfer in');
      // The slip goes with the goods, printed on the receipt printer as the X and Z reports are.
      await user.click(within(number).getByRole('button', { name: 'Print transfer slip' }));
      await waitFor(() => expect(devices.printed).toHaveLength(1));
      for (const text of [
        'Stock transfer',
        'T-S001-1-000042',
        'To Store 2 (S002)',
        'Smooth Bread family size',
        'SKU0000001',
      ])
        expect(devices.printed[0]).toContain(text);
      expect(node.inputs('stock-transfer-out')).toEqual([
        { toNodeId: 'store-2', lines: [{ sku: 'SKU0000001', qty: 1 }] },
      ]);
    });
  });
});
