import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { BopisOrderState } from '@retail/domain';
import type { EventPayloads, PushAck } from '@retail/sync';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import { adjustStock } from '../inventory/stock-operations';
import { createNode } from '../nodes/nodes';
import { placeOrder, type OrderIntake } from '../orders/intake';
import { readOrderView, type OrderView } from '../orders/order-records';
import type { BopisSettings } from '../orders/order-change';
import type { CustomerOrderView } from '../orders/split-intake';
import type { Storage } from '../storage/storage';
import { createTestDatabase, type TestDatabase } from './backends';
import { EventFactory, adjustment, enrollTestDevice, movement, nodeInput, seedWorld } from './fixtures';

/**
 * A hub with three pickup stores on a line of latitude (s1 closest to the customer, s3 furthest), an
 * injected clock and an enrolled device per store that pushes like a till: enough world for the BOPIS
 * intake, lifecycle, oversell and notification tests on both backends.
 */
export const T0 = 1_800_000_000_000;

export const TEST_SETTINGS: BopisSettings = {
  offlineAfterMs: 10 * 60_000,
  pickupPolicy: { holdHours: 48, graceMinutes: 30 },
};

export interface BopisWorld {
  readonly database: TestDatabase;
  readonly storage: Storage;
  readonly hub: HubContext;
  readonly clock: { now: number };
  readonly stores: readonly string[];
  /** Moves the clock on; every store's till keeps in touch meanwhile (as a live sync agent does). */
  advance(ms: number): Promise<void>;
  device(nodeId: string): EventFactory;
  /** Pushes events as the node's till and returns the ack. */
  push(nodeId: string, events: { type: keyof EventPayloads; payload: unknown }[]): Promise<PushAck>;
  /** Adds (or removes) sellable units at a node through a store adjustment event. */
  stock(nodeId: string, sku: string, delta: number): Promise<void>;
  orderBody(overrides?: Partial<OrderIntake>): OrderIntake;
  /** Places an order that must go whole to one node. */
  place(overrides?: Partial<OrderIntake>, key?: string): Promise<OrderView>;
  /** Places an order that must be split (splitConsent set), answering the customer order. */
  placeSplit(overrides?: Partial<OrderIntake>, key?: string): Promise<CustomerOrderView>;
  view(orderId: string): Promise<OrderView>;
  state(orderId: string): Promise<BopisOrderState>;
  /** A store step payload based on the order's current head at the hub. */
  step(orderId: string, extra?: Record<string, unknown>): Promise<Record<string, unknown>>;
  dispose(): Promise<void>;
}

let orderSeq = 0;

export async function createBopisWorld(
  kind: 'sqlite' | 'postgres',
  options: { skus?: string[]; poolSize?: number } = {},
): Promise<BopisWorld> {
  const database = await createTestDatabase(kind);
  const storage = await database.open({ poolSize: options.poolSize ?? 12 });
  const clock = { now: T0 };
  const hub = createHubContext(storage, () => clock.now);
  const stores = ['s1', 's2', 's3'];
  await seedWorld(hub, { nodes: [], skus: options.skus ?? ['A', 'B', 'C'] });
  for (const [index, nodeId] of stores.entries()) {
    await createNode(hub, nodeInput(nodeId, { latitude: 48.85 + index * 0.1, longitude: 2.35 }));
  }
  const devices = new Map<string, EventFactory>();
  for (const nodeId of stores) {
    const enrolled = await enrollTestDevice(hub, nodeId);
    devices.set(nodeId, new EventFactory({ deviceId: enrolled.deviceId, storeId: nodeId }));
  }
  const device = (nodeId: string) => {
    const factory = devices.get(nodeId);
    if (factory === undefined) throw new Error(`no device at ${nodeId}`);
    return factory;
  };
  const push: BopisWorld['push'] = async (nodeId, events) => {
    const factory = device(nodeId);
    return pushEvents(hub, factory.device, {
      ...factory.device,
      events: events.map((event) => factory.next(event.type, event.payload as Record<string, unknown>)),
    });
  };
  const orderBody = (overrides: Partial<OrderIntake> = {}): OrderIntake => {
    orderSeq += 1;
    const orderId = `web-${process.pid}-${orderSeq}`;
    return {
      orderId,
      orderNumber: `W-${orderSeq}`,
      channel: 'web',
      lines: [{ lineId: 'l1', sku: 'A', qty: 1 }],
      customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
      pickup: { type: 'store', storeId: 's1' },
      splitConsent: false,
      payment: { authorisationRef: `auth-${orderSeq}`, amount: 1999, currency: 'USD' },
      priority: 0,
      ...overrides,
    };
  };
  const world: BopisWorld = {
    database,
    storage,
    hub,
    clock,
    stores,
    async advance(ms) {
      clock.now += ms;
      await storage.db.updateTable('devices').set({ last_seen_at: clock.now }).execute();
    },
    device,
    push,
    async stock(nodeId, sku, delta) {
      const ack = await push(nodeId, [{ type: 'stock.adjusted', payload: adjustment(movement(sku, delta)) }]);
      expect(ack.results.map((result) => result.status)).toEqual(['accepted']);
    },
    orderBody,
    async place(overrides = {}, key = randomUUID()) {
      const result = await placeOrder(hub, orderBody(overrides), key, 'api-key:test', {
        settings: TEST_SETTINGS,
      });
      if ('split' in result.view) throw new Error(`order ${result.view.orderId} was split`);
      return result.view;
    },
    async placeSplit(overrides = {}, key = randomUUID()) {
      const result = await placeOrder(
        hub,
        orderBody({ splitConsent: true, ...overrides }),
        key,
        'api-key:test',
        {
          settings: TEST_SETTINGS,
        },
      );
      if (!('split' in result.view)) throw new Error(`order ${result.view.orderId} was not split`);
      return result.view;
    },
    view: (orderId) => readOrderView(storage.db, orderId),
    async state(orderId) {
      const row = await storage.db
        .selectFrom('bopis_orders')
        .select('state')
        .where('order_id', '=', orderId)
        .executeTakeFirstOrThrow();
      return JSON.parse(row.state) as BopisOrderState;
    },
    async step(orderId, extra = {}) {
      const view = await readOrderView(storage.db, orderId);
      return {
        orderId,
        transitionId: randomUUID(),
        basedOn: view.head,
        at: new Date(clock.now).toISOString(),
        ...extra,
      };
    },
    async dispose() {
      await storage.close();
      await database.dispose();
    },
  };
  return world;
}

