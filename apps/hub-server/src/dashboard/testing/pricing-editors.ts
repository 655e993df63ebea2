import { screen, within } from '@testing-library/react';
import type { PriceBook } from '../api/api-types';
import type { DashboardHarness } from './render-dashboard';

/** The one store the pricing editor tests offer as a scope (the fields the editors read). */
export const PRICING_STORE = {
  nodeId: 'store-1',
  code: 'S001',
  name: 'Dublin Grafton St',
  kind: 'store',
  region: 'ie-east',
  currency: 'EUR',
};

export const IRELAND_BOOK: PriceBook = {
  priceBookId: 'pb-ie',
  version: 3,
  name: 'Ireland retail',
  currency: 'EUR',
  scope: { type: 'region', regionId: 'ie-east' },
  priority: 10,
  taxInclusive: true,
};

/** Opens the pricing screen's "New price book" or "New promotion" editor and types the id; the form. */
export async function openNewEditor(
  user: DashboardHarness['user'],
  what: 'price book' | 'promotion',
  id: string,
): Promise<HTMLElement> {
  await user.click(await screen.findByRole('button', { name: `New ${what}` }));
  const form = screen.getByRole('form', { name: `New ${what}` });
  await user.type(within(form).getByLabelText(what === 'price book' ? 'Price book id' : 'Promotion id'), id);
  return form;
}
