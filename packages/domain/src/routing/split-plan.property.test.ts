import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeAtp } from '../inventory/atp';
import {
  RoutingCandidateSchema,
  RoutingRequestSchema,
  routeOrder,
  routeValidOrder,
  type RoutingCandidateInput,
  type RoutingRequestInput,
} from './route-order';

const AT = 1_800_000_000_000;
const SKUS = ['A', 'B', 'C'];

const candidateArb = fc.record({
  nodeId: fc.constantFrom('n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'),
  active: fc.constantFrom(true, true, true, false),
  pickupEnabled: fc.constantFrom(true, true, true, false),
  pickCapacity: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  openPicks: fc.integer({ min: 0, max: 3 }),
  stock: fc.uniqueArray(
    fc.record({
      sku: fc.constantFrom(...SKUS),
      sellable: fc.integer({ min: -3, max: 9 }),
      committed: fc.integer({ min: 0, max: 3 }),
      safetyStock: fc.integer({ min: 0, max: 2 }),
    }),
    { selector: (row) => row.sku, maxLength: 3 },
  ),
});
const candidatesArb = fc.uniqueArray(candidateArb, { selector: (c) => c.nodeId, maxLength: 7 });
const orderArb = fc.record({
  orderId: fc.constant('o-split'),
  lines: fc
    .array(fc.record({ sku: fc.constantFrom(...SKUS), qty: fc.integer({ min: 1, max: 12 }) }), {
      minLength: 1,
      maxLength: 5,
    })
    .map((lines) => lines.map((line, index) => ({ lineId: `l${index}`, ...line }))),
  pickup: fc.record({ type: fc.constant('store' as const), storeId: fc.constantFrom('n1', 'n2', 'n9') }),
  splitConsent: fc.constant(true),
  excludedNodeIds: fc.subarray(['n1', 'n2', 'n3']),
});

function usable(candidate: RoutingCandidateInput, request: RoutingRequestInput): boolean {
  const capacityLeft =
    candidate.pickCapacity === undefined || (candidate.openPicks ?? 0) < candidate.pickCapacity;
  return (
    candidate.active &&
    candidate.pickupEnabled &&
    capacityLeft &&
    !(request.excludedNodeIds ?? []).includes(candidate.nodeId)
  );
}

function atpOf(candidate: RoutingCandidateInput, sku: string): number {
  const row = candidate.stock.find((entry) => entry.sku === sku);
  return row === undefined ? 0 : nodeAtp(row);
}

function demandOf(request: RoutingRequestInput): Map<string, number> {
  const demand = new Map<string, number>();
  for (const line of request.lines) demand.set(line.sku, (demand.get(line.sku) ?? 0) + line.qty);
  return demand;
}

/** The true minimum number of usable nodes whose ATP together covers the order, by trying every subset. */
function bruteForceFewest(
  request: RoutingRequestInput,
  candidates: readonly RoutingCandidateInput[],
): number {
  const pool = candidates.filter((candidate) => usable(candidate, request));
  const demand = demandOf(request);
  let best = Number.POSITIVE_INFINITY;
  for (let mask = 1; mask < 1 << pool.length; mask += 1) {
    const members = pool.filter((_, index) => (mask & (1 << index)) !== 0);
    if (members.length >= best) continue;
    const covers = [...demand].every(
      ([sku, required]) => members.reduce((total, member) => total + atpOf(member, sku), 0) >= required,
    );
    if (covers) best = members.length;
  }
  return best;
}

