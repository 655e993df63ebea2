import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BopisOrderSchema, BopisOrderStateSchema, RoutingResultSchema } from '@retail/domain';
import { AvailabilityChangedData, OrderData } from '../integration/event-catalog';
import { updateNode } from '../nodes/nodes';
import { backendKinds } from '../test-support/backends';
import { TEST_SETTINGS, createBopisWorld, type BopisWorld } from '../test-support/bopis-world';
import { ParsedOrderIntakeSchema, placeOrder, readPlacedView } from './intake';

/**
 * The intake validates the client's order once (parseBopisOrder) and then trusts what the hub's own typed
 * code builds from it: the order is not parsed again to place it, the answer is not parsed back from the
 * JSON just written, the order's feed rows are not checked again. What it skips must be what those
 * parses would have given: the answer is the read back's JSON text, and the feed row is already its
 * schema's output (a store parses it with that schema).
 */
describe.each(backendKinds())('orders/intake parses on %s', (kind) => {
  let world: BopisWorld;

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['PRS1', 'PRS2'] });
    await updateNode(world.hub, 's2', { shipEnabled: true, expectedVersion: 1 });
    await world.stock('s1', 'PRS1', 3);
    await world.stock('s2', 'PRS1', 5);
    await world.stock('s2', 'PRS2', 4);
    // One order first: whatever is parsed once per process (catalogs, settings) is not counted below.
    await placeOrder(
      world.hub,
      world.orderBody({ lines: [{ lineId: 'l1', sku: 'PRS2', qty: 1 }] }),
      'warm-up-key',
      'api-key:test',
      {
        settings: TEST_SETTINGS,
      },
    );
  });

  afterAll(async () => {
    await world?.dispose();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const shipTo = {
    name: 'Ada Lovelace',
    line1: '12 Rue de Rivoli',
    city: 'Paris',
    postalCode: '75001',
    country: 'FR',
    location: { lat: 48.85, lon: 2.35 },
  };

  const cases: [string, () => ReturnType<BopisWorld['orderBody']>, number, boolean][] = [
    [
      'a whole pickup order',
      () => world.orderBody({ lines: [{ lineId: 'l1', sku: 'PRS1', qty: 1 }] }),
      1,
      false,
    ],
    [
      'a ship-to-home order',
      () => {
        const { pickup: _pickup, ...body } = world.orderBody({
          lines: [{ lineId: 'l1', sku: 'PRS2', qty: 1 }],
        });
        return { ...body, fulfilment: { type: 'ship' as const, shipTo } };
      },
      1,
      false,
    ],
    [
      'a split order',
      () => world.orderBody({ lines: [{ lineId: 'l1', sku: 'PRS1', qty: 6 }], splitConsent: true }),
      // Only the customer's order: each part, built by splitOrderParts from it, is placed as built (order
      // storm round 13; until then each part was parsed again: 3).
      1,
      true,
    ],
  ];

  it.each(cases)(
    'parses %s once and trusts what it built from it',
    async (_name, makeBody, orderParses, splitCase) => {
      const body = makeBody();
      const orders = vi.spyOn(BopisOrderSchema, 'safeParse');
      const states = vi.spyOn(BopisOrderStateSchema, 'safeParse');
      const routings = vi.spyOn(RoutingResultSchema, 'safeParse');
      const routingParses = vi.spyOn(RoutingResultSchema, 'parse');
      const orderEvents = vi.spyOn(OrderData, 'safeParse');
      const availabilityEvents = vi.spyOn(AvailabilityChangedData, 'safeParse');
      const placed = await placeOrder(world.hub, body, `key-${body.orderId}`, 'api-key:test', {
        settings: TEST_SETTINGS,
      });
      expect(placed.replayed).toBe(false);
      expect('split' in placed.view).toBe(splitCase);
      expect(orders).toHaveBeenCalledTimes(orderParses);
      expect(states).not.toHaveBeenCalled();
      expect(routings).not.toHaveBeenCalled();
      expect(routingParses).not.toHaveBeenCalled();
      expect(orderEvents).not.toHaveBeenCalled();
      expect(availabilityEvents).not.toHaveBeenCalled();
      vi.restoreAllMocks();

      // Its order and availability events are what the catalog's check would have written, to the character.
      const events = await world.storage.db
        .selectFrom('integration_events')
        .select(['type', 'aggregate_id', 'data'])
        .where((eb) =>
          eb.or([eb('aggregate_id', 'like', `${body.orderId}%`), eb('type', '=', 'availability.changed')]),
        )
        .execute();
      expect(events.filter((event) => event.type === 'order.placed').length).toBe(splitCase ? 2 : 1);
      expect(events.some((event) => event.type === 'availability.changed')).toBe(true);
      for (const event of events) {
        const schema = event.type === 'availability.changed' ? AvailabilityChangedData : OrderData;
        expect(JSON.stringify(schema.parse(JSON.parse(event.data)))).toBe(event.data);
      }

      // The answer a client receives is the read back's, character for character.
      const read = await readPlacedView(world.storage.db, body.orderId);
      expect(JSON.stringify(placed.view)).toBe(JSON.stringify(read));

      // The order's feed rows (the parts' for a split) are what the feed's check would have written.
      const rows = await world.storage.db
        .selectFrom('feed_changes')
        .select(['entity_key', 'data'])
        .where('entity', '=', 'bopis_order')
        .where('entity_key', 'like', `${body.orderId}%`)
        .execute();
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        const data = JSON.parse(String(row.data)) as unknown;
        expect(JSON.parse(JSON.stringify(BopisOrderStateSchema.parse(data)))).toStrictEqual(data);
      }
    },
  );
});

