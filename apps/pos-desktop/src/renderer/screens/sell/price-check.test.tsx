// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { catalogItem, localStock } from '../../testing/builders';
import { scriptLoyaltyNode } from '../../testing/fake-loyalty';
import { failure } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';

const BREAD = catalogItem();
const RICE = catalogItem({
  sku: 'RICE-KG',
  name: 'Spicy Rice (loose)',
  unit: 'kg',
  barcodes: [],
  price: { ...BREAD.price!, unitPrice: 450 },
});

function render() {
  return renderPos({
    signedInAs: 'cashier',
    setup: (node) => {
      scriptLoyaltyNode(node);
      // HQ knows bread's stock at other stores; for rice the hub is away.
      node.handle('price-check-nearby', (input) =>
        input.sku === BREAD.sku
          ? {
              source: 'hub',
              orderedBy: 'distance',
              stores: [
                {
                  storeId: 'store-2',
                  code: 'S002',
                  name: 'Versailles',
                  region: 'west',
                  distanceMetres: 17_250,
                  onHand: 9,
                  available: 7,
                },
                {
                  storeId: 'store-9',
                  code: 'S009',
                  name: 'Lyon',
                  region: 'south',
                  distanceMetres: null,
                  onHand: 0,
                  available: 0,
                },
              ],
            }
          : {
              source: 'none',
              reason: 'offline',
              message: 'Stock at other stores is not available offline: only HQ knows it.',
            },
      );
      node.handle('price-check', (input) => {
        if (input.code === BREAD.barcodes[0]) {
          return {
            item: BREAD,
            promotions: [
              {
                promotionId: 'bread-week',
                name: 'Bread week',
                description: '20% off',
                endsAt: '2026-11-30T22:00:00.000Z',
              },
            ],
            stock: localStock({ sku: BREAD.sku, sellable: 12 }),
          };
        }
        if (input.sku === RICE.sku) {
          return { item: RICE, promotions: [], stock: localStock({ sku: RICE.sku, sellable: 2500 }) };
        }
        return input.code !== undefined
          ? failure('UNKNOWN_BARCODE', `Barcode ${input.code} is not in this store's catalog.`)
          : failure('NOT_FOUND', `SKU ${input.sku} is not in this store's catalog.`);
      });
    },
  });
}

describe('PriceCheckDialog', () => {
  it('opens with Shift+F3 and answers price, promotions and stock here without starting a sale', async () => {
    const { user, node } = render();
    await screen.findByRole('combobox', { name: 'Scan or search' });
    await user.keyboard('{Shift>}{F3}{/Shift}');
    const dialog = await screen.findByRole('dialog', { name: 'Price check' });
    await user.type(within(dialog).getByLabelText('Scan or type a barcode or SKU'), '4000000000013{Enter}');
    const result = await within(dialog).findByRole('region', { name: 'Price check result' });
    expect(within(result).getByText('Smooth Bread family size')).toBeTruthy();
    expect(within(result).getByTestId('price-check-price').textContent).toBe('€7.20');
    expect(within(result).getByRole('list', { name: 'Promotions in force' }).textContent).toMatch(
      /^Bread week: 20% off · until /,
    );
    expect(within(result).getByTestId('price-check-stock').textContent).toBe(
      'In stock here: 12 (this till’s copy)',
    );
    const nearby = await within(result).findByRole('list', { name: 'Other stores' });
    expect(
      within(nearby)
        .getAllByRole('listitem')
        .map((store) => store.textContent),
    ).toEqual(['S002 Versailles: 7 available (9 on hand) · 17.3 km', 'S009 Lyon: 0 available (0 on hand)']);

    // The next scan replaces the answer; a code that is no barcode is tried as a SKU.
    await user.type(within(dialog).getByLabelText('Scan or type a barcode or SKU'), 'RICE-KG{Enter}');
    await waitFor(() =>
      expect(within(dialog).getByTestId('price-check-price').textContent).toBe('€4.50 per kg'),
    );
    expect(within(dialog).getByText('No promotion on this item right now.')).toBeTruthy();
    expect(within(dialog).getByTestId('price-check-stock').textContent).toBe(
      'In stock here: 2.500 kg (this till’s copy)',
    );
    await waitFor(() =>
      expect(within(dialog).getByTestId('price-check-nearby').textContent).toBe(
        'Stock at other stores is not available offline.',
      ),
    );
    expect(node.inputs('price-check-nearby')).toEqual([{ sku: BREAD.sku }, { sku: 'RICE-KG' }]);
    expect(node.inputs('price-check')).toEqual([
      { code: '4000000000013' },
      { code: 'RICE-KG' },
      { sku: 'RICE-KG' },
    ]);

    await user.type(within(dialog).getByLabelText('Scan or type a barcode or SKU'), '123456{Enter}');
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      "Barcode 123456 is not in this store's catalog.",
    );
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // Checking prices is not selling.
    expect(node.inputs('sale-start')).toEqual([]);
  });
});
