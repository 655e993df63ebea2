// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { StoredValueAccountRow, StoredValueLedgerPage } from '../../api/api-types';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

const ACCOUNT: StoredValueAccountRow = {
  accountId: 'sv-1',
  kind: 'gift_card',
  status: 'active',
  maskedNumber: '•••• 2222',
  customerId: null,
  currency: 'EUR',
  available: 3_800,
  held: 0,
  issuedAt: NOW - 86_400_000,
  issuedAtNode: 'store-1',
  lastMovementAt: NOW,
};

const entry = (entryId: string, movement: string, amount: number, receipt: string, storeId: string) => ({
  entryId,
  type: movement === 'load' ? 'ISSUE' : movement === 'refund' ? 'REFUND' : 'CAPTURE',
  movement,
  amount,
  currency: 'EUR',
  occurredAt: NOW,
  recordedAt: NOW,
  storeId,
  deviceId: `${storeId}-till`,
  receipt,
  holdId: null,
  reason: null,
  eventId: null,
  expiresAt: null,
});

describe('stored-value-section', () => {
  it('searches the accounts, opens one ledger with store and receipt, and pages to older entries', async () => {
    const { hub, user } = renderDashboard({
      signedInAs: 'viewer',
      at: '/reports',
      setup: (fake) => {
        fake.handle('GET /api/reports/analytics', () => ({
          byDay: [],
          byHour: [],
          byCashier: [],
          discounts: [],
          tenders: [],
          shifts: [],
        }));
        fake.handle('GET /api/loyalty/stored-value', () => ({ accounts: [ACCOUNT], nextCursor: null }));
        fake.handle(
          'GET /api/loyalty/stored-value/:accountId/ledger',
          ({ query }) =>
            (query.cursor === undefined
              ? {
                  account: ACCOUNT,
                  entries: [
                    entry('e3', 'refund', 300, 'RT-78', 'store-1'),
                    entry('e2', 'redemption', -1_500, 'S-77', 'store-2'),
                  ],
                  nextCursor: 'c1',
                }
              : {
                  account: ACCOUNT,
                  entries: [entry('e1', 'load', 5_000, 'R-1', 'store-1')],
                  nextCursor: null,
                }) satisfies StoredValueLedgerPage | object,
        );
      },
    });
    const accounts = await screen.findByRole('table', { name: 'Gift card and store credit accounts' });
    expect(within(accounts).getByRole('row', { name: /sv-1/ }).textContent).toContain('€38.00');
    await user.type(screen.getByLabelText('Search by account, last digits, card number or customer'), '2222');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() =>
      expect(
        hub.requests.filter((request) => request.path === '/api/loyalty/stored-value').at(-1)?.query,
      ).toEqual({
        q: '2222',
        limit: '50',
      }),
    );
    await user.click(await screen.findByRole('button', { name: 'Ledger of •••• 2222' }));
    const ledger = await screen.findByRole('table', { name: 'Ledger of •••• 2222' });
    const redemption = within(ledger).getByRole('row', { name: /Redemption/ });
    expect(redemption.textContent).toContain('S002 Cork Patrick St');
    expect(redemption.textContent).toContain('S-77');
    expect(redemption.textContent).toContain('-€15.00');
    await user.click(screen.getByRole('button', { name: 'Older entries' }));
    await within(ledger).findByRole('row', { name: /Load/ });
    expect(screen.queryByRole('button', { name: 'Older entries' })).toBeNull();
  });
});
