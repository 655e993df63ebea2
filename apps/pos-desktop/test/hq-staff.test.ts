import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@retail/hub-server/src/api/app';
import { createEnrollmentCode, enrollDevice } from '@retail/hub-server/src/auth/devices';
import { createHubContext, type HubContext } from '@retail/hub-server/src/hub-context';
import { createNode } from '@retail/hub-server/src/nodes/nodes';
import { createStaff, updateStaff } from '@retail/hub-server/src/staff/hq-staff';
import type { Storage } from '@retail/hub-server/src/storage/storage';
import {
  backendKinds,
  createTestDatabase,
  type TestDatabase,
} from '@retail/hub-server/src/test-support/backends';
import { openStoreEngine, type StoreEngine } from '../src/engine/engine';
import { initStoreNode } from '../src/engine/init';
import { TEST_PIN_COST, expectOk, tempDir } from '../src/engine/testing/test-node';

/**
 * Central staff end to end: the real hub in-process (127.0.0.1, both backends) and two real store
 * engines syncing over HTTP. Staff HQ creates sign in at the tills of the stores HQ listed, with the PIN
 * only HQ was told; a deactivation at HQ signs them out at the till's next pull.
 */

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Store {
  readonly nodeId: string;
  readonly engine: StoreEngine;
  readonly managerSession: string;
  close(): Promise<void>;
}

describe.each(backendKinds())('staff HQ manages, at real tills, with the hub on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let hubUrl: string;
  const stores = new Map<string, Store>();

  async function openStore(nodeId: string, code: string): Promise<Store> {
    const dir = tempDir(`hq-staff-${nodeId}-`);
    const databasePath = join(dir.path, 'store.db');
    const init = initStoreNode({
      databasePath,
      setup: {
        storeId: nodeId,
        storeCode: code,
        deviceNo: 1,
        currency: 'EUR',
        locale: 'fr-FR',
        timezone: 'Europe/Paris',
      },
      firstManager: { staffCode: 'M1', name: 'Morgan Manager', pin: '1234' },
      pinCost: TEST_PIN_COST,
    });
    const { code: enrollment } = await createEnrollmentCode(hub, nodeId, 'test');
    const enrolled = await enrollDevice(hub, {
      code: enrollment,
      deviceName: `${code} lane 1`,
      deviceId: init.identity.deviceId,
      deviceNo: 1,
      storeId: nodeId,
    });
    const engine = openStoreEngine({
      databasePath,
      pinCost: TEST_PIN_COST,
      sync: {
        transport: 'http',
        tuning: { livePullIntervalMs: 150, backoff: { baseMs: 50, capMs: 400 }, errorRetryMs: 500 },
      },
    });
    await engine.sync.configure({ hubUrl, credential: enrolled.credential });
    const managerSession = expectOk(
      engine.execute('staff-sign-in', { staffCode: 'M1', pin: '1234' }),
    ).session;
    const store: Store = {
      nodeId,
      engine,
      managerSession,
      async close() {
        await engine.shutdown();
        dir.remove();
      },
    };
    stores.set(nodeId, store);
    engine.sync.start();
    return store;
  }

  const store = (nodeId: string) => stores.get(nodeId)!;

  function staffAt(at: Store, staffCode: string) {
    const list = expectOk(at.engine.execute('staff-list', {}, { session: at.managerSession })).staff;
    return list.find((staff) => staff.staffCode === staffCode);
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    for (const nodeId of ['store-a', 'store-b']) {
      await createNode(hub, {
        nodeId,
        code: nodeId.toUpperCase().replace('STORE-', 'S'),
        name: `Store ${nodeId}`,
        kind: 'store',
        region: 'idf',
        pickupEnabled: false,
        pickCapacity: 0,
        jurisdiction: 'FR',
        currency: 'EUR',
        timezone: 'Europe/Paris',
        active: true,
      });
    }
    ({ app } = await buildApp({ hub }));
    hubUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    await openStore('store-a', 'SA');
    await openStore('store-b', 'SB');
  });

  afterAll(async () => {
    for (const each of stores.values()) await each.close();
    await app?.close();
    await storage?.close();
    await database?.dispose();
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
        { session: a.managerSession },
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
    const parked = expectOk(a.engine.execute('staff-list', {}, { session: a.managerSession })).staff.find(
      (staff) => staff.name === 'Local Lee',
    );
    expect(parked).toMatchObject({ active: false });
  });
});
