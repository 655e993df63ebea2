import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WIDGET,
  backendKinds,
  cancelOrder,
  listExceptions,
  placeOrder,
  readInventoryLevel,
  readOrderView,
  startBopisRuntime,
  startTestHub,
  eventually,
  verifyProjections,
  type BopisRuntime,
  type BopisSettings,
  type HubContext,
  type OrderIntake,
  type OrderView,
  type Storage,
  type TestHub,
} from '@retail/hub-server/testing';
import { expectOk } from '../src/engine/testing/test-node';
import { openTestTill, type TestTill } from '../src/engine/testing/test-till';

/**
 * BOPIS end to end: the real hub (in-process, listening on 127.0.0.1, both backends) and three real
 * store engines, each with its own SQLite file and sync agent over HTTP. Orders reach the stores through
 * the change feed, store steps reach the hub as events, and offline stores catch up when they reconnect.
 */

const SETTINGS: BopisSettings = {
  offlineAfterMs: 60_000,
  pickupPolicy: { holdHours: 24, graceMinutes: 0 },
};
const WIDGET_BARCODE = WIDGET.barcode;

describe.each(backendKinds())('BOPIS across real store engines and the hub on %s', (kind) => {
  let world: TestHub;
  let storage: Storage;
  let hub: HubContext;
  let runtime: BopisRuntime;
  const skew = { ms: 0 };
  const stores = new Map<string, TestTill>();

  async function openStore(nodeId: string, code: string): Promise<TestTill> {
    const till = await openTestTill(world, {
      storeId: nodeId,
      storeCode: code,
      dirPrefix: `bopis-${nodeId}-`,
    });
    stores.set(nodeId, till);
    return till;
  }

  function store(nodeId: string): TestTill {
    return stores.get(nodeId)!;
  }

  async function hubView(orderId: string): Promise<OrderView> {
    return readOrderView(storage.db, orderId);
  }

  async function receive(nodeId: string, qty: number): Promise<void> {
    const at = store(nodeId);
    at.ok('stock-receive', {
      source: { type: 'supplier', reference: `DN-${randomUUID().slice(0, 6)}` },
      lines: [{ sku: 'WIDGET', qty }],
    });
    await eventually(
      `${nodeId} receipt reaches the hub`,
      async () => at.drained() && (await readInventoryLevel(storage.db, nodeId, 'WIDGET')).sellable >= qty,
    );
  }

  function sellOne(nodeId: string): void {
    const at = store(nodeId);
    if (at.ok('shift-current', {}).shift === null) at.ok('shift-open', { float: 10_000 });
    const sale = at.ok('sale-start', {});
    at.ok('sale-add-line', { saleId: sale.saleId, code: WIDGET_BARCODE });
    at.ok('sale-add-tender', { saleId: sale.saleId, tender: { type: 'cash', amount: 1_000 } });
    at.ok('sale-complete', { saleId: sale.saleId });
  }

  async function lastSeen(nodeId: string): Promise<number> {
    const row = await storage.db
      .selectFrom('devices')
      .select('last_seen_at')
      .where('node_id', '=', nodeId)
      .executeTakeFirst();
    return Number(row?.last_seen_at ?? 0);
  }

  /**
   * Moves the hub's clock on until `silent` stores look offline to it while `live` is still heard. A
   * request a stopped till sent just before stopping may still be processed after a jump, so the jump
   * repeats until the silent stores' last contact is really old.
   */
  async function pauseUntilSilent(silent: readonly string[], live: string): Promise<void> {
    for (let round = 0; round < 5; round += 1) {
      skew.ms += SETTINGS.offlineAfterMs + 5_000;
      await eventually(`the hub hears from ${live} after the pause`, async () => {
        return (await lastSeen(live)) >= Date.now() + skew.ms - 2_000;
      });
      const seen = await Promise.all(silent.map(lastSeen));
      if (seen.every((at) => at <= hub.now() - SETTINGS.offlineAfterMs)) return;
    }
    throw new Error(`${silent.join(', ')} kept being heard from`);
  }

  let orderSeq = 0;
  async function place(overrides: Partial<OrderIntake> = {}): Promise<OrderView> {
    orderSeq += 1;
    const result = await placeOrder(
      hub,
      {
        orderId: `e2e-${kind}-${orderSeq}`,
        orderNumber: `E-${orderSeq}`,
        channel: 'web',
        lines: [{ lineId: 'l1', sku: 'WIDGET', qty: 1 }],
        customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
        pickup: { type: 'store', storeId: 'store-a' },
        splitConsent: false,
        payment: { authorisationRef: `auth-${orderSeq}`, amount: 500, currency: 'EUR' },
        priority: 0,
        ...overrides,
      },
      randomUUID(),
      'api-key:shop',
      { settings: SETTINGS },
    );
    if ('split' in result.view) throw new Error(`order ${result.view.orderId} was split`);
    return result.view;
  }

  beforeAll(async () => {
    world = await startTestHub({
      kind,
      now: () => Date.now() + skew.ms,
      stores: ['store-a', 'store-b', 'store-c'].map((nodeId, index) => ({
        nodeId,
        latitude: 48.85 + index * 0.2,
      })),
      items: [WIDGET],
      app: { orders: { settings: SETTINGS } },
    });
    ({ storage, hub } = world);
    runtime = startBopisRuntime(hub, {
      settings: SETTINGS,
      intervalMs: 300,
      logger: {
        info: () => undefined,
        // A failing pass would otherwise only show as a timeout.
        error: (fields, message) => console.error(message, fields),
      },
    });
    await openStore('store-a', 'SA');
    await openStore('store-b', 'SB');
    await openStore('store-c', 'SC');
    for (const nodeId of stores.keys()) {
      await eventually(`${nodeId} has the catalog`, () => {
        const found = store(nodeId).run('catalog-scan', { code: WIDGET_BARCODE });
        return found.ok ? true : undefined;
      });
    }
    await receive('store-a', 1);
    await receive('store-b', 1);
    await receive('store-c', 5);
  });

  afterAll(async () => {
    for (const each of stores.values()) await each.close();
    await runtime?.stop();
    await world?.close();
  });

  it('re-routes to a third store the order whose unit two offline stores sold, with exactly one oversell exception', async () => {
    const order = await place();
    expect(order.nodeId).toBe('store-a');
    const a = store('store-a');
    const b = store('store-b');
    const c = store('store-c');
    await eventually('the order reaches store A', () => {
      const list = expectOk(a.run('bopis-list', {}));
      return list.orders.find((entry) => entry.orderId === order.orderId && entry.task === 'accept');
    });
    expectOk(a.run('bopis-accept', { orderId: order.orderId }));
    await eventually(
      'the accept reaches the hub',
      async () => (await hubView(order.orderId)).status === 'ACCEPTED',
    );

    // Stores A and B lose the hub; each sells its last widget at the till meanwhile.
    await a.engine.sync.stop();
    await b.engine.sync.stop();
    sellOne('store-a');
    sellOne('store-b');
    // Long enough that the hub stops trusting A's and B's stock; C keeps syncing.
    await pauseUntilSilent(['store-a', 'store-b'], 'store-c');

    a.engine.sync.start();
    await eventually('A catches up', () => a.drained());
    await runtime.idle();
    const moved = await eventually('the hub re-routes the order', async () => {
      const view = await hubView(order.orderId);
      return view.nodeId !== 'store-a' ? view : undefined;
    });
    expect(
      moved,
      JSON.stringify(moved.routing?.candidates.map((candidate) => [candidate.nodeId, candidate.summary])),
    ).toMatchObject({ status: 'ROUTED', nodeId: 'store-c', excludedNodeIds: ['store-a'] });
    const passedOver = moved.routing?.candidates.find((candidate) => candidate.nodeId === 'store-b');
    expect(passedOver?.reasons.map((reason) => reason.code)).toContain('OFFLINE');
    expect(moved.notifications.map((notification) => notification.kind)).toEqual(['rerouted']);

    b.engine.sync.start();
    await eventually('B catches up', () => b.drained());
    await runtime.idle();
    const oversells = await listExceptions(storage.db, { type: 'OVERSELL', limit: 10 });
    expect(oversells).toHaveLength(1);
    expect(oversells[0]).toMatchObject({
      nodeId: 'store-a',
      sku: 'WIDGET',
      status: 'resolved',
      resolvedBy: 'hub',
    });
    expect((await readInventoryLevel(storage.db, 'store-b', 'WIDGET')).sellable).toBe(0);

    // Both stores are told: A drops it, C gets it.
    await eventually('A hears the order moved', () => {
      const shown = expectOk(a.run('bopis-get', { orderId: order.orderId }));
      return shown.assignedHere === false ? shown : undefined;
    });
    await eventually('C has the order in its queue', () =>
      expectOk(c.run('bopis-list', {})).orders.find((entry) => entry.orderId === order.orderId),
    );

    // C fulfils it: the whole lifecycle at the third store.
    c.ok('bopis-accept', { orderId: order.orderId });
    c.ok('bopis-start-picking', { orderId: order.orderId });
    c.ok('bopis-pick-scan', { orderId: order.orderId, code: WIDGET_BARCODE });
    c.ok('bopis-mark-ready', { orderId: order.orderId });
    await eventually(
      'ready at the hub',
      async () => (await hubView(order.orderId)).status === 'READY_FOR_PICKUP',
    );
    c.ok('bopis-handover', { attempt: { kind: 'pickup_code', code: moved.pickupCode } });
    const done = await eventually('picked up at the hub', async () => {
      const view = await hubView(order.orderId);
      return view.status === 'PICKED_UP' ? view : undefined;
    });
    expect(done.paymentStatus).toBe('captured');
    expect(done.reservations.map((reservation) => [reservation.nodeId, reservation.status])).toEqual([
      ['store-a', 'REASSIGNED'],
      ['store-c', 'CONSUMED'],
    ]);
    expect(await readInventoryLevel(storage.db, 'store-c', 'WIDGET')).toMatchObject({
      sellable: 4,
      staged: 0,
    });
    expect(await verifyProjections(storage.db)).toEqual([]);
  });

  it('lets an offline handover win over a cancel that reached the hub first, and refuses handovers a cancel reached', async () => {
    const c = store('store-c');
    const first = await place({ pickup: { type: 'store', storeId: 'store-c' } });
    const second = await place({ pickup: { type: 'store', storeId: 'store-c' } });
    for (const order of [first, second]) {
      await eventually('the order reaches C', () =>
        expectOk(c.run('bopis-list', {})).orders.find((entry) => entry.orderId === order.orderId),
      );
      c.ok('bopis-accept', { orderId: order.orderId });
      c.ok('bopis-start-picking', { orderId: order.orderId });
      c.ok('bopis-pick-scan', { orderId: order.orderId, code: WIDGET_BARCODE });
      c.ok('bopis-mark-ready', { orderId: order.orderId });
    }
    await eventually(
      'both ready at the hub',
      async () =>
        (await hubView(first.orderId)).status === 'READY_FOR_PICKUP' &&
        (await hubView(second.orderId)).status === 'READY_FOR_PICKUP',
    );

    // Online: the customer cancels the second order; the cancel reaches the till before the customer does.
    await cancelOrder(hub, second.orderId, {}, { actor: 'api-key:shop', customer: true });
    await eventually(
      'the cancel reaches C',
      () => expectOk(c.run('bopis-get', { orderId: second.orderId })).status === 'CANCELLED',
    );
    const refused = c.run('bopis-handover', { attempt: { kind: 'pickup_code', code: second.pickupCode } });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.message).toMatch(
      /Do not hand over order E-\d+: it was cancelled at the customer's request/,
    );
    c.ok('bopis-unstage', { orderId: second.orderId });

    // Offline: C hands the first order over; meanwhile the hub cancels it.
    await c.engine.sync.stop();
    c.ok('bopis-handover', {
      attempt: {
        kind: 'order_number_and_name',
        orderNumber: first.orderNumber,
        customerName: 'ada lovelace',
      },
    });
    await cancelOrder(hub, first.orderId, {}, { actor: 'user:hq', customer: false });
    c.engine.sync.start();
    const won = await eventually('the handover wins at the hub', async () => {
      const view = await hubView(first.orderId);
      return view.status === 'PICKED_UP' ? view : undefined;
    });
    expect(won.refunds).toMatchObject([{ reason: 'HANDOVER_AFTER_CANCEL', status: 'review' }]);
    const conflicts = await listExceptions(storage.db, { type: 'HANDOVER_CONFLICT', limit: 10 });
    expect(conflicts.map((exception) => exception.details.orderId)).toContain(first.orderId);
    await eventually('C is drained', () => c.drained());
    expect(await readInventoryLevel(storage.db, 'store-c', 'WIDGET')).toMatchObject({ staged: 0 });
    expect(await verifyProjections(storage.db)).toEqual([]);
  });

  it('expires a ready order nobody collected: the till refuses it and puts the units back', async () => {
    const c = store('store-c');
    const order = await place({ pickup: { type: 'store', storeId: 'store-c' } });
    await eventually('the order reaches C', () =>
      expectOk(c.run('bopis-list', {})).orders.find((entry) => entry.orderId === order.orderId),
    );
    c.ok('bopis-accept', { orderId: order.orderId });
    c.ok('bopis-start-picking', { orderId: order.orderId });
    c.ok('bopis-pick-scan', { orderId: order.orderId, sku: 'WIDGET' });
    c.ok('bopis-mark-ready', { orderId: order.orderId });
    const ready = await eventually('ready at the hub', async () => {
      const view = await hubView(order.orderId);
      return view.status === 'READY_FOR_PICKUP' ? view : undefined;
    });
    // A day and a bit later at the hub: the expiry timer takes the order back.
    skew.ms += ready.expiresAt! - (Date.now() + skew.ms) + 1_000;
    runtime.kick();
    await eventually('expired at the hub', async () => (await hubView(order.orderId)).status === 'EXPIRED');
    const told = await eventually('the expiry reaches C', () => {
      const shown = expectOk(c.run('bopis-get', { orderId: order.orderId }));
      return shown.status === 'EXPIRED' ? shown : undefined;
    });
    expect(told).toMatchObject({ task: 'put_back', handover: { allowed: false } });
    expect(told.handover.reason).toMatch(/it expired/);
    c.ok('bopis-unstage', { orderId: order.orderId });
    await eventually('C is drained', () => c.drained());
    const view = await hubView(order.orderId);
    expect(view).toMatchObject({ paymentStatus: 'voided' });
    expect(view.notifications.map((notification) => notification.kind)).toEqual([
      'ready_for_pickup',
      'expired',
    ]);
    expect(await readInventoryLevel(storage.db, 'store-c', 'WIDGET')).toMatchObject({ staged: 0 });
    expect(await verifyProjections(storage.db)).toEqual([]);
  });

  it('re-routes an order a store reported short to another store that has it', async () => {
    const b = store('store-b');
    const c = store('store-c');
    await receive('store-b', 2);
    const order = await place({ pickup: { type: 'store', storeId: 'store-c' } });
    expect(order.nodeId).toBe('store-c');
    await eventually('the order reaches C', () =>
      expectOk(c.run('bopis-list', {})).orders.find((entry) => entry.orderId === order.orderId),
    );
    c.ok('bopis-accept', { orderId: order.orderId });
    c.ok('bopis-short-pick', { orderId: order.orderId, lines: [{ lineId: 'l1', foundQty: 0 }] });
    const moved = await eventually('re-routed by the hub', async () => {
      const view = await hubView(order.orderId);
      return view.status === 'ROUTED' && view.nodeId === 'store-b' ? view : undefined;
    });
    expect(moved.excludedNodeIds).toEqual(['store-c']);
    await eventually('B has it to accept', () =>
      expectOk(b.run('bopis-list', {})).orders.find(
        (entry) => entry.orderId === order.orderId && entry.task === 'accept',
      ),
    );
    const shortages = await listExceptions(storage.db, { type: 'PICK_SHORTAGE', limit: 10 });
    expect(shortages.some((exception) => exception.details.orderId === order.orderId)).toBe(true);
  });
});
