// @vitest-environment happy-dom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SalesAnalytics } from '../../api/api-types';
import { renderDashboard } from '../../testing/render-dashboard';

const REPORT: SalesAnalytics = {
  byDay: [
    {
      nodeId: 'store-1',
      nodeCode: 'S001',
      date: '2026-11-23',
      currency: 'EUR',
      sales: 12,
      revenue: 45_600,
      voids: 1,
      voidsTotal: 1_000,
      returns: 2,
      refundsTotal: 2_500,
      net: 43_100,
      giftCardLoads: 5_000,
    },
  ],
  byHour: [{ hour: 9, currency: 'EUR', sales: 12, revenue: 45_600 }],
  byCashier: [
    {
      nodeId: 'store-1',
      nodeCode: 'S001',
      staffId: 'ana',
      currency: 'EUR',
      sales: 12,
      revenue: 45_600,
      returns: 2,
      refundsTotal: 2_500,
    },
  ],
  discounts: [],
  tenders: [
    { nodeId: 'store-1', nodeCode: 'S001', currency: 'EUR', tender: 'card', taken: 50_600, refunded: 2_500 },
  ],
  shifts: [
    {
      shiftId: 'shift-1',
      nodeId: 'store-1',
      nodeCode: 'S001',
      staffId: 'ana',
      currency: 'EUR',
      status: 'closed',
      openedAt: '2026-11-23T08:00:00.000Z',
      closedAt: '2026-11-23T18:00:00.000Z',
      float: 10_000,
      expectedCash: 10_020,
      countedCash: 10_000,
      overShort: -20,
    },
  ],
};

describe('reports-screen', () => {
  it('charts and tables the week by store, day, hour, cashier, tender and shift, and asks again for the days chosen', async () => {
    const { hub } = renderDashboard({
      signedInAs: 'viewer',
      at: '/reports',
      setup: (fake) => fake.handle('GET /api/reports/analytics', () => REPORT),
    });
    const table = await screen.findByRole('table', { name: 'Sales by store and day' });
    const row = within(table).getByRole('row', { name: /2026-11-23/ });
    expect(row.textContent).toContain('S001');
    expect(row.textContent).toContain('€456.00');
    expect(row.textContent).toContain('€431.00');
    expect(row.textContent).toContain('€50.00');
    expect(screen.getByText(/Revenue by day/)).toBeTruthy();
    expect(within(screen.getByRole('table', { name: 'Sales by cashier' })).getByText('ana')).toBeTruthy();
    const shifts = screen.getByRole('table', { name: 'Shifts (Z reports)' });
    expect(within(shifts).getByRole('row', { name: /shift-1/ }).textContent).toContain('-€0.20');
    expect(within(screen.getByRole('table', { name: 'Tenders' })).getByText('card')).toBeTruthy();
    const asked = () => hub.requests.filter((request) => request.path === '/api/reports/analytics');
    expect(asked()[0]?.query).toEqual({ from: '2026-11-17', to: '2026-11-23' });
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-01' } });
    await waitFor(() => expect(asked().at(-1)?.query).toEqual({ from: '2026-11-01', to: '2026-11-23' }));
    await screen.findByRole('table', { name: 'Sales by store and day' });
  });
});
