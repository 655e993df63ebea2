// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { IntegrationSubscription } from '../../api/api-types';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

/** A hub holding endpoints with versions, refusing an edit made on an older one as the real one does. */
function script(hub: FakeHub, endpoints: IntegrationSubscription[]): void {
  const view = (id: string) => endpoints.find((endpoint) => endpoint.subscriptionId === id)!;
  const replace = (next: IntegrationSubscription) =>
    endpoints.splice(
      endpoints.findIndex((e) => e.subscriptionId === next.subscriptionId),
      1,
      next,
    );
  hub.handle('GET /api/integration/subscriptions', () => endpoints);
  hub.handle('GET /api/api-keys', () => []);
  hub.handle('POST /api/integration/subscriptions', ({ body }) => {
    const input = body as { name: string; url: string; types: string[] };
    const created: IntegrationSubscription = {
      subscriptionId: `sub-${endpoints.length + 1}`,
      ...input,
      status: 'active',
      position: 0,
      maxAttempts: 12,
      maxLagSeconds: 900,
      createdBy: 'user:hq.ana',
      createdAt: NOW,
      pending: 0,
      deadLetters: 0,
      failing: 0,
      lagEvents: 0,
      oldestUndeliveredAt: null,
      lastDeliveredAt: null,
      lastError: null,
      version: 1,
    };
    endpoints.push(created);
    return { subscription: created, secret: 'whsec_first-secret-shown-once' };
  });
  hub.handle('PATCH /api/integration/subscriptions/:id', ({ params, body }) => {
    const { expectedVersion, ...edit } = body as Partial<IntegrationSubscription> & {
      expectedVersion: number;
    };
    const current = view(params.id!);
    if (current.version !== expectedVersion)
      return failure('CONFLICT', `Webhook endpoint ${current.name} was changed by someone else.`, 409);
    const next = { ...current, ...edit, version: current.version + 1 };
    replace(next);
    return next;
  });
  hub.handle('POST /api/integration/subscriptions/:id/rotate-secret', ({ params, body }) => {
    const current = view(params.id!);
    if (current.version !== (body as { expectedVersion: number }).expectedVersion)
      return failure('CONFLICT', `Webhook endpoint ${current.name} was changed by someone else.`, 409);
    const next = { ...current, version: current.version + 1 };
    replace(next);
    return { subscription: next, secret: 'whsec_rotated-secret' };
  });
}

describe('integrations/webhook-endpoint-forms', () => {
  it('creates an endpoint and shows its secret once, with its delivery state in the list', async () => {
    const endpoints: IntegrationSubscription[] = [];
    const { user, hub } = renderDashboard({
      signedInAs: 'admin',
      at: '/integrations',
      setup: (fake) => script(fake, endpoints),
    });
    const form = await screen.findByRole('form', { name: 'New webhook endpoint' });
    await user.type(within(form).getByLabelText('Name'), 'ERP');
    await user.type(within(form).getByLabelText('URL'), 'not a url');
    await user.click(within(form).getByRole('button', { name: 'Add webhook endpoint' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('http(s) URL');
    await user.clear(within(form).getByLabelText('URL'));
    await user.type(within(form).getByLabelText('URL'), 'https://erp.example/hooks');
    await user.type(within(form).getByLabelText(/Event types/), 'order.*, stock.adjusted');
    await user.click(within(form).getByRole('button', { name: 'Add webhook endpoint' }));
    const secret = await screen.findByRole('group', { name: 'Signing secret of ERP' });
    expect(secret.textContent).toContain('whsec_first-secret-shown-once');
    expect(hub.sent('POST', '/api/integration/subscriptions')).toEqual([
      { name: 'ERP', url: 'https://erp.example/hooks', types: ['order.*', 'stock.adjusted'] },
    ]);
    const table = await screen.findByRole('table', { name: 'Webhook subscriptions' });
    const row = within(table).getByRole('row', { name: /ERP/ });
    expect(row.textContent).toContain('Delivering');
    expect(row.textContent).toContain('Caught up');
  });

  it('edits and disables an endpoint on its version, rotates its secret, and offers a reload when stale', async () => {
    const endpoints: IntegrationSubscription[] = [];
    const { user, hub } = renderDashboard({
      signedInAs: 'admin',
      at: '/integrations',
      setup: (fake) => {
        script(fake, endpoints);
        endpoints.push({
          subscriptionId: 'sub-1',
          name: 'ERP',
          url: 'https://erp.example/hooks',
          types: ['order.*'],
          status: 'active',
          position: 10,
          maxAttempts: 12,
          maxLagSeconds: 900,
          createdBy: 'user:hq.ana',
          createdAt: NOW,
          pending: 2,
          deadLetters: 1,
          failing: 1,
          lagEvents: 3,
          oldestUndeliveredAt: NOW - 60_000,
          lastDeliveredAt: null,
          lastError: 'The receiver answered HTTP 500.',
          version: 4,
        });
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Edit ERP' }));
    let form = screen.getByRole('form', { name: 'Edit webhook endpoint ERP' });
    await user.clear(within(form).getByLabelText('URL'));
    await user.type(within(form).getByLabelText('URL'), 'https://erp.example/v2');
    await user.click(within(form).getByRole('checkbox', { name: 'Enabled' }));
    await user.click(within(form).getByRole('button', { name: 'Save endpoint' }));
    expect((await screen.findByRole('status')).textContent).toContain('Webhook endpoint ERP saved.');
    expect(hub.sent('PATCH', '/api/integration/subscriptions/sub-1')).toEqual([
      {
        name: 'ERP',
        url: 'https://erp.example/v2',
        types: ['order.*'],
        status: 'paused',
        expectedVersion: 4,
      },
    ]);
    const table = screen.getByRole('table', { name: 'Webhook subscriptions' });
    await within(table).findByText('Paused');
    expect(table.textContent).toContain('The receiver answered HTTP 500.');

    await user.click(screen.getByRole('button', { name: 'Rotate secret of ERP' }));
    const secret = await screen.findByRole('group', { name: 'Signing secret of ERP' });
    expect(secret.textContent).toContain('whsec_rotated-secret');
    expect(hub.sent('POST', '/api/integration/subscriptions/sub-1/rotate-secret')).toEqual([
      { expectedVersion: 5 },
    ]);

    await user.click(screen.getByRole('button', { name: 'Edit ERP' }));
    endpoints[0] = { ...endpoints[0]!, name: 'ERP', version: 9 }; // someone else edited it meanwhile
    form = screen.getByRole('form', { name: 'Edit webhook endpoint ERP' });
    await user.click(within(form).getByRole('button', { name: 'Save endpoint' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('changed by someone else');
    await user.click(within(form).getByRole('button', { name: 'Reload the figures' }));
    expect(screen.queryByRole('form', { name: 'Edit webhook endpoint ERP' })).toBeNull();
    await user.click(await screen.findByRole('button', { name: 'Edit ERP' }));
    form = screen.getByRole('form', { name: 'Edit webhook endpoint ERP' });
    await user.click(within(form).getByRole('button', { name: 'Save endpoint' }));
    await screen.findByText('Webhook endpoint ERP saved.');
    expect(hub.sent('PATCH', '/api/integration/subscriptions/sub-1').at(-1)).toMatchObject({
      expectedVersion: 9,
    });
  });
});
