// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Promotion } from '../../api/api-types';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { IRELAND_BOOK as BOOK, openNewEditor, PRICING_STORE as STORE } from '../../testing/pricing-editors';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

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
    describe('PromotionEditor', () => {
      const previewOf = (version: number, currentVersion: number) => ({
        promotionId: 'promo-bread',
        version,
        currentVersion,
        promotion: { ...PROMOTION, promotionId: 'promo-bread', version },
        changes: [{ field: 'name', before: null, after: 'Bread week' }],
        stores: [{ nodeId: 'store-1', code: 'S001', name: 'Dublin Grafton St' }],
        storesDropped: [],
        items: [{ sku: 'BREAD-1', name: 'Smooth Bread' }],
        categories: [],
        everyItem: false,
      });

      it('previews a new promotion, then publishes exactly what was previewed', async () => {
        const { user, hub } = renderDashboard({
          signedInAs: 'operator',
          at: '/pricing',
          setup: (fake) => {
            scriptPricing(fake);
            fake.handle('GET /api/nodes', () => [STORE]);
            fake.handle('POST /api/promotions/:id/preview', () => previewOf(1, 0));
            fake.handle('PUT /api/promotions/:id', () => ({ ...PROMOTION, name: 'Bread week', version: 1 }));
          },
        });
        const form = await openNewEditor(user, 'promotion', 'promo-bread');
        await user.type(within(form).getByLabelText('Name'), 'Bread week');
        await user.type(within(form).getByLabelText('Percent off'), '25');
        await user.type(within(form).getByLabelText('Items (SKUs, separated by commas)'), 'BREAD-1');
        const publish = within(form).getByRole('button', { name: 'Publish (preview first)' });
        expect((publish as HTMLButtonElement).disabled).toBe(true);
        await user.click(within(form).getByRole('button', { name: 'Preview' }));
        const preview = await within(form).findByRole('region', { name: 'Preview of version 1' });
        expect(preview.textContent).toContain('A new promotion.');
        expect(preview.textContent).toContain('Reaches 1 store(s): S001 Dublin Grafton St');
        expect(preview.textContent).toContain('BREAD-1 Smooth Bread');
        await user.click(within(form).getByRole('button', { name: 'Publish version 1' }));
        expect((await screen.findByRole('status')).textContent).toContain(
          'Bread week was published as version 1',
        );
        const [sent] = hub.sent('PUT', '/api/promotions/promo-bread') as {
          promotion: unknown;
          expectedVersion?: number;
        }[];
        expect(sent).toEqual(hub.sent('POST', '/api/promotions/promo-bread/preview')[0]);
        expect(sent).toMatchObject({
          promotion: {
            name: 'Bread week',
            scope: { type: 'chain' },
            currency: 'EUR',
            rule: { type: 'percent_off', target: { skus: ['BREAD-1'] }, percent: 25 },
          },
        });
        expect(sent).not.toHaveProperty('expectedVersion');
      });

      it('sends the version on screen and shows the hub’s refusal of a stale change', async () => {
        const percentOff = {
          ...PROMOTION,
          rule: { type: 'percent_off', target: { skus: ['BREAD-1'] }, percent: 20 },
        };
        const { user, hub } = renderDashboard({
          signedInAs: 'operator',
          at: '/pricing',
          setup: (fake) => {
            scriptPricing(fake);
            fake.handle('GET /api/promotions', () => [percentOff]);
            fake.handle('GET /api/nodes', () => [STORE]);
            fake.handle('POST /api/promotions/:id/preview', ({ params }) => ({
              ...previewOf(3, 2),
              promotionId: params.id,
            }));
            fake.handle('PUT /api/promotions/:id', () =>
              failure(
                'CONFLICT',
                'Promotion promo-tees was changed meanwhile (now version 3); reload it and apply your change again.',
              ),
            );
          },
        });
        await user.click(await screen.findByRole('button', { name: 'Edit 20% off tops' }));
        const form = screen.getByRole('form', { name: 'Change 20% off tops (version 2)' });
        await user.click(within(form).getByRole('button', { name: 'Preview' }));
        await within(form).findByRole('region', { name: 'Preview of version 3' });
        await user.click(within(form).getByRole('button', { name: 'Publish version 3' }));
        expect((await within(form).findByRole('alert')).textContent).toContain(
          'changed meanwhile (now version 3)',
        );
        expect(hub.sent('PUT', '/api/promotions/promo-tees')).toEqual([
          expect.objectContaining({ expectedVersion: 2 }),
        ]);
      });

      it('offers no editing to a viewer', async () => {
        renderDashboard({ signedInAs: 'viewer', at: '/pricing', setup: scriptPricing });
        await screen.findByRole('table', { name: 'Promotions' });
        expect(screen.queryByRole('button', { name: 'New promotion' })).toBeNull();
      });
    });
  });
});
