import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WIDGET,
  backendKinds,
  listAudit,
  startTestHub,
  eventually,
  type Storage,
  type TestHub,
} from '@retail/hub-server/testing';
import { openTestTill, type TestTill } from '../src/engine/testing/test-till';

/**
 * The store audit trail at HQ end to end: the real hub in-process (127.0.0.1, both backends) and a real
 * store engine syncing over HTTP. A manager's price override, a post-void and a no-sale drawer opening
 * at the till reach the HQ audit log as the store's entries, named by the staff member who did them.
 */

const WIDGET_BARCODE = WIDGET.barcode;

describe.each(backendKinds())("a till's audit trail reaches HQ with the hub on %s", (kind) => {
  let world: TestHub;
  let storage: Storage;
  let store: TestTill;
  let managerId: string;

  beforeAll(async () => {
    world = await startTestHub({
      kind,
      stores: [{ nodeId: 'store-a', name: 'Store A', pickupEnabled: false }],
      items: [WIDGET],
    });
    storage = world.storage;
    store = await openTestTill(world, { storeId: 'store-a', storeCode: 'SA', dirPrefix: 'store-audit-' });
    managerId = store.managerId;
    store.engine.sync.start();
    await eventually(
      'the till can scan the widget',
      async () => (await store.runAsync('catalog-scan', { code: WIDGET_BARCODE })).ok || undefined,
    );
  });

  afterAll(async () => {
    await store?.close();
    await world?.close();
  });

  it("records the till's price override, post-void and no-sale drawer opening at HQ, by store and person", async () => {
    await store.okAsync('shift-open', { float: 10_000 });
    const sale = await store.okAsync('sale-start', {});
    const added = await store.okAsync('sale-add-line', { saleId: sale.saleId, code: WIDGET_BARCODE });
    const lineId = added.lines[0]!.lineId;
    await store.okAsync('sale-override-price', {
      saleId: sale.saleId,
      lineId,
      unitPrice: 400,
      reason: 'price match',
    });
    const priced = await store.okAsync('sale-get', { saleId: sale.saleId });
    await store.okAsync('sale-add-tender', {
      saleId: sale.saleId,
      tender: { type: 'cash', amount: priced.payment.cashDue },
    });
    await store.okAsync('sale-complete', { saleId: sale.saleId });
    await store.okAsync('sale-post-void', { saleId: sale.saleId, reason: 'rang up by mistake' });
    await store.okAsync('drawer-open', { registerId: 'main', reason: 'no-sale' });
    await eventually('the till has pushed everything', () => store.drained() || undefined);

    const entries = await listAudit(storage.db, { nodeId: 'store-a', action: 'store.', limit: 100 });
    const actions = entries.map((entry) => entry.action).sort();
    expect(actions).toEqual(['store.drawer-open', 'store.override', 'store.price-override', 'store.void']);
    expect(entries.every((entry) => entry.actor === `staff:${managerId}`)).toBe(true);
    expect(entries.find((entry) => entry.action === 'store.price-override')?.after).toMatchObject({
      unitPrice: 400,
      originalUnitPrice: 500,
    });
    expect(entries.find((entry) => entry.action === 'store.void')).toMatchObject({
      subject: `sale:${sale.saleId}`,
      after: { reason: 'rang up by mistake', managerId },
    });
    expect(entries.find((entry) => entry.action === 'store.drawer-open')?.after).toMatchObject({
      reason: 'no-sale',
      registerId: 'main',
    });
    // The same search the dashboard makes, over HTTP.
    expect(
      await listAudit(storage.db, { actor: `staff:${managerId}`, action: 'store.void', limit: 10 }),
    ).toHaveLength(1);
  });
});
