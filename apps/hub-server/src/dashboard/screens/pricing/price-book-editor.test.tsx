// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { PriceBook, PriceBookPreview } from '../../api/api-types';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { IRELAND_BOOK as BOOK, openNewEditor, PRICING_STORE as STORE } from '../../testing/pricing-editors';
import { NOW, renderDashboard } from '../../testing/render-dashboard';
import { parseTiers, tiersText } from './price-book-editor';

function previewOf(version: number, currentVersion: number, book: PriceBook): PriceBookPreview {
  return {
    priceBookId: book.priceBookId,
    version,
    currentVersion,
    book: { ...book, version },
    changes: [{ field: 'startsAt', before: null, after: NOW + 60_000 }],
    stores: [{ nodeId: 'store-1', code: 'S001', name: 'Dublin Grafton St' }],
    storesDropped: [],
    effectiveAt: NOW + 60_000,
    prices: [
      {
        sku: 'MILK-1L',
        name: 'Whole milk 1 l',
        nodeId: 'store-1',
        code: 'S001',
        storeName: 'Dublin Grafton St',
        currency: 'EUR',
        before: 129,
        after: 99,
        beforeBookId: 'pb-chain',
        afterBookId: book.priceBookId,
      },
    ],
    unchanged: 2,
    skusNotShown: 0,
  };
}

function script(hub: FakeHub, books: PriceBook[] = []): void {
  hub.handle('GET /api/price-books', () => books);
  hub.handle('GET /api/promotions', () => []);
  hub.handle('GET /api/nodes', () => [STORE]);
}

