// @vitest-environment happy-dom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SalesReportRow } from '../../api/api-types';
import { renderDashboard } from '../../testing/render-dashboard';

const ROW: SalesReportRow = {
  nodeId: 'store-1',
  nodeCode: 'S001',
  date: '2026-11-23',
  currency: 'EUR',
  sales: 12,
  salesTotal: 45_600,
  voids: 1,
  voidsTotal: 1_000,
  returns: 2,
  refundsTotal: 2_500,
  netTotal: 42_100,
};

describe('reports-screen', () => {
  it('shows the last week by store and day, and asks again for the days chosen', async () => {
    const { hub } = renderDashboard({
      signedInAs: 'viewer',
      at: '/reports',
      setup: (fake) => fake.handle('GET /api/reports/sales', () => [ROW]),
    });
    const table = await screen.findByRole('table', { name: 'Sales by store and day' });
    const row = within(table).getByRole('row', { name: /2026-11-23/ });
    expect(row.textContent).toContain('S001');
    expect(row.textContent).toContain('€456.00');
    expect(row.textContent).toContain('€421.00');
    const asked = () => hub.requests.filter((request) => request.path === '/api/reports/sales');
    expect(asked()[0]?.query).toEqual({ from: '2026-11-17', to: '2026-11-23' });
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-01' } });
    await waitFor(() => expect(asked().at(-1)?.query).toEqual({ from: '2026-11-01', to: '2026-11-23' }));
    await screen.findByRole('table', { name: 'Sales by store and day' });
  });
});
