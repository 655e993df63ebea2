import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeAtp } from '../inventory/atp';
import { errorOf } from '../test-support';
import {
  RoutingResultSchema,
  demandBySku,
  routeOrder,
  type RoutingCandidateInput,
  type RoutingRequestInput,
} from './route-order';

const AT = 1_800_000_000_000;

function node(
  nodeId: string,
  stock: Record<string, number>,
  extra: Partial<RoutingCandidateInput> = {},
): RoutingCandidateInput {
  return {
    nodeId,
    active: true,
    pickupEnabled: true,
    openPicks: 0,
    stock: Object.entries(stock).map(([sku, sellable]) => ({ sku, sellable, committed: 0, safetyStock: 0 })),
    ...extra,
  };
}

function order(extra: Partial<RoutingRequestInput> = {}): RoutingRequestInput {
  return {
    orderId: 'o-1',
    lines: [
      { lineId: 'l1', sku: 'A', qty: 2 },
      { lineId: 'l2', sku: 'B', qty: 1 },
    ],
    pickup: { type: 'location', location: { lat: 48.85, lon: 2.35 } },
    ...extra,
  };
}

describe('routing/route-order', () => {
  describe('routeOrder', () => {
    it('routes to the only node that carries every line and explains the others', () => {
      const result = routeOrder(order(), [node('s1', { A: 5, B: 5 }), node('s2', { A: 1, B: 5 })], AT);
      expect(result.decision).toEqual({
        outcome: 'routed',
        nodeId: 's1',
        allocations: [{ nodeId: 's1', lines: order().lines }],
      });
      expect(result.decidedAt).toBe(AT);
      const [first, second] = result.candidates;
      expect(first).toMatchObject({ nodeId: 's1', eligible: true, rank: 1, selected: true, reasons: [] });
      expect(second).toMatchObject({ nodeId: 's2', eligible: false, selected: false });
      expect(second?.reasons).toEqual([
        {
          code: 'INSUFFICIENT_ATP',
          shortages: [{ sku: 'A', required: 2, atp: 1 }],
          message: 'Node s2 can promise only 1 of 2 × SKU A after safety stock.',
        },
      ]);
      expect(second?.summary).toBe('Node s2 can promise only 1 of 2 × SKU A after safety stock.');
      expect(RoutingResultSchema.parse(result)).toEqual(result);
    });

    it('records every reason a node is ineligible, not only the first', () => {
      const result = routeOrder(
        order({ excludedNodeIds: ['bad'] }),
        [
          node(
            'bad',
            { A: 1 },
            {
              active: false,
              pickupEnabled: false,
              pickupPausedUntil: AT + 60_000,
              offlineSince: AT - 3_600_000,
              pickCapacity: 2,
              openPicks: 2,
            },
          ),
        ],
        AT,
      );
      expect(result.decision.outcome).toBe('unroutable');
      expect(result.candidates[0]?.reasons.map((reason) => reason.code)).toEqual([
        'INACTIVE',
        'PICKUP_DISABLED',
        'PICKUP_PAUSED',
        'OFFLINE',
        'EXCLUDED',
        'CAPACITY_FULL',
        'NOT_STOCKED',
        'INSUFFICIENT_ATP',
      ]);
      const messages = result.candidates[0]?.reasons.map((reason) => reason.message) ?? [];
      expect(messages).toContain('Pickup at node bad is paused until 2027-01-15T08:01:00.000Z.');
      expect(messages).toContain('Node bad has 2 open picks and takes at most 2.');
      expect(messages).toContain('Node bad does not stock SKU B.');
      expect(messages).toContain('Node bad already failed this order, so it is not tried again.');
    });

    it('uses ATP after committed units and safety stock, clamping a negative sellable at zero', () => {
      const candidates = [
        {
          ...node('s1', {}),
          stock: [
            { sku: 'A', sellable: 5, committed: 2, safetyStock: 1 },
            { sku: 'B', sellable: 1, committed: 0, safetyStock: 0 },
          ],
        },
        {
          ...node('s2', {}),
          stock: [
            { sku: 'A', sellable: -3, committed: 0, safetyStock: 0 },
            { sku: 'B', sellable: 9, committed: 0, safetyStock: 0 },
          ],
        },
      ];
      const result = routeOrder(order(), candidates, AT);
      expect(result.decision).toMatchObject({ outcome: 'routed', nodeId: 's1' });
      expect(result.candidates[0]?.skus).toEqual([
        { sku: 'A', required: 2, atp: 2 },
        { sku: 'B', required: 1, atp: 1 },
      ]);
      expect(result.candidates[1]?.skus[0]).toEqual({ sku: 'A', required: 2, atp: 0 });
    });

    it('adds up lines of the same SKU before checking ATP', () => {
      const twoLines = order({
        lines: [
          { lineId: 'l1', sku: 'A', qty: 2 },
          { lineId: 'l2', sku: 'A', qty: 2 },
        ],
      });
      const result = routeOrder(twoLines, [node('s1', { A: 3 }), node('s2', { A: 4 })], AT);
      expect(result.decision).toMatchObject({ outcome: 'routed', nodeId: 's2' });
      expect(result.candidates.find((c) => c.nodeId === 's1')?.reasons[0]).toMatchObject({
        code: 'INSUFFICIENT_ATP',
        shortages: [{ sku: 'A', required: 4, atp: 3 }],
      });
    });

    it('ranks the chosen store first even when another eligible node is nearer and fuller', () => {
      const candidates = [
        node('near', { A: 50, B: 50 }, { location: { lat: 48.86, lon: 2.35 } }),
        node('chosen', { A: 2, B: 1 }, { location: { lat: 45.76, lon: 4.83 } }),
      ];
      const result = routeOrder(order({ pickup: { type: 'store', storeId: 'chosen' } }), candidates, AT);
      expect(result.decision).toMatchObject({ nodeId: 'chosen' });
      expect(result.candidates[0]).toMatchObject({ nodeId: 'chosen', chosenStore: true, distanceMetres: 0 });
      expect(result.candidates[0]?.summary).toBe(
        "Eligible, ranked 1 of 2: the customer's chosen store, 0 m away, 3 units available to promise.",
      );
    });

    it('measures distance from the chosen store when that store cannot take the order', () => {
      const candidates = [
        node('chosen', { A: 0, B: 0 }, { location: { lat: 48.85, lon: 2.35 } }),
        node('far', { A: 9, B: 9 }, { location: { lat: 43.3, lon: 5.37 } }),
        node('close', { A: 2, B: 1 }, { location: { lat: 48.9, lon: 2.3 } }),
      ];
      const result = routeOrder(order({ pickup: { type: 'store', storeId: 'chosen' } }), candidates, AT);
      expect(result.decision).toMatchObject({ nodeId: 'close' });
      expect(result.candidates.map((c) => c.nodeId)).toEqual(['close', 'far', 'chosen']);
    });

    it('puts nodes of unknown distance after located ones, then prefers most stock, then node id', () => {
      const candidates = [
        node('b-unknown-big', { A: 90, B: 90 }),
        node('a-unknown-small', { A: 2, B: 1 }),
        node('c-unknown-big', { A: 90, B: 90 }),
        node('z-located', { A: 2, B: 1 }, { location: { lat: 0, lon: 0 } }),
      ];
      const result = routeOrder(order(), candidates, AT);
      expect(result.candidates.map((c) => [c.nodeId, c.rank])).toEqual([
        ['z-located', 1],
        ['b-unknown-big', 2],
        ['c-unknown-big', 3],
        ['a-unknown-small', 4],
      ]);
    });

    it('has no distance at all when the chosen store is unknown or has no location', () => {
      const result = routeOrder(
        order({ pickup: { type: 'store', storeId: 'ghost' } }),
        [node('s1', { A: 5, B: 5 }, { location: { lat: 1, lon: 1 } })],
        AT,
      );
      expect(result.candidates[0]?.distanceMetres).toBeUndefined();
      expect(result.decision).toMatchObject({ nodeId: 's1' });
    });

    it('takes pickup again once a pause has ended and a node with no capacity limit', () => {
      const result = routeOrder(
        order(),
        [node('s1', { A: 5, B: 5 }, { pickupPausedUntil: AT, openPicks: 500 })],
        AT,
      );
      expect(result.decision).toMatchObject({ outcome: 'routed', nodeId: 's1' });
    });

    it('passes over a node that has gone offline for a reachable one, saying since when', () => {
      const result = routeOrder(
        order({ pickup: { type: 'store', storeId: 's1' } }),
        [node('s1', { A: 5, B: 5 }, { offlineSince: AT - 600_000 }), node('s2', { A: 5, B: 5 })],
        AT,
      );
      expect(result.decision).toMatchObject({ outcome: 'routed', nodeId: 's2' });
      const offline = result.candidates.find((candidate) => candidate.nodeId === 's1');
      expect(offline?.reasons).toEqual([
        {
          code: 'OFFLINE',
          since: AT - 600_000,
          message:
            'Node s1 has not synced since 2027-01-15T07:50:00.000Z; its stock may have been sold offline.',
        },
      ]);
    });

    it('refuses a node whose pick capacity is zero', () => {
      const result = routeOrder(order(), [node('s1', { A: 5, B: 5 }, { pickCapacity: 0 })], AT);
      expect(result.decision.outcome).toBe('unroutable');
      expect(result.candidates[0]?.reasons[0]?.code).toBe('CAPACITY_FULL');
    });

    it('never splits without consent, saying so', () => {
      const result = routeOrder(order(), [node('s1', { A: 5 }), node('s2', { B: 5 })], AT);
      expect(result.decision).toEqual({
        outcome: 'unroutable',
        reason:
          'No single pickup node can fulfil the whole order, and the customer has not agreed to a split.',
        uncoverableLineIds: [],
      });
      expect(result.candidates.every((candidate) => !candidate.selected)).toBe(true);
    });

    it('names the lines no node can carry', () => {
      const result = routeOrder(
        order(),
        [node('s1', { A: 5 }), node('s2', { A: 5, B: 5 }, { active: false })],
        AT,
      );
      expect(result.decision).toMatchObject({ outcome: 'unroutable', uncoverableLineIds: ['l2'] });
      const split = routeOrder(order({ splitConsent: true }), [node('s1', { A: 5 })], AT);
      expect(split.decision).toEqual({
        outcome: 'unroutable',
        reason: 'All pickup nodes together cannot promise enough of SKU B for line l2, even with a split.',
        uncoverableLineIds: ['l2'],
      });
    });

    it('splits with consent over the fewest nodes, explaining each part', () => {
      const threeLines = order({
        splitConsent: true,
        lines: [
          { lineId: 'l1', sku: 'A', qty: 1 },
          { lineId: 'l2', sku: 'B', qty: 1 },
          { lineId: 'l3', sku: 'C', qty: 1 },
        ],
      });
      const result = routeOrder(threeLines, [node('s1', { C: 1 }), node('s2', { A: 1, B: 1 })], AT);
      expect(result.decision).toEqual({
        outcome: 'split',
        minimal: true,
        allocations: [
          {
            nodeId: 's2',
            lines: [threeLines.lines[0], threeLines.lines[1]],
            summary:
              'Part 1 of 2 from node s2: 1 × SKU A (line l1), 1 × SKU B (line l2); ranked 1 among nodes that can carry part of it, 2 units available to promise.',
          },
          {
            nodeId: 's1',
            lines: [threeLines.lines[2]],
            summary:
              'Part 2 of 2 from node s1: 1 × SKU C (line l3); ranked 2 among nodes that can carry part of it, 1 unit available to promise.',
          },
        ],
      });
      expect(result.candidates.filter((c) => c.selected).map((c) => c.nodeId)).toEqual(['s1', 's2']);
      expect(result.candidates.every((c) => !c.eligible)).toBe(true);
    });

    it('prefers a single node over a split even when consent is given', () => {
      const result = routeOrder(
        order({ splitConsent: true, pickup: { type: 'store', storeId: 's1' } }),
        [node('s1', { A: 5 }), node('s2', { B: 5 }), node('s3', { A: 5, B: 5 })],
        AT,
      );
      expect(result.decision).toMatchObject({ outcome: 'routed', nodeId: 's3' });
    });

    it('breaks split ties by the ranking, with the chosen store first', () => {
      const result = routeOrder(
        order({ splitConsent: true, pickup: { type: 'store', storeId: 'z' } }),
        [node('a', { A: 5 }), node('z', { A: 5 }), node('m', { B: 1 })],
        AT,
      );
      expect(result.decision).toMatchObject({
        outcome: 'split',
        allocations: [{ nodeId: 'z' }, { nodeId: 'm' }],
      });
    });

    it('ranks by promised delivery, then shipping cost, before distance, naming each factor', () => {
      const terms = (zone: string, cutoffMinute: number, transitDays: number, amount: number) => ({
        delivery: {
          zone,
          timezone: 'Europe/Paris',
          cutoffMinute,
          lane: { transitDays, cost: { amount, currency: 'EUR' as const } },
        },
      });
      const at = Date.parse('2026-12-07T13:00:00Z'); // 14:00 in Paris
      const near = { lat: 48.85, lon: 2.35 };
      const far = { lat: 45.75, lon: 4.85 };
      const result = routeOrder(
        order({ pickup: { type: 'location', location: near } }),
        [
          // Nearest, but past its 12:00 cut-off: ships tomorrow.
          node('near', { A: 5, B: 5 }, { location: near, ...terms('paris', 12 * 60, 1, 300) }),
          // Same promised day as "cheap", dearer.
          node('dear', { A: 5, B: 5 }, { location: far, ...terms('lyon', 16 * 60, 1, 900) }),
          node('cheap', { A: 5, B: 5 }, { location: far, ...terms('lyon', 16 * 60, 1, 450) }),
          // No lane configured: after every node with a promise.
          node('unset', { A: 5, B: 5 }, { location: near }),
        ],
        at,
      );
      expect(result.criteria).toEqual([
        'chosen_store',
        'fewest_splits',
        'promised_date',
        'shipping_cost',
        'distance',
        'most_stock',
        'node_id',
      ]);
      expect(
        result.candidates.map((c) => [c.nodeId, c.rank, c.promisedDate, c.shippingCost?.amount]),
      ).toEqual([
        ['cheap', 1, '2026-12-08', 450],
        ['dear', 2, '2026-12-08', 900],
        ['near', 3, '2026-12-09', 300],
        ['unset', 4, undefined, undefined],
      ]);
      expect(result.decision).toMatchObject({ outcome: 'routed', nodeId: 'cheap' });
      expect(result.candidates[0]?.summary).toBe(
        'Eligible, ranked 1 of 4: promised 2026-12-08 (ships 2026-12-07, before the 16:00 cut-off, 1 transit day), shipping €4.50 from zone lyon, 392834 m away, 10 units available to promise.',
      );
      expect(result.candidates[2]?.summary).toContain('ships 2026-12-08, after the 12:00 cut-off');
    });

    it('never splits when the sales channel forbids it, even with consent', () => {
      const result = routeOrder(
        order({ splitConsent: true, channelAllowsSplit: false }),
        [node('s1', { A: 5 }), node('s2', { B: 5 })],
        AT,
      );
      expect(result.decision).toEqual({
        outcome: 'unroutable',
        reason:
          'No single pickup node can fulfil the whole order, and its sales channel forbids split orders.',
        uncoverableLineIds: [],
      });
    });

    it('shares a line between nodes when together they have enough, naming its share in each part', () => {
      const result = routeOrder(
        order({ splitConsent: true, lines: [{ lineId: 'l1', sku: 'A', qty: 6 }] }),
        [node('s1', { A: 4 }), node('s2', { A: 3 })],
        AT,
      );
      expect(result.decision).toMatchObject({
        outcome: 'split',
        allocations: [
          { nodeId: 's1', lines: [{ lineId: 'l1', sku: 'A', qty: 4 }] },
          { nodeId: 's2', lines: [{ lineId: 'l1', sku: 'A', qty: 2 }] },
        ],
      });
      if (result.decision.outcome === 'split') {
        expect(result.decision.allocations[1]?.summary).toContain('2 of 6 × SKU A (line l1)');
      }
    });

    it('reports a split the whole network cannot carry as unroutable', () => {
      const result = routeOrder(
        order({
          splitConsent: true,
          lines: [
            { lineId: 'l1', sku: 'A', qty: 3 },
            { lineId: 'l2', sku: 'A', qty: 3 },
          ],
        }),
        [node('s1', { A: 4 })],
        AT,
      );
      expect(result.decision).toEqual({
        outcome: 'unroutable',
        reason:
          'All pickup nodes together cannot promise enough of SKU A for line l1, l2, even with a split.',
        uncoverableLineIds: ['l1', 'l2'],
      });
    });

    it('refuses malformed orders and candidates with INVALID_INPUT naming the field', () => {
      const noLines = errorOf(() => routeOrder(order({ lines: [] }), [], AT));
      expect(noLines.code).toBe('INVALID_INPUT');
      expect(noLines.message).toContain('order.lines: An order needs at least one line.');
      const twice = errorOf(() =>
        routeOrder(
          order({
            lines: [
              { lineId: 'l1', sku: 'A', qty: 1 },
              { lineId: 'l1', sku: 'B', qty: 1 },
            ],
          }),
          [],
          AT,
        ),
      );
      expect(twice.message).toContain('Each order line needs its own lineId.');
      const badQty = errorOf(() => routeOrder(order(), [node('s1', { A: 1.5 })], AT));
      expect(badQty.message).toContain('Routing candidate 0 is not valid: node.stock.0.sellable');
      const duplicate = errorOf(() => routeOrder(order(), [node('s1', {}), node('s1', {})], AT));
      expect(duplicate.message).toBe('Node s1 is listed twice among the routing candidates.');
      const skuTwice = errorOf(() =>
        routeOrder(
          order(),
          [
            {
              ...node('s1', { A: 1 }),
              stock: [...node('s1', { A: 1, B: 1 }).stock, ...node('s1', { A: 1 }).stock],
            },
          ],
          AT,
        ),
      );
      expect(skuTwice.message).toContain('A node lists each SKU once.');
      expect(errorOf(() => routeOrder(order(), [], Number.NaN)).code).toBe('INVALID_INPUT');
      const tooMany = Array.from({ length: 5001 }, (_, index) => node(`n${index}`, {}));
      expect(errorOf(() => routeOrder(order(), tooMany, AT)).message).toContain('At most 5000 nodes');
    });
  });

  describe('properties', () => {
    const skus = ['A', 'B', 'C'];
    const candidateArb = fc.record({
      nodeId: fc.constantFrom('n1', 'n2', 'n3', 'n4', 'n5', 'n6'),
      active: fc.boolean(),
      pickupEnabled: fc.boolean(),
      pickCapacity: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      openPicks: fc.integer({ min: 0, max: 3 }),
      location: fc.option(
        fc.record({ lat: fc.integer({ min: -5, max: 5 }), lon: fc.integer({ min: -5, max: 5 }) }),
        { nil: undefined },
      ),
      stock: fc.uniqueArray(
        fc.record({
          sku: fc.constantFrom(...skus),
          sellable: fc.integer({ min: -3, max: 8 }),
          committed: fc.integer({ min: 0, max: 3 }),
          safetyStock: fc.integer({ min: 0, max: 2 }),
        }),
        { selector: (row) => row.sku, maxLength: 3 },
      ),
    });
    const candidatesArb = fc.uniqueArray(candidateArb, { selector: (c) => c.nodeId, maxLength: 6 });
    const orderArb = fc.record({
      orderId: fc.constant('o-p'),
      lines: fc
        .array(fc.record({ sku: fc.constantFrom(...skus), qty: fc.integer({ min: 1, max: 4 }) }), {
          minLength: 1,
          maxLength: 4,
        })
        .map((lines) => lines.map((line, index) => ({ lineId: `l${index}`, ...line }))),
      pickup: fc.oneof(
        fc.record({ type: fc.constant('store' as const), storeId: fc.constantFrom('n1', 'n2', 'n9') }),
        fc.record({
          type: fc.constant('location' as const),
          location: fc.record({ lat: fc.integer({ min: -5, max: 5 }), lon: fc.integer({ min: -5, max: 5 }) }),
        }),
      ),
      splitConsent: fc.boolean(),
      excludedNodeIds: fc.subarray(['n1', 'n2', 'n3']),
    });

    it('is deterministic and independent of candidate order', () => {
      fc.assert(
        fc.property(orderArb, candidatesArb, fc.infiniteStream(fc.nat()), (request, candidates, seeds) => {
          const permutation = shuffleWith(candidates, seeds);
          const expected = routeOrder(request, candidates, AT);
          expect(routeOrder(request, permutation, AT)).toEqual(expected);
          expect(routeOrder(request, [...candidates].reverse(), AT)).toEqual(expected);
        }),
      );
    });

    it('only ever chooses nodes whose ATP covers every line they are given', () => {
      fc.assert(
        fc.property(orderArb, candidatesArb, (request, candidates) => {
          const result = routeOrder(request, candidates, AT);
          if (result.decision.outcome === 'unroutable') return;
          const placed = result.decision.allocations.flatMap((allocation) =>
            allocation.lines.map((l) => l.lineId),
          );
          expect([...new Set(placed)].sort()).toEqual(request.lines.map((line) => line.lineId).sort());
          for (const allocation of result.decision.allocations) {
            const candidate = candidates.find((c) => c.nodeId === allocation.nodeId);
            expect(candidate?.active).toBe(true);
            expect(candidate?.pickupEnabled).toBe(true);
            expect(request.excludedNodeIds).not.toContain(allocation.nodeId);
            for (const [sku, required] of demandBySku(allocation.lines)) {
              const row = candidate?.stock.find((s) => s.sku === sku);
              expect(row).toBeDefined();
              if (row !== undefined) expect(nodeAtp(row)).toBeGreaterThanOrEqual(required);
            }
          }
          if (result.decision.outcome === 'split') expect(request.splitConsent).toBe(true);
        }),
      );
    });

    it('routes to a single node whenever one is eligible, and to the best ranked one', () => {
      fc.assert(
        fc.property(orderArb, candidatesArb, (request, candidates) => {
          const result = routeOrder(request, candidates, AT);
          const eligible = result.candidates.filter((c) => c.eligible);
          if (eligible.length === 0) {
            expect(result.decision.outcome).not.toBe('routed');
            return;
          }
          expect(result.decision).toMatchObject({ outcome: 'routed', nodeId: eligible[0]?.nodeId });
          expect(eligible.map((c) => c.rank)).toEqual(eligible.map((_, index) => index + 1));
          const chosen = eligible.findIndex((c) => c.chosenStore);
          if (chosen >= 0) expect(chosen).toBe(0);
        }),
      );
    });
  });
});

function shuffleWith<T>(items: readonly T[], seeds: Iterator<number>): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const swap = (seeds.next().value as number) % (index + 1);
    [copy[index], copy[swap]] = [copy[swap] as T, copy[index] as T];
  }
  return copy;
}
