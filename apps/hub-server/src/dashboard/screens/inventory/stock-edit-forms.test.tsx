// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { InventoryLevel, Sku } from '../../api/api-types';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { renderDashboard } from '../../testing/render-dashboard';

const SKU: Sku = {
  sku: 'SKU-RED-M',
  productId: 'prod-red',
  name: 'Red T-shirt M',
  unit: 'each',
  taxCategory: 'standard',
  categoryIds: [],
  barcodes: [],
  active: true,
};

function level(nodeId: string, sellable: number, damaged = 0): InventoryLevel {
  return {
    nodeId,
    sku: SKU.sku,
    sellable,
    staged: 0,
    damaged,
    qualityControl: 0,
    onHand: sellable + damaged,
    incoming: 0,
    committed: 0,
    safetyStock: 0,
    atp: sellable,
  };
}

/** A hub whose store-1 figures are whatever `stock` says now, as the real hub's would be. */
function script(hub: FakeHub, stock: { sellable: number; damaged: number }): void {
  hub.handle('GET /api/catalog/skus/:sku', () => SKU);
  hub.handle('GET /api/inventory/:sku', () => ({
    sku: SKU.sku,
    levels: [level('store-1', stock.sellable, stock.damaged), level('store-2', 0)],
    network: { sku: SKU.sku, channel: 'any', total: stock.sellable, byNode: [] },
    reservations: [],
  }));
  hub.handle('GET /api/inventory/:sku/ledger', () => []);
  hub.handle('POST /api/adjustments', ({ body }) => {
    const line = (body as { lines: { bucket: 'sellable' | 'damaged'; delta: number; expectedQty: number }[] })
      .lines[0]!;
    if (line.expectedQty !== stock[line.bucket]) {
      return failure('CONFLICT', `Stock of SKU-RED-M (${line.bucket}) changed since you looked.`, 409);
    }
    stock[line.bucket] += line.delta;
    return { adjustmentId: 'adj-1' };
  });
  hub.handle('POST /api/transfers', ({ body }) => {
    const input = body as { fromNodeId: string; toNodeId: string; lines: { qty: number }[] };
    stock.sellable -= input.lines[0]!.qty;
    return {
      transferId: 'T-S001-0-000001',
      fromNodeId: input.fromNodeId,
      toNodeId: input.toNodeId,
      status: 'in_transit',
      lines: [{ sku: SKU.sku, shipped: input.lines[0]!.qty, received: 0 }],
      createdBy: 'user:hq.ana',
      createdAt: 0,
      receivedAt: null,
    };
  });
}

const levelsTable = () => screen.findByRole('table', { name: 'Stock by node' });

describe('inventory/stock-edit-forms', () => {
  it('adjusts a bucket with the figure shown and shows the new figure', async () => {
    const stock = { sellable: 10, damaged: 2 };
    const { user, hub } = renderDashboard({
      signedInAs: 'operator',
      at: '/inventory?sku=SKU-RED-M',
      setup: (fake) => script(fake, stock),
    });
    const form = await screen.findByRole('form', { name: 'Adjust stock of SKU-RED-M' });
    await user.selectOptions(within(form).getByLabelText('Store or warehouse'), 'store-1');
    await user.selectOptions(within(form).getByLabelText('Bucket'), 'damaged');
    expect(form.textContent).toContain('Now at S001 Dublin Grafton St: 2 (Damaged)');
    await user.type(within(form).getByLabelText('Change (+ adds, − removes)'), '3');
    await user.selectOptions(within(form).getByLabelText('Reason'), 'damage');
    await user.click(within(form).getByRole('button', { name: 'Adjust' }));
    expect((await within(form).findByRole('status')).textContent).toContain('adjusted by +3 (Damaged)');
    expect(hub.sent('POST', '/api/adjustments')[0]).toEqual({
      nodeId: 'store-1',
      reason: 'damage',
      lines: [{ sku: 'SKU-RED-M', bucket: 'damaged', delta: 3, expectedQty: 2 }],
    });
    await within(form).findByText('Now at S001 Dublin Grafton St: 5 (Damaged)');
    const row = within(await levelsTable()).getByRole('row', { name: /Dublin/ });
    expect(row.textContent).toContain('5');
  });

  it('offers to reload when the hub says the figure went stale, then adjusts on the new one', async () => {
    const stock = { sellable: 10, damaged: 0 };
    const { user, hub } = renderDashboard({
      signedInAs: 'operator',
      at: '/inventory?sku=SKU-RED-M',
      setup: (fake) => script(fake, stock),
    });
    const form = await screen.findByRole('form', { name: 'Adjust stock of SKU-RED-M' });
    await user.selectOptions(within(form).getByLabelText('Store or warehouse'), 'store-1');
    stock.sellable = 8; // a till sold two meanwhile
    await user.type(within(form).getByLabelText('Change (+ adds, − removes)'), '-1');
    await user.click(within(form).getByRole('button', { name: 'Adjust' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('changed since you looked');
    await user.click(within(form).getByRole('button', { name: 'Reload the figures' }));
    await within(form).findByText('Now at S001 Dublin Grafton St: 8 (Sellable)');
    await user.click(within(form).getByRole('button', { name: 'Adjust' }));
    await within(form).findByRole('status');
    expect(hub.sent('POST', '/api/adjustments')).toMatchObject([
      { lines: [{ delta: -1, expectedQty: 10 }] },
      { lines: [{ delta: -1, expectedQty: 8 }] },
    ]);
    expect(stock.sellable).toBe(7);
  });

  it('ships a transfer between nodes picked by code and name, and shows its transfer number', async () => {
    const stock = { sellable: 10, damaged: 0 };
    const { user, hub } = renderDashboard({
      signedInAs: 'operator',
      at: '/inventory?sku=SKU-RED-M',
      setup: (fake) => script(fake, stock),
    });
    const form = await screen.findByRole('form', { name: /Transfer SKU-RED-M/ });
    const from = within(form).getByLabelText('From');
    expect(
      within(from)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual(['—', 'S001 Dublin Grafton St', 'S002 Cork Patrick St']);
    await user.selectOptions(from, 'store-1');
    await user.selectOptions(within(form).getByLabelText('To'), 'store-1');
    await user.type(within(form).getByLabelText('Quantity'), '4');
    await user.click(within(form).getByRole('button', { name: 'Ship transfer' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('another store or warehouse');
    await user.selectOptions(within(form).getByLabelText('To'), 'store-2');
    await user.click(within(form).getByRole('button', { name: 'Ship transfer' }));
    const sent = await within(form).findByRole('status', { name: 'Transfer number' });
    expect(sent.textContent).toContain('T-S001-0-000001');
    expect(sent.textContent).toContain('on its way to S002 Cork Patrick St');
    expect(hub.sent('POST', '/api/transfers')[0]).toEqual({
      fromNodeId: 'store-1',
      toNodeId: 'store-2',
      lines: [{ sku: 'SKU-RED-M', qty: 4, expectedSellable: 10 }],
    });
    await within(form).findByText('Sellable at S001 Dublin Grafton St: 6');
  });

  it('shows no edit forms to a viewer', async () => {
    renderDashboard({
      signedInAs: 'viewer',
      at: '/inventory?sku=SKU-RED-M',
      setup: (fake) => script(fake, { sellable: 1, damaged: 0 }),
    });
    await levelsTable();
    expect(screen.queryByRole('form', { name: /Adjust stock/ })).toBeNull();
    expect(screen.queryByRole('form', { name: /Transfer/ })).toBeNull();
  });
});
