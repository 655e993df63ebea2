// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { PriceBook, Promotion } from '../../api/api-types';
import type { FakeHub } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

const BOOK: PriceBook = {
  priceBookId: 'pb-ie',
  version: 3,
  name: 'Ireland retail',
  currency: 'EUR',
  scope: { type: 'region', regionId: 'ie-east' },
  priority: 10,
  taxInclusive: true,
};

const PROMOTION: Promotion = {
  promotionId: 'promo-tees',
  version: 2,
  name: '20% off tops',
  priority: 5,
  stacking: 'exclusive',
  startsAt: Date.UTC(2026, 11, 1),
  endsAt: Date.UTC(2026, 11, 24),
  scope: { type: 'chain' },
  currency: 'EUR',
  rule: { type: 'percent_off', target: { categoryIds: ['tops'] }, percent: 20 },
};

function scriptPricing(hub: FakeHub): void {
  hub.handle('GET /api/price-books', () => [BOOK]);
  hub.handle('GET /api/promotions', () => [PROMOTION]);
  hub.handle('GET /api/price-books/:id/versions', () => [
    { version: 3, data: {}, changedBy: 'user:hq.ana', changedAt: NOW - 60_000 },
    { version: 2, data: {}, changedBy: 'user:hq.bo', changedAt: NOW - 86_400_000 },
    { version: 1, data: {}, changedBy: 'user:admin', changedAt: NOW - 2 * 86_400_000 },
  ]);
  hub.handle('GET /api/promotions/:id/versions', () => [
    { version: 2, data: {}, changedBy: 'user:hq.ana', changedAt: NOW - 30_000 },
    { version: 1, data: {}, changedBy: 'user:hq.ana', changedAt: NOW - 90_000 },
  ]);
}

describe('pricing-screen', () => {
  describe('PricingScreen', () => {
    it('lists price books and promotions and opens the versions of each', async () => {
      const { user, hub } = renderDashboard({ signedInAs: 'viewer', at: '/pricing', setup: scriptPricing });
      const books = await screen.findByRole('table', { name: 'Price books' });
      const book = within(books).getByRole('row', { name: /Ireland retail/ });
      expect(book.textContent).toContain('Region ie-east');
      expect(book.textContent).toContain('Always');
      const promotions = await screen.findByRole('table', { name: 'Promotions' });
      const promotion = within(promotions).getByRole('row', { name: /20% off tops/ });
      expect(promotion.textContent).toContain('Whole chain');
      expect(promotion.textContent).toContain('Percent off');
      expect(promotion.textContent).toContain('1 Dec 2026, 00:00 – 24 Dec 2026, 00:00');

      await user.click(within(books).getByRole('button', { name: 'Versions of Ireland retail' }));
      const bookVersions = await screen.findByRole('region', {
        name: 'Versions of Ireland retail, newest first',
      });
      expect(
        within(bookVersions)
          .getAllByRole('listitem')
          .map((item) => item.textContent),
      ).toEqual([
        expect.stringContaining('Version 3: changed by user:hq.ana'),
        expect.stringContaining('Version 2: changed by user:hq.bo'),
        expect.stringContaining('Version 1: changed by user:admin'),
      ]);
      await user.click(within(promotions).getByRole('button', { name: 'Versions of 20% off tops' }));
      const promotionVersions = await screen.findByRole('region', {
        name: 'Versions of 20% off tops, newest first',
      });
      expect(within(promotionVersions).getAllByRole('listitem')).toHaveLength(2);
      expect(hub.requests.map((request) => request.path)).toContain('/api/promotions/promo-tees/versions');
    });
  });
});
