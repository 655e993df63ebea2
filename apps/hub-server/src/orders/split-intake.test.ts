import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BopisOrderSchema, DomainError, parseBopisOrder, splitOrderParts } from '@retail/domain';
import { verifyProjections } from '../inventory/ledger-reads';
import { readInventoryLevel } from '../inventory/stock-levels';
import { backendKinds } from '../test-support/backends';
import { TEST_SETTINGS, createBopisWorld, type BopisWorld } from '../test-support/bopis-world';
import { saleOf } from '../test-support/fixtures';
import { placeOrder, readPlacedView } from './intake';
import { resolveOpenOversells } from './oversell';

function errorOf(promise: Promise<unknown>): Promise<DomainError> {
  return promise.then(
    () => {
      throw new Error('expected a DomainError');
    },
    (error: unknown) => {
      if (!(error instanceof DomainError)) throw error;
      return error;
    },
  );
}

describe.each(backendKinds())('orders/split-intake on %s', (kind) => {
  let world: BopisWorld;

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['SP1', 'SP2', 'SP3', 'SP4', 'SP5', 'SP6'] });
  });

  afterAll(async () => {
    await world?.dispose();
  });

  describe('placeOrder with split consent', () => {
    it('splits over the fewest stores, one customer order with a shipment per part, each part explained', async () => {
      await world.stock('s1', 'SP1', 2);
      await world.stock('s2', 'SP2', 3);
      await world.stock('s3', 'SP1', 1);
      const key = randomUUID();
      const split = await world.placeSplit(
        {
          lines: [
            { lineId: 'l1', sku: 'SP1', qty: 2 },
            { lineId: 'l2', sku: 'SP2', qty: 3 },
          ],
        },
        key,
      );
      expect(split.routing.decision).toMatchObject({ outcome: 'split', minimal: true });
      expect(split.shipments.map((part) => [part.partNo, part.orderId, part.nodeId, part.status])).toEqual([
        [1, `${split.orderId}.1`, 's1', 'ROUTED'],
        [2, `${split.orderId}.2`, 's2', 'ROUTED'],
      ]);
      expect(split.shipments[0]?.order.lines).toEqual([{ lineId: 'l1', sku: 'SP1', qty: 2 }]);
      expect(split.shipments[1]?.order.lines).toEqual([{ lineId: 'l2', sku: 'SP2', qty: 3 }]);
      expect(split.shipments.map((part) => part.order.payment.amount)).toEqual([800, 1199]);
      expect(split.shipments[0]?.pickupCode).not.toBe(split.shipments[1]?.pickupCode);
      const placedNote = split.shipments[1]?.timeline.find((entry) => entry.kind === 'placed');
      expect(placedNote?.data.why).toMatch(/^Part 2 of 2 from node s2: 3 × SKU SP2 \(line l2\)/);
      expect(await readInventoryLevel(world.storage.db, 's1', 'SP1')).toMatchObject({ committed: 2 });
      expect(await readInventoryLevel(world.storage.db, 's2', 'SP2')).toMatchObject({ committed: 3 });

      const reused = await errorOf(
        placeOrder(world.hub, world.orderBody({}), key, 'api-key:test', { settings: TEST_SETTINGS }),
      );
      expect(reused.code).toBe('CONFLICT');
      expect(await readPlacedView(world.storage.db, split.orderId)).toEqual(split);
    });

    it('gives each part a code no open order carries when the codes drawn first are taken', async () => {
      await world.stock('s1', 'SP6', 1);
      await world.stock('s2', 'SP6', 1);
      await world.stock('s3', 'SP6', 1);
      // Codes from a pinned source: each draw is six bytes of one value, so the codes are 000000, 111111, …
      const source = (values: number[]) => {
        let next = 0;
        return (length: number) => Buffer.alloc(length, values[next++ % values.length]!);
      };
      const open = await placeOrder(
        world.hub,
        world.orderBody({ lines: [{ lineId: 'l1', sku: 'SP6', qty: 1 }] }),
        randomUUID(),
        'api-key:test',
        { settings: TEST_SETTINGS, randomBytes: source([0]) },
      );
      expect('pickupCode' in open.view && open.view.pickupCode).toBe('000000');
      // The first code drawn for the split is the open order’s (the third, a repeat, is drawn again).
      const split = await placeOrder(
        world.hub,
        world.orderBody({ splitConsent: true, lines: [{ lineId: 'l1', sku: 'SP6', qty: 2 }] }),
        randomUUID(),
        'api-key:test',
        { settings: TEST_SETTINGS, randomBytes: source([0, 1, 0, 2, 3]) },
      );
      if (!('split' in split.view)) throw new Error('expected a split order');
      const codes = split.view.shipments.map((part) => part.pickupCode);
      expect(codes).toHaveLength(2);
      expect(new Set(codes).size).toBe(2);
      expect(codes).not.toContain('000000');
      expect(await verifyProjections(world.storage.db)).toEqual([]);
    });

    it('answers the same split order for a retried request with the same key and body', async () => {
      await world.stock('s1', 'SP3', 1);
      await world.stock('s2', 'SP3', 1);
      const body = world.orderBody({ splitConsent: true, lines: [{ lineId: 'l1', sku: 'SP3', qty: 2 }] });
      const key = randomUUID();
      const first = await placeOrder(world.hub, body, key, 'api-key:test', { settings: TEST_SETTINGS });
      const again = await placeOrder(world.hub, { ...body }, key, 'api-key:test', {
        settings: TEST_SETTINGS,
      });
      expect(first.replayed).toBe(false);
      expect(again).toEqual({ view: first.view, replayed: true });
      expect('split' in first.view && first.view.shipments.map((part) => part.order.lines[0]?.qty)).toEqual([
        1, 1,
      ]);
      expect(await readInventoryLevel(world.storage.db, 's1', 'SP3')).toMatchObject({ committed: 1 });
    });

    it('refuses to split for a channel HQ closed to splits, writing nothing', async () => {
      await world.stock('s1', 'SP4', 1);
      await world.stock('s2', 'SP4', 1);
      await world.storage.db
        .insertInto('sales_channels')
        .values({ channel: 'marketplace', allow_split: 0, updated_by: 'test', updated_at: world.clock.now })
        .execute();
      const body = world.orderBody({
        channel: 'marketplace',
        splitConsent: true,
        lines: [{ lineId: 'l1', sku: 'SP4', qty: 2 }],
      });
      const error = await errorOf(
        placeOrder(world.hub, body, randomUUID(), 'api-key:test', { settings: TEST_SETTINGS }),
      );
      expect(error.code).toBe('INSUFFICIENT_STOCK');
      expect(error.message).toMatch(/sales channel forbids split orders/);
      expect(await readInventoryLevel(world.storage.db, 's1', 'SP4')).toMatchObject({ committed: 0 });
      const rows = await world.storage.db
        .selectFrom('customer_orders')
        .select('order_id')
        .where('order_id', '=', body.orderId)
        .execute();
      expect(rows).toEqual([]);
    });
  });

  describe('a failed part', () => {
    it('is re-routed alone after an offline oversell, the other part staying where it is', async () => {
      await world.stock('s1', 'SP5', 2);
      await world.stock('s2', 'SP5', 1);
      await world.stock('s3', 'SP5', 2);
      // s1 + s3 could carry it, but s1 + s2 rank first (nearer the chosen store s1).
      const split = await world.placeSplit({ lines: [{ lineId: 'l1', sku: 'SP5', qty: 3 }] });
      const [first, second] = split.shipments;
      expect([
        first?.nodeId,
        first?.order.lines[0]?.qty,
        second?.nodeId,
        second?.order.lines[0]?.qty,
      ]).toEqual(['s1', 2, 's2', 1]);
      const ack = await world.push('s2', [
        { type: 'sale.completed', payload: saleOf([{ sku: 'SP5', qty: 1 }], { staffId: 'staff-s2' }) },
      ]);
      expect(ack.results[0]?.status).toBe('accepted');
      const results = await resolveOpenOversells(world.hub, TEST_SETTINGS);
      expect(results).toMatchObject([{ outcome: 'resolved' }]);

      const after = await readPlacedView(world.storage.db, split.orderId);
      if (!('split' in after)) throw new Error('the order is no longer split');
      expect(after.shipments.map((part) => [part.orderId, part.status, part.nodeId, part.version])).toEqual([
        [first?.orderId, 'ROUTED', 's1', first?.version],
        [second?.orderId, 'ROUTED', 's3', expect.any(Number)],
      ]);
      expect(after.shipments[1]?.excludedNodeIds).toEqual(['s2']);
      expect(after.shipments[1]?.notifications.map((n) => n.kind)).toEqual(['rerouted']);
      expect(await readInventoryLevel(world.storage.db, 's3', 'SP5')).toMatchObject({
        sellable: 2,
        committed: 1,
      });
      expect(await readInventoryLevel(world.storage.db, 's1', 'SP5')).toMatchObject({
        sellable: 2,
        committed: 2,
      });
      expect(await verifyProjections(world.storage.db)).toEqual([]);
    });
  });
});

