import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSeededRandom, ManualScheduler } from '@retail/sync/testing';
import {
  backendKinds,
  CancelDocumentSchema,
  cancelPurchaseOrder,
  cancelShippingNotice,
  createHubWorld,
  createPurchaseOrder,
  createShippingNotice,
  enrollTill,
  getPurchaseOrder,
  getShippingNotice,
  HUB_STORES,
  listExceptions,
  PurchaseOrderInputSchema,
  ShippingNoticeInputSchema,
  type HubWorld,
} from '@retail/hub-server/testing';
import { openStoreEngine, type StoreEngine } from '../../src/engine/engine';
import { initStoreNode } from '../../src/engine/init';
import { localStock } from '../../src/engine/local-stock';
import { readOutbox } from '../../src/engine/outbox/outbox';
import { seededRandom, TEST_PIN_COST } from '../../src/engine/testing/test-node';
import type { ReceivingDocumentView } from '../../src/shared/commands';

/**
 * Issue 17: purchase orders and shipping notices reach the store's tills through the feed, are received
 * at the stock screen's commands, and the receipt reaches the hub once and is reconciled there with the
 * document, through the real hub (both backends) and the real sync agent.
 */

interface Till {
  readonly engine: StoreEngine;
  readonly session: string;
  readonly dir: string;
  readonly principal: { deviceId: string; storeId: string };
}

async function openTill(hub: HubWorld, scheduler: ManualScheduler, deviceNo: number): Promise<Till> {
  const store = HUB_STORES[0];
  const dir = mkdtempSync(join(tmpdir(), 'receiving-documents-'));
  const file = join(dir, 'store.db');
  const clock = { now: () => scheduler.now() };
  const init = initStoreNode({
    databasePath: file,
    setup: { storeId: store.nodeId, storeCode: store.code, deviceNo, currency: 'USD' },
    firstManager: { staffCode: 'M1', name: 'Morgan Manager', pin: '1234' },
    clock,
    randomBytes: seededRandom(70 + deviceNo),
    pinCost: TEST_PIN_COST,
  });
  const principal = { deviceId: init.identity.deviceId, storeId: store.nodeId };
  const credential = await enrollTill(hub.hub, { ...principal, deviceNo: init.identity.deviceNo });
  const engine = openStoreEngine({
    databasePath: file,
    clock,
    randomBytes: seededRandom(170 + deviceNo),
    pinCost: TEST_PIN_COST,
    sync: {
      scheduler,
      random: createSeededRandom(deviceNo),
      transport: () => hub.transportFor(principal, store.region),
    },
  });
  const signedIn = engine.execute('staff-sign-in', { staffCode: 'M1', pin: '1234' });
  if (!signedIn.ok) throw new Error(signedIn.error.message);
  await engine.sync.configure({ hubUrl: 'in-process', credential });
  return { engine, session: signedIn.value.session, dir, principal };
}

async function advanceUntil(
  scheduler: ManualScheduler,
  hub: HubWorld,
  done: () => boolean | Promise<boolean>,
): Promise<void> {
  for (let step = 0; step < 300; step += 1) {
    if (await done()) return;
    await scheduler.advance(1_000);
    await hub.idle();
  }
  throw new Error('the till did not finish syncing within 300 virtual seconds');
}

function documents(till: Till, includeClosed = false): ReceivingDocumentView[] {
  const listed = till.engine.execute(
    'stock-receiving-documents',
    { includeClosed },
    { session: till.session },
  );
  if (!listed.ok) throw new Error(listed.error.message);
  return listed.value.documents;
}

function synced(till: Till): boolean {
  const status = till.engine.execute('sync-status', {});
  if (!status.ok) throw new Error(status.error.message);
  return status.value.lastAckedSeq >= readOutbox(till.engine.db, 0, 1_000_000).length;
}

async function sellableAtHub(hub: HubWorld, sku: string): Promise<number> {
  const row = await hub.storage.db
    .selectFrom('stock_balances')
    .select('sellable')
    .where('node_id', '=', 's1')
    .where('sku', '=', sku)
    .executeTakeFirst();
  return Number(row?.sellable ?? 0);
}

async function receiptVariances(hub: HubWorld) {
  return listExceptions(hub.storage.db, { type: 'RECEIPT_VARIANCE', limit: 100 });
}

