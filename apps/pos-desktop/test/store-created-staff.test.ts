import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HQ_ADMIN,
  WIDGET,
  backendKinds,
  createStaff,
  listExceptions,
  signedInOperator,
  startTestHub,
  until,
  type TestHub,
} from '@retail/hub-server/testing';
import type { CommandInput, CommandName, CommandResponse } from '../src/shared/commands';
import { expectOk } from '../src/engine/testing/test-node';
import { openTestTill, type TestTill } from '../src/engine/testing/test-till';

/**
 * Store-created staff end to end: a real till (SQLite, HTTP sync) and the real hub in-process on both
 * backends. A manager HQ manages creates a supervisor at the till: the hub believes the role. The manager
 * the node was set up with (unknown to the hub) creates a "manager" who discounts half a sale: the sale
 * reaches the hub, is judged by a cashier's limit, and both the creation and the sale wait as
 * STAFF_ROLE_UNVERIFIED.
 */

describe.each(backendKinds())('staff a till creates, judged by the hub on %s', (kind) => {
  let world: TestHub;
  let till: TestTill;
  let adminToken: string;

  beforeAll(async () => {
    world = await startTestHub({ kind, stores: ['store-a'], items: [WIDGET], priceBookActor: 'hq' });
    adminToken = await signedInOperator(world.hub, HQ_ADMIN);
    till = await openTestTill(world, { storeId: 'store-a', storeCode: 'SA', dirPrefix: 'store-staff-' });
    till.engine.sync.start();
  });

  afterAll(async () => {
    await till?.close();
    await world?.close();
  });

  const staffAt = (staffCode: string) =>
    expectOk(till.engine.execute('staff-list', {}, { session: till.session })).staff.find(
      (staff) => staff.staffCode === staffCode,
    );

  it('believes what a manager HQ manages creates, and holds a sale on an unannounced manager to a cashier’s limit', async () => {
    const limit = await fetch(`${world.url}/api/settings/pos.discount.maxPercent.cashier`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: { kind: 'chain' }, value: 10, expectedVersion: 0 }),
    });
    expect(limit.status).toBe(200);
    const hqManager = await createStaff(
      world.hub,
      { staffCode: 'HM1', name: 'Harper Manager', role: 'manager', pin: '246810', stores: ['store-a'] },
      'user:test',
    );
    await until('the till knows the manager HQ manages', () => staffAt('HM1')?.active);
    await until(
      'the till has the catalog',
      () => till.run('catalog-scan', { code: WIDGET.barcode }).ok || undefined,
    );

    const hq = expectOk(till.engine.execute('staff-sign-in', { staffCode: 'HM1', pin: '246810' }));
    const supervisor = expectOk(
      till.engine.execute(
        'staff-create',
        { staffCode: 'S7', name: 'Sid Supervisor', role: 'supervisor', pin: '7777' },
        { session: hq.session },
      ),
    );
    // M1 was made by `pos-store init`: the hub has never heard of them.
    const local = till.ok('staff-create', {
      staffCode: 'M7',
      name: 'Mo Local',
      role: 'manager',
      pin: '7878',
    });
    const m7 = expectOk(till.engine.execute('staff-sign-in', { staffCode: 'M7', pin: '7878' })).session;
    const run = <N extends CommandName>(name: N, input: CommandInput<N>): CommandResponse<N> =>
      expectOk(till.engine.execute(name, input, { session: m7 }));
    run('shift-open', { float: 10_000 });
    let sale = run('sale-start', {});
    sale = run('sale-add-line', { saleId: sale.saleId, code: WIDGET.barcode });
    const lineId = sale.lines[0]!.lineId;
    sale = run('sale-discount-line', { saleId: sale.saleId, lineId, discount: { percent: 50 } });
    run('sale-add-tender', { saleId: sale.saleId, tender: { type: 'cash', amount: sale.totals.total } });
    const completed = run('sale-complete', { saleId: sale.saleId });

    await until('every event reached the hub', () => till.drained() || undefined);
    const response = await fetch(`${world.url}/api/staff/store-created?storeId=store-a`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(response.status).toBe(200);
    const listed = ((await response.json()) as { value: Record<string, unknown>[] }).value;
    expect(listed.find((staff) => staff.staffId === supervisor.staffId)).toMatchObject({
      staffCode: 'S7',
      createdBy: hqManager.staffId,
      createdByName: 'Harper Manager',
      role: 'supervisor',
      verified: true,
    });
    expect(listed.find((staff) => staff.staffId === local.staffId)).toMatchObject({
      claimedRole: 'manager',
      role: 'cashier',
      status: 'unverified',
      createdBy: till.managerId,
    });

    const sold = await world.storage.db
      .selectFrom('sales')
      .select('sale_id')
      .where('sale_id', '=', completed.saleId)
      .execute();
    expect(sold).toHaveLength(1);
    const unverified = await listExceptions(world.storage.db, { type: 'STAFF_ROLE_UNVERIFIED', limit: 50 });
    expect(unverified.map((exception) => exception.details.staffId).sort()).toEqual(
      [local.staffId, local.staffId].sort(),
    );
    expect(unverified.find((exception) => exception.details.saleId === completed.saleId)).toMatchObject({
      status: 'open',
      details: { role: 'cashier', limitPercent: 10, unverified: { [local.staffId]: 'manager' } },
    });
    expect(await listExceptions(world.storage.db, { type: 'REJECTED_EVENT', limit: 50 })).toEqual([]);
  });
});