describe('routing/split-plan (through routeOrder)', () => {
  describe('properties of a split', () => {
    it('never gives out more units than ordered: the parts of each line add up to exactly the line', () => {
      fc.assert(
        fc.property(orderArb, candidatesArb, (request, candidates) => {
          const result = routeOrder(request, candidates, AT);
          if (result.decision.outcome === 'unroutable') return;
          const given = new Map<string, number>();
          for (const allocation of result.decision.allocations) {
            for (const line of allocation.lines) {
              expect(line.qty).toBeGreaterThan(0);
              given.set(line.lineId, (given.get(line.lineId) ?? 0) + line.qty);
            }
          }
          for (const line of request.lines) expect(given.get(line.lineId)).toBe(line.qty);
          expect([...given.keys()].sort()).toEqual(request.lines.map((line) => line.lineId).sort());
        }),
        { numRuns: 400 },
      );
    });

    it('never gives a node a unit it has no ATP for, nor a node that cannot take orders', () => {
      fc.assert(
        fc.property(orderArb, candidatesArb, (request, candidates) => {
          const result = routeOrder(request, candidates, AT);
          if (result.decision.outcome === 'unroutable') return;
          const nodeIds = result.decision.allocations.map((allocation) => allocation.nodeId);
          expect(new Set(nodeIds).size).toBe(nodeIds.length);
          for (const allocation of result.decision.allocations) {
            const candidate = candidates.find((c) => c.nodeId === allocation.nodeId) as RoutingCandidateInput;
            expect(usable(candidate, request)).toBe(true);
            const taken = new Map<string, number>();
            for (const line of allocation.lines) taken.set(line.sku, (taken.get(line.sku) ?? 0) + line.qty);
            for (const [sku, units] of taken) expect(units).toBeLessThanOrEqual(atpOf(candidate, sku));
          }
        }),
        { numRuns: 400 },
      );
    });

    it('uses the fewest nodes that can cover the order, and splits only when no one node can', () => {
      fc.assert(
        fc.property(orderArb, candidatesArb, (request, candidates) => {
          const result = routeOrder(request, candidates, AT);
          const fewest = bruteForceFewest(request, candidates);
          if (fewest === Number.POSITIVE_INFINITY) {
            expect(result.decision.outcome).toBe('unroutable');
            return;
          }
          if (fewest === 1) {
            expect(result.decision.outcome).toBe('routed');
            return;
          }
          expect(result.decision).toMatchObject({ outcome: 'split', minimal: true });
          if (result.decision.outcome === 'split') expect(result.decision.allocations).toHaveLength(fewest);
        }),
        { numRuns: 400 },
      );
    });
  });

  describe('routeValidOrder (inputs already the schemas output)', () => {
    const requestArb = fc.record({
      orderId: fc.constant('o-valid'),
      lines: orderArb.map((order) => order.lines),
      pickup: fc.oneof(
        fc.record({ type: fc.constant('store' as const), storeId: fc.constantFrom('n1', 'n2', 'n9') }),
        fc.record({
          type: fc.constant('location' as const),
          location: fc.record({
            lat: fc.double({ min: -80, max: 80, noNaN: true }),
            lon: fc.double({ min: -170, max: 170, noNaN: true }),
          }),
        }),
      ),
      splitConsent: fc.boolean(),
      channelAllowsSplit: fc.boolean(),
      excludedNodeIds: fc.subarray(['n1', 'n2', 'n3']),
    });
    const placedCandidatesArb = fc.array(
      fc.record({
        candidate: candidateArb,
        location: fc.option(
          fc.record({
            lat: fc.double({ min: -80, max: 80, noNaN: true }),
            lon: fc.double({ min: -170, max: 170, noNaN: true }),
          }),
          { nil: undefined },
        ),
        offlineSince: fc.option(fc.integer({ min: 0, max: AT }), { nil: undefined }),
      }),
      { maxLength: 7 },
    );

    it('answers exactly as routeOrder, whatever the order of the candidates', () => {
      fc.assert(
        fc.property(requestArb, placedCandidatesArb, (request, placed) => {
          const unique = new Map(
            placed.map(({ candidate, location, offlineSince }) => [
              candidate.nodeId,
              {
                ...candidate,
                ...(location === undefined ? {} : { location }),
                ...(offlineSince === undefined ? {} : { offlineSince }),
              },
            ]),
          );
          const inputs = [...unique.values()];
          const parsedRequest = RoutingRequestSchema.parse(request);
          const parsedCandidates = inputs.map((input) => RoutingCandidateSchema.parse(input));
          const expected = routeOrder(request, inputs, AT);
          expect(routeValidOrder(parsedRequest, parsedCandidates, AT)).toEqual(expected);
          expect(routeValidOrder(parsedRequest, [...parsedCandidates].reverse(), AT)).toEqual(expected);
        }),
        { numRuns: 400 },
      );
    });

    it('still refuses a node listed twice and an instant that is no epoch', () => {
      const request = RoutingRequestSchema.parse({
        orderId: 'o-1',
        lines: [{ lineId: 'l1', sku: 'A', qty: 1 }],
        pickup: { type: 'store', storeId: 'n1' },
      });
      const node = RoutingCandidateSchema.parse({
        nodeId: 'n1',
        active: true,
        pickupEnabled: true,
        stock: [{ sku: 'A', sellable: 3, committed: 0, safetyStock: 0 }],
      });
      expect(() => routeValidOrder(request, [node, node], AT)).toThrow(/n1/);
      expect(() => routeValidOrder(request, [node], -1)).toThrow();
      expect(routeValidOrder(request, [node], AT).decision).toMatchObject({
        outcome: 'routed',
        nodeId: 'n1',
      });
    });
  });
});
