// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { shift, signInAnswer } from '../../testing/builders';
import { failure, type FakeNode } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';

function scriptStaff(node: FakeNode) {
  let sessions = 0;
  node.handle('staff-sign-in', (input) => {
    if (input.pin !== '3456') return failure('UNAUTHORIZED', 'Staff code or PIN is wrong.');
    sessions += 1;
    return signInAnswer('cashier', `session-${sessions}`);
  });
  node.handle('staff-sign-out', () => ({ signedOutAt: '2026-11-23T11:00:00.000Z' }));
  node.handle('shift-current', () => ({ shift: shift() }));
  node.handle('sale-current', () => ({ sale: null }));
}

describe('sign-in-screen', () => {
  describe('SignInScreen', () => {
    it('signs in with the staff code and PIN tapped on the keypad and shows the name and role', async () => {
      const { user, node } = renderPos({ setup: scriptStaff });
      await screen.findByRole('heading', { name: 'Sign in' });
      const pad = () => screen.getByRole('group', { name: /keypad/ });
      for (const digit of '3001') await user.click(within(pad()).getByRole('button', { name: digit }));
      await user.click(within(pad()).getByRole('button', { name: 'Enter' }));
      for (const digit of '3456') await user.click(within(pad()).getByRole('button', { name: digit }));
      await user.click(within(pad()).getByRole('button', { name: 'Enter' }));
      expect(await screen.findByLabelText('Signed in as Casey Cashier, Cashier')).toBeTruthy();
      expect(node.inputs('staff-sign-in')).toEqual([{ staffCode: '3001', pin: '3456' }]);
    });

    it('names the till by its register on sign-in and on the shift, as lanes and reports do', async () => {
      const { user } = renderPos({ setup: scriptStaff, registerId: 'lane-1' });
      expect(await screen.findByText('Store Demo store · Till lane-1')).toBeTruthy();
      await user.type(await screen.findByRole('textbox', { name: 'Staff code' }), '3001{Enter}');
      await user.type(screen.getByLabelText('PIN', { selector: 'input' }), '3456{Enter}');
      await screen.findByLabelText('Signed in as Casey Cashier, Cashier');
      await user.keyboard('{F4}');
      expect(await screen.findByRole('heading', { name: 'Shift · Till lane-1' })).toBeTruthy();
    });

    it('shows the node sentence and clears the PIN when the PIN is wrong', async () => {
      const { user } = renderPos({ setup: scriptStaff });
      await user.type(await screen.findByRole('textbox', { name: 'Staff code' }), '3001{Enter}');
      const pin = screen.getByLabelText('PIN', { selector: 'input' });
      await user.type(pin, '9999{Enter}');
      expect((await screen.findByRole('alert')).textContent).toContain('Staff code or PIN is wrong.');
      expect((pin as HTMLInputElement).value).toBe('');
    });
  });

  describe('LockScreen', () => {
    it('locks with F9 and unlocks with the same PIN, retiring the session kept while locked', async () => {
      const { user, node } = renderPos({ setup: scriptStaff });
      await user.type(await screen.findByRole('textbox', { name: 'Staff code' }), '3001{Enter}');
      await user.type(screen.getByLabelText('PIN', { selector: 'input' }), '3456{Enter}');
      await screen.findByLabelText('Signed in as Casey Cashier, Cashier');
      await user.keyboard('{F9}');
      expect(await screen.findByRole('heading', { name: 'Till locked' })).toBeTruthy();
      await user.type(screen.getByLabelText('PIN', { selector: 'input' }), '3456{Enter}');
      await screen.findByLabelText('Signed in as Casey Cashier, Cashier');
      expect(node.inputs('staff-sign-in').at(-1)).toEqual({ staffCode: '3001', pin: '3456' });
      await waitFor(() =>
        expect(
          node.sent.filter((entry) => entry.name === 'staff-sign-out').map((entry) => entry.session),
        ).toEqual(['session-1']),
      );
    });

    it('ends the locked session before someone else signs in', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: scriptStaff });
      await user.click(await screen.findByRole('button', { name: /Lock/ }));
      await user.click(await screen.findByRole('button', { name: 'Sign in as someone else' }));
      expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
      expect(
        node.sent.filter((entry) => entry.name === 'staff-sign-out').map((entry) => entry.session),
      ).toEqual(['session-cashier']);
    });
  });

  describe('session', () => {
    it('signs out back to the sign-in screen', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: scriptStaff });
      await user.click(await screen.findByRole('button', { name: 'Sign out' }));
      expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
      expect(node.inputs('staff-sign-out')).toHaveLength(1);
    });

    it('goes back to sign-in with the reason when the node no longer accepts the session', async () => {
      renderPos({
        signedInAs: 'cashier',
        setup: (node) => {
          scriptStaff(node);
          node.handle('shift-current', () =>
            failure('UNAUTHORIZED', 'Your session has expired. Sign in again.'),
          );
        },
      });
      expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
      expect(screen.getByText('You were signed out: Your session has expired. Sign in again.')).toBeTruthy();
    });
  });
});
