// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { LaneSummary } from '../../../shared/lane-commands';
import { type FakeNode } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';

const LANE_2: LaneSummary = {
  laneId: 'lane-2-id',
  kind: 'lane',
  name: 'Lane 2',
  registerId: 'lane-2',
  pairedAt: '2026-11-23T08:00:00.000Z',
  pairedBy: 'Morgan Manager',
  certificateFingerprint: 'AB:CD',
  lastSeenAt: '2026-11-23T09:00:00.000Z',
  revokedAt: null,
};
const FINGERPRINT =
  'C3:A1:C3:CB:1D:6B:4F:C3:40:DD:54:EF:42:00:60:83:21:E8:F4:EC:B3:9B:0D:81:AA:6C:3D:26:8C:06:5E:55';

function scriptLanes(node: FakeNode) {
  node.handle('shift-current', () => ({ shift: null }));
  node.handle('sale-current', () => ({ sale: null }));
  node.handle('lane-list', () => ({ lanes: [LANE_2] }));
  node.handle('lane-pairing-code', (input) => ({
    code: '7KQ4-M2XD',
    kind: input.kind,
    name: input.name,
    registerId: input.registerId,
    expiresAt: '2099-01-01T10:10:00.000Z',
    certificateFingerprint: FINGERPRINT,
  }));
  node.handle('lane-revoke', () => ({ ...LANE_2, revokedAt: '2026-11-23T10:00:00.000Z' }));
}

describe('lanes-screen', () => {
  describe('LanesScreen', () => {
    it('is offered to managers only', async () => {
      renderPos({ signedInAs: 'supervisor', setup: scriptLanes });
      const nav = await screen.findByRole('navigation', { name: 'Work areas' });
      expect(within(nav).queryByRole('button', { name: 'Lanes' })).toBeNull();
    });

    it('pairs a lane with a code shown with the certificate fingerprint, and revokes a lane', async () => {
      const { user, node } = renderPos({ signedInAs: 'manager', setup: scriptLanes });
      await user.click(await screen.findByRole('button', { name: 'Lanes' }));
      const list = await screen.findByRole('list', { name: 'Paired lanes and displays' });
      const lane = await within(list).findByRole('listitem', { name: 'Lane 2' });
      expect(lane.textContent).toContain('Till lane-2');

      const form = screen.getByRole('form', { name: 'Pair a new lane' });
      await user.type(within(form).getByLabelText('Name'), 'Lane 3');
      await user.type(within(form).getByLabelText('Register it sells on (such as lane-2)'), 'lane 3{Enter}');
      expect((await screen.findByRole('alert')).textContent).toContain('Enter a name and a register');
      await user.clear(within(form).getByLabelText('Register it sells on (such as lane-2)'));
      await user.type(within(form).getByLabelText('Register it sells on (such as lane-2)'), 'lane-3{Enter}');
      const shown = await screen.findByRole('region', { name: 'Pairing code for Lane 3' });
      expect(within(shown).getByLabelText('Pairing code').textContent).toBe('7KQ4-M2XD');
      expect(shown.textContent).toContain(FINGERPRINT);
      expect(node.inputs('lane-pairing-code')).toEqual([
        { kind: 'lane', name: 'Lane 3', registerId: 'lane-3' },
      ]);

      const display = screen.getByRole('form', { name: 'Pair a customer display' });
      await user.click(within(display).getByRole('button', { name: 'Create a pairing code' }));
      await screen.findByRole('region', { name: 'Pairing code for Customer display' });
      expect(node.inputs('lane-pairing-code')[1]).toEqual({
        kind: 'display',
        name: 'Customer display',
        registerId: 'main',
      });

      await user.click(within(lane).getByRole('button', { name: 'Revoke Lane 2' }));
      expect(await screen.findByText(/Lane 2 is revoked/)).toBeTruthy();
      expect(within(lane).queryByRole('button', { name: 'Revoke Lane 2' })).toBeNull();
      expect(node.inputs('lane-revoke')).toEqual([{ laneId: 'lane-2-id' }]);
    });
  });
});
