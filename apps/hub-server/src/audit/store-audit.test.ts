import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushRequest } from '@retail/sync';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { enrollTestDevice, EventFactory, movement, saleOf, seedWorld } from '../test-support/fixtures';
import { listAudit, recordAudit } from './hq-audit';

const AT = '2026-11-23T10:00:00.000Z';
const override = (managerId: string, reason: string) => ({ managerId, reason, at: AT });

describe.each(backendKinds())('audit/store-audit on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A'] });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  async function device(nodeId: string) {
    const enrolled = await enrollTestDevice(hub, nodeId);
    const principal = { deviceId: enrolled.deviceId, storeId: enrolled.storeId };
    const events = new EventFactory(principal);
    const push = (batch: PushRequest['events']) =>
      pushEvents(hub, principal, { ...principal, events: batch });
    return { principal, events, push };
  }

  it("puts a store's overrides, voids, no-receipt returns, cash movements and drawer openings on the log", async () => {
    const { principal, events, push } = await device('s1');
    const sale = saleOf([{ sku: 'A', qty: 1 }], { staffId: 'cashier-1' });
    const line = sale.lines[0]!;
    const overridden = {
      ...sale,
      lines: [{ ...line, priceSource: 'override' as const, originalUnitPrice: 150, unitPrice: 100 }],
      overrides: [override('manager-1', 'price match')],
    };
    const voidedSale = saleOf([{ sku: 'A', qty: 1 }], { staffId: 'cashier-1' });
    const returnId = randomUUID();
    const result = await push([
      events.next('sale.completed', overridden),
      events.next('sale.completed', voidedSale),
      events.next('sale.voided', {
        saleId: voidedSale.saleId,
        receiptNumber: voidedSale.receiptNumber,
        reason: 'customer changed mind',
        override: override('manager-1', 'void'),
        currency: 'USD',
        refunds: [{ tenderId: randomUUID(), type: 'cash', amount: 100 }],
        movements: [movement('A', 1, 'POS_VOID')],
        voidedAt: AT,
      }),
      events.next('return.completed', {
        returnId,
        receiptNumber: 'S1-1-9',
        shiftId: 'shift-1',
        staffId: 'cashier-1',
        currency: 'USD',
        lines: [{ returnLineId: randomUUID(), sku: 'A', qty: 1, refund: 80, disposition: 'sellable' }],
        refunds: [{ tenderId: randomUUID(), type: 'store_credit', amount: 80 }],
        override: override('manager-1', 'no receipt'),
        movements: [movement('A', 1, 'RETURN_RESTOCK')],
        completedAt: AT,
      }),
      events.next('shift.cash_moved', {
        shiftId: 'shift-1',
        movementId: randomUUID(),
        direction: 'out',
        amount: 500,
        reason: 'window cleaner',
        staffId: 'cashier-1',
        movedAt: AT,
      }),
      events.next('drawer.opened', {
        openingId: randomUUID(),
        shiftId: 'shift-1',
        registerId: 'main',
        staffId: 'manager-1',
        reason: 'no-sale',
        openedAt: AT,
      }),
    ]);
    expect(result.results.map((r) => r.status)).toEqual(Array(6).fill('accepted'));

    const entries = await listAudit(storage.db, { nodeId: 's1', action: 'store.', limit: 100 });
    expect(entries.map((entry) => [entry.action, entry.actor, entry.subject]).sort()).toEqual(
      [
        ['store.override', 'staff:manager-1', `sale:${sale.saleId}`],
        ['store.price-override', 'staff:cashier-1', `sale:${sale.saleId}`],
        ['store.void', 'staff:manager-1', `sale:${voidedSale.saleId}`],
        ['store.no-receipt-return', 'staff:cashier-1', `return:${returnId}`],
        ['store.cash-movement', 'staff:cashier-1', 'shift:shift-1'],
        ['store.drawer-open', 'staff:manager-1', 'shift:shift-1'],
      ].sort(),
    );
    expect(entries.every((entry) => entry.nodeId === 's1' && entry.at === Date.parse(AT))).toBe(true);
    expect(entries.find((entry) => entry.action === 'store.price-override')?.after).toMatchObject({
      originalUnitPrice: 150,
      unitPrice: 100,
      deviceId: principal.deviceId,
    });
    expect(entries.find((entry) => entry.action === 'store.no-receipt-return')?.after).toMatchObject({
      managerId: 'manager-1',
      refunded: 80,
    });

    // The same device sending the batch again adds nothing.
    await push([]);
    expect(await listAudit(storage.db, { nodeId: 's1', limit: 100 })).toHaveLength(6);
  });

  it("keeps a store's entry out when the event names another store's staff", async () => {
    const { push, events } = await device('s2');
    const result = await push([
      events.next('drawer.opened', {
        openingId: randomUUID(),
        shiftId: 'shift-2',
        registerId: 'main',
        staffId: 'manager-1',
        reason: 'no-sale',
        openedAt: AT,
      }),
    ]);
    expect(result.results[0]?.status).toBe('rejected');
    expect(await listAudit(storage.db, { nodeId: 's2', limit: 100 })).toEqual([]);
  });

  it('finds entries by store, HQ only, actor, kind and time', async () => {
    await recordAudit(
      storage.db,
      { actor: 'user:hq', action: 'devices.revoke', subject: 'devices:d9', before: null, after: {} },
      Date.parse('2026-11-24T00:00:00.000Z'),
      hub.newId,
    );
    const hqOnly = await listAudit(storage.db, { nodeId: 'hq', limit: 100 });
    expect(hqOnly.map((entry) => entry.action)).toEqual(['devices.revoke']);
    expect((await listAudit(storage.db, { actor: 'staff:manager-1', limit: 100 })).length).toBe(3);
    expect((await listAudit(storage.db, { action: 'devices.', limit: 100 })).length).toBe(1);
    const day = await listAudit(storage.db, {
      from: Date.parse('2026-11-23T00:00:00.000Z'),
      to: Date.parse('2026-11-24T00:00:00.000Z'),
      limit: 100,
    });
    expect(day).toHaveLength(6);
    expect(day.every((entry) => entry.nodeId === 's1')).toBe(true);
  });
});
