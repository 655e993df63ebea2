// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { IntegrationSubscription } from '../../api/api-types';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';
import { isBehind } from './integrations-screen';

function subscription(overrides: Partial<IntegrationSubscription> = {}): IntegrationSubscription {
  return {
    subscriptionId: 'sub-1',
    name: 'erp',
    url: 'https://erp.example/hooks',
    types: ['sale.*', 'journal.daily_summary'],
    status: 'active',
    position: 1042,
    maxAttempts: 12,
    maxLagSeconds: 900,
    createdBy: 'user:admin',
    createdAt: NOW - 86_400_000,
    pending: 0,
    deadLetters: 0,
    failing: 0,
    lagEvents: 0,
    oldestUndeliveredAt: null,
    lastDeliveredAt: NOW - 60_000,
    lastError: null,
    version: 1,
    ...overrides,
  };
}

const SUBSCRIPTIONS = [
  subscription(),
  subscription({
    subscriptionId: 'sub-2',
    name: 'marketplace',
    types: [],
    pending: 40,
    failing: 3,
    deadLetters: 1,
    lagEvents: 52,
    oldestUndeliveredAt: NOW - 2 * 3_600_000,
    lastError: 'The receiver answered HTTP 503.',
  }),
];

function script(hub: FakeHub): void {
  const state = new Map(SUBSCRIPTIONS.map((entry) => [entry.subscriptionId, entry]));
  hub.handle('GET /api/integration/subscriptions', () => [...state.values()]);
  hub.handle('POST /api/integration/subscriptions/:id/pause', ({ params }) => {
    const paused = { ...state.get(params.id!)!, status: 'paused' as const };
    state.set(params.id!, paused);
    return paused;
  });
  hub.handle('POST /api/integration/subscriptions/:id/resume', () =>
    failure('FORBIDDEN', 'This needs the operator role; you are viewer.', 403),
  );
}

describe('integrations-screen', () => {
  it('calls a subscription behind only past its allowed lag, and never a paused one', () => {
    const waiting = subscription({ oldestUndeliveredAt: NOW - 900_000 });
    expect(isBehind(waiting, NOW)).toBe(false);
    expect(isBehind({ ...waiting, oldestUndeliveredAt: NOW - 900_001 }, NOW)).toBe(true);
    expect(isBehind({ ...waiting, oldestUndeliveredAt: NOW - 900_001, status: 'paused' }, NOW)).toBe(false);
  });

  it('shows each subscription’s lag, failures and last error', async () => {
    renderDashboard({ signedInAs: 'viewer', at: '/integrations', setup: script });
    const table = await screen.findByRole('table', { name: 'Webhook subscriptions' });
    const erp = within(table).getByRole('row', { name: /^erp/ });
    expect(erp.textContent).toContain('Delivering');
    expect(erp.textContent).toContain('Caught up');
    expect(erp.textContent).toContain('sale.*, journal.daily_summary');
    const market = within(table).getByRole('row', { name: /marketplace/ });
    expect(market.textContent).toContain('Behind, oldest queued 2 h ago');
    expect(market.textContent).toContain('52 events, oldest queued 2 h ago');
    expect(market.textContent).toContain('3 retrying, 1 dead letters');
    expect(market.textContent).toContain('The receiver answered HTTP 503.');
    expect(market.textContent).toContain('All events');
    expect(screen.queryByRole('button', { name: /Pause/ })).toBeNull();
  });

  it('lets an operator pause a subscription and shows the hub’s refusal as it is', async () => {
    const { user, hub } = renderDashboard({ signedInAs: 'operator', at: '/integrations', setup: script });
    await user.click(await screen.findByRole('button', { name: 'Pause erp' }));
    expect((await screen.findByRole('status')).textContent).toContain('Paused erp');
    expect(hub.sent('POST', '/api/integration/subscriptions/sub-1/pause')).toHaveLength(1);
    await user.click(await screen.findByRole('button', { name: 'Resume erp' }));
    expect((await screen.findByRole('alert')).textContent).toContain('This needs the operator role');
  });
});
