// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { EffectiveSettings, SettingsList } from '../../api/api-types';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

const WINDOW = 'pos.returns.noReceiptWindowDays';
const HEADER = 'pos.receipt.legalHeader';

function scriptSettings(hub: FakeHub): void {
  const list: SettingsList = {
    revision: 3,
    keys: [HEADER, WINDOW],
    settings: [
      {
        key: WINDOW,
        scope: { kind: 'chain' },
        value: 30,
        version: 2,
        revision: 2,
        updatedAt: NOW,
        updatedBy: 'user:hq.ana',
      },
      {
        key: WINDOW,
        scope: { kind: 'store', storeId: 'store-1' },
        value: 14,
        version: 1,
        revision: 3,
        updatedAt: NOW,
        updatedBy: 'user:hq.ana',
      },
    ],
  };
  const effective: EffectiveSettings = {
    storeId: 'store-1',
    region: 'ie-east',
    version: 3,
    settings: [
      { key: HEADER, value: null, source: null },
      { key: WINDOW, value: 14, source: { kind: 'store', storeId: 'store-1' } },
    ],
  };
  hub.handle('GET /api/settings', () => list);
  hub.handle('GET /api/settings/stores/:storeId', () => effective);
  hub.handle('PUT /api/settings/:key', ({ body }) =>
    (body as { value: unknown }).value === 7
      ? failure('CONFLICT', `${WINDOW} for the chain was changed by someone else (now version 3); reload it.`)
      : { ...list.settings[0]!, value: (body as { value: number }).value, version: 3 },
  );
}

describe('settings-screen', () => {
  describe('SettingsScreen', () => {
    it('shows a store its values in force, where they come from and its version, and a viewer no editing', async () => {
      const { user } = renderDashboard({ signedInAs: 'viewer', at: '/settings', setup: scriptSettings });
      const chain = await screen.findByRole('table', { name: 'Settings at Whole chain' });
      expect(within(chain).getByRole('row', { name: new RegExp(WINDOW) }).textContent).toContain('30');
      expect(screen.queryByRole('button', { name: /Edit/ })).toBeNull();

      await user.selectOptions(screen.getByLabelText('Scope'), 'Store S001 Dublin Grafton St');
      const store = await screen.findByRole('table', { name: 'Settings at Store S001 Dublin Grafton St' });
      const row = within(store).getByRole('row', { name: new RegExp(WINDOW) });
      expect(row.textContent).toContain('14');
      expect(row.textContent).toContain('Store S001 Dublin Grafton St');
      expect(within(store).getByRole('row', { name: new RegExp(HEADER) }).textContent).toContain(
        'till default',
      );
      expect((await screen.findByText(/runs settings version 3/)).textContent).toContain('S001');
    });

    it('saves at the version on screen and shows a conflicting change as the hub words it', async () => {
      const { user, hub } = renderDashboard({ signedInAs: 'admin', at: '/settings', setup: scriptSettings });
      await user.click(await screen.findByRole('button', { name: `Edit ${WINDOW}` }));
      const form = screen.getByRole('form', { name: `${WINDOW} at Whole chain (version 2)` });
      const value = within(form).getByLabelText('Value (JSON)');
      await user.clear(value);
      await user.type(value, '21');
      await user.click(within(form).getByRole('button', { name: 'Save' }));
      expect((await screen.findByText(/was saved \(version 3\)/)).textContent).toContain(WINDOW);
      expect(hub.sent('PUT', `/api/settings/${WINDOW}`)).toEqual([
        { scope: { kind: 'chain' }, value: 21, expectedVersion: 2 },
      ]);

      await user.click(screen.getByRole('button', { name: `Edit ${WINDOW}` }));
      const again = screen.getByRole('form', { name: `${WINDOW} at Whole chain (version 2)` });
      await user.clear(within(again).getByLabelText('Value (JSON)'));
      await user.type(within(again).getByLabelText('Value (JSON)'), '{{');
      await user.click(within(again).getByRole('button', { name: 'Save' }));
      expect((await within(again).findByRole('alert')).textContent).toContain('not valid JSON');
      await user.clear(within(again).getByLabelText('Value (JSON)'));
      await user.type(within(again).getByLabelText('Value (JSON)'), '7');
      await user.click(within(again).getByRole('button', { name: 'Save' }));
      await within(again).findByText(/changed by someone else/);
    });
  });
});