/**
 * placeSplitOrder places each part without parsing it (order storm round 13): a part splitOrderParts
 * builds from a parsed order with the router's whole positive quantities must be exactly what the parse
 * of that part gives.
 */
describe('orders/split-intake parts', () => {
  it('builds parts that are their own parse, character for character', () => {
    const lineArbitrary = fc.record({
      sku: fc.constantFrom('SKU-1', 'SKU-2', 'K3'),
      qty: fc.integer({ min: 2, max: 40 }),
    });
    fc.assert(
      fc.property(
        fc.array(lineArbitrary, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc
          .string({ minLength: 1, maxLength: 90 })
          .map((text) => `o${text.replace(/[^A-Za-z0-9._:-]/g, 'x')}`),
        fc.boolean(),
        (lines, nodes, amount, orderId, ship) => {
          const parsed = parseBopisOrder({
            orderId,
            orderNumber: 'W-1',
            channel: 'web',
            lines: lines.map((line, index) => ({ lineId: `l${index + 1}`, ...line })),
            customer: { name: ' Ada Lovelace ', email: 'ada@example.com' },
            pickup: { type: 'store', storeId: 's1' },
            ...(ship
              ? {
                  fulfilment: {
                    type: 'ship',
                    shipTo: {
                      name: 'Ada',
                      line1: '1 Rue',
                      city: 'Paris',
                      postalCode: '75001',
                      country: 'FR',
                      location: { lat: 48.85, lon: 2.35 },
                    },
                  },
                }
              : {}),
            splitConsent: true,
            payment: { authorisationRef: 'auth-1', amount, currency: 'EUR' },
            placedAt: 1_800_000_000_000,
            pickupPolicy: { holdHours: 48, graceMinutes: 30 },
          });
          if (!parsed.ok) throw new Error(parsed.error.message);
          const order = parsed.value;
          // Each line's units dealt over the nodes as the router does: whole, positive shares.
          const allocations = Array.from({ length: nodes }, (_, node) => ({
            nodeId: `n${node + 1}`,
            lines: order.lines.flatMap((line) => {
              const share = Math.floor(line.qty / nodes) + (node < line.qty % nodes ? 1 : 0);
              return share === 0 ? [] : [{ lineId: line.lineId, sku: line.sku, qty: share }];
            }),
          })).filter((allocation) => allocation.lines.length > 0);
          fc.pre(allocations.length >= 2);
          for (const part of splitOrderParts(order, allocations)) {
            expect(JSON.stringify(BopisOrderSchema.parse(part.order))).toBe(JSON.stringify(part.order));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
