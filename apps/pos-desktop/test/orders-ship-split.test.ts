import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adjustStock,
  backendKinds,
  createApiKey,
  createStripeProvider,
  readInventoryLevel,
  readOrderPayment,
  readOrderView,
  listExceptions,
  startBopisRuntime,
  startPaymentRuntime,
  startStripeFake,
  startTestHub,
  until,
  verifyProjections,
  type BopisRuntime,
  type BopisSettings,
  type OrderView,
  type PaymentRuntime,
  type StripeFake,
  type TestHub,
} from '@retail/hub-server/testing';
import { expectError, expectOk } from '../src/engine/testing/test-node';
import { openTestTill, type TestTill } from '../src/engine/testing/test-till';

/**
 * Orders beyond pickup end to end: the real hub (in-process, listening on 127.0.0.1, both backends, the
 * Stripe-shaped adapter against the local Stripe fake with its payment outbox running) and real store
 * engines with their sync agents over HTTP. A web order split between a store and a warehouse: the store's
 * part picked, packed and shipped at its till, the warehouse's part shipped through the fulfilment API, the
 * card captured once for both, then the order returned at a third store's till with the refund sent to the
 * card and the units in that store's buckets.
 */

const SETTINGS: BopisSettings = {
  offlineAfterMs: 60_000,
  pickupPolicy: { holdHours: 24, graceMinutes: 0 },
};
const WIDGET_BARCODE = '4006381333931';
const GADGET_BARCODE = '4006381333948';
/** A bound for waits on tills and runtimes; generous because the shared machine may be very busy. */
const LONG_WAIT_MS = 90_000;
/** Each scenario walks tills, the hub and its runtimes through many steps. */
const SCENARIO_TIMEOUT_MS = 240_000;
const SHIP_TO = {
  name: 'Ada Lovelace',
  line1: '12 Rue de Rivoli',
  city: 'Paris',
  postalCode: '75001',
  country: 'FR',
  location: { lat: 48.86, lon: 2.35 },
};

