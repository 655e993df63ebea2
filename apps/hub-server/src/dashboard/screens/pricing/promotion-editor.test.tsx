// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Promotion, PromotionRule } from '@retail/domain';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { openNewEditor, PRICING_STORE as STORE } from '../../testing/pricing-editors';
import { renderDashboard } from '../../testing/render-dashboard';
import { draftOf, ruleOf } from './promotion-rule';

const BXGY: Promotion = {
  promotionId: 'promo-bread',
  version: 2,
  name: 'Buy 2 bread get jam half price',
  priority: 3,
  stacking: 'exclusive',
  scope: { type: 'chain' },
  currency: 'EUR',
  rule: {
    type: 'buy_x_get_y',
    buy: { target: { skus: ['BREAD-1'] }, qty: 2 },
    get: { target: { categoryIds: ['jams'] }, qty: 1, percentOff: 50 },
  },
};

function script(hub: FakeHub, promotions: Promotion[] = []): void {
  hub.handle('GET /api/price-books', () => []);
  hub.handle('GET /api/promotions', () => promotions);
  hub.handle('GET /api/nodes', () => [STORE]);
  hub.handle('POST /api/promotions/:id/preview', ({ params, body }) => {
    const input = body as { promotion: Omit<Promotion, 'promotionId' | 'version'> };
    return {
      promotionId: params.id,
      version: 1,
      currentVersion: 0,
      promotion: { ...input.promotion, promotionId: params.id, version: 1 },
      changes: [{ field: 'rule', before: null, after: input.promotion.rule }],
      stores: [{ nodeId: 'store-1', code: 'S001', name: 'Dublin Grafton St' }],
      storesDropped: [],
      items: [{ sku: 'TEA-80', name: 'Breakfast tea 80' }],
      categories: ['jams'],
      everyItem: false,
    };
  });
}