describe('price-book-editor', () => {
  describe('tiersText and parseTiers', () => {
    it('writes and reads a price with quantity breaks in the book’s currency', () => {
      const tiers = [
        { minQty: 1, unitPrice: 249 },
        { minQty: 6, unitPrice: 199 },
      ];
      expect(tiersText(tiers, 'EUR')).toBe('2.49 | 6=1.99');
      expect(parseTiers('2.49 | 6=1.99', 'EUR', 'A')).toEqual(tiers);
      expect(parseTiers('500', 'JPY', 'A')).toEqual([{ minQty: 1, unitPrice: 500 }]);
    });

    it('refuses what is not a price, naming the SKU', () => {
      for (const text of ['', 'abc', '2.499', '2.49 | 1.99', '2.49 |']) {
        expect(() => parseTiers(text, 'EUR', 'MILK-1L')).toThrow(/The price of MILK-1L/);
      }
    });
  });

  describe('PriceBookEditor', () => {
    it('creates a scheduled book with its prices, previews old → new per store, publishes what was previewed', async () => {
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/pricing',
        setup: (fake) => {
          script(fake);
          fake.handle('POST /api/price-books/:id/preview', ({ params }) =>
            previewOf(1, 0, { ...BOOK, priceBookId: params.id as string, name: 'Milk week' }),
          );
          fake.handle('POST /api/price-books/:id/publish', () => ({
            ...BOOK,
            name: 'Milk week',
            version: 1,
          }));
        },
      });
      const form = await openNewEditor(user, 'price book', 'pb-milk');
      await user.type(within(form).getByLabelText('Name'), 'Milk week');
      await user.selectOptions(within(form).getByLabelText('Scope'), 'store:store-1');
      await user.clear(within(form).getByLabelText('Priority'));
      await user.type(within(form).getByLabelText('Priority'), '20');
      await user.type(within(form).getByLabelText('Starts (empty: now)'), '2026-12-06T18:30:15');
      await user.type(within(form).getByLabelText('SKU to price'), 'MILK-1L');
      await user.type(within(form).getByLabelText('Its price'), '0.99');
      await user.click(within(form).getByRole('button', { name: 'Add price' }));
      expect((within(form).getByLabelText('Price of MILK-1L') as HTMLInputElement).value).toBe('0.99');
      expect(
        (within(form).getByRole('button', { name: 'Publish (preview first)' }) as HTMLButtonElement).disabled,
      ).toBe(true);

      await user.click(within(form).getByRole('button', { name: 'Preview' }));
      const preview = await within(form).findByRole('region', { name: 'Preview of version 1' });
      expect(preview.textContent).toContain('A new price book.');
      expect(preview.textContent).toContain('Reaches 1 store(s): S001 Dublin Grafton St');
      const row = within(within(preview).getByRole('table', { name: 'Price changes by store' })).getByRole(
        'row',
        { name: /MILK-1L/ },
      );
      expect(row.textContent).toContain('S001 Dublin Grafton St');
      expect(row.textContent).toContain('€1.29');
      expect(row.textContent).toContain('€0.99');
      expect(preview.textContent).toContain('2 store/SKU pair(s) keep their price');

      await user.click(within(form).getByRole('button', { name: 'Publish version 1' }));
      expect((await screen.findByRole('status')).textContent).toContain(
        'Milk week was published as version 1',
      );
      const [sent] = hub.sent('POST', '/api/price-books/pb-milk/publish');
      expect(sent).toEqual(hub.sent('POST', '/api/price-books/pb-milk/preview')[0]);
      expect(sent).toEqual({
        book: {
          name: 'Milk week',
          currency: 'EUR',
          scope: { type: 'store', storeId: 'store-1' },
          priority: 20,
          taxInclusive: true,
          startsAt: new Date('2026-12-06T18:30:15').getTime(),
        },
        entries: [{ sku: 'MILK-1L', tiers: [{ minQty: 1, unitPrice: 99 }] }],
        remove: [],
      });
    });

    it('sends only changed and removed prices with the version seen, and offers a reload on 409', async () => {
      let version = 3;
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/pricing',
        setup: (fake) => {
          script(fake, [BOOK]);
          fake.handle('GET /api/price-books/:id', () => ({
            book: { ...BOOK, version },
            entries: [
              { priceBookId: 'pb-ie', sku: 'BREAD-1', tiers: [{ minQty: 1, unitPrice: 250 }] },
              {
                priceBookId: 'pb-ie',
                sku: 'MILK-1L',
                tiers: [
                  { minQty: 1, unitPrice: 129 },
                  { minQty: 6, unitPrice: 110 },
                ],
              },
              { priceBookId: 'pb-ie', sku: 'TEA-80', tiers: [{ minQty: 1, unitPrice: 399 }] },
            ],
          }));
          fake.handle('POST /api/price-books/:id/preview', () => previewOf(4, 3, BOOK));
          fake.handle('POST /api/price-books/:id/publish', () =>
            failure(
              'CONFLICT',
              'Price book pb-ie was changed meanwhile (now version 4); reload it and apply your change again.',
            ),
          );
        },
      });
      await user.click(await screen.findByRole('button', { name: 'Edit Ireland retail' }));
      const form = await screen.findByRole('form', { name: 'Change Ireland retail (version 3)' });
      expect((within(form).getByLabelText('Price of MILK-1L') as HTMLInputElement).value).toBe(
        '1.29 | 6=1.10',
      );
      await user.clear(within(form).getByLabelText('Price of BREAD-1'));
      await user.type(within(form).getByLabelText('Price of BREAD-1'), '2.30');
      await user.click(within(form).getByRole('button', { name: 'Remove TEA-80' }));
      await user.click(within(form).getByRole('button', { name: 'Preview' }));
      await within(form).findByRole('region', { name: 'Preview of version 4' });
      await user.click(within(form).getByRole('button', { name: 'Publish version 4' }));
      expect((await within(form).findByRole('alert')).textContent).toContain(
        'changed meanwhile (now version 4)',
      );
      expect(hub.sent('POST', '/api/price-books/pb-ie/publish')).toEqual([
        expect.objectContaining({
          expectedVersion: 3,
          entries: [{ sku: 'BREAD-1', tiers: [{ minQty: 1, unitPrice: 230 }] }],
          remove: ['TEA-80'],
        }),
      ]);

      version = 4;
      await user.click(within(form).getByRole('button', { name: /Reload it as it is now/ }));
      const fresh = await screen.findByRole('form', { name: 'Change Ireland retail (version 4)' });
      expect((within(fresh).getByLabelText('Price of BREAD-1') as HTMLInputElement).value).toBe('2.50');
      expect(within(fresh).queryByRole('alert')).toBeNull();
    });

    it('says which price is not a price before asking the hub', async () => {
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/pricing',
        setup: (fake) => script(fake),
      });
      const form = await openNewEditor(user, 'price book', 'pb-x');
      await user.type(within(form).getByLabelText('SKU to price'), 'TEA-80');
      await user.type(within(form).getByLabelText('Its price'), '3,99');
      await user.click(within(form).getByRole('button', { name: 'Add price' }));
      await user.click(within(form).getByRole('button', { name: 'Preview' }));
      expect((await within(form).findByRole('alert')).textContent).toContain('The price of TEA-80, "3,99"');
      expect(hub.sent('POST', '/api/price-books/pb-x/preview')).toEqual([]);
    });

    it('offers no price book editing to a viewer', async () => {
      renderDashboard({ signedInAs: 'viewer', at: '/pricing', setup: (fake) => script(fake, [BOOK]) });
      await screen.findByRole('table', { name: 'Price books' });
      expect(screen.queryByRole('button', { name: 'New price book' })).toBeNull();
      expect(screen.queryByRole('button', { name: 'Edit Ireland retail' })).toBeNull();
    });
  });
});
