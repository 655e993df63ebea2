// @vitest-environment happy-dom
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { hubException, orderView, reservation } from '../testing/builders';
import type { FakeHub } from '../testing/fake-hub';
import { NOW, renderDashboard } from '../testing/render-dashboard';

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
  'link',
  'searchbox',
] as const;

function unnamedControls(): string[] {
  return CONTROL_ROLES.flatMap((role) =>
    screen
      .queryAllByRole(role, { name: (name) => name.trim() === '' })
      .map((element) => `${role}: ${element.outerHTML.slice(0, 160)}`),
  );
}

function scriptEverything(hub: FakeHub): void {
  const order = orderView();
  hub.handle('GET /api/exceptions', () => [
    hubException(),
    hubException({
      exceptionId: 'exc-2',
      type: 'REJECTED_EVENT',
      details: { deviceId: 'dev-1', deviceSeq: 4 },
    }),
  ]);
  hub.handle('GET /api/orders', () => [
    {
      orderId: order.orderId,
      orderNumber: order.orderNumber,
      status: order.status,
      version: order.version,
      nodeId: order.nodeId,
      priority: 0,
      customerName: order.order.customer.name,
      lines: 1,
      units: 2,
      paymentStatus: 'authorised',
      expiresAt: null,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
    },
  ]);
  hub.handle('GET /api/orders/:orderId', () => order);
  hub.handle('GET /api/catalog/skus/:sku', ({ params }) => ({
    sku: params.sku,
    productId: 'p',
    name: 'Red T-shirt M',
    unit: 'each',
    taxCategory: 'standard',
    categoryIds: [],
    barcodes: [],
    active: true,
  }));
  hub.handle('GET /api/inventory/:sku', ({ params }) => ({
    sku: params.sku,
    levels: [
      {
        nodeId: 'store-1',
        sku: params.sku,
        sellable: 1,
        staged: 0,
        damaged: 0,
        qualityControl: 0,
        onHand: 1,
        incoming: 0,
        committed: 0,
        safetyStock: 0,
        atp: 1,
      },
    ],
    network: { sku: params.sku, channel: 'any', total: 1, byNode: [{ nodeId: 'store-1', atp: 1 }] },
    reservations: [reservation()],
  }));
  hub.handle('GET /api/devices', () => [
    {
      deviceId: 'dev-1',
      nodeId: 'store-1',
      nodeCode: 'S001',
      deviceNo: 1,
      name: 'lane-1',
      enrolledAt: NOW - 86_400_000,
      revoked: false,
      lastSeenAt: NOW - 60_000,
      lastPushAt: NOW - 60_000,
      lastSeq: 10,
      outboxPending: 0,
      outboxOldestAt: null,
    },
  ]);
  hub.handle('GET /api/price-books', () => [
    {
      priceBookId: 'pb-1',
      version: 1,
      name: 'Chain',
      currency: 'EUR',
      scope: { type: 'chain' },
      priority: 0,
      taxInclusive: true,
    },
  ]);
  hub.handle('GET /api/promotions', () => []);
  hub.handle('GET /api/staff', () => [
    {
      staffId: 'st-1',
      staffCode: 'C1',
      name: 'Casey',
      role: 'cashier',
      active: true,
      stores: [],
      version: 1,
      deactivatedAt: null,
      updatedAt: 0,
      updatedBy: 'user:hq',
    },
  ]);
  hub.handle('GET /api/settings', () => ({
    revision: 1,
    keys: ['pos.returns.noReceiptWindowDays'],
    settings: [
      {
        key: 'pos.returns.noReceiptWindowDays',
        scope: { kind: 'chain' },
        value: 30,
        version: 1,
        revision: 1,
        updatedAt: 0,
        updatedBy: 'user:hq',
      },
    ],
  }));
  hub.handle('GET /api/reports/analytics', () => ({
    byDay: [
      {
        nodeId: 'store-1',
        nodeCode: 'S001',
        date: '2026-11-23',
        currency: 'EUR',
        sales: 1,
        revenue: 100,
        voids: 0,
        voidsTotal: 0,
        returns: 0,
        refundsTotal: 0,
        net: 100,
        giftCardLoads: 0,
      },
    ],
    byHour: [{ hour: 9, currency: 'EUR', sales: 1, revenue: 100 }],
    byCashier: [],
    discounts: [],
    tenders: [],
    shifts: [],
  }));
  hub.handle('GET /api/audit', () => [
    {
      auditId: 'a1',
      at: 0,
      actor: 'user:hq',
      action: 'staff.create',
      subject: 'staff:st-1',
      nodeId: null,
      before: null,
      after: {},
    },
  ]);
}

describe('accessible-names', () => {
  describe('App', () => {
    it('names every control on the sign-in screen', async () => {
      renderDashboard();
      await screen.findByRole('button', { name: 'Sign in' });
      expect(unnamedControls()).toEqual([]);
    });

    // Each page with something that only appears once its data has loaded.
    const pages: readonly (readonly [string, 'list' | 'table' | 'heading', string])[] = [
      ['/', 'list', 'Exception list'],
      ['/orders', 'table', 'Orders'],
      ['/orders/ord-7', 'table', 'Candidate stores'],
      ['/inventory?sku=SKU-RED-M', 'table', 'Stock by node'],
      ['/stores', 'table', 'Devices'],
      ['/pricing', 'table', 'Price books'],
      ['/staff', 'table', 'Staff members'],
      ['/audit', 'table', 'Audit entries'],
      ['/settings', 'table', 'Settings at Whole chain'],
      ['/reports', 'table', 'Sales by store and day'],
      ['/nowhere', 'heading', 'Page not found'],
    ];
    for (const [path, role, name] of pages) {
      it(`names every control of ${path} for an operator`, async () => {
        renderDashboard({ signedInAs: 'operator', at: path, setup: scriptEverything });
        await screen.findByRole(role, { name });
        expect(unnamedControls()).toEqual([]);
      });
    }

    it('names every control of the settings editing form for an admin', async () => {
      const { user } = renderDashboard({ signedInAs: 'admin', at: '/settings', setup: scriptEverything });
      await user.click(await screen.findByRole('button', { name: 'Edit pos.returns.noReceiptWindowDays' }));
      await screen.findByRole('form', { name: 'pos.returns.noReceiptWindowDays at Whole chain (version 1)' });
      expect(unnamedControls()).toEqual([]);
    });

    it('names every control of the staff editing forms for an admin', async () => {
      const { user } = renderDashboard({ signedInAs: 'admin', at: '/staff', setup: scriptEverything });
      await user.click(await screen.findByRole('button', { name: 'Edit Casey' }));
      await screen.findByRole('form', { name: 'Edit Casey (version 1)' });
      expect(unnamedControls()).toEqual([]);
    });
  });
});
