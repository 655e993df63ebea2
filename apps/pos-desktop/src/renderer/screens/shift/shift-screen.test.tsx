// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ShiftSummary } from '../../../shared/commands';
import { AT, shift, xReport, zReport } from '../../testing/builders';
import { failure, type FakeNode } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';
import { ShiftScreen } from './shift-screen';

function scriptShift(node: FakeNode, open: ShiftSummary | null) {
  let current = open;
  node.handle('shift-current', () => ({ shift: current }));
  node.handle('shift-open', (input) => {
    current = shift({ float: input.float, registerId: input.registerId });
    return current;
  });
  node.handle('shift-x-report', () => xReport());
  node.handle('shift-close', () => {
    current = null;
    return zReport();
  });
  node.handle('shift-cash-in', (input) => ({
    movementId: 'm-1',
    shiftId: 'shift-1',
    direction: 'in',
    amount: input.amount,
    reason: input.reason,
    staffId: 'staff-cashier',
    overrideId: null,
    movedAt: AT,
  }));
}

describe('shift-screen', () => {
  describe('open', () => {
    it('opens a shift with the float typed in the store currency', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <ShiftScreen />,
        setup: (n) => scriptShift(n, null),
      });
      await user.type(await screen.findByLabelText('Opening float'), '150,00{Enter}');
      expect(await screen.findByText('Open since 23/11/2026, 10:00 with a float of €150.00.')).toBeTruthy();
      expect(node.inputs('shift-open')).toEqual([{ registerId: 'main', float: 15000 }]);
    });

    it('refuses a float that is not an amount without sending it', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <ShiftScreen />,
        setup: (n) => scriptShift(n, null),
      });
      await user.type(await screen.findByLabelText('Opening float'), '1.2.3{Enter}');
      expect((await screen.findByRole('alert')).textContent).toContain('Enter an amount such as 12.50.');
      expect(node.inputs('shift-open')).toEqual([]);
    });
  });

  describe('cash', () => {
    it('records cash in, and a pay-out above the limit once a manager authorizes it', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <ShiftScreen />,
        setup: (n) => {
          scriptShift(n, shift());
          n.handle('shift-cash-out', (input) =>
            input.overrideId === 'ov-1'
              ? {
                  movementId: 'm-2',
                  shiftId: 'shift-1',
                  direction: 'out',
                  amount: input.amount,
                  reason: input.reason,
                  staffId: 'staff-cashier',
                  overrideId: 'ov-1',
                  movedAt: AT,
                }
              : failure(
                  'OVERRIDE_REQUIRED',
                  'A pay-out above €100.00 needs a manager. Ask a manager to authorize it.',
                  {
                    action: 'cash-out-over-limit',
                  },
                ),
          );
          n.handle('staff-override', (input) => ({
            overrideId: 'ov-1',
            action: input.action,
            managerId: 'm',
            managerName: 'Morgan Manager',
            expiresAt: AT,
          }));
        },
      });
      const form = await screen.findByRole('form', { name: 'Cash in or out' });
      await user.click(within(form).getByLabelText('Cash in'));
      await user.type(within(form).getByLabelText('Amount'), '20');
      await user.type(within(form).getByLabelText('Reason'), 'Change from the safe{Enter}');
      expect(await screen.findByText('€20.00 put into the drawer.')).toBeTruthy();
      await user.click(within(form).getByLabelText('Cash out'));
      await user.type(within(form).getByLabelText('Amount'), '250');
      await user.type(within(form).getByLabelText('Reason'), 'Supplier paid in cash{Enter}');
      const dialog = await screen.findByRole('dialog', { name: 'Manager authorization' });
      expect(within(dialog).getByText('For: a cash pay-out above the limit')).toBeTruthy();
      await user.type(within(dialog).getByLabelText('Manager staff code'), '1001');
      await user.type(within(dialog).getByLabelText('Manager PIN', { selector: 'input' }), '1234{Enter}');
      expect(await screen.findByText('€250.00 taken out of the drawer.')).toBeTruthy();
      expect(node.inputs('shift-cash-in')).toEqual([
        { registerId: 'main', amount: 2000, reason: 'Change from the safe' },
      ]);
      expect(node.inputs('shift-cash-out').map((input) => input.overrideId)).toEqual([undefined, 'ov-1']);
    });
  });

  describe('no sale (issue 14)', () => {
    it('lets a supervisor open the drawer with no sale through the node, and offers it to no cashier', async () => {
      const supervisor = renderPos({
        signedInAs: 'supervisor',
        ui: <ShiftScreen />,
        setup: (n) => scriptShift(n, shift()),
      });
      await supervisor.user.click(await screen.findByRole('button', { name: 'Open drawer (no sale)' }));
      expect(
        await screen.findByText(
          'Drawer opened with no sale; the opening is on the audit log and the Z report.',
        ),
      ).toBeTruthy();
      expect(supervisor.node.inputs('drawer-open')).toEqual([{ registerId: 'main', reason: 'no-sale' }]);
      expect(supervisor.devices.drawerGrants).toEqual(['grant-1']);
      supervisor.view.unmount();

      renderPos({ signedInAs: 'cashier', ui: <ShiftScreen />, setup: (n) => scriptShift(n, shift()) });
      await screen.findByRole('button', { name: 'X report' });
      expect(screen.queryByRole('button', { name: 'Open drawer (no sale)' })).toBeNull();
    });
  });

  describe('reports', () => {
    it('shows the X report and closes with the drawer counted by denomination into a Z report', async () => {
      const { user, node, devices } = renderPos({
        signedInAs: 'cashier',
        ui: <ShiftScreen />,
        setup: (n) => scriptShift(n, shift()),
      });
      await user.click(await screen.findByRole('button', { name: 'X report' }));
      const x = await screen.findByRole('region', { name: 'X report' });
      expect(within(x).getByText('Expected in drawer').nextElementSibling?.textContent).toBe('€110.80');
      await user.click(screen.getByRole('button', { name: 'Close shift' }));
      const count = await screen.findByRole('form', { name: 'Count the drawer' });
      await user.type(within(count).getByLabelText('Number of €50.00'), '2');
      await user.type(within(count).getByLabelText('Number of €10.00'), '1');
      expect(within(count).getByTestId('counted-total').textContent).toBe('Counted: €110.00');
      await user.click(within(count).getByRole('button', { name: 'Close shift with this count' }));
      const z = await screen.findByRole('region', { name: 'Z report' });
      expect(within(z).getByText('Short').nextElementSibling?.textContent).toBe('€0.80');
      expect(node.inputs('shift-close')).toEqual([
        {
          registerId: 'main',
          denominations: [
            { value: 5000, count: 2 },
            { value: 1000, count: 1 },
          ],
        },
      ]);
      expect(screen.getByLabelText('Opening float')).toBeTruthy();
      await user.click(screen.getByRole('button', { name: 'Print Z report' }));
      await waitFor(() => expect(devices.printed).toHaveLength(1));
      expect(devices.printed[0]).toContain('Z report');
      expect(devices.printed[0]).toContain('€110.00');
    });

    it('breaks the Z report down by VAT rate, voids, overrides, no-sales and cashier under the legal header, on screen and printed (issue 14)', async () => {
      const breakdown = {
        taxes: [
          { rateId: 'fr-reduced', name: 'TVA 5,5 %', percent: 5.5, taxable: 1_000, tax: 55 },
          { rateId: 'fr-standard', name: 'TVA 20 %', percent: 20, taxable: 5_000, tax: 1_000 },
        ],
        discounts: { count: 2, total: 340 },
        voids: { cancelledSales: 1, postVoids: 1, postVoidTotal: 1_250 },
        overrides: [{ action: 'sale-post-void', count: 1 }],
        noSales: 3,
        cashiers: [
          {
            staffId: 'staff-cashier',
            name: 'Casey Cashier',
            salesCount: 4,
            salesTotal: 7_055,
            returnsCount: 1,
            returnsTotal: 500,
          },
        ],
        legal: {
          companyName: 'Retail Example SAS',
          address: ['12 rue de la Roquette', '75011 Paris'],
          vatNumber: 'FR40123456789',
          extraLines: [],
        },
      };
      const { user, devices } = renderPos({
        signedInAs: 'cashier',
        ui: <ShiftScreen />,
        setup: (n) => {
          scriptShift(n, shift());
          n.handle('shift-close', () => zReport({ breakdown, giftCardLoads: { count: 1, total: 2_500 } }));
        },
      });
      await user.click(await screen.findByRole('button', { name: 'Close shift' }));
      const count = await screen.findByRole('form', { name: 'Count the drawer' });
      await user.type(within(count).getByLabelText('Number of €50.00'), '2');
      await user.click(within(count).getByRole('button', { name: 'Close shift with this count' }));
      const z = await screen.findByRole('region', { name: 'Z report' });
      const value = (label: string) => within(z).getByText(label).nextElementSibling?.textContent;
      expect(value('Gift card loads (stored value, not sales)')).toBe('1 · €25.00');
      expect(value('Sales at TVA 5,5 % (5.5%)')).toBe('net €10.00 · tax €0.55');
      expect(value('Sales at TVA 20 % (20%)')).toBe('net €50.00 · tax €10.00');
      expect(value('Discounted sales')).toBe('2 · €3.40');
      expect(value('Sales cancelled before payment')).toBe('1');
      expect(value('Completed sales voided')).toBe('1 · €12.50');
      expect(value('Manager overrides: cancelling a completed sale')).toBe('1');
      expect(value('Drawer opened with no sale')).toBe('3');
      expect(value('Cashier Casey Cashier')).toBe('sales 4 · €70.55 · returns 1 · €5.00');
      expect(within(z).getByText('VAT FR40123456789')).toBeTruthy();
      await user.click(screen.getByRole('button', { name: 'Print Z report' }));
      await waitFor(() => expect(devices.printed).toHaveLength(1));
      for (const text of [
        'Retail Example SAS',
        '75011 Paris',
        'VAT FR40123456789',
        'Casey Cashier',
        'Gift card loads',
      ])
        expect(devices.printed[0]).toContain(text);
    });

    it('shows why the node refuses to close the shift', async () => {
      const { user } = renderPos({
        signedInAs: 'cashier',
        ui: <ShiftScreen />,
        setup: (n) => {
          scriptShift(n, shift());
          n.handle('shift-close', () =>
            failure('CONFLICT', 'Finish or void the 1 open or parked sale before closing the shift.'),
          );
        },
      });
      await user.click(await screen.findByRole('button', { name: 'Close shift' }));
      await user.click(screen.getByRole('button', { name: 'Close shift with this count' }));
      expect((await screen.findByRole('alert')).textContent).toContain(
        'Finish or void the 1 open or parked sale',
      );
    });
  });
});