describe('promotion-editor', () => {
  describe('draftOf and ruleOf', () => {
    it('round-trip every kind of rule through the form’s text', () => {
      const rules: PromotionRule[] = [
        { type: 'percent_off', target: { skus: ['A'] }, percent: 12.5 },
        { type: 'amount_off', target: { categoryIds: ['tops'] }, amount: 150 },
        { type: 'multi_buy', target: { skus: ['A', 'B'] }, qty: 3, price: 1000 },
        BXGY.rule,
        { type: 'spend_threshold', threshold: 5000, reward: { amountOff: 500 } },
        { type: 'spend_threshold', threshold: 0, target: { skus: ['A'] }, reward: { percentOff: 10 } },
      ];
      for (const rule of rules) expect(ruleOf(draftOf(rule, 'EUR'), 'EUR')).toEqual(rule);
    });

    it('names the field whose text is not a number or an amount', () => {
      const draft = draftOf(undefined, 'EUR');
      expect(() => ruleOf({ ...draft, kind: 'amount_off', amount: '1.234' }, 'EUR')).toThrow(
        'Amount off each item: "1.234" is not a valid number or amount.',
      );
      expect(() => ruleOf({ ...draft, kind: 'multi_buy', qty: '2.5', price: '5' }, 'EUR')).toThrow(
        /Units in the group/,
      );
      expect(() => ruleOf({ ...draft, kind: 'percent_off', percent: '' }, 'EUR')).toThrow(/Percent off/);
    });
  });

  describe('PromotionEditor', () => {
    it('creates a scheduled multi-buy: previews, then publishes the rule in minor units', async () => {
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/pricing',
        setup: (fake) => {
          script(fake);
          fake.handle('PUT /api/promotions/:id', () => ({ ...BXGY, name: 'Tea 3 for 10', version: 1 }));
        },
      });
      const form = await openNewEditor(user, 'promotion', 'promo-tea');
      await user.type(within(form).getByLabelText('Name'), 'Tea 3 for 10');
      await user.selectOptions(within(form).getByLabelText('Kind of promotion'), 'multi_buy');
      expect(within(form).queryByLabelText('Percent off')).toBeNull();
      await user.type(within(form).getByLabelText('Units in the group'), '3');
      await user.type(within(form).getByLabelText('Price of the group'), '10.00');
      await user.type(within(form).getByLabelText('Items (SKUs, separated by commas)'), 'TEA-80');
      await user.selectOptions(within(form).getByLabelText('Stacking'), 'exclusive');
      await user.type(within(form).getByLabelText('Starts (empty: now)'), '2026-12-07T08:00');
      await user.type(within(form).getByLabelText('Ends (empty: open-ended)'), '2026-12-14T08:00');
      await user.click(within(form).getByRole('button', { name: 'Preview' }));
      const preview = await within(form).findByRole('region', { name: 'Preview of version 1' });
      expect(preview.textContent).toContain('TEA-80 Breakfast tea 80');
      expect(preview.textContent).toContain('Every item in category jams');
      await user.click(within(form).getByRole('button', { name: 'Publish version 1' }));
      await screen.findByRole('status');
      expect(hub.sent('PUT', '/api/promotions/promo-tea')).toEqual([
        {
          promotion: {
            name: 'Tea 3 for 10',
            priority: 0,
            stacking: 'exclusive',
            scope: { type: 'chain' },
            currency: 'EUR',
            startsAt: new Date('2026-12-07T08:00').getTime(),
            endsAt: new Date('2026-12-14T08:00').getTime(),
            rule: { type: 'multi_buy', target: { skus: ['TEA-80'] }, qty: 3, price: 1000 },
          },
        },
      ]);
    });

    it('sends a spend threshold with an amount reward', async () => {
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/pricing',
        setup: (f) => script(f),
      });
      const form = await openNewEditor(user, 'promotion', 'promo-50');
      await user.type(within(form).getByLabelText('Name'), '5 off 50');
      await user.selectOptions(within(form).getByLabelText('Kind of promotion'), 'spend_threshold');
      await user.type(within(form).getByLabelText('Spend at least'), '50');
      await user.selectOptions(within(form).getByLabelText('Reward'), 'amount');
      await user.type(within(form).getByLabelText('Amount off the order'), '5');
      await user.click(within(form).getByRole('button', { name: 'Preview' }));
      await within(form).findByRole('region', { name: 'Preview of version 1' });
      expect(hub.sent('POST', '/api/promotions/promo-50/preview')).toEqual([
        expect.objectContaining({
          promotion: expect.objectContaining({
            rule: { type: 'spend_threshold', threshold: 5000, reward: { amountOff: 500 } },
          }),
        }),
      ]);
    });

    it('refuses an amount the currency cannot hold without asking the hub', async () => {
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/pricing',
        setup: (f) => script(f),
      });
      const form = await openNewEditor(user, 'promotion', 'promo-x');
      await user.selectOptions(within(form).getByLabelText('Kind of promotion'), 'amount_off');
      await user.type(within(form).getByLabelText('Amount off each item'), '0.505');
      await user.click(within(form).getByRole('button', { name: 'Preview' }));
      expect((await within(form).findByRole('alert')).textContent).toContain(
        'Amount off each item: "0.505" is not a valid number or amount.',
      );
      expect(hub.sent('POST', '/api/promotions/promo-x/preview')).toEqual([]);
    });

    it('opens a buy-X-get-Y with its fields filled, and reloads it after a 409', async () => {
      let current = BXGY;
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/pricing',
        setup: (fake) => {
          script(fake, [BXGY]);
          fake.handle('GET /api/promotions', () => [current]);
          fake.handle('PUT /api/promotions/:id', () =>
            failure(
              'CONFLICT',
              'Promotion promo-bread was changed meanwhile (now version 3); reload it and apply your change again.',
            ),
          );
        },
      });
      await user.click(await screen.findByRole('button', { name: `Edit ${BXGY.name}` }));
      const form = screen.getByRole('form', { name: `Change ${BXGY.name} (version 2)` });
      const value = (label: string) => (within(form).getByLabelText(label) as HTMLInputElement).value;
      expect(value('Kind of promotion')).toBe('buy_x_get_y');
      expect(value('Units to buy')).toBe('2');
      expect(value('Items to buy (SKUs, separated by commas)')).toBe('BREAD-1');
      expect(value('Categories given (ids, separated by commas)')).toBe('jams');
      expect(value('Percent off the given units (100 = free)')).toBe('50');
      expect(value('Stacking')).toBe('exclusive');
      await user.click(within(form).getByRole('button', { name: 'Preview' }));
      await within(form).findByRole('region', { name: 'Preview of version 1' });
      await user.click(within(form).getByRole('button', { name: 'Publish version 1' }));
      await within(form).findByRole('alert');
      expect(hub.sent('PUT', '/api/promotions/promo-bread')).toEqual([
        expect.objectContaining({ expectedVersion: 2 }),
      ]);
      current = { ...BXGY, version: 3, name: 'Bread and jam' };
      await user.click(within(form).getByRole('button', { name: /Reload it as it is now/ }));
      await screen.findByRole('form', { name: 'Change Bread and jam (version 3)' });
    });
  });
});
