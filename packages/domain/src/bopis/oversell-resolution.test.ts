import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeAtp } from '../inventory/atp';
import type { RoutingCandidateInput } from '../routing/route-order';
import { errorOf } from '../test-support';
import { HUB, PLACED_AT, run, sampleOrder, store } from './bopis.fixtures';
import { applyBopisTransition, placeBopisOrder, type BopisOrderState } from './lifecycle';
import type { BopisLine } from './order';
import {
  OversellExceptionSchema,
  planOversellResolution,
  type OversellReservation,
} from './oversell-resolution';

const AT = PLACED_AT + 10 * 3_600_000;

function orderAt(orderId: string, lines: BopisLine[], nodeId = 's1', priority = 0): BopisOrderState {
  const { state } = placeBopisOrder(
    sampleOrder({
      orderId,
      orderNumber: `W-${orderId}`,
      lines,
      priority,
      pickup: { type: 'store', storeId: nodeId },
    }),
    { transitionId: `${orderId}-place`, pickupCode: 'ABC123', heldAt: nodeId },
  );
  return run(state, [
    { actor: HUB, body: { action: 'route', nodeId } },
    { actor: store(nodeId), body: { action: 'accept' } },
  ]);
}

function candidate(nodeId: string, stock: Record<string, number>, lat = 0): RoutingCandidateInput {
  return {
    nodeId,
    active: true,
    pickupEnabled: true,
    location: { lat, lon: 0 },
    stock: Object.entries(stock).map(([sku, sellable]) => ({ sku, sellable, committed: 0, safetyStock: 0 })),
  };
}

function ids(prefix: string) {
  let next = 0;
  return () => `${prefix}-${(next += 1)}`;
}

