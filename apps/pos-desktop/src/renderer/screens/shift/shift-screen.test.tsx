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
