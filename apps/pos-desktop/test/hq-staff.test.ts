import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backendKinds,
  createStaff,
  startTestHub,
  until,
  updateStaff,
  type HubContext,
  type TestHub,
} from '@retail/hub-server/testing';
import { expectOk } from '../src/engine/testing/test-node';
import { openTestTill, type TestTill } from '../src/engine/testing/test-till';

/**
 * Central staff end to end: the real hub in-process (127.0.0.1, both backends) and two real store
 * engines syncing over HTTP. Staff HQ creates sign in at the tills of the stores HQ listed, with the PIN
 * only HQ was told; a deactivation at HQ signs them out at the till's next pull.
 */

describe.each(backendKinds())('staff HQ manages, at real tills, with the hub on %s', (kind) => {
  let world: TestHub;
  let hub: HubContext;
  const stores = new Map<string, TestTill>();

  async function openStore(nodeId: string, code: string): Promise<TestTill> {
    const till = await openTestTill(world, {
      storeId: nodeId,
      storeCode: code,
      dirPrefix: `hq-staff-${nodeId}-`,
    });
    stores.set(nodeId, till);
    till.engine.sync.start();
    return till;
  }

  const store = (nodeId: string) => stores.get(nodeId)!;

  function staffAt(at: TestTill, staffCode: string) {
    const list = expectOk(at.engine.execute('staff-list', {}, { session: at.session })).staff;
    return list.find((staff) => staff.staffCode === staffCode);
  }

  beforeAll(async () => {
    world = await startTestHub({
      kind,
      stores: ['store-a', 'store-b'].map((nodeId) => ({ nodeId, pickupEnabled: false })),
      items: [],
    });
    hub = world.hub;
    await openStore('store-a', 'SA');
    await openStore('store-b', 'SB');
  });

  afterAll(async () => {
    for (const each of stores.values()) await each.close();
    await world?.close();
  });

  it('signs in staff HQ created at the stores HQ listed, and signs them out everywhere once deactivated', async () => {
    const a = store('store-a');
    const b = store('store-b');
    const created = await createStaff(
      hub,
      { staffCode: 'HQ1', name: 'Harper Central', role: 'supervisor', pin: '246810', stores: ['store-a'] },
      'user:test',
    );
    await until('store A learns of the HQ staff member', () => staffAt(a, 'HQ1')?.active);
    await until('store B learns of them too', () => staffAt(b, 'HQ1'));
    expect(staffAt(b, 'HQ1')).toMatchObject({ active: false });

    const signedIn = expectOk(a.engine.execute('staff-sign-in', { staffCode: 'HQ1', pin: '246810' }));
    expect(signedIn.staff).toMatchObject({ name: 'Harper Central', role: 'supervisor' });
    const wrongPin = a.engine.execute('staff-sign-in', { staffCode: 'HQ1', pin: '111111' });
    expect(wrongPin).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    const elsewhere = b.engine.execute('staff-sign-in', { staffCode: 'HQ1', pin: '246810' });
    expect(elsewhere).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    await updateStaff(hub, created.staffId, { expectedVersion: 1, active: false }, 'user:test');
    await until('store A applies the deactivation', () => staffAt(a, 'HQ1')?.active === false);
    const session = a.engine.execute('staff-session', {}, { session: signedIn.session });
    expect(session.ok).toBe(false);
    const again = a.engine.execute('staff-sign-in', { staffCode: 'HQ1', pin: '246810' });
    expect(again).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it("takes a code a store gave its own staff offline for HQ's staff member, parking the store's account", async () => {
    const a = store('store-a');
    expectOk(
      a.engine.execute(
        'staff-create',
        { staffCode: 'LOC1', name: 'Local Lee', role: 'cashier', pin: '5555' },
        { session: a.session },
      ),
    );
    await createStaff(
      hub,
      { staffCode: 'loc1', name: 'Central Cam', role: 'cashier', pin: '808080', stores: [] },
      'user:test',
    );
    await until('store A applies HQ staff loc1', () => staffAt(a, 'loc1')?.name === 'Central Cam');
    expect(expectOk(a.engine.execute('staff-sign-in', { staffCode: 'LOC1', pin: '808080' })).staff.name).toBe(
      'Central Cam',
    );
    expect(a.engine.execute('staff-sign-in', { staffCode: 'LOC1', pin: '5555' }).ok).toBe(false);
    const parked = expectOk(a.engine.execute('staff-list', {}, { session: a.session })).staff.find(
      (staff) => staff.name === 'Local Lee',
    );
    expect(parked).toMatchObject({ active: false });
  });
});
