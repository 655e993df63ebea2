// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { failure } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';
import { ReturnsScreen } from './returns-screen';

const RETURNABLE = {
  orderNumber: 'W-77',
  customerName: 'Ada Lovelace',
  lines: [
    {
      lineId: 'l1',
      sku: 'SKU0000001',
      name: 'Smooth Bread family size',
      unit: 'each' as const,
      delivered: 2,
      returned: 1,
      returnable: 1,
    },
    {
      lineId: 'l2',
      sku: 'SKU0000002',
      name: 'Smooth Bread 6 pack',
      unit: 'each' as const,
      delivered: 1,
      returned: 1,
      returnable: 0,
    },
  ],
};

describe('online-order-return', () => {
  it('says why an order cannot be looked up next to the number (offline), then returns within what the hub allows and prints the slip', async () => {
    let online = false;
    const { user, node, devices } = renderPos({
      signedInAs: 'cashier',
      ui: <ReturnsScreen />,
      setup: (n) => {
        n.handle('order-return-lookup', () =>
          online
            ? RETURNABLE
            : failure(
                'HUB_UNAVAILABLE',
                'Online orders are returned through the hub, and this till cannot reach it right now. Try again when the till is back online; order W-77 cannot be looked up offline.',
              ),
        );
        n.handle('order-return-create', (input) => ({
          returnId: input.returnId,
          orderNumber: 'W-77',
          lines: [
            {
              lineId: 'l1',
              sku: 'SKU0000001',
              name: 'Smooth Bread family size',
              unit: 'each',
              qty: 1,
              disposition: 'damaged',
              refund: 1500,
            },
          ],
          refundAmount: 1500,
          refundMethod: 'card',
          recordedAt: '2026-11-23T10:00:00.000Z',
        }));
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Online order return' }));
    const number = screen.getByLabelText('Online order number');
    await user.type(number, 'W-77{Enter}');
    const offline = await screen.findByText(/cannot be looked up offline/);
    expect(number.getAttribute('aria-describedby')).toBe(offline.id);

    online = true;
    await user.click(screen.getByRole('button', { name: 'Find order' }));
    expect(await screen.findByText('Order W-77 for Ada Lovelace')).toBeTruthy();
    const lines = screen.getByRole('list', { name: 'Order lines' });
    const sixPack = within(lines).getByRole('listitem', { name: 'Smooth Bread 6 pack' });
    // Nothing of a line returned in full can be chosen.
    expect(within(sixPack).queryByRole('textbox')).toBeNull();
    expect(within(sixPack).getByText('1 received · 1 returned already · 0 may come back')).toBeTruthy();

    const qty = screen.getByLabelText('Units of Smooth Bread family size to return');
    await user.clear(qty);
    await user.type(qty, '2');
    await user.click(screen.getByRole('button', { name: 'Return and refund' }));
    const tooMany = await screen.findByText('Enter a whole number from 0 to 1.');
    expect(qty.getAttribute('aria-describedby')).toBe(tooMany.id);
    expect(node.inputs('order-return-create')).toEqual([]);

    await user.clear(qty);
    await user.type(qty, '1');
    await user.click(screen.getByRole('radio', { name: 'Damaged' }));
    await user.click(screen.getByRole('button', { name: 'Return and refund' }));
    expect(
      await screen.findByText(
        /goes back to the card the order was paid with\. Nothing is paid out of the drawer\./,
      ),
    ).toBeTruthy();
    const sent = node.inputs('order-return-create');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      orderNumber: 'W-77',
      lines: [{ lineId: 'l1', qty: 1, disposition: 'damaged' }],
    });
    expect(sent[0]!.returnId).toMatch(/^[0-9a-f-]{36}$/);

    await user.click(screen.getByRole('button', { name: 'Print slip for the customer' }));
    expect(devices.printed).toHaveLength(1);
    expect(devices.printed[0]).toContain('Return of online order W-77');
    expect(devices.printed[0]).toContain('Smooth Bread family size × 1 (damaged)');
  });

  it('keeps the same return id when the hub did not confirm and the cashier presses Return again', async () => {
    let attempts = 0;
    const { user, node } = renderPos({
      signedInAs: 'cashier',
      ui: <ReturnsScreen />,
      setup: (n) => {
        n.handle('order-return-lookup', () => RETURNABLE);
        n.handle('order-return-create', (input) => {
          attempts += 1;
          if (attempts === 1)
            return failure('HUB_UNAVAILABLE', 'The hub did not confirm the return of order W-77.');
          return {
            returnId: input.returnId,
            orderNumber: 'W-77',
            lines: [],
            refundAmount: 0,
            refundMethod: 'manual',
            recordedAt: '2026-11-23T10:00:00.000Z',
          };
        });
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Online order return' }));
    await user.type(screen.getByLabelText('Online order number'), 'W-77{Enter}');
    const qty = await screen.findByLabelText('Units of Smooth Bread family size to return');
    await user.clear(qty);
    await user.type(qty, '1');
    await user.click(screen.getByRole('button', { name: 'Return and refund' }));
    const refusal = await screen.findByText('The hub did not confirm the return of order W-77.');
    expect(screen.getByRole('button', { name: 'Return and refund' }).getAttribute('aria-describedby')).toBe(
      refusal.id,
    );
    await user.click(screen.getByRole('button', { name: 'Return and refund' }));
    expect(await screen.findByText('Order W-77: return recorded')).toBeTruthy();
    const ids = node.inputs('order-return-create').map((input) => input.returnId);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
  });
});