/**
 * Through `POST /api/orders` the body is validated once, by the route's schema (ParsedOrderIntakeSchema):
 * placeOrder builds the domain order from it without parsing it again, and must build exactly what the
 * parse of the same body gives.
 */
describe.each(backendKinds())('orders/intake of a body the route validated on %s', (kind) => {
  let world: BopisWorld;

  beforeEach(async () => {
    world = await createBopisWorld(kind, { skus: ['PRS1', 'PRS2'] });
    await updateNode(world.hub, 's2', { shipEnabled: true, expectedVersion: 1 });
    // Enough for each case twice, and no node holds the 6 units of the split case alone.
    await world.stock('s1', 'PRS1', 4);
    await world.stock('s2', 'PRS1', 5);
    await world.stock('s3', 'PRS1', 4);
    await world.stock('s2', 'PRS2', 4);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await world?.dispose();
  });

  const shipTo = {
    name: 'Ada Lovelace',
    line1: '12 Rue de Rivoli',
    city: 'Paris',
    postalCode: '75001',
    country: 'FR',
    location: { lat: 48.85, lon: 2.35 },
  };

  /** The order as stored (a split's as the customer placed it), its id and clock-given instant masked. */
  async function storedOrder(orderId: string, split: boolean): Promise<string> {
    const text = split
      ? (
          await world.storage.db
            .selectFrom('customer_orders')
            .select('order_body as body')
            .where('order_id', '=', orderId)
            .executeTakeFirstOrThrow()
        ).body
      : JSON.stringify(
          (
            JSON.parse(
              (
                await world.storage.db
                  .selectFrom('bopis_orders')
                  .select('state')
                  .where('order_id', '=', orderId)
                  .executeTakeFirstOrThrow()
              ).state,
            ) as { order: unknown }
          ).order,
        );
    const order = JSON.parse(text) as Record<string, unknown>;
    return JSON.stringify({ ...order, orderId: 'masked', placedAt: 0 });
  }

  const cases: [string, () => ReturnType<BopisWorld['orderBody']>, boolean][] = [
    [
      'a whole pickup order',
      () => world.orderBody({ lines: [{ lineId: 'l1', sku: 'PRS1', qty: 1 }] }),
      false,
    ],
    [
      'a ship-to-home order',
      () => {
        const { pickup: _pickup, ...body } = world.orderBody({
          lines: [{ lineId: 'l1', sku: 'PRS2', qty: 1 }],
        });
        return { ...body, fulfilment: { type: 'ship' as const, shipTo } };
      },
      false,
    ],
    [
      'a split order',
      () => world.orderBody({ lines: [{ lineId: 'l1', sku: 'PRS1', qty: 6 }], splitConsent: true }),
      true,
    ],
  ];

  it.each(cases)(
    'builds %s without parsing it again, as the parse would have',
    async (_name, makeBody, split) => {
      const unparsed = makeBody();
      const edge = ParsedOrderIntakeSchema.parse({ ...unparsed, orderId: `${unparsed.orderId}-edge` });
      const orders = vi.spyOn(BopisOrderSchema, 'safeParse');
      const placed = await placeOrder(world.hub, edge, `key-${edge.orderId}`, 'api-key:test', {
        settings: TEST_SETTINGS,
      });
      // Nothing: not the order, nor a split's parts, which the hub builds from it with new ids (order storm
      // round 13; until then the two parts were parsed when placed).
      expect(orders).not.toHaveBeenCalled();
      vi.restoreAllMocks();
      expect('split' in placed.view).toBe(split);
      const fromParse = await placeOrder(world.hub, unparsed, `key-${unparsed.orderId}`, 'api-key:test', {
        settings: TEST_SETTINGS,
      });
      expect('split' in fromParse.view).toBe(split);
      expect(await storedOrder(edge.orderId, split)).toBe(await storedOrder(unparsed.orderId, split));
      const read = await readPlacedView(world.storage.db, edge.orderId);
      expect(JSON.stringify(placed.view)).toBe(JSON.stringify(read));
    },
  );

  it('still parses a body that did not come through the route, and refuses a bad one', async () => {
    const body = world.orderBody({ lines: [{ lineId: 'l1', sku: 'PRS1', qty: 1 }] });
    await expect(
      placeOrder(world.hub, { ...body, customer: { name: '  ' } }, `key-${body.orderId}`, 'api-key:test', {
        settings: TEST_SETTINGS,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    // A copy of a body the route validated is not one it validated: parsed (and refused) again.
    const edge = ParsedOrderIntakeSchema.parse(body);
    await expect(
      placeOrder(world.hub, { ...edge, lines: [] }, `key-${body.orderId}-copy`, 'api-key:test', {
        settings: TEST_SETTINGS,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
