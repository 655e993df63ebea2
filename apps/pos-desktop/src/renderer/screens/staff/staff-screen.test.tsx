// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { staff } from '../../testing/builders';
import { failure, type FakeNode } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';

const LOCKED = staff('cashier', {
  staffId: 'staff-robin',
  staffCode: '3002',
  name: 'Robin Cashier',
  lockedUntil: '2099-01-01T10:15:00.000Z',
});

function scriptStaff(node: FakeNode) {
  node.handle('shift-current', () => ({ shift: null }));
  node.handle('sale-current', () => ({ sale: null }));
  node.handle('staff-list', () => ({ staff: [staff('manager'), staff('cashier'), LOCKED] }));
  node.handle('staff-unlock', () => ({ ...LOCKED, lockedUntil: null }));
  node.handle('staff-create', (input) => ({
    staffId: 'staff-new',
    staffCode: input.staffCode,
    name: input.name,
    role: input.role,
    active: true,
    lockedUntil: null,
  }));
}

describe('staff-screen', () => {
  describe('StaffScreen', () => {
    it('is not offered to a cashier', async () => {
      renderPos({ signedInAs: 'cashier', setup: scriptStaff });
      const nav = await screen.findByRole('navigation', { name: 'Work areas' });
      expect(within(nav).queryByRole('button', { name: 'Staff' })).toBeNull();
    });

    it('lets a manager unlock a locked-out cashier and add a staff member', async () => {
      const { user, node } = renderPos({ signedInAs: 'manager', setup: scriptStaff });
      await user.click(await screen.findByRole('button', { name: 'Staff' }));
      const list = await screen.findByRole('list', { name: 'Staff members' });
      const robin = await within(list).findByRole('listitem', { name: 'Robin Cashier' });
      await user.click(within(robin).getByRole('button', { name: 'Unlock Robin Cashier' }));
      expect(await screen.findByText('Robin Cashier can sign in again.')).toBeTruthy();
      expect(within(robin).queryByRole('button', { name: 'Unlock Robin Cashier' })).toBeNull();
      expect(node.inputs('staff-unlock')).toEqual([{ staffCode: '3002' }]);

      const form = screen.getByRole('form', { name: 'Add a staff member' });
      await user.type(within(form).getByLabelText('Staff code'), '3003');
      await user.type(within(form).getByLabelText('Name'), 'Jo Cashier');
      await user.type(within(form).getByLabelText('PIN (4 to 12 digits)'), '5678');
      await user.type(within(form).getByLabelText('PIN again'), '5679{Enter}');
      expect((await screen.findByRole('alert')).textContent).toContain('The two PINs are different');
      expect(node.inputs('staff-create')).toEqual([]);
      await user.clear(within(form).getByLabelText('PIN again'));
      await user.type(within(form).getByLabelText('PIN again'), '5678{Enter}');
      expect(await screen.findByText('Jo Cashier can now sign in with staff code 3003.')).toBeTruthy();
      expect(node.inputs('staff-create')).toEqual([
        { staffCode: '3003', name: 'Jo Cashier', role: 'cashier', pin: '5678' },
      ]);
    });

    it('lists each lane a staff member is locked out of, and unlocks one lane or all of them', async () => {
      const lockedTwice = {
        ...LOCKED,
        lockedUntil: null,
        lockouts: [
          { laneId: 'lane-2-id', laneName: 'Lane 2', lockedUntil: '2099-01-01T10:15:00.000Z' },
          { laneId: 'lane-3-id', laneName: 'Lane 3', lockedUntil: '2099-01-01T10:45:00.000Z' },
        ],
      };
      const { user, node } = renderPos({
        signedInAs: 'manager',
        setup: (n) => {
          scriptStaff(n);
          n.handle('staff-list', () => ({ staff: [staff('manager'), lockedTwice] }));
          n.handle('staff-unlock', (input) => ({
            ...lockedTwice,
            lockouts:
              input.laneId === undefined ? [] : lockedTwice.lockouts.filter((l) => l.laneId !== input.laneId),
          }));
        },
      });
      await user.click(await screen.findByRole('button', { name: 'Staff' }));
      const robin = await screen.findByRole('listitem', { name: 'Robin Cashier' });
      expect(within(robin).getByText(/Locked on Lane 2 until/)).toBeTruthy();
      expect(within(robin).getByText(/Locked on Lane 3 until/)).toBeTruthy();
      await user.click(within(robin).getByRole('button', { name: 'Unlock Robin Cashier on Lane 2' }));
      await screen.findByText('Robin Cashier can sign in again.');
      expect(within(robin).queryByText(/Locked on Lane 2/)).toBeNull();
      expect(within(robin).getByText(/Locked on Lane 3 until/)).toBeTruthy();
      await user.click(within(robin).getByRole('button', { name: 'Unlock Robin Cashier' }));
      await waitFor(() => expect(within(robin).queryByText(/Locked on/)).toBeNull());
      expect(node.inputs('staff-unlock')).toEqual([
        { staffCode: '3002', laneId: 'lane-2-id' },
        { staffCode: '3002' },
      ]);
    });

    it('shows the node sentence when a supervisor tries what only a manager may do', async () => {
      const { user } = renderPos({
        signedInAs: 'supervisor',
        setup: (n) => {
          scriptStaff(n);
          n.handle('staff-unlock', () =>
            failure('FORBIDDEN', 'Only a manager can do this; you are signed in as a supervisor.'),
          );
        },
      });
      await user.click(await screen.findByRole('button', { name: 'Staff' }));
      await user.click(await screen.findByRole('button', { name: 'Unlock Robin Cashier' }));
      expect((await screen.findByRole('alert')).textContent).toContain('Only a manager can do this');
    });
  });
});
