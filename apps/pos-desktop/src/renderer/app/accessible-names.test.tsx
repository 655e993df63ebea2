// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import {
  bopisOrder,
  bopisSummary,
  catalogItem,
  localStock,
  saleLine,
  saleView,
  shift,
  staff,
  xReport,
} from '../testing/builders';
import type { FakeNode } from '../testing/fake-node';
import { renderPos } from '../testing/render-pos';

/** Every role a person operates; a control of one of these without a name is invisible to a screen reader. */
const CONTROL_ROLES = [
  'button',
  'textbox',
  'combobox',
  'spinbutton',
  'checkbox',
  'radio',
  'listbox',
  'option',
  'tab',
  'link',
  'searchbox',
] as const;

/** The controls on screen whose accessible name is empty, described so a failure says which one. */
function unnamedControls(): string[] {
  return CONTROL_ROLES.flatMap((role) =>
    screen
      .queryAllByRole(role, { name: (name) => name.trim() === '' })
      .map((element) => `${role}: ${element.outerHTML.slice(0, 160)}`),
  );
}

const BREAD = catalogItem();

function scriptEveryArea(node: FakeNode) {
  const order = bopisOrder();
  node.handle('shift-current', () => ({ shift: shift() }));
  node.handle('sale-current', () => ({
    sale: saleView([
      saleLine({ lineId: 'line-1', sku: BREAD.sku, name: BREAD.name, qty: 2, unitPrice: 720 }),
    ]),
  }));
  node.handle('shift-x-report', () => xReport());
  node.handle('stock-levels', (input) => ({ levels: input.skus.map((sku) => localStock({ sku })) }));
  node.handle('bopis-list', () => ({
    orders: [bopisSummary(order)],
    queue: {
      waiting: 1,
      picking: 0,
      ready: 0,
      toPutBack: 0,
      toPack: 0,
      toShip: 0,
      oldestWaitingSince: order.waitingSince,
    },
  }));
  node.handle('bopis-get', () => order);
  node.handle('staff-list', () => ({ staff: [staff('manager'), staff('cashier')] }));
}

describe('accessible-names', () => {
  describe('App', () => {
    it('gives every control of every work area an accessible name when a manager walks through them', async () => {
      const { user } = renderPos({ signedInAs: 'manager', setup: scriptEveryArea });
      const nav = await screen.findByRole('navigation', { name: 'Work areas' });

      await user.click(await screen.findByRole('button', { name: /^Smooth Bread family size, 2/ }));
      expect(unnamedControls()).toEqual([]);
      const actions = screen.getByRole('group', { name: 'Sale actions' });
      for (const action of [
        /^Quantity/,
        /^Line discount/,
        'Change price',
        'Sale discount',
        'Customer',
        'Exchange',
        'Gift card',
        'Price check',
        'Void sale',
      ]) {
        await user.click(within(actions).getByRole('button', { name: action }));
        await screen.findByRole('dialog');
        expect(unnamedControls()).toEqual([]);
        await user.keyboard('{Escape}');
        await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      }
      await user.keyboard('{F10}');
      const payment = await screen.findByRole('region', { name: 'Payment' });
      expect(unnamedControls()).toEqual([]);
      for (const tender of ['Pay with store credit', 'Pay with gift card']) {
        await user.click(within(payment).getByRole('button', { name: tender }));
        await screen.findByRole('dialog');
        expect(unnamedControls()).toEqual([]);
        await user.keyboard('{Escape}');
        await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      }

      await user.click(within(nav).getByRole('button', { name: /^Returns/ }));
      await screen.findByRole('heading', { name: 'Returns' });
      expect(unnamedControls()).toEqual([]);

      await user.click(within(nav).getByRole('button', { name: /^Stock/ }));
      const tabs = await screen.findByRole('tablist', { name: 'Stock tasks' });
      for (const tab of within(tabs).getAllByRole('tab')) {
        await user.click(tab);
        expect(unnamedControls()).toEqual([]);
      }

      await user.click(within(nav).getByRole('button', { name: /^Shift/ }));
      await screen.findByText(/^Open since/);
      expect(unnamedControls()).toEqual([]);

      await user.click(within(nav).getByRole('button', { name: /^Pickup orders/ }));
      expect(unnamedControls()).toEqual([]);
      await user.click(await screen.findByRole('button', { name: 'Open' }));
      await screen.findByRole('button', { name: 'Accept order' });
      expect(unnamedControls()).toEqual([]);

      await user.click(within(nav).getByRole('button', { name: /^Staff/ }));
      const members = await screen.findByRole('list', { name: 'Staff members' });
      await within(members).findByRole('listitem', { name: 'Casey Cashier' });
      expect(unnamedControls()).toEqual([]);
    });
  });
});