/** The movements a store records when it marks the order ready: PICK sellable → staged per line. */
export function readyMovements(state: BopisOrderState) {
  return state.order.lines.flatMap((line) => [
    { ...movement(line.sku, -line.qty, 'PICK', 'sellable') },
    { ...movement(line.sku, line.qty, 'PICK', 'staged') },
  ]);
}

/** PICKUP_HANDOVER: the staged units leave the store with the customer. */
export function handoverMovements(state: BopisOrderState) {
  return state.order.lines.map((line) => movement(line.sku, -line.qty, 'PICKUP_HANDOVER', 'staged'));
}

export function unstageMovements(state: BopisOrderState) {
  return state.order.lines.flatMap((line) => [
    movement(line.sku, -line.qty, 'UNSTAGE', 'staged'),
    movement(line.sku, line.qty, 'UNSTAGE', 'sellable'),
  ]);
}

/** Adds `wh1`: a warehouse far from the stores that ships and takes no pickups, with opening sellable stock. */
export async function addWarehouse(world: BopisWorld, stock: Record<string, number>): Promise<void> {
  await createNode(
    world.hub,
    nodeInput('wh1', {
      kind: 'warehouse',
      pickupEnabled: false,
      shipEnabled: true,
      latitude: 45.7,
      longitude: 4.8,
    }),
  );
  await adjustStock(
    world.hub,
    {
      nodeId: 'wh1',
      reason: 'opening stock',
      lines: Object.entries(stock).map(([sku, delta]) => ({ sku, bucket: 'sellable' as const, delta })),
    },
    'user:test',
  );
}

/** Pushes one store step as the node's till and expects the hub to accept it. */
export async function pushAccepted(
  world: BopisWorld,
  nodeId: string,
  type: Parameters<BopisWorld['push']>[1][number]['type'],
  payload: object,
): Promise<void> {
  const ack = await world.push(nodeId, [{ type, payload: payload as Record<string, unknown> }]);
  expect(ack.results[0]?.status).toBe('accepted');
}

/** The store's till collecting an order: accept, pick every line, mark ready, hand over with the code. */
export async function collectAtTill(world: BopisWorld, orderId: string, nodeId: string): Promise<void> {
  await pushAccepted(world, nodeId, 'bopis.accepted', await world.step(orderId));
  await pushAccepted(world, nodeId, 'bopis.picking_started', await world.step(orderId));
  const state = await world.state(orderId);
  for (const line of state.order.lines) {
    await pushAccepted(
      world,
      nodeId,
      'bopis.picked',
      await world.step(orderId, { lineId: line.lineId, scannedSku: line.sku, qty: line.qty }),
    );
  }
  await pushAccepted(
    world,
    nodeId,
    'bopis.ready',
    await world.step(orderId, { movements: readyMovements(state) }),
  );
  await pushAccepted(
    world,
    nodeId,
    'bopis.handed_over',
    await world.step(orderId, { verifiedBy: 'pickup_code', movements: handoverMovements(state) }),
  );
}
