// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ApiKey } from '../../api/api-types';
import type { FakeHub } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

const SECRET = 'hk_0190a0a0-0000-7000-8000-000000000001.secret-part-only-shown-once';

function script(hub: FakeHub): void {
  const keys: ApiKey[] = [];
  hub.handle('GET /api/integration/subscriptions', () => []);
  hub.handle('GET /api/api-keys', () => keys);
  hub.handle('POST /api/api-keys', ({ body }) => {
    const input = body as { name: string; scopes: ApiKey['scopes'] };
    const apiKey: ApiKey = {
      keyId: 'key-1',
      name: input.name,
      scopes: input.scopes,
      createdBy: 'user:hq.ana',
      createdAt: NOW,
      lastUsedAt: null,
      revoked: false,
    };
    keys.push(apiKey);
    return { key: SECRET, apiKey };
  });
  hub.handle('PATCH /api/api-keys/:keyId', ({ params, body }) => {
    const index = keys.findIndex((key) => key.keyId === params.keyId);
    keys[index] = { ...keys[index]!, ...(body as Partial<ApiKey>) };
    return keys[index];
  });
  hub.handle('DELETE /api/api-keys/:keyId', ({ params }) => {
    const index = keys.findIndex((key) => key.keyId === params.keyId);
    keys[index] = { ...keys[index]!, revoked: true };
    return { done: true };
  });
}

describe('integrations/api-keys-section', () => {
  it('creates a key with scopes, shows its secret once, and revokes it', async () => {
    const { user, hub } = renderDashboard({ signedInAs: 'admin', at: '/integrations', setup: script });
    const form = await screen.findByRole('form', { name: 'New API key' });
    await user.click(within(form).getByRole('button', { name: 'Create API key' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('name');
    await user.type(within(form).getByLabelText('Name'), 'Shopify stock');
    await user.click(within(form).getByRole('button', { name: 'Create API key' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('at least one scope');
    await user.click(within(form).getByRole('checkbox', { name: 'inventory:read' }));
    await user.click(within(form).getByRole('checkbox', { name: 'orders:write' }));
    await user.click(within(form).getByRole('button', { name: 'Create API key' }));

    const shown = await screen.findByRole('group', { name: 'The new API key' });
    expect(shown.textContent).toContain(SECRET);
    expect(shown.textContent).toContain('will never show it again');
    expect(hub.sent('POST', '/api/api-keys')).toEqual([
      { name: 'Shopify stock', scopes: ['inventory:read', 'orders:write'] },
    ]);
    const table = await screen.findByRole('table', { name: 'API keys' });
    const row = within(table).getByRole('row', { name: /Shopify stock/ });
    expect(row.textContent).toContain('inventory:read, orders:write');
    expect(row.textContent).toContain('Active');
    expect(table.textContent).not.toContain(SECRET);

    await user.click(within(shown).getByRole('button', { name: 'Close' }));
    expect(document.body.textContent).not.toContain(SECRET);

    await user.click(within(row).getByRole('button', { name: 'Revoke Shopify stock' }));
    expect((await screen.findByRole('status')).textContent).toContain('Shopify stock was revoked');
    await within(table).findByText('Revoked');
    expect(hub.requests.filter((request) => request.method === 'DELETE').map((r) => r.path)).toEqual([
      '/api/api-keys/key-1',
    ]);
  });

  it('changes a key’s name and scopes in place, sending the whole new set in the hub’s order', async () => {
    const { user, hub } = renderDashboard({ signedInAs: 'admin', at: '/integrations', setup: script });
    const form = await screen.findByRole('form', { name: 'New API key' });
    await user.type(within(form).getByLabelText('Name'), 'ERP');
    await user.click(within(form).getByRole('checkbox', { name: 'inventory:read' }));
    await user.click(within(form).getByRole('button', { name: 'Create API key' }));
    await user.click(
      within(await screen.findByRole('group', { name: 'The new API key' })).getByRole('button', {
        name: 'Close',
      }),
    );

    const table = await screen.findByRole('table', { name: 'API keys' });
    await user.click(within(table).getByRole('button', { name: 'Change ERP' }));
    const edit = screen.getByRole('form', { name: 'Change API key ERP' });
    expect((within(edit).getByRole('checkbox', { name: 'inventory:read' }) as HTMLInputElement).checked).toBe(
      true,
    );
    await user.click(within(edit).getByRole('checkbox', { name: 'inventory:read' }));
    await user.click(within(edit).getByRole('button', { name: 'Save changes' }));
    expect((await within(edit).findByRole('alert')).textContent).toContain('at least one scope');
    await user.click(within(edit).getByRole('checkbox', { name: 'purchasing:write' }));
    await user.click(within(edit).getByRole('checkbox', { name: 'integration:read' }));
    await user.clear(within(edit).getByLabelText('Name'));
    await user.type(within(edit).getByLabelText('Name'), 'ERP events');
    await user.click(within(edit).getByRole('button', { name: 'Save changes' }));

    expect((await screen.findByRole('status')).textContent).toContain(
      'API key ERP events now has: integration:read, purchasing:write.',
    );
    expect(hub.sent('PATCH', '/api/api-keys/key-1')).toEqual([
      { name: 'ERP events', scopes: ['integration:read', 'purchasing:write'] },
    ]);
    expect(screen.queryByRole('form', { name: 'Change API key ERP' })).toBeNull();
    const row = within(await screen.findByRole('table', { name: 'API keys' })).getByRole('row', {
      name: /ERP events/,
    });
    expect(row.textContent).toContain('integration:read, purchasing:write');
  });

  it('shows API keys to admins only (the hub lists them to admins only)', async () => {
    const { hub } = renderDashboard({ signedInAs: 'operator', at: '/integrations', setup: script });
    await screen.findByRole('heading', { name: 'Webhook subscriptions' });
    expect(screen.queryByRole('heading', { name: 'API keys' })).toBeNull();
    expect(hub.requests.some((request) => request.path === '/api/api-keys')).toBe(false);
  });
});
