// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { customerSummary, storedValueStatus } from '../../testing/builders';
import { scriptLoyaltyNode, type LoyaltyNodeOptions } from '../../testing/fake-loyalty';
import { createStoreFormat } from '../../format/format';
import { renderPos } from '../../testing/render-pos';
import { saleTenderText } from './stored-value';

const GIFT_CARD = '6006491234567890';
const STORE_CREDIT = 'SC-77812345';

const CARDS = {
  [GIFT_CARD]: storedValueStatus(),
  [STORE_CREDIT]: storedValueStatus({
    accountId: 'sv-2',
    kind: 'store_credit',
    maskedNumber: 'SC-•••2345',
    available: 800,
    offline: { allowed: 800, limitedBy: 'online', reason: null },
  }),
};

type User = ReturnType<typeof renderPos>['user'];

/** Three loaves (€21.60), the loyalty member attached by card, and the payment screen open. */
async function toPayment(user: User, options: { member?: boolean } = {}) {
  await user.type(await screen.findByRole('combobox', { name: 'Scan or search' }), '3*4000000000013{Enter}');
  await screen.findByRole('button', { name: /^Smooth Bread family size, 3/ });
  if (options.member ?? true) {
    await user.click(screen.getByRole('button', { name: 'Customer' }));
    const dialog = await screen.findByRole('dialog', { name: 'Customer' });
    await user.type(
      within(dialog).getByLabelText('Phone, email or loyalty card number'),
      '9900000000017{Enter}',
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  }
  await user.keyboard('{F10}');
  return screen.findByRole('region', { name: 'Payment' });
}

function render(options: LoyaltyNodeOptions = {}) {
  let loyalty: ReturnType<typeof scriptLoyaltyNode> | undefined;
  const harness = renderPos({
    signedInAs: 'cashier',
    setup: (n) => {
      loyalty = scriptLoyaltyNode(n, { cards: CARDS, ...options });
    },
  });
  return { ...harness, loyalty: loyalty! };
}

describe('stored-value', () => {
  describe('PointsDialog and StoredValueDialog', () => {
    it('splits a sale across points held at the hub, a gift card checked first, and cash', async () => {
      const { user, node, devices } = render();
      const tender = await toPayment(user);
      expect(
        within(screen.getByRole('region', { name: 'Customer and points' })).getByTestId('points-available')
          .textContent,
      ).toBe('1,200 points');

      await user.click(within(tender).getByRole('button', { name: 'Pay with points' }));
      let dialog = await screen.findByRole('dialog', { name: 'Pay with loyalty points' });
      const pointsField = within(dialog).getByLabelText('Points to use') as HTMLInputElement;
      expect(pointsField.value).toBe('1200');
      expect(within(dialog).getByTestId('points-worth').textContent).toBe('Worth €12.00');
      await user.clear(pointsField);
      await user.type(pointsField, '500');
      expect(within(dialog).getByTestId('points-worth').textContent).toBe('Worth €5.00');
      await user.click(within(dialog).getByRole('button', { name: 'Take points' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      await waitFor(() => expect(within(tender).getByTestId('remaining').textContent).toBe('€16.60'));
      const taken = within(tender).getByRole('list', { name: 'Payments taken' });
      expect(within(taken).getByText('Loyalty points · 500 points · held at HQ')).toBeTruthy();
      expect(
        within(screen.getByRole('region', { name: 'Customer and points' })).getByTestId('points-available')
          .textContent,
      ).toBe('700 points');

      await user.click(within(tender).getByRole('button', { name: 'Pay with gift card' }));
      dialog = await screen.findByRole('dialog', { name: 'Pay with a gift card' });
      await user.type(within(dialog).getByLabelText('Card or store credit number'), `${GIFT_CARD}{Enter}`);
      const balance = await within(dialog).findByRole('status', { name: 'Check balance' });
      expect(balance.textContent).toContain('•••• 4417: €25.00 available');
      expect(balance.textContent).toContain('As of 23/11/2026, 10:00 (now)');
      const amount = within(dialog).getByLabelText('Amount') as HTMLInputElement;
      expect(amount.value).toBe('16.60');
      await user.clear(amount);
      await user.type(amount, '10');
      await user.click(within(dialog).getByRole('button', { name: 'Take gift card' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      await waitFor(() => expect(within(tender).getByTestId('remaining').textContent).toBe('€6.60'));
      expect(within(taken).getByText('Gift card · held at HQ')).toBeTruthy();

      await user.type(within(tender).getByLabelText('Cash handed over (empty = exact)'), '{Enter}');
      expect(await screen.findByText('No change due')).toBeTruthy();
      expect((await screen.findByTestId('points-done')).textContent).toBe(
        'Points earned: 21 · spent: 500 · balance: 700',
      );
      expect(node.inputs('stored-value-balance')).toEqual([{ number: GIFT_CARD }]);
      expect(node.inputs('sale-add-tender').map((input) => input.tender)).toEqual([
        { type: 'loyalty_points', points: 500 },
        { type: 'gift_card', amount: 1000, number: GIFT_CARD },
        { type: 'cash', amount: 660 },
      ]);
      expect(node.inputs('sale-complete')).toEqual([{ saleId: 'sale-1' }]);
      expect(devices.drawerKicks).toBe(1);
    });

    it('shows the node’s OFFLINE_LIMIT sentence and has the cashier choose another tender', async () => {
      const { user, node } = render({ hubOnline: false, offlinePoints: 300, offlineValue: 500 });
      const tender = await toPayment(user);

      await user.click(within(tender).getByRole('button', { name: 'Pay with points' }));
      const dialog = await screen.findByRole('dialog', { name: 'Pay with loyalty points' });
      expect(dialog.textContent).toContain(
        'Hub offline: balance last synced 23/11/2026, 08:00 (2 hours ago)',
      );
      const pointsField = within(dialog).getByLabelText('Points to use') as HTMLInputElement;
      // Offline the suggestion stays within what the node will take.
      expect(pointsField.value).toBe('300');
      await user.clear(pointsField);
      await user.type(pointsField, '800{Enter}');
      expect((await within(dialog).findByRole('alert')).textContent).toBe(
        'The hub is offline: this till can take at most 300 points for this customer now. Take the rest another way.',
      );
      const prompt = within(dialog).getByRole('status');
      expect(prompt.textContent).toContain('Choose another tender for the rest: cash, card or another card.');
      await user.click(within(prompt).getByRole('button', { name: 'Choose another tender' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(within(tender).getByTestId('remaining').textContent).toBe('€21.60');

      await user.click(within(tender).getByRole('button', { name: 'Pay with store credit' }));
      const credit = await screen.findByRole('dialog', { name: 'Pay with store credit' });
      await user.type(within(credit).getByLabelText('Card or store credit number'), STORE_CREDIT);
      await user.click(within(credit).getByRole('button', { name: 'Check balance' }));
      const balance = await within(credit).findByRole('status', { name: 'Check balance' });
      expect(balance.textContent).toContain('SC-•••2345: €8.00 available');
      expect(balance.textContent).toContain('Up to €5.00 can be taken offline.');
      expect((within(credit).getByLabelText('Amount') as HTMLInputElement).value).toBe('5.00');
      await user.click(within(credit).getByRole('button', { name: 'Take store credit' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      await waitFor(() => expect(within(tender).getByTestId('remaining').textContent).toBe('€16.60'));
      expect(within(tender).getByText('Store credit · offline allowance')).toBeTruthy();
      expect(node.inputs('sale-add-tender').map((input) => input.tender)).toEqual([
        { type: 'loyalty_points', points: 800 },
        { type: 'store_credit', amount: 500, number: STORE_CREDIT },
      ]);
    });

    it('gives the points back when their payment is taken off before the sale completes', async () => {
      const { user, node, loyalty } = render();
      const tender = await toPayment(user);
      await user.click(within(tender).getByRole('button', { name: 'Pay with points' }));
      const dialog = await screen.findByRole('dialog', { name: 'Pay with loyalty points' });
      await user.clear(within(dialog).getByLabelText('Points to use'));
      await user.type(within(dialog).getByLabelText('Points to use'), '200{Enter}');
      await waitFor(() => expect(within(tender).getByTestId('remaining').textContent).toBe('€19.60'));
      await user.click(
        within(tender).getByRole('button', { name: 'Remove Loyalty points payment of €2.00' }),
      );
      await waitFor(() => expect(within(tender).getByTestId('remaining').textContent).toBe('€21.60'));
      expect(loyalty.points('la-1')?.available).toBe(1200);
      expect(
        within(screen.getByRole('region', { name: 'Customer and points' })).getByTestId('points-available')
          .textContent,
      ).toBe('1,200 points');
      expect(node.inputs('sale-remove-tender')).toEqual([{ saleId: 'sale-1', tenderId: 'tender-1' }]);
    });

    it('offers points only once a loyalty member is attached, and refuses a card number too short to be one', async () => {
      const { user, node } = render({ customers: [customerSummary()] });
      const tender = await toPayment(user, { member: false });
      expect(within(tender).getByRole('button', { name: 'Pay with points' }).hasAttribute('disabled')).toBe(
        true,
      );
      await user.click(within(tender).getByRole('button', { name: 'Pay with gift card' }));
      const dialog = await screen.findByRole('dialog', { name: 'Pay with a gift card' });
      await user.type(within(dialog).getByLabelText('Card or store credit number'), '123{Enter}');
      expect((await within(dialog).findByRole('alert')).textContent).toBe(
        'Scan the card or type its number (at least 6 characters).',
      );
      expect(node.inputs('stored-value-balance')).toEqual([]);
    });
  });

  describe('TenderPanel after a points payment (issue 14, bug 2)', () => {
    it('offers what is still due as the card amount, and shows a refusal beside the card controls', async () => {
      const { user, node } = render();
      const tender = await toPayment(user);
      const cardAmount = within(tender).getByLabelText('Card amount') as HTMLInputElement;
      expect(cardAmount.value).toBe('21.60');
      await user.click(within(tender).getByRole('button', { name: 'Pay with points' }));
      const dialog = await screen.findByRole('dialog', { name: 'Pay with loyalty points' });
      await user.clear(within(dialog).getByLabelText('Points to use'));
      await user.type(within(dialog).getByLabelText('Points to use'), '500{Enter}');
      await waitFor(() => expect(within(tender).getByTestId('remaining').textContent).toBe('€16.60'));
      expect(cardAmount.value).toBe('16.60');

      node.failOnce('sale-add-tender', {
        code: 'INVALID_INPUT',
        message: 'Card amount 20.00 is more than the 16.60 still due.',
      });
      await user.clear(cardAmount);
      await user.type(cardAmount, '20');
      await user.type(within(tender).getByLabelText('Terminal reference'), 'T-1{Enter}');
      const cardBox = within(tender).getByRole('group', { name: 'Card' });
      const alert = await within(cardBox).findByRole('alert');
      expect(alert.textContent).toBe('Card amount 20.00 is more than the 16.60 still due.');
      expect(cardAmount.getAttribute('aria-describedby')).toBe(alert.id);
      expect(screen.getAllByRole('alert')).toHaveLength(1);
    });
  });

  describe('saleTenderText', () => {
    const format = createStoreFormat({ locale: 'en-IE', currency: 'EUR', timezone: 'Europe/Dublin' });
    const points = {
      tenderId: 't-1',
      type: 'loyalty_points' as const,
      tendered: 400,
      amount: 400,
      change: 0,
      reference: 'la-1',
      points: 400,
      redemption: { mode: 'online' as const, accountId: 'la-1', redemptionId: 'r-1', expiresAt: null },
    };

    it('says how a redemption is secured while paying, and only what it was when it is given back', () => {
      expect(saleTenderText(points, format)).toBe('Loyalty points · 400 points · held at HQ');
      expect(saleTenderText(points, format, 'given-back')).toBe('Loyalty points · 400 points');
      expect(saleTenderText({ ...points, points: 1 }, format, 'given-back')).toBe('Loyalty points · 1 point');
    });

    it('keeps an exchange’s credit apart from the customer’s store credit, and shows card references', () => {
      const exchange = { ...points, type: 'store_credit' as const, reference: 'X-1' };
      delete (exchange as { points?: number }).points;
      delete (exchange as { redemption?: unknown }).redemption;
      // The credit's reference ties it to its return inside the node: not for people (issue 14, bug 5).
      expect(saleTenderText(exchange, format)).toBe('Exchange credit');
      expect(saleTenderText({ ...exchange, redemption: points.redemption }, format)).toBe(
        'Store credit · held at HQ',
      );
    });
  });
});