describe.each(backendKinds())('ship-from-store, split orders and online returns on %s', (kind) => {
  let world: TestHub;
  let fake: StripeFake;
  let payments: PaymentRuntime;
  let runtime: BopisRuntime;
  let shopKey: string;
  let wmsKey: string;
  const stores = new Map<string, TestTill>();

  const wait = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) =>
    until(what, probe, LONG_WAIT_MS);

  function store(nodeId: string): TestTill {
    return stores.get(nodeId)!;
  }

  async function api(
    method: 'GET' | 'POST',
    path: string,
    token: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<{ status: number; body: { value?: unknown; error?: { code: string; message: string } } }> {
    const response = await fetch(`${world.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as never };
  }

  async function hubView(orderId: string): Promise<OrderView> {
    return readOrderView(world.storage.db, orderId);
  }

  beforeAll(async () => {
    fake = await startStripeFake();
    const stripe = createStripeProvider({
      secretKey: fake.secretKey,
      webhookSecret: fake.webhookSecret,
      baseUrl: fake.baseUrl,
    });
    world = await startTestHub({
      kind,
      stores: [
        { nodeId: 'store-a', shipEnabled: true },
        { nodeId: 'store-b', latitude: 48.9, shipEnabled: true },
        { nodeId: 'store-c', latitude: 49.2 },
        {
          nodeId: 'wh-1',
          code: 'WH1',
          name: 'Warehouse Lyon',
          kind: 'warehouse',
          pickupEnabled: false,
          shipEnabled: true,
          latitude: 45.7,
          longitude: 4.8,
        },
      ],
      items: [
        { sku: 'WIDGET', barcode: WIDGET_BARCODE, name: 'Widget', unitPrice: 1000 },
        { sku: 'GADGET', barcode: GADGET_BARCODE, name: 'Gadget', unitPrice: 1500 },
      ],
      app: { orders: { settings: SETTINGS, payments: stripe }, payments: { provider: stripe } },
    });
    const hub = world.hub;
    await adjustStock(
      hub,
      { nodeId: 'wh-1', reason: 'opening stock', lines: [{ sku: 'GADGET', bucket: 'sellable', delta: 5 }] },
      'user:test',
    );
    shopKey = (await createApiKey(hub, { name: 'shop', scopes: ['orders:write'] }, 'test')).key;
    wmsKey = (await createApiKey(hub, { name: 'wms', scopes: ['fulfilment:write'] }, 'test')).key;
    payments = startPaymentRuntime(hub, stripe, { intervalMs: 200 });
    runtime = startBopisRuntime(hub, {
      settings: SETTINGS,
      intervalMs: 300,
      logger: {
        info: () => undefined,
        // A failing pass would otherwise only show as a timeout.
        error: (fields, message) => console.error(message, fields),
      },
    });
    for (const [nodeId, storeCode] of [
      ['store-a', 'SA'],
      ['store-c', 'SC'],
    ] as const) {
      stores.set(
        nodeId,
        await openTestTill(world, { storeId: nodeId, storeCode, dirPrefix: `orders-${nodeId}-` }),
      );
    }
    for (const nodeId of stores.keys()) {
      await wait(`${nodeId} has the catalog`, () =>
        store(nodeId).run('catalog-scan', { code: WIDGET_BARCODE }).ok ? true : undefined,
      );
    }
    const a = store('store-a');
    a.ok('stock-receive', {
      source: { type: 'supplier', reference: 'DN-1' },
      lines: [{ sku: 'WIDGET', qty: 2 }],
    });
    await wait(
      'store A receipt reaches the hub',
      async () =>
        a.drained() && (await readInventoryLevel(world.storage.db, 'store-a', 'WIDGET')).sellable >= 2,
    );
  }, SCENARIO_TIMEOUT_MS);

  afterAll(async () => {
    for (const each of stores.values()) await each.close();
    await payments?.stop();
    await runtime?.stop();
    await world?.close();
    await fake?.close();
  });

  it(
    'splits a web order over a store and a warehouse, ships both, captures once, and takes it back at a third store',
    async () => {
      const orderNumber = `W-${kind}-1`;
      const placed = await api(
        'POST',
        '/api/orders',
        shopKey,
        {
          orderId: `web-${kind}-1`,
          orderNumber,
          channel: 'web',
          fulfilment: { type: 'ship', shipTo: SHIP_TO },
          lines: [
            { lineId: 'l1', sku: 'WIDGET', qty: 2, amount: 2000 },
            { lineId: 'l2', sku: 'GADGET', qty: 1, amount: 1500 },
          ],
          customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
          payment: { paymentMethod: 'pm_card_visa', amount: 3995, currency: 'EUR' },
          splitConsent: true,
        },
        randomUUID(),
      );
      expect(placed.status).toBe(201);
      const customerOrder = placed.body.value as {
        orderId: string;
        split: boolean;
        shipments: { orderId: string; nodeId: string; partNo: number }[];
      };
      expect(customerOrder.split).toBe(true);
      const storePart = customerOrder.shipments.find((part) => part.nodeId === 'store-a');
      const warehousePart = customerOrder.shipments.find((part) => part.nodeId === 'wh-1');
      expect(storePart).toBeDefined();
      expect(warehousePart).toBeDefined();
      expect((await readOrderPayment(world.storage.db, customerOrder.orderId))?.status).toBe('authorised');

      // The store's part reaches its till as a ship-to-home order, apart from pickups.
      const a = store('store-a');
      await wait('the store part reaches store A', () =>
        expectOk(a.run('bopis-list', { fulfilment: 'ship' })).orders.find(
          (order) => order.orderId === storePart!.orderId && order.task === 'accept',
        ),
      );
      expect(expectOk(a.run('bopis-list', { fulfilment: 'pickup' })).orders).toEqual([]);
      const partId = storePart!.orderId;
      a.ok('bopis-accept', { orderId: partId });
      a.ok('bopis-start-picking', { orderId: partId });
      const wrong = expectError(
        a.run('bopis-pick-scan', { orderId: partId, code: GADGET_BARCODE }),
        'NOT_ALLOWED',
      );
      expect(wrong.message).toMatch(/Wrong item/);
      a.ok('bopis-pick-scan', { orderId: partId, code: WIDGET_BARCODE });
      a.ok('bopis-pick-scan', { orderId: partId, code: WIDGET_BARCODE });
      expect(a.ok('bopis-get', { orderId: partId }).task).toBe('pack');
      a.ok('bopis-pack', { orderId: partId, parcels: [{ weightGrams: 1200 }] });
      const shipped = a.ok('bopis-ship', {
        orderId: partId,
        carrier: 'UPS',
        trackingNumber: '1z999aa1 0123456784',
      });
      expect(shipped).toMatchObject({
        status: 'SHIPPED',
        shipment: { trackingNumber: '1Z999AA10123456784' },
      });
      const atHub = await wait('the shipment reaches the hub', async () => {
        const view = await hubView(partId);
        return view.status === 'SHIPPED' ? view : undefined;
      });
      expect(atHub.shipment).toMatchObject({ carrier: 'UPS', trackingNumber: '1Z999AA10123456784' });
      expect(await readInventoryLevel(world.storage.db, 'store-a', 'WIDGET')).toMatchObject({
        staged: 0,
        onHand: 0,
      });
      await wait('store A sees the hub confirm it', () =>
        a.ok('bopis-get', { orderId: partId }).pendingSync ? undefined : true,
      );
      // One PaymentIntent for the whole order: nothing is captured while the warehouse part is open.
      expect((await readOrderPayment(world.storage.db, customerOrder.orderId))?.status).toBe('authorised');

      // The warehouse reports its part through the fulfilment API.
      const warehouseId = warehousePart!.orderId;
      const steps = [
        { action: 'accept' },
        { action: 'start_picking' },
        { action: 'pick', lineId: 'l2', scannedSku: 'GADGET', qty: 1 },
        { action: 'pack', parcels: [{ parcelId: 'WH-BOX-1', weightGrams: 800 }] },
        { action: 'ship', carrier: 'DHL', trackingNumber: 'JD014600003' },
      ];
      for (const step of steps) {
        const answer = await api('POST', `/api/orders/${encodeURIComponent(warehouseId)}/steps`, wmsKey, {
          nodeId: 'wh-1',
          step,
        });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      }
      const captured = await wait('the card is captured once for both parts', async () => {
        const payment = await readOrderPayment(world.storage.db, customerOrder.orderId);
        return payment?.status === 'captured' ? payment : undefined;
      });
      expect(Number(captured.captured)).toBe(3995);
      expect(fake.intent(captured.intent_id)).toMatchObject({ status: 'succeeded', amount_received: 3995 });
      expect(fake.requests.filter((request) => request.path.endsWith('/capture'))).toHaveLength(1);

      // A third store takes it back: one widget to sell again, the gadget damaged.
      const c = store('store-c');
      // The till asks the hub only while its sync link is up (a loaded machine may still be connecting).
      await wait('store C is connected to the hub', () => c.engine.sync.online() || undefined);
      const returnable = expectOk(await c.runAsync('order-return-lookup', { orderNumber }));
      expect(returnable).toMatchObject({ orderNumber, customerName: 'Ada Lovelace' });
      expect(
        returnable.lines.map((line) => [line.lineId, line.name, line.delivered, line.returnable]),
      ).toEqual([
        ['l1', 'Widget', 2, 2],
        ['l2', 'Gadget', 1, 1],
      ]);
      const returnId = randomUUID();
      const request = {
        returnId,
        orderNumber,
        lines: [
          { lineId: 'l1', qty: 1, disposition: 'sellable' as const },
          { lineId: 'l2', qty: 1, disposition: 'damaged' as const },
        ],
      };
      const returned = expectOk(await c.runAsync('order-return-create', request));
      // A split part refunds by its share of the authorisation per unit (shipping included, docs/orders.md):
      // 3995 over 3 units, the store part's 2 widgets 2663, the warehouse's gadget 1332.
      expect(returned.refundMethod).toBe('card');
      expect(returned.lines.map((line) => [line.lineId, line.qty, line.disposition])).toEqual([
        ['l1', 1, 'sellable'],
        ['l2', 1, 'damaged'],
      ]);
      expect(returned.lines.map((line) => line.refund)).toEqual([1331, 1332]);
      expect(returned.refundAmount).toBe(2663);
      // The same return sent again (a timeout on the till) is the same return: refunded once.
      expect(expectOk(await c.runAsync('order-return-create', request)).refundAmount).toBe(2663);
      const refunded = await wait('the refund reaches the card', async () => {
        const payment = await readOrderPayment(world.storage.db, customerOrder.orderId);
        return Number(payment?.refunded ?? 0) >= 2663 ? payment : undefined;
      });
      expect(Number(refunded.refunded)).toBe(2663);
      // One refund per part the units came from, each once although the till sent the return twice.
      expect(fake.requests.filter((entry) => entry.path === '/v1/refunds')).toHaveLength(2);
      expect(await readInventoryLevel(world.storage.db, 'store-c', 'WIDGET')).toMatchObject({ sellable: 1 });
      expect(await readInventoryLevel(world.storage.db, 'store-c', 'GADGET')).toMatchObject({
        sellable: 0,
        damaged: 1,
      });

      // What is left: one widget. More is refused chain-wide with the hub's sentence.
      const tooMany = expectError(
        await c.runAsync('order-return-create', {
          returnId: randomUUID(),
          orderNumber,
          lines: [{ lineId: 'l1', qty: 2, disposition: 'sellable' }],
        }),
        'RETURN_EXCEEDS_SOLD',
      );
      expect(tooMany.message).toMatch(/l1|Widget|WIDGET/);
      expect(
        expectOk(await c.runAsync('order-return-lookup', { orderNumber })).lines.map(
          (line) => line.returnable,
        ),
      ).toEqual([1, 0]);

      // Offline the till says so instead of guessing.
      await c.engine.sync.stop();
      const offline = expectError(
        await c.runAsync('order-return-lookup', { orderNumber }),
        'HUB_UNAVAILABLE',
      );
      expect(offline.message).toMatch(/cannot reach it right now.*cannot be looked up offline/);
      c.engine.sync.start();
      expect(await verifyProjections(world.storage.db)).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
  it(
    're-routes the store part alone after the store sold its unit offline; the next store ships it',
    async () => {
      const a = store('store-a');
      const b = await openTestTill(world, {
        storeId: 'store-b',
        storeCode: 'SB',
        dirPrefix: 'orders-store-b-',
      });
      stores.set('store-b', b);
      await wait('store B has the catalog', () =>
        b.run('catalog-scan', { code: WIDGET_BARCODE }).ok ? true : undefined,
      );
      for (const till of [a, b]) {
        till.ok('stock-receive', {
          source: { type: 'supplier', reference: `DN-${till.nodeId}-2` },
          lines: [{ sku: 'WIDGET', qty: 1 }],
        });
      }
      await wait('both receipts reach the hub', async () => {
        const levels = await Promise.all(
          ['store-a', 'store-b'].map((nodeId) => readInventoryLevel(world.storage.db, nodeId, 'WIDGET')),
        );
        return a.drained() && b.drained() && levels.every((level) => level.sellable >= 1);
      });

      const orderNumber = `W-${kind}-2`;
      const placed = await api(
        'POST',
        '/api/orders',
        shopKey,
        {
          orderId: `web-${kind}-2`,
          orderNumber,
          channel: 'web',
          fulfilment: { type: 'ship', shipTo: SHIP_TO },
          lines: [
            { lineId: 'l1', sku: 'WIDGET', qty: 1, amount: 1000 },
            { lineId: 'l2', sku: 'GADGET', qty: 1, amount: 1500 },
          ],
          customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
          payment: { paymentMethod: 'pm_card_visa', amount: 2995, currency: 'EUR' },
          splitConsent: true,
        },
        randomUUID(),
      );
      expect(placed.status).toBe(201);
      const customerOrder = placed.body.value as {
        orderId: string;
        shipments: { orderId: string; nodeId: string; version: number }[];
      };
      const storePart = customerOrder.shipments.find((part) => part.nodeId === 'store-a')!;
      const warehousePart = customerOrder.shipments.find((part) => part.nodeId === 'wh-1')!;
      expect(storePart).toBeDefined();
      expect(warehousePart).toBeDefined();
      const warehouseBefore = await hubView(warehousePart.orderId);
      await wait('the part reaches store A', () =>
        expectOk(a.run('bopis-list', { fulfilment: 'ship' })).orders.find(
          (order) => order.orderId === storePart.orderId,
        ),
      );

      // Store A loses the hub and sells its last widget at the till meanwhile.
      await a.engine.sync.stop();
      if (a.ok('shift-current', {}).shift === null) a.ok('shift-open', { float: 10_000 });
      const sale = a.ok('sale-start', {});
      a.ok('sale-add-line', { saleId: sale.saleId, code: WIDGET_BARCODE });
      a.ok('sale-add-tender', { saleId: sale.saleId, tender: { type: 'cash', amount: 1_000 } });
      a.ok('sale-complete', { saleId: sale.saleId });
      a.engine.sync.start();
      await wait('store A catches up', () => a.drained());

      const moved = await wait('the hub re-routes the store part', async () => {
        const view = await hubView(storePart.orderId);
        return view.nodeId === 'store-b' && view.status === 'ROUTED' ? view : undefined;
      });
      expect(moved.timeline.map((entry) => entry.kind)).toContain('oversell');
      const oversells = await listExceptions(world.storage.db, {
        type: 'OVERSELL',
        nodeId: 'store-a',
        sku: 'WIDGET',
        limit: 10,
      });
      expect(oversells).toHaveLength(1);
      // The warehouse part keeps its node and version: a part is re-routed alone.
      const warehouseAfter = await hubView(warehousePart.orderId);
      expect([warehouseAfter.nodeId, warehouseAfter.head.version]).toEqual([
        'wh-1',
        warehouseBefore.head.version,
      ]);

      // Store A is told; store B picks, packs and ships it.
      await wait('store A hears it is no longer its part', () =>
        a.ok('bopis-get', { orderId: storePart.orderId }).assignedHere ? undefined : true,
      );
      await wait('the part reaches store B', () =>
        expectOk(b.run('bopis-list', { fulfilment: 'ship' })).orders.find(
          (order) => order.orderId === storePart.orderId && order.task === 'accept',
        ),
      );
      b.ok('bopis-accept', { orderId: storePart.orderId });
      b.ok('bopis-start-picking', { orderId: storePart.orderId });
      b.ok('bopis-pick-scan', { orderId: storePart.orderId, code: WIDGET_BARCODE });
      b.ok('bopis-pack', { orderId: storePart.orderId, parcels: [{ weightGrams: 600 }] });
      b.ok('bopis-ship', { orderId: storePart.orderId, carrier: 'GLS', trackingNumber: 'GLS12345678' });
      await wait("store B's shipment reaches the hub", async () =>
        (await hubView(storePart.orderId)).status === 'SHIPPED' ? true : undefined,
      );
      expect(await readInventoryLevel(world.storage.db, 'store-b', 'WIDGET')).toMatchObject({
        staged: 0,
        onHand: 0,
      });
      expect(await verifyProjections(world.storage.db)).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
