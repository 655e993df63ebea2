// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { renderPos } from '../testing/render-pos';
import { openCashDrawerFor } from './cash-drawer';
import { browserDevices } from './devices';

describe('cash-drawer', () => {
  describe('openCashDrawerFor', () => {
    it('kicks the drawer only with the grant the node gave for this opening', async () => {
      const { services, devices, node } = renderPos({ signedInAs: 'cashier' });
      const outcome = await openCashDrawerFor(services.api, devices, { registerId: 'main', reason: 'sale' });
      expect(outcome).toEqual({ ok: true });
      expect(devices.drawerGrants).toEqual(['grant-1']);
      expect(node.inputs('drawer-open')).toEqual([{ registerId: 'main', reason: 'sale' }]);
    });

    it("shows the node's sentence and leaves the drawer shut when the node refuses", async () => {
      const { services, devices } = renderPos({
        signedInAs: 'cashier',
        setup: (node) =>
          node.failOnce('drawer-open', {
            code: 'FORBIDDEN',
            message: 'Only a supervisor or a manager can open the cash drawer without a sale or refund.',
          }),
      });
      const outcome = await openCashDrawerFor(services.api, devices, {
        registerId: 'main',
        reason: 'no-sale',
      });
      expect(outcome).toEqual({
        ok: false,
        message: 'Only a supervisor or a manager can open the cash drawer without a sale or refund.',
      });
      expect(devices.drawerKicks).toBe(0);
    });

    it('asks nothing of the node in a browser lane, which has no drawer', async () => {
      const { services, node } = renderPos({ signedInAs: 'cashier' });
      const outcome = await openCashDrawerFor(services.api, browserDevices({} as Document), {
        registerId: 'main',
        reason: 'sale',
      });
      expect(outcome.ok).toBe(false);
      expect(node.inputs('drawer-open')).toEqual([]);
    });
  });
});