describe.each(backendKinds())('receiving documents at the till through the real hub on %s', (kind) => {
  it('lists an open notice, receives it scan-counted with over and under, reconciles it at the hub once', async () => {
    const hub = await createHubWorld(kind);
    const scheduler = new ManualScheduler();
    let till: Till | undefined;
    try {
      const order = await createPurchaseOrder(
        hub.hub,
        PurchaseOrderInputSchema.parse({
          poNumber: 'PO-501',
          supplier: 'Acme',
          nodeId: 's1',
          lines: [
            { sku: 'A', qty: 10 },
            { sku: 'B', qty: 4 },
          ],
        }),
        'api-key:erp',
      );
      const notice = await createShippingNotice(
        hub.hub,
        ShippingNoticeInputSchema.parse({
          asnNumber: 'ASN-501',
          purchaseOrderId: order.purchaseOrderId,
          lines: [
            { sku: 'A', qty: 10 },
            { sku: 'B', qty: 4 },
          ],
        }),
        'api-key:erp',
      );
      till = await openTill(hub, scheduler, 1);
      const current = till;
      await advanceUntil(scheduler, hub, () => documents(current).length > 0);

      // The purchase order's delivery comes under its notice, so the till lists the notice alone.
      const listed = documents(till);
      expect(listed.map((document) => [document.kind, document.number, document.receivable])).toEqual([
        ['shipping_notice', 'ASN-501', true],
      ]);
      expect(listed[0]!.lines).toEqual([
        expect.objectContaining({
          sku: 'A',
          name: 'Item A',
          unit: 'each',
          expected: 10,
          received: 0,
          open: 10,
        }),
        expect.objectContaining({ sku: 'B', expected: 4, received: 0, open: 4 }),
      ]);

      // Two A short, B as announced, and one C the notice never mentioned.
      hub.setDown(true);
      const received = till.engine.execute(
        'stock-receive-document',
        {
          documentKey: `shipping_notice:${notice.asnId}`,
          lines: [
            { sku: 'A', qty: 8 },
            { sku: 'B', qty: 4, bucket: 'quality_control' },
            { sku: 'C', qty: 1 },
          ],
        },
        { session: till.session },
      );
      if (!received.ok) throw new Error(received.error.message);
      expect(received.value.variances).toEqual([
        { sku: 'A', expected: 10, received: 8 },
        { sku: 'C', expected: 0, received: 1 },
      ]);
      expect(received.value.document).toMatchObject({ receivable: false, status: 'open' });
      const levels = localStock(till.engine.db, till.engine.identity, ['A', 'B', 'C']);
      expect(levels.map((level) => [level.sku, level.sellable, level.qualityControl])).toEqual([
        ['A', 8, 0],
        ['B', 0, 4],
        ['C', 1, 0],
      ]);

      // A second press (or another lane) before the hub answered: refused, nothing written.
      const again = till.engine.execute(
        'stock-receive-document',
        { documentKey: `shipping_notice:${notice.asnId}`, lines: [{ sku: 'A', qty: 8 }] },
        { session: till.session },
      );
      expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      expect(documents(till)).toEqual([]);

      hub.setDown(false);
      await advanceUntil(scheduler, hub, () => synced(current));

      const atHub = await getShippingNotice(hub.storage.db, notice.asnId);
      expect(atHub).toMatchObject({
        status: 'received_with_variance',
        lines: [
          { sku: 'A', expected: 10, received: 8 },
          { sku: 'B', expected: 4, received: 4 },
          { sku: 'C', expected: 0, received: 1 },
        ],
      });
      expect(await getPurchaseOrder(hub.storage.db, order.purchaseOrderId)).toMatchObject({
        status: 'partially_received',
        lines: [
          { sku: 'A', ordered: 10, received: 8 },
          { sku: 'B', ordered: 4, received: 4 },
        ],
      });
      expect(await sellableAtHub(hub, 'A')).toBe(8);
      const [receiptEvent] = readOutbox(till.engine.db, 0, 1_000_000).filter(
        (event) => event.type === 'stock.received',
      );
      const variances = await receiptVariances(hub);
      expect(variances).toHaveLength(1);
      expect(variances[0]).toMatchObject({
        nodeId: 's1',
        causeEventIds: [receiptEvent!.eventId],
        details: { asnNumber: 'ASN-501' },
      });

      // The push again, as after a lost acknowledgement: the hub applies nothing a second time.
      const replay = await hub.gateway.push(till.principal, {
        ...till.principal,
        events: readOutbox(till.engine.db, 0, 1_000_000),
      });
      expect(replay.lastSeq).toBe(readOutbox(till.engine.db, 0, 1_000_000).length);
      expect(await sellableAtHub(hub, 'A')).toBe(8);
      expect((await getShippingNotice(hub.storage.db, notice.asnId)).lines[0]).toMatchObject({ received: 8 });
      expect(await receiptVariances(hub)).toHaveLength(1);

      // The hub's new status reaches the till; the rest of the order can now come without a notice.
      await advanceUntil(
        scheduler,
        hub,
        () => documents(current, true).find((document) => document.number === 'ASN-501')?.status !== 'open',
      );
      expect(documents(current).map((document) => [document.number, document.status])).toEqual([
        ['PO-501', 'partially_received'],
      ]);
      expect(documents(current)[0]!.lines.map((line) => [line.sku, line.open])).toEqual([
        ['A', 2],
        ['B', 0],
      ]);
    } finally {
      till?.engine.close();
      if (till) rmSync(till.dir, { recursive: true, force: true });
      await hub.close();
    }
  });

  it('takes a blind receipt against a purchase order, and shows HQ cancelling a notice and an order', async () => {
    const hub = await createHubWorld(kind);
    const scheduler = new ManualScheduler();
    let till: Till | undefined;
    try {
      const blind = await createPurchaseOrder(
        hub.hub,
        PurchaseOrderInputSchema.parse({
          poNumber: 'PO-600',
          supplier: 'Bolt & Co',
          nodeId: 's1',
          lines: [{ sku: 'A', qty: 5 }],
        }),
        'api-key:erp',
      );
      const withdrawn = await createShippingNotice(
        hub.hub,
        ShippingNoticeInputSchema.parse({
          asnNumber: 'ASN-601',
          nodeId: 's1',
          supplier: 'Crate Ltd',
          lines: [{ sku: 'B', qty: 3 }],
        }),
        'api-key:erp',
      );
      const late = await createShippingNotice(
        hub.hub,
        ShippingNoticeInputSchema.parse({
          asnNumber: 'ASN-602',
          nodeId: 's1',
          supplier: 'Crate Ltd',
          lines: [{ sku: 'C', qty: 2 }],
        }),
        'api-key:erp',
      );
      till = await openTill(hub, scheduler, 2);
      const current = till;
      await advanceUntil(scheduler, hub, () => documents(current).length === 3);

      // Blind receipt: one more than ordered.
      const blindReceipt = till.engine.execute(
        'stock-receive-document',
        { documentKey: `purchase_order:${blind.purchaseOrderId}`, lines: [{ sku: 'A', qty: 6 }] },
        { session: till.session },
      );
      if (!blindReceipt.ok) throw new Error(blindReceipt.error.message);
      expect(blindReceipt.value.variances).toEqual([{ sku: 'A', expected: 5, received: 6 }]);

      // HQ withdraws ASN-601; the till's list loses it and receiving it is refused with the reason.
      await cancelShippingNotice(
        hub.hub,
        withdrawn.asnId,
        CancelDocumentSchema.parse({ reason: 'supplier out of stock' }),
        'user:hq',
      );
      await advanceUntil(scheduler, hub, () => documents(current).every((doc) => doc.number !== 'ASN-601'));
      const refused = till.engine.execute(
        'stock-receive-document',
        { documentKey: `shipping_notice:${withdrawn.asnId}`, lines: [{ sku: 'B', qty: 3 }] },
        { session: till.session },
      );
      expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } });
      if (refused.ok) throw new Error('unreachable');
      expect(refused.error.message).toMatch(/ASN-601 .*cancelled at HQ/);
      expect(documents(current, true).find((doc) => doc.number === 'ASN-601')?.status).toBe('cancelled');

      // ASN-602 is received at the till while offline, and cancelled at HQ before the receipt arrives:
      // the goods are in stock all the same, and HQ gets a variance to settle.
      hub.setDown(true);
      const lateReceipt = till.engine.execute(
        'stock-receive-document',
        { documentKey: `shipping_notice:${late.asnId}`, lines: [{ sku: 'C', qty: 2 }] },
        { session: till.session },
      );
      if (!lateReceipt.ok) throw new Error(lateReceipt.error.message);
      hub.setDown(false);
      await cancelShippingNotice(
        hub.hub,
        late.asnId,
        CancelDocumentSchema.parse({ reason: 'wrong store' }),
        'user:hq',
      );
      await advanceUntil(scheduler, hub, () => synced(current));

      expect(await getPurchaseOrder(hub.storage.db, blind.purchaseOrderId)).toMatchObject({
        status: 'received',
        lines: [{ sku: 'A', ordered: 5, received: 6 }],
      });
      expect(await getShippingNotice(hub.storage.db, late.asnId)).toMatchObject({ status: 'cancelled' });
      expect(await sellableAtHub(hub, 'A')).toBe(6);
      expect(await sellableAtHub(hub, 'C')).toBe(2);
      const variances = await receiptVariances(hub);
      expect(variances.map((item) => item.details['poNumber'] ?? item.details['asnNumber']).sort()).toEqual([
        'ASN-602',
        'PO-600',
      ]);
      expect(variances.find((item) => item.details['asnNumber'] === 'ASN-602')?.details['message']).toMatch(
        /already cancelled/,
      );

      // Cancelling an order that is fully received is refused; an open one goes, with its notices.
      await expect(
        cancelPurchaseOrder(
          hub.hub,
          blind.purchaseOrderId,
          CancelDocumentSchema.parse({ reason: 'x' }),
          'user:hq',
        ),
      ).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    } finally {
      till?.engine.close();
      if (till) rmSync(till.dir, { recursive: true, force: true });
      await hub.close();
    }
  });
});
