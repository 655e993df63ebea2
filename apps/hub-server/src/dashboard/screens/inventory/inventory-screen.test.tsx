// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { InventoryLevel, Sku } from '../../api/api-types';
import { reservation } from '../../testing/builders';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

const SKU: Sku = {
  sku: 'SKU-RED-M',
  productId: 'prod-red',
  name: 'Red T-shirt M',
  unit: 'each',
  taxCategory: 'standard',
  categoryIds: ['tops'],
  barcodes: ['5012345678900'],
  active: true,
};

function level(nodeId: string, overrides: Partial<InventoryLevel> = {}): InventoryLevel {
  return {
    nodeId,
    sku: SKU.sku,
    sellable: 10,
    staged: 1,
    damaged: 2,
    qualityControl: 3,
    onHand: 16,
    incoming: 4,
    committed: 5,
    safetyStock: 1,
    atp: 4,
    ...overrides,
  };
}

function scriptInventory(hub: FakeHub): void {
  hub.handle('GET /api/catalog/barcodes/:barcode', ({ params }) =>
    params.barcode === '5012345678900' ? SKU : failure('NOT_FOUND', `No SKU has barcode ${params.barcode}.`),
  );
  hub.handle('GET /api/catalog/skus/:sku', ({ params }) =>
    params.sku === SKU.sku ? SKU : failure('NOT_FOUND', `There is no SKU ${params.sku}.`),
  );
  hub.handle('GET /api/inventory/:sku', () => ({
    sku: SKU.sku,
    levels: [level('store-1'), level('store-2', { sellable: 0, committed: 1, atp: 0 })],
    network: {
      sku: SKU.sku,
      channel: 'any',
      total: 4,
      byNode: [
        { nodeId: 'store-1', atp: 4 },
        { nodeId: 'store-2', atp: 0 },
      ],
    },
    reservations: [reservation({ nodeId: 'store-1', qty: 5, orderRef: 'ord-7:l1' })],
  }));
  hub.handle('GET /api/inventory/:sku/ledger', ({ query }) => [
    {
      movementId: 'mv-2',
      nodeId: query.nodeId,
      sku: SKU.sku,
      type: 'SALE',
      bucket: 'sellable',
      delta: -1,
      reason: null,
      sourceDoc: 'S001-1-000042',
      eventId: 'evt-sale-1',
      actor: 'device:dev-till-1',
      recordedAt: NOW - 60_000,
    },
    {
      movementId: 'mv-1',
      nodeId: query.nodeId,
      sku: SKU.sku,
      type: 'RECEIPT',
      bucket: 'sellable',
      delta: 11,
      reason: 'supplier delivery',
      sourceDoc: null,
      eventId: null,
      actor: 'user:hq.ana',
      recordedAt: NOW - 86_400_000,
    },
  ]);
}

describe('inventory-screen', () => {
  describe('InventoryScreen', () => {
    it('finds a SKU by a scanned barcode and shows every bucket per node, ATP and network ATP', async () => {
      const { user, navigation } = renderDashboard({
        signedInAs: 'viewer',
        at: '/inventory',
        setup: scriptInventory,
      });
      await user.type(await screen.findByLabelText('SKU or barcode'), '5012345678900{Enter}');
      expect(navigation.current()).toBe('/inventory?sku=5012345678900');
      expect(await screen.findByRole('heading', { name: 'SKU-RED-M · Red T-shirt M' })).toBeTruthy();
      expect(screen.getByText('Network ATP: 4')).toBeTruthy();
      const table = screen.getByRole('table', { name: 'Stock by node' });
      const headers = within(table)
        .getAllByRole('columnheader')
        .map((header) => header.textContent);
      expect(headers).toEqual([
        'Node',
        'Sellable',
        'Staged',
        'Damaged',
        'Quality control',
        'Incoming',
        'Reserved',
        'Safety stock',
        'ATP',
        'Ledger',
      ]);
      const dublin = within(table).getByRole('row', { name: /S001 Dublin Grafton St/ });
      expect(
        within(dublin)
          .getAllByRole('cell')
          .slice(0, 8)
          .map((cell) => cell.textContent),
      ).toEqual(['10', '1', '2', '3', '4', '5', '1', '4']);
      expect(screen.getByRole('list', { name: 'Open reservations' }).textContent).toContain('ord-7:l1');
    });

    it('shows one node’s ledger newest first', async () => {
      const { user, hub } = renderDashboard({
        signedInAs: 'viewer',
        at: '/inventory?sku=SKU-RED-M',
        setup: scriptInventory,
      });
      await user.click(
        await screen.findByRole('button', { name: 'Ledger of SKU-RED-M at S002 Cork Patrick St' }),
      );
      const ledger = await screen.findByRole('table', {
        name: 'Ledger of SKU-RED-M at S002 Cork Patrick St, newest first',
      });
      const rows = within(ledger).getAllByRole('row').slice(1);
      expect(rows.map((row) => row.textContent)).toEqual([
        expect.stringContaining('SALE'),
        expect.stringContaining('RECEIPT'),
      ]);
      expect(rows[0]?.textContent).toContain('-1');
      expect(rows[0]?.textContent).toContain('S001-1-000042');
      expect(rows[1]?.textContent).toContain('+11');
      expect(hub.requests.at(-1)).toMatchObject({
        path: '/api/inventory/SKU-RED-M/ledger',
        query: { nodeId: 'store-2' },
      });
    });

    it('shows the hub’s sentence for a code that is neither a barcode nor a SKU', async () => {
      const { user } = renderDashboard({ signedInAs: 'viewer', at: '/inventory', setup: scriptInventory });
      await user.type(await screen.findByLabelText('SKU or barcode'), 'NOPE-1{Enter}');
      expect((await screen.findByRole('alert')).textContent).toBe('There is no SKU NOPE-1.');
      expect(screen.queryByRole('table', { name: 'Stock by node' })).toBeNull();
    });
  });
});