describe('bopis/oversell-resolution', () => {
  describe('planOversellResolution', () => {
    const orderA = orderAt(
      'a',
      [
        { lineId: 'l1', sku: 'A', qty: 2 },
        { lineId: 'l2', sku: 'B', qty: 1 },
      ],
      's1',
      5,
    );
    const orderB = orderAt('b', [
      { lineId: 'l1', sku: 'A', qty: 2 },
      { lineId: 'l2', sku: 'B', qty: 1 },
    ]);
    const orderC = orderAt('c', [{ lineId: 'l1', sku: 'A', qty: 1 }]);
    const reservations: OversellReservation[] = [
      { reservationId: 'r-a', orderId: 'a', qty: 2, priority: 5, createdAt: 100 },
      { reservationId: 'r-b', orderId: 'b', qty: 2, priority: 0, createdAt: 200 },
      { reservationId: 'r-c', orderId: 'c', qty: 1, priority: 0, createdAt: 300 },
    ];

    it('moves a ship order only to a node that ships, while a pickup order keeps the pickup view', () => {
      const shipped = placeBopisOrder(
        sampleOrder({
          orderId: 'ship-1',
          orderNumber: 'W-ship-1',
          lines: [{ lineId: 'l1', sku: 'A', qty: 1 }],
          pickup: { type: 'location', location: { lat: 0, lon: 0 } },
          fulfilment: {
            type: 'ship',
            shipTo: {
              name: 'Ada Lovelace',
              line1: '1 Main St',
              city: 'Paris',
              postalCode: '75001',
              country: 'FR',
              location: { lat: 0, lon: 0 },
            },
          },
        }),
        { transitionId: 'ship-1-place', pickupCode: 'SHP123', heldAt: 's1' },
      );
      const shipOrder = run(shipped.state, [
        { actor: HUB, body: { action: 'route', nodeId: 's1' } },
        { actor: store('s1'), body: { action: 'accept' } },
      ]);
      const pickupOrder = orderAt('p-1', [{ lineId: 'l1', sku: 'A', qty: 1 }]);
      const input = {
        nodeId: 's1',
        sku: 'A',
        shortBy: 2,
        reservations: [
          { reservationId: 'r-ship', orderId: 'ship-1', qty: 1, priority: 0, createdAt: 100 },
          { reservationId: 'r-pick', orderId: 'p-1', qty: 1, priority: 0, createdAt: 200 },
        ],
        orders: [shipOrder, pickupOrder],
        // The pickup view: s2 (near, pickup only) and wh (far) both hold A.
        candidates: [candidate('s1', { A: 0 }), candidate('s2', { A: 5 }, 1), candidate('wh', { A: 5 }, 9)],
        at: AT,
      };
      // Without the ship view, the ship order lands on the nearest store, which does not ship.
      const blind = planOversellResolution(input, ids('ov'));
      expect(blind.victims.find((victim) => victim.orderId === 'ship-1')?.toNodeId).toBe('s2');

      const plan = planOversellResolution(
        {
          ...input,
          shipCandidates: [
            { ...candidate('s2', { A: 5 }, 1), pickupEnabled: false },
            { ...candidate('wh', { A: 5 }, 9), pickCapacity: 1 },
          ],
        },
        ids('ov'),
      );
      expect(plan.victims.map((victim) => [victim.orderId, victim.outcome, victim.toNodeId])).toEqual([
        ['p-1', 'rerouted', 's2'],
        ['ship-1', 'rerouted', 'wh'],
      ]);
      const s2 = plan.victims[1]?.routing.candidates.find((explanation) => explanation.nodeId === 's2');
      expect(s2?.reasons.map((reason) => reason.code)).toContain('PICKUP_DISABLED');
    });

    it('moves the lowest-priority, newest orders first and never promises the same units twice', () => {
      const plan = planOversellResolution(
        {
          nodeId: 's1',
          sku: 'A',
          shortBy: 3,
          reservations,
          orders: [orderA, orderB, orderC],
          candidates: [
            candidate('s1', { A: 0, B: 9 }),
            candidate('s2', { A: 2, B: 5 }, 1),
            candidate('s3', { B: 5 }, 2),
          ],
          at: AT,
        },
        ids('ov'),
      );
      expect(plan.victims.map((victim) => [victim.orderId, victim.outcome, victim.toNodeId])).toEqual([
        ['c', 'rerouted', 's2'],
        ['b', 'cancelled', undefined],
      ]);
      const [moved, cancelled] = plan.victims;
      expect(moved?.transitions.map((step) => step.action)).toEqual(['reroute', 'route']);
      expect(moved?.finalState).toMatchObject({ status: 'ROUTED', nodeId: 's2', excludedNodeIds: ['s1'] });
      expect(moved?.effects[0]?.reservations[0]).toMatchObject({ nodeId: 's1', action: 'mark_short' });
      expect(moved?.effects[1]?.reservations.map((effect) => [effect.nodeId, effect.action])).toEqual([
        ['s1', 'reassign'],
        ['s2', 'create'],
      ]);
      // s2 had 2 A; order c took 1, so order b (2 A) no longer fits there.
      const s2 = cancelled?.routing.candidates.find((explanation) => explanation.nodeId === 's2');
      expect(s2?.reasons[0]).toMatchObject({
        code: 'INSUFFICIENT_ATP',
        shortages: [{ sku: 'A', required: 2, atp: 1 }],
      });
      expect(cancelled?.transitions.map((step) => step.action)).toEqual(['reroute', 'cancel']);
      expect(cancelled?.finalState).toMatchObject({ status: 'CANCELLED', cancelReason: 'oversell_short' });
      expect(cancelled?.effects[1]?.reservations[0]).toMatchObject({ from: 'SHORT', to: 'RELEASED' });
      expect(cancelled?.refund).toEqual({
        orderId: 'b',
        orderNumber: 'W-b',
        authorisationRef: 'auth-77',
        amount: 4599,
        currency: 'EUR',
        reason: 'oversell_short',
        message:
          'Void authorisation auth-77 (45.99 EUR) for order W-b: it was cancelled because the stock had been sold.',
      });

      const exception = plan.exception;
      expect(OversellExceptionSchema.parse(exception)).toEqual(exception);
      expect(exception).toMatchObject({
        coveredQty: 3,
        resolved: true,
        ignored: [],
        refunds: [cancelled?.refund],
      });
      expect(exception.victims).toEqual([
        {
          orderId: 'c',
          orderNumber: 'W-c',
          reservationIds: ['r-c'],
          qty: 1,
          outcome: 'rerouted',
          toNodeId: 's2',
        },
        { orderId: 'b', orderNumber: 'W-b', reservationIds: ['r-b'], qty: 2, outcome: 'cancelled' },
      ]);
      expect(exception.steps.map((step) => [step.orderId, step.kind])).toEqual([
        ['c', 'OVERSELL_VICTIM'],
        ['c', 'REROUTED'],
        ['b', 'OVERSELL_VICTIM'],
        ['b', 'MARKED_SHORT'],
        ['b', 'CANCELLED_WITH_REFUND'],
      ]);
      expect(exception.steps[3]?.message).toBe(
        'No other store can take order W-b: No pickup node can fulfil line l1; no single node can fulfil the whole order.',
      );
      expect(exception.message).toBe(
        'Store s1 is short 3 of SKU A: 2 order(s) moved off it, 1 re-routed and 1 cancelled with a refund.',
      );
    });

    it('produces transitions that replay from the original state to the planned one', () => {
      const plan = planOversellResolution(
        {
          nodeId: 's1',
          sku: 'A',
          shortBy: 1,
          reservations,
          orders: [orderA, orderB, orderC],
          candidates: [candidate('s2', { A: 5 })],
          at: AT,
        },
        ids('rp'),
      );
      for (const victim of plan.victims) {
        let state = [orderA, orderB, orderC].find(
          (order) => order.order.orderId === victim.orderId,
        ) as BopisOrderState;
        for (const transition of victim.transitions) state = applyBopisTransition(state, transition).state;
        expect(state).toEqual(victim.finalState);
      }
    });

    it('ignores reservations whose order is unknown, elsewhere, or without the SKU, and flags what stays short', () => {
      const staged = run(orderAt('s', [{ lineId: 'l1', sku: 'A', qty: 1 }]), [
        { actor: store('s1'), body: { action: 'start_picking' } },
        { actor: store('s1'), body: { action: 'pick', lineId: 'l1', scannedSku: 'A', qty: 1 } },
        { actor: store('s1'), body: { action: 'mark_ready' } },
      ]);
      const otherSku = orderAt('x', [{ lineId: 'l1', sku: 'Z', qty: 1 }]);
      const plan = planOversellResolution(
        {
          nodeId: 's1',
          sku: 'A',
          shortBy: 4,
          reservations: [
            { reservationId: 'r-ghost', orderId: 'ghost', qty: 1, priority: 0, createdAt: 1 },
            { reservationId: 'r-s', orderId: 's', qty: 1, priority: 0, createdAt: 1 },
            { reservationId: 'r-x', orderId: 'x', qty: 1, priority: 0, createdAt: 1 },
            { reservationId: 'r-c', orderId: 'c', qty: 1, priority: 0, createdAt: 1 },
          ],
          orders: [staged, otherSku, orderC],
          candidates: [],
          at: AT,
        },
        ids('ig'),
      );
      expect(plan.exception.ignored).toEqual([
        {
          reservationId: 'r-ghost',
          orderId: 'ghost',
          reason: 'Order ghost was not found, so its reservation cannot be moved.',
        },
        {
          reservationId: 'r-s',
          orderId: 's',
          reason: 'Order W-s is READY_FOR_PICKUP and holds no unstaged units at node s1.',
        },
        { reservationId: 'r-x', orderId: 'x', reason: 'Order W-x has no line for SKU A.' },
      ]);
      expect(plan.exception).toMatchObject({ coveredQty: 1, resolved: false });
      expect(plan.exception.message).toContain('3 unit(s) are still short: count the shelf at store s1.');
    });

    it('moves an order with two reservations of the SKU as one victim', () => {
      const twoLines = orderAt('t', [
        { lineId: 'l1', sku: 'A', qty: 1 },
        { lineId: 'l2', sku: 'A', qty: 2 },
      ]);
      const plan = planOversellResolution(
        {
          nodeId: 's1',
          sku: 'A',
          shortBy: 1,
          reservations: [
            { reservationId: 'r-t2', orderId: 't', qty: 2, priority: 3, createdAt: 50 },
            { reservationId: 'r-t1', orderId: 't', qty: 1, priority: 1, createdAt: 40 },
          ],
          orders: [twoLines],
          candidates: [candidate('s2', { A: 3 })],
          at: AT,
        },
        ids('two'),
      );
      expect(plan.exception.victims).toEqual([
        {
          orderId: 't',
          orderNumber: 'W-t',
          reservationIds: ['r-t1', 'r-t2'],
          qty: 3,
          outcome: 'rerouted',
          toNodeId: 's2',
        },
      ]);
    });

    it('cancels instead of routing an order that has bounced too often', () => {
      const worn: BopisOrderState = { ...orderC, routingAttempts: 5 };
      const plan = planOversellResolution(
        {
          nodeId: 's1',
          sku: 'A',
          shortBy: 1,
          reservations: [reservations[2] as OversellReservation],
          orders: [worn],
          candidates: [candidate('s2', { A: 5 })],
          at: AT,
        },
        ids('worn'),
      );
      expect(plan.victims[0]?.outcome).toBe('cancelled');
      expect(plan.exception.steps[1]?.message).toBe(
        'No other store can take order W-c: it has already been routed 5 times',
      );
    });

    it('refuses malformed input with INVALID_INPUT', () => {
      const base = {
        nodeId: 's1',
        sku: 'A',
        shortBy: 1,
        reservations,
        orders: [orderA, orderB, orderC],
        candidates: [],
        at: AT,
      };
      expect(errorOf(() => planOversellResolution({ ...base, shortBy: 0 }, ids('e'))).code).toBe(
        'INVALID_INPUT',
      );
      expect(errorOf(() => planOversellResolution({ ...base, at: -1 }, ids('e'))).code).toBe('INVALID_INPUT');
      expect(errorOf(() => planOversellResolution({ ...base, sku: '' }, ids('e'))).code).toBe(
        'INVALID_INPUT',
      );
      expect(
        errorOf(() => planOversellResolution({ ...base, orders: [orderA, orderA] }, ids('e'))).message,
      ).toBe('Order a is listed twice for the oversell.');
      const bad = errorOf(() =>
        planOversellResolution({ ...base, reservations: [{ ...reservations[0]!, qty: 0 }] }, ids('e')),
      );
      expect(bad.message).toContain('Reservation 0 of the oversell is not valid.');
    });
  });

  describe('properties', () => {
    const orderSpec = fc.record({
      priority: fc.integer({ min: 0, max: 2 }),
      createdAt: fc.integer({ min: 0, max: 5 }),
      qtyA: fc.integer({ min: 1, max: 3 }),
      qtyB: fc.integer({ min: 0, max: 2 }),
    });
    const nodeSpec = fc.record({
      a: fc.integer({ min: -1, max: 6 }),
      b: fc.integer({ min: 0, max: 4 }),
      lat: fc.integer({ min: 0, max: 9 }),
    });

    it('covers the shortfall with the minimal prefix in the documented order, and never over-promises a node', () => {
      fc.assert(
        fc.property(
          fc.array(orderSpec, { minLength: 1, maxLength: 6 }),
          fc.array(nodeSpec, { minLength: 0, maxLength: 4 }),
          fc.integer({ min: 1, max: 12 }),
          (specs, nodes, shortBy) => {
            const orders = specs.map((spec, index) =>
              orderAt(
                `o${index}`,
                [
                  { lineId: 'l1', sku: 'A', qty: spec.qtyA },
                  ...(spec.qtyB > 0 ? [{ lineId: 'l2', sku: 'B', qty: spec.qtyB }] : []),
                ],
                's1',
                spec.priority,
              ),
            );
            const reservations = specs.map((spec, index) => ({
              reservationId: `r${index}`,
              orderId: `o${index}`,
              qty: spec.qtyA,
              priority: spec.priority,
              createdAt: spec.createdAt,
            }));
            const candidates = nodes.map((node, index) =>
              candidate(`n${index}`, { A: node.a, B: node.b }, node.lat),
            );
            const plan = planOversellResolution(
              { nodeId: 's1', sku: 'A', shortBy, reservations, orders, candidates, at: AT },
              ids('p'),
            );
            const victims = plan.victims.map((victim) =>
              reservations.find((r) => r.orderId === victim.orderId)!,
            );
            // Documented order: lowest priority first, then newest, then reservation id (descending).
            for (let index = 1; index < victims.length; index += 1) {
              const previous = victims[index - 1]!;
              const current = victims[index]!;
              expect(
                previous.priority < current.priority ||
                  (previous.priority === current.priority && previous.createdAt > current.createdAt) ||
                  (previous.priority === current.priority &&
                    previous.createdAt === current.createdAt &&
                    previous.reservationId > current.reservationId),
              ).toBe(true);
            }
            // Nobody left out ranks before a victim.
            const chosen = new Set(victims.map((victim) => victim.reservationId));
            const last = victims[victims.length - 1];
            for (const other of reservations.filter((r) => !chosen.has(r.reservationId))) {
              if (last === undefined) break;
              expect(
                other.priority > last.priority ||
                  (other.priority === last.priority && other.createdAt < last.createdAt) ||
                  (other.priority === last.priority &&
                    other.createdAt === last.createdAt &&
                    other.reservationId < last.reservationId),
              ).toBe(true);
            }
            const covered = victims.reduce((total, victim) => total + victim.qty, 0);
            const total = reservations.reduce((sum, r) => sum + r.qty, 0);
            expect(covered).toBeGreaterThanOrEqual(Math.min(shortBy, total));
            if (last !== undefined) expect(covered - last.qty).toBeLessThan(shortBy);
            expect(plan.exception.resolved).toBe(covered >= shortBy);

            // Re-routed orders together never take more than a node could promise.
            for (const [index, node] of nodes.entries()) {
              const nodeId = `n${index}`;
              const takenA = plan.victims
                .filter((victim) => victim.toNodeId === nodeId)
                .reduce(
                  (sum, victim) =>
                    sum +
                    victim.finalState.order.lines.filter((l) => l.sku === 'A').reduce((t, l) => t + l.qty, 0),
                  0,
                );
              const takenB = plan.victims
                .filter((victim) => victim.toNodeId === nodeId)
                .reduce(
                  (sum, victim) =>
                    sum +
                    victim.finalState.order.lines.filter((l) => l.sku === 'B').reduce((t, l) => t + l.qty, 0),
                  0,
                );
              expect(takenA).toBeLessThanOrEqual(nodeAtp({ sellable: node.a, committed: 0, safetyStock: 0 }));
              expect(takenB).toBeLessThanOrEqual(nodeAtp({ sellable: node.b, committed: 0, safetyStock: 0 }));
            }
            for (const victim of plan.victims) {
              expect(['ROUTED', 'CANCELLED']).toContain(victim.finalState.status);
              expect(victim.finalState.excludedNodeIds).toContain('s1');
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});
