// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { storedValueStatus } from '../../testing/builders';
import { scriptLoyaltyNode, type LoyaltyNodeOptions } from '../../testing/fake-loyalty';
import { renderPos } from '../../testing/render-pos';

const KNOWN_CARD = '6006491234567890';
const NEW_CARD = '6006490000004417';
const STORE_CREDIT = 'SC-7781-2345-ABCD';

const CARDS = {
  [KNOWN_CARD]: storedValueStatus({ maskedNumber: '****7890' }),
  [STORE_CREDIT]: storedValueStatus({
    accountId: 'sv-2',
    kind: 'store_credit',
    maskedNumber: '****ABCD',
    available: 800,
  }),
};

function render(options: LoyaltyNodeOptions = {}) {
  let loyalty: ReturnType<typeof scriptLoyaltyNode> | undefined;
  const harness = renderPos({
    signedInAs: 'cashier',
    setup: (node) => {
      loyalty = scriptLoyaltyNode(node, { cards: CARDS, ...options });
    },
  });
  return { ...harness, loyalty: loyalty! };
}

type User = ReturnType<typeof renderPos>['user'];

async function openGiftCard(user: User) {
  await user.click(await screen.findByRole('button', { name: 'Gift card' }));
  return screen.findByRole('dialog', { name: 'Gift card: sell, reload or check' });
}

async function checkNumber(user: User, dialog: HTMLElement, number: string) {
  await user.type(within(dialog).getByLabelText('Gift card number'), `${number}{Enter}`);
  return within(dialog).findByRole('status', { name: 'Check balance' });
}

describe('GiftCardDialog', () => {
  it('checks a balance at the hub without starting a sale, then reloads and sells cards paid in cash', async () => {
    const { user, node } = render();
    let dialog = await openGiftCard(user);
    let status = await checkNumber(user, dialog, KNOWN_CARD);
    expect(status.textContent).toContain('****7890: €25.00 available');
    expect(status.textContent).toMatch(/As of .*\(now\)/);
    expect(status.textContent).toContain('Adding an amount reloads this card.');
    expect(node.inputs('stored-value-balance')).toEqual([{ number: KNOWN_CARD }]);
    // Checking a balance is not a sale.
    expect(node.inputs('sale-start')).toEqual([]);

    await user.type(within(dialog).getByLabelText('Amount to load'), '10');
    await user.click(within(dialog).getByRole('button', { name: 'Add to sale' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(await screen.findByRole('button', { name: 'Gift card ****7890 (reload), €10.00' })).toBeTruthy();

    dialog = await openGiftCard(user);
    status = await checkNumber(user, dialog, NEW_CARD);
    expect(status.textContent).toBe(
      'HQ does not know this card yet: adding an amount sells it as a new card.',
    );
    // A new card is not a failure: nothing is shown as an error.
    expect(within(dialog).queryByRole('alert')).toBeNull();
    await user.type(within(dialog).getByLabelText('Amount to load'), '20');
    await user.click(within(dialog).getByRole('button', { name: 'Add to sale' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(await screen.findByRole('button', { name: 'Gift card ****4417 (new card), €20.00' })).toBeTruthy();
    expect(screen.getByTestId('sale-total').textContent).toBe('€30.00');
    expect(node.inputs('sale-add-gift-card')).toEqual([
      { saleId: 'sale-1', number: KNOWN_CARD, amount: 1000 },
      { saleId: 'sale-1', number: NEW_CARD, amount: 2000 },
    ]);

    // A sale of gift cards alone is paid like any other.
    await user.click(screen.getByRole('button', { name: /^Pay/ }));
    const payment = await screen.findByRole('region', { name: 'Payment' });
    await user.type(within(payment).getByLabelText('Cash handed over (empty = exact)'), '{Enter}');
    expect(await screen.findByText('No change due')).toBeTruthy();
    expect(node.inputs('sale-complete')).toHaveLength(1);
  });

  it('takes a gift card off the sale like a line', async () => {
    const { user, node } = render();
    const dialog = await openGiftCard(user);
    await user.type(within(dialog).getByLabelText('Gift card number'), NEW_CARD);
    await user.type(within(dialog).getByLabelText('Amount to load'), '15');
    await user.click(within(dialog).getByRole('button', { name: 'Add to sale' }));
    const line = await screen.findByRole('button', { name: 'Gift card ****4417 (new card), €15.00' });
    // The load just added is selected; quantity, discount and price do not apply to it.
    expect(line.getAttribute('aria-pressed')).toBe('true');
    expect((screen.getByRole('button', { name: /^Quantity/ }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: /^Remove line/ }));
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Gift card ****4417 (new card), €15.00' })).toBeNull(),
    );
    expect(node.inputs('sale-remove-line')).toEqual([{ saleId: 'sale-1', lineId: 'line-1' }]);
  });

  it('says a store credit slip cannot be loaded, and shows the refusal in the dialog', async () => {
    const { user } = render();
    const dialog = await openGiftCard(user);
    const status = await checkNumber(user, dialog, STORE_CREDIT);
    expect(status.textContent).toContain(
      'This number is a store credit slip: it can pay, but it cannot be loaded.',
    );
    await user.type(within(dialog).getByLabelText('Amount to load'), '5');
    await user.click(within(dialog).getByRole('button', { name: 'Add to sale' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'Number ****ABCD is a store credit slip, not a gift card; store credit cannot be loaded.',
    );
  });

  it('asks for an amount before adding a card', async () => {
    const { user, node } = render();
    const dialog = await openGiftCard(user);
    await user.type(within(dialog).getByLabelText('Gift card number'), NEW_CARD);
    await user.click(within(dialog).getByRole('button', { name: 'Add to sale' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'Enter the amount to load onto the card, such as 20.00.',
    );
    expect(node.inputs('sale-add-gift-card')).toEqual([]);
  });

  it('says plainly when the hub is out of reach: the balance is the till’s copy, a card sold now loads later', async () => {
    const { user } = render({ hubOnline: false, offlineValue: 500 });
    const dialog = await openGiftCard(user);
    expect(within(dialog).getByRole('note').textContent).toBe(
      'The hub is out of reach: balances come from this till’s copy, and a card sold or reloaded now gets its value when HQ receives the sale.',
    );
    let status = await checkNumber(user, dialog, KNOWN_CARD);
    expect(status.textContent).toContain('****7890: €25.00 available');
    expect(status.textContent).toContain('Hub offline: balance last synced 23/11/2026, 08:00 (2 hours ago)');
    expect(status.textContent).toContain('Up to €5.00 can be taken offline.');

    await user.clear(within(dialog).getByLabelText('Gift card number'));
    status = await checkNumber(user, dialog, NEW_CARD);
    expect(status.textContent).toContain(`No gift card or store credit has the number ${NEW_CARD}.`);
    expect(status.textContent).toContain(
      'Adding an amount sells it as a new card (or reloads it, if HQ already knows it); HQ decides when the sale reaches it.',
    );
  });
});
