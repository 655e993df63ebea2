// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createStoreFormat } from '../../format/format';
import { scriptLoyaltyNode } from '../../testing/fake-loyalty';
import { balanceAge } from './customer';
import { renderPos } from '../../testing/render-pos';

async function startSale(user: ReturnType<typeof renderPos>['user']) {
  await user.type(await screen.findByRole('combobox', { name: 'Scan or search' }), '4000000000013{Enter}');
  await screen.findByRole('button', { name: /^Smooth Bread family size, 1/ });
}

async function openCustomerDialog(user: ReturnType<typeof renderPos>['user']) {
  await user.click(screen.getByRole('button', { name: 'Customer' }));
  return screen.findByRole('dialog', { name: 'Customer' });
}

describe('customer', () => {
  describe('CustomerDialog', () => {
    it('finds a customer by phone, attaches them and shows their points as of now', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptLoyaltyNode(n) });
      await startSale(user);
      const dialog = await openCustomerDialog(user);
      await user.type(
        within(dialog).getByLabelText('Phone, email or loyalty card number'),
        '871234567{Enter}',
      );
      const results = await within(dialog).findByRole('list', { name: 'Customers found' });
      const robin = within(results).getByRole('listitem', { name: 'Robin Member' });
      expect(robin.textContent).toContain('card 9900000000017 · Silver');
      await user.click(within(robin).getByRole('button', { name: 'Attach Robin Member' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

      const panel = screen.getByRole('region', { name: 'Customer and points' });
      expect(within(panel).getByText('Robin Member')).toBeTruthy();
      expect(within(panel).getByTestId('points-available').textContent).toBe('1,200 points');
      expect(within(panel).getByTestId('points-age').textContent).toMatch(
        /^As of 23\/11\/2026, 10:00 \(now\)$/,
      );
      expect(node.inputs('customer-find')).toEqual([{ query: '871234567' }]);
      expect(node.inputs('sale-attach-customer')).toEqual([{ saleId: 'sale-1', customerId: 'cust-1' }]);
    });

    it('attaches at once when a scanned loyalty card matches exactly', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptLoyaltyNode(n) });
      await startSale(user);
      const dialog = await openCustomerDialog(user);
      await user.type(
        within(dialog).getByLabelText('Phone, email or loyalty card number'),
        '9900000000017{Enter}',
      );
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(screen.getByRole('region', { name: 'Customer and points' }).textContent).toContain(
        'Robin Member',
      );
      expect(node.inputs('sale-attach-customer')).toEqual([{ saleId: 'sale-1', customerId: 'cust-1' }]);
    });

    it('says honestly that the balance is the cached one and how old it is while the hub is offline', async () => {
      const { user } = renderPos({
        signedInAs: 'cashier',
        setup: (n) =>
          scriptLoyaltyNode(n, {
            hubOnline: false,
            offlinePoints: 300,
            offlineReason: 'Offline redemptions are capped at 300 points per sale.',
          }),
      });
      await startSale(user);
      const dialog = await openCustomerDialog(user);
      await user.type(within(dialog).getByLabelText('Phone, email or loyalty card number'), 'robin@{Enter}');
      expect((await within(dialog).findByRole('status')).textContent).toBe(
        'From this till’s copy: the hub did not answer. The hub did not answer; these are the customers this till has seen.',
      );
      await user.click(within(dialog).getByRole('button', { name: 'Attach Robin Member' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

      const panel = screen.getByRole('region', { name: 'Customer and points' });
      expect(within(panel).getByTestId('points-available').textContent).toBe('1,200 points');
      expect(within(panel).getByTestId('points-age').textContent).toBe(
        'Hub offline: balance last synced 23/11/2026, 08:00 (2 hours ago)',
      );
      expect(
        within(panel).getByText(
          'Up to 300 points can be spent offline. Offline redemptions are capped at 300 points per sale.',
        ),
      ).toBeTruthy();
    });

    it('creates a customer at the till while the hub is offline and attaches the temporary customer', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => scriptLoyaltyNode(n, { hubOnline: false }),
      });
      await startSale(user);
      const dialog = await openCustomerDialog(user);
      await user.type(
        within(dialog).getByLabelText('Phone, email or loyalty card number'),
        '0861112223{Enter}',
      );
      expect(
        await within(dialog).findByText('No customer found for “0861112223”. Create one below.'),
      ).toBeTruthy();

      const form = within(dialog).getByRole('form', { name: 'New customer' });
      await user.click(within(form).getByRole('button', { name: 'Create and attach' }));
      expect((await within(dialog).findByRole('alert')).textContent).toBe(
        'Enter a phone number or an email address so the customer can be found again.',
      );
      expect(node.inputs('customer-create')).toEqual([]);

      await user.type(within(form).getByLabelText('Name (optional)'), 'Sam New');
      await user.type(within(form).getByLabelText('Phone'), '0861112223');
      await user.click(within(form).getByRole('button', { name: 'Create and attach' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(node.inputs('customer-create')).toEqual([{ name: 'Sam New', phone: '0861112223' }]);
      expect(node.inputs('sale-attach-customer')).toEqual([{ saleId: 'sale-1', customerId: 'tmp-1' }]);
      const panel = screen.getByRole('region', { name: 'Customer and points' });
      expect(panel.textContent).toContain('Sam New');
      expect(panel.textContent).toContain('created at a till offline; HQ will confirm it');
    });

    it('takes the customer off the sale again', async () => {
      const { user, node } = renderPos({ signedInAs: 'cashier', setup: (n) => scriptLoyaltyNode(n) });
      await startSale(user);
      let dialog = await openCustomerDialog(user);
      await user.type(
        within(dialog).getByLabelText('Phone, email or loyalty card number'),
        '9900000000017{Enter}',
      );
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      dialog = await openCustomerDialog(user);
      await user.click(within(dialog).getByRole('button', { name: 'Remove customer Robin Member' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(screen.queryByRole('region', { name: 'Customer and points' })).toBeNull();
      expect(node.inputs('sale-attach-customer').at(-1)).toEqual({ saleId: 'sale-1', customerId: null });
    });
  });

  describe('CustomerPanel', () => {
    it('asks the node for the points again when the cashier refreshes them', async () => {
      let loyalty: ReturnType<typeof scriptLoyaltyNode> | undefined;
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          loyalty = scriptLoyaltyNode(n, { hubOnline: false });
        },
      });
      await startSale(user);
      const dialog = await openCustomerDialog(user);
      await user.type(
        within(dialog).getByLabelText('Phone, email or loyalty card number'),
        '9900000000017{Enter}',
      );
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      const panel = screen.getByRole('region', { name: 'Customer and points' });
      expect(within(panel).getByTestId('points-age').textContent).toContain('Hub offline');

      loyalty?.setHubOnline(true);
      await user.click(within(panel).getByRole('button', { name: 'Refresh points balance' }));
      await waitFor(() => expect(within(panel).getByTestId('points-age').textContent).toContain('As of'));
      expect(node.inputs('customer-loyalty')).toEqual([{ customerId: 'cust-1' }]);
    });
  });

  describe('balanceAge', () => {
    const format = createStoreFormat({ locale: 'en-IE', currency: 'EUR', timezone: 'Europe/Dublin' });
    const cached = { source: 'cache' as const, takenAt: '2026-11-23T10:00:00.000Z', ageMs: 90_000 };

    it('calls a cached balance the till’s copy while the hub answers, and offline only when it does not', () => {
      expect(balanceAge({ ...cached, source: 'hub' }, format, false)).toBe(
        'As of 23/11/2026, 10:00 (1 minute ago)',
      );
      expect(balanceAge(cached, format, true)).toBe(
        'As of 23/11/2026, 10:00 (1 minute ago), this till’s copy',
      );
      expect(balanceAge(cached, format, false)).toBe(
        'Hub offline: balance last synced 23/11/2026, 10:00 (1 minute ago)',
      );
    });
  });
});
