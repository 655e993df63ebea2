import { describe, expect, it } from 'vitest';
import { errorOf } from '../test-support';
import {
  HOUR,
  HUB,
  PLACED_AT,
  expectApplied,
  on,
  placed,
  readyAt,
  run,
  sampleOrder,
  store,
} from './bopis.fixtures';
import {
  BopisOrderStateSchema,
  HandoverConflictSchema,
  MAX_ROUTING_ATTEMPTS,
  applyBopisTransition,
  orderHead,
  placeBopisOrder,
  routingRequestFor,
  type BopisOrderState,
} from './lifecycle';

const routed = (nodeId = 's1') => run(placed(), [{ actor: HUB, body: { action: 'route', nodeId } }]);
const picking = (nodeId = 's1') =>
  run(routed(nodeId), [
    { actor: store(nodeId), body: { action: 'accept' } },
    { actor: store(nodeId), body: { action: 'start_picking' } },
  ]);

describe('bopis/lifecycle', () => {
  describe('placeBopisOrder', () => {
    it('creates version 1 PLACED with a HELD reservation at the chosen store', () => {
      const { state, effects } = placeBopisOrder(sampleOrder(), {
        transitionId: 't-0',
        pickupCode: 'ABC123',
        heldAt: 's1',
      });
      expect(state).toMatchObject({
        status: 'PLACED',
        version: 1,
        reservation: { nodeId: 's1', status: 'HELD' },
        routingAttempts: 0,
        excludedNodeIds: [],
        pickupCode: 'ABC123',
      });
      expect(state.progress).toEqual([
        { lineId: 'l1', pickedQty: 0, shortPicked: false },
        { lineId: 'l2', pickedQty: 0, shortPicked: false },
      ]);
      expect(state.log).toEqual([
        { version: 1, transitionId: 't-0', action: 'place', actor: HUB, at: PLACED_AT, to: 'PLACED' },
      ]);
      expect(effects.reservations).toEqual([
        {
          nodeId: 's1',
          action: 'create',
          to: 'HELD',
          lines: [
            { lineId: 'l1', sku: 'SKU-A', qty: 2 },
            { lineId: 'l2', sku: 'SKU-B', qty: 1 },
          ],
        },
      ]);
      expect(BopisOrderStateSchema.parse(state)).toEqual(state);
    });

    it('holds nothing when intake could not hold at a store', () => {
      const { state, effects } = placeBopisOrder(sampleOrder(), {
        transitionId: 't-0',
        pickupCode: 'ABC123',
      });
      expect(state.reservation).toBeUndefined();
      expect(effects.reservations).toEqual([]);
    });

    it('refuses an invalid order, a bad pickup code, transition id or node', () => {
      expect(
        errorOf(() =>
          placeBopisOrder(sampleOrder({ lines: [] }), { transitionId: 't', pickupCode: 'ABC123' }),
        ).message,
      ).toBe('The order is not valid. lines: An order needs at least one line.');
      expect(
        errorOf(() => placeBopisOrder(sampleOrder(), { transitionId: 't', pickupCode: 'abc' })).message,
      ).toBe('The pickup code must come from generatePickupCode.');
      expect(
        errorOf(() => placeBopisOrder(sampleOrder(), { transitionId: '', pickupCode: 'ABC123' })).code,
      ).toBe('INVALID_INPUT');
      expect(
        errorOf(() => placeBopisOrder(sampleOrder(), { transitionId: 't', pickupCode: 'ABC123', heldAt: '' }))
          .code,
      ).toBe('INVALID_INPUT');
    });
  });

  describe('applyBopisTransition', () => {
    it('walks the happy path with the reservation and ledger effects of each step', () => {
      let state = placed();
      const route = expectApplied(
        applyBopisTransition(state, on(state, HUB, { action: 'route', nodeId: 's1' })),
      );
      expect(route.state).toMatchObject({ status: 'ROUTED', version: 2, nodeId: 's1', routingAttempts: 1 });
      expect(route.state.reservation).toEqual({ nodeId: 's1', status: 'ACTIVE' });
      expect(route.effects.reservations).toEqual([
        expect.objectContaining({ nodeId: 's1', action: 'activate', from: 'HELD', to: 'ACTIVE' }),
      ]);
      expect(route.effects.notification).toBeUndefined();
      state = route.state;

      state = run(state, [
        { actor: store('s1'), body: { action: 'accept' } },
        { actor: store('s1'), body: { action: 'start_picking' } },
        { actor: store('s1'), body: { action: 'pick', lineId: 'l1', scannedSku: 'SKU-A', qty: 1 } },
        { actor: store('s1'), body: { action: 'pick', lineId: 'l1', scannedSku: 'SKU-A', qty: 1 } },
        { actor: store('s1'), body: { action: 'pick', lineId: 'l2', scannedSku: 'SKU-B', qty: 1 } },
      ]);
      expect(state).toMatchObject({ status: 'PICKING', version: 7 });
      expect(state.progress.map((line) => line.pickedQty)).toEqual([2, 1]);

      const readyTime = PLACED_AT + 3 * HOUR;
      const ready = expectApplied(
        applyBopisTransition(state, on(state, store('s1'), { action: 'mark_ready' }, readyTime)),
      );
      expect(ready.state).toMatchObject({
        status: 'READY_FOR_PICKUP',
        reservation: { nodeId: 's1', status: 'STAGED' },
        readyAt: readyTime,
        pickupDeadline: readyTime + 48 * HOUR,
        expiresAt: readyTime + 48 * HOUR + 30 * 60_000,
      });
      expect(ready.effects.storeMovements).toEqual([
        { nodeId: 's1', lineId: 'l1', sku: 'SKU-A', type: 'PICK', bucket: 'sellable', delta: -2 },
        { nodeId: 's1', lineId: 'l1', sku: 'SKU-A', type: 'PICK', bucket: 'staged', delta: 2 },
        { nodeId: 's1', lineId: 'l2', sku: 'SKU-B', type: 'PICK', bucket: 'sellable', delta: -1 },
        { nodeId: 's1', lineId: 'l2', sku: 'SKU-B', type: 'PICK', bucket: 'staged', delta: 1 },
      ]);
      expect(ready.effects.notification).toBe('ready_for_pickup');
      expect(ready.effects.reservations[0]).toMatchObject({ action: 'stage', from: 'ACTIVE', to: 'STAGED' });

      const handOver = expectApplied(
        applyBopisTransition(
          ready.state,
          on(ready.state, store('s1'), { action: 'hand_over', verifiedBy: 'pickup_code' }, readyTime + HOUR),
        ),
      );
      expect(handOver.state).toMatchObject({ status: 'PICKED_UP', closedAt: readyTime + HOUR, version: 9 });
      expect(handOver.state.reservation).toBeUndefined();
      expect(handOver.effects.payment).toBe('capture');
      expect(handOver.effects.reservations[0]).toMatchObject({
        action: 'consume',
        from: 'STAGED',
        to: 'CONSUMED',
      });
      expect(handOver.effects.storeMovements).toEqual([
        { nodeId: 's1', lineId: 'l1', sku: 'SKU-A', type: 'PICKUP_HANDOVER', bucket: 'staged', delta: -2 },
        { nodeId: 's1', lineId: 'l2', sku: 'SKU-B', type: 'PICKUP_HANDOVER', bucket: 'staged', delta: -1 },
      ]);
      expect(handOver.state.log.map((entry) => entry.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(handOver.state.log.at(-1)?.detail).toBe('Handed over at store s1, verified by pickup code.');
      expect(BopisOrderStateSchema.parse(handOver.state)).toEqual(handOver.state);
    });

    it('releases a hold elsewhere and creates an ACTIVE reservation at the routed node', () => {
      const state = placed();
      const outcome = expectApplied(
        applyBopisTransition(state, on(state, HUB, { action: 'route', nodeId: 's2' })),
      );
      expect(outcome.effects.reservations.map((effect) => [effect.nodeId, effect.action, effect.to])).toEqual(
        [
          ['s1', 'release', 'RELEASED'],
          ['s2', 'create', 'ACTIVE'],
        ],
      );
      const unheld = placed({}, null);
      const fresh = expectApplied(
        applyBopisTransition(unheld, on(unheld, HUB, { action: 'route', nodeId: 's2' })),
      );
      expect(fresh.effects.reservations.map((effect) => effect.action)).toEqual(['create']);
    });

    it('refuses a step the table does not allow from the current state', () => {
      const state = placed();
      const error = errorOf(() => applyBopisTransition(state, on(state, HUB, { action: 'expire' })));
      expect(error.code).toBe('NOT_ALLOWED');
      expect(error.message).toBe(
        'Order W-1001 is placed and waiting to be routed; it cannot be expired now.',
      );
      const done = readyAt();
      const finished = run(done, [
        { actor: store('s1'), body: { action: 'hand_over', verifiedBy: 'pickup_code' } },
      ]);
      const cancel = errorOf(() =>
        applyBopisTransition(finished, on(finished, HUB, { action: 'cancel', reason: 'customer_request' })),
      );
      expect(cancel.message).toBe('Order W-1001 is already handed over; it cannot be cancelled now.');
    });

    it('lets only the right kind of actor, and only the assigned store, make a step', () => {
      const state = routed();
      expect(errorOf(() => applyBopisTransition(state, on(state, HUB, { action: 'accept' }))).message).toBe(
        'Only the store fulfilling the order can mark an order accepted.',
      );
      expect(
        errorOf(() =>
          applyBopisTransition(
            state,
            on(state, store('s1'), { action: 'cancel', reason: 'customer_request' }),
          ),
        ).message,
      ).toBe('Only the hub can mark an order cancelled.');
      const other = errorOf(() => applyBopisTransition(state, on(state, store('s9'), { action: 'accept' })));
      expect(other.code).toBe('FORBIDDEN');
      expect(other.message).toBe('Order W-1001 is assigned to store s1, not to store s9.');
      const unassigned = placed();
      expect(
        errorOf(() => applyBopisTransition(unassigned, on(unassigned, store('s1'), { action: 'accept' })))
          .message,
      ).toBe('Order W-1001 is not assigned to any store right now; store s1 cannot change it.');
    });

    it('refuses a malformed step with INVALID_INPUT naming the field', () => {
      const state = routed();
      const error = errorOf(() =>
        applyBopisTransition(state, { ...on(state, HUB, { action: 'route', nodeId: 's2' }), at: -1 }),
      );
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('at:');
    });

    it('treats a replayed transition as a no-op', () => {
      const state = placed();
      const step = on(state, HUB, { action: 'route', nodeId: 's1' });
      const first = expectApplied(applyBopisTransition(state, step));
      const replay = applyBopisTransition(first.state, step);
      expect(replay).toEqual({ kind: 'replayed', state: first.state });
      expect(replay.state).toBe(first.state);
    });

    it('refuses a hub step made on a stale version with CONFLICT', () => {
      const state = routed();
      const stale = on(state, HUB, { action: 'cancel', reason: 'hq_request' });
      const moved = run(state, [{ actor: store('s1'), body: { action: 'accept' } }]);
      const error = errorOf(() => applyBopisTransition(moved, stale));
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toBe(
        'Order W-1001 changed since it was loaded: it is now accepted by the store (version 3). Reload it and try again.',
      );
    });

    it('refuses to route to a node that already failed the order, or too often', () => {
      const rerouting = run(picking(), [{ actor: HUB, body: { action: 'reroute', reason: 'oversell' } }]);
      const error = errorOf(() =>
        applyBopisTransition(rerouting, on(rerouting, HUB, { action: 'route', nodeId: 's1' })),
      );
      expect(error.code).toBe('NOT_ALLOWED');
      expect(error.message).toBe('Store s1 already failed order W-1001; route it to another store.');
      const worn: BopisOrderState = { ...rerouting, routingAttempts: MAX_ROUTING_ATTEMPTS };
      const limit = errorOf(() =>
        applyBopisTransition(worn, on(worn, HUB, { action: 'route', nodeId: 's2' })),
      );
      expect(limit.code).toBe('LIMIT_EXCEEDED');
    });

    it('checks every scan against the line: wrong item, over-pick and unknown line', () => {
      const state = picking();
      const wrong = errorOf(() =>
        applyBopisTransition(
          state,
          on(state, store('s1'), { action: 'pick', lineId: 'l1', scannedSku: 'SKU-B', qty: 1 }),
        ),
      );
      expect(wrong.code).toBe('NOT_ALLOWED');
      expect(wrong.details).toMatchObject({ expectedSku: 'SKU-A', scannedSku: 'SKU-B' });
      const over = errorOf(() =>
        applyBopisTransition(
          state,
          on(state, store('s1'), { action: 'pick', lineId: 'l1', scannedSku: 'SKU-A', qty: 3 }),
        ),
      );
      expect(over.code).toBe('LIMIT_EXCEEDED');
      const unknown = errorOf(() =>
        applyBopisTransition(
          state,
          on(state, store('s1'), { action: 'pick', lineId: 'l9', scannedSku: 'SKU-A', qty: 1 }),
        ),
      );
      expect(unknown.message).toBe('Order W-1001 has no line l9.');
    });

    it('makes a short line whole again when the rest is found and scanned', () => {
      const state = run(picking(), [
        { actor: store('s1'), body: { action: 'short_line', lineId: 'l1', foundQty: 1 } },
        { actor: store('s1'), body: { action: 'pick', lineId: 'l1', scannedSku: 'SKU-A', qty: 1 } },
      ]);
      expect(state.progress[0]).toEqual({ lineId: 'l1', pickedQty: 2, shortPicked: false });
    });

    it('refuses to mark ready while a line is outstanding or short', () => {
      const state = run(picking(), [
        { actor: store('s1'), body: { action: 'pick', lineId: 'l1', scannedSku: 'SKU-A', qty: 2 } },
      ]);
      expect(
        errorOf(() => applyBopisTransition(state, on(state, store('s1'), { action: 'mark_ready' }))).message,
      ).toBe('Order W-1001 is not fully picked yet: line l2 still needs items.');
      const short = run(state, [
        { actor: store('s1'), body: { action: 'short_line', lineId: 'l2', foundQty: 0 } },
      ]);
      expect(
        errorOf(() => applyBopisTransition(short, on(short, store('s1'), { action: 'mark_ready' }))).message,
      ).toBe('Order W-1001 has short lines (l2); report it short instead.');
    });

    it('reports a short pick: releases the reservation, excludes the node and logs the count discrepancy', () => {
      const state = run(picking(), [
        { actor: store('s1'), body: { action: 'pick', lineId: 'l1', scannedSku: 'SKU-A', qty: 2 } },
        { actor: store('s1'), body: { action: 'short_line', lineId: 'l2', foundQty: 0 } },
      ]);
      const outcome = expectApplied(
        applyBopisTransition(state, on(state, store('s1'), { action: 'report_short' })),
      );
      expect(outcome.state).toMatchObject({ status: 'SHORT_PICK', excludedNodeIds: ['s1'], nodeId: 's1' });
      expect(outcome.state.reservation).toBeUndefined();
      expect(outcome.effects.reservations).toEqual([
        expect.objectContaining({ nodeId: 's1', action: 'release', from: 'ACTIVE', to: 'RELEASED' }),
      ]);
      expect(outcome.effects.storeMovements).toEqual([]);
      expect(outcome.effects.countDiscrepancies).toEqual([
        { nodeId: 's1', lineId: 'l2', sku: 'SKU-B', expectedQty: 1, foundQty: 0 },
      ]);
    });

    it('reports short straight from ACCEPTED with the found quantities, and refuses nonsense', () => {
      const accepted = run(routed(), [{ actor: store('s1'), body: { action: 'accept' } }]);
      const outcome = expectApplied(
        applyBopisTransition(
          accepted,
          on(accepted, store('s1'), { action: 'report_short', found: [{ lineId: 'l1', foundQty: 1 }] }),
        ),
      );
      expect(outcome.effects.countDiscrepancies).toEqual([
        { nodeId: 's1', lineId: 'l1', sku: 'SKU-A', expectedQty: 2, foundQty: 1 },
      ]);
      expect(
        errorOf(() => applyBopisTransition(accepted, on(accepted, store('s1'), { action: 'report_short' })))
          .message,
      ).toBe(
        'Nothing on order W-1001 is marked short; give the found quantity of the short line or mark the order ready.',
      );
      expect(
        errorOf(() =>
          applyBopisTransition(
            accepted,
            on(accepted, store('s1'), { action: 'report_short', found: [{ lineId: 'l1', foundQty: 2 }] }),
          ),
        ).message,
      ).toBe('Line l1 is not short: 2 of 2 × SKU SKU-A were found. Scan them instead.');
      expect(
        errorOf(() =>
          applyBopisTransition(
            accepted,
            on(accepted, store('s1'), {
              action: 'report_short',
              found: [
                { lineId: 'l1', foundQty: 0 },
                { lineId: 'l1', foundQty: 1 },
              ],
            }),
          ),
        ).message,
      ).toBe('Line l1 is reported short twice in one step.');
    });

    it('re-routes after a short pick to a new node with a fresh reservation and tells the customer', () => {
      const short = run(picking(), [
        { actor: store('s1'), body: { action: 'report_short', found: [{ lineId: 'l2', foundQty: 0 }] } },
      ]);
      const rerouting = expectApplied(
        applyBopisTransition(short, on(short, HUB, { action: 'reroute', reason: 'short_pick' })),
      );
      expect(rerouting.effects.reservations).toEqual([]);
      expect(rerouting.effects.storeTasks).toEqual([]);
      expect(rerouting.state.nodeId).toBeUndefined();
      const routedAgain = expectApplied(
        applyBopisTransition(rerouting.state, on(rerouting.state, HUB, { action: 'route', nodeId: 's2' })),
      );
      expect(routedAgain.effects.reservations.map((effect) => [effect.nodeId, effect.action])).toEqual([
        ['s2', 'create'],
      ]);
      expect(routedAgain.effects.notification).toBe('rerouted');
      expect(routedAgain.state).toMatchObject({ status: 'ROUTED', nodeId: 's2', routingAttempts: 2 });
      expect(routedAgain.state.progress.every((line) => line.pickedQty === 0 && !line.shortPicked)).toBe(
        true,
      );
    });

    it('re-routes an accepted order off its node: SHORT there, store told to stop, then REASSIGNED', () => {
      const state = picking();
      const rerouting = expectApplied(
        applyBopisTransition(state, on(state, HUB, { action: 'reroute', reason: 'oversell' })),
      );
      expect(rerouting.state).toMatchObject({
        status: 'REROUTING',
        reservation: { nodeId: 's1', status: 'SHORT' },
        excludedNodeIds: ['s1'],
      });
      expect(rerouting.effects.reservations).toEqual([
        expect.objectContaining({ nodeId: 's1', action: 'mark_short', from: 'ACTIVE', to: 'SHORT' }),
      ]);
      expect(rerouting.effects.storeTasks).toEqual([
        {
          kind: 'withdraw',
          nodeId: 's1',
          message:
            'Order W-1001 is no longer yours to pick: stop picking and return any picked items to the shelf.',
        },
      ]);
      const moved = expectApplied(
        applyBopisTransition(rerouting.state, on(rerouting.state, HUB, { action: 'route', nodeId: 's2' })),
      );
      expect(
        moved.effects.reservations.map((effect) => [effect.nodeId, effect.action, effect.from, effect.to]),
      ).toEqual([
        ['s1', 'reassign', 'SHORT', 'REASSIGNED'],
        ['s2', 'create', undefined, 'ACTIVE'],
      ]);
    });

    it('cancels from every open state, releasing what is held and voiding the payment', () => {
      const fromPlaced = expectApplied(
        applyBopisTransition(placed(), on(placed(), HUB, { action: 'cancel', reason: 'customer_request' })),
      );
      expect(fromPlaced.effects).toMatchObject({
        payment: 'void',
        notification: 'cancelled',
        storeTasks: [],
      });
      expect(fromPlaced.effects.reservations[0]).toMatchObject({
        nodeId: 's1',
        from: 'HELD',
        to: 'RELEASED',
      });
      expect(fromPlaced.state).toMatchObject({ status: 'CANCELLED', cancelReason: 'customer_request' });

      const picked = picking();
      const fromPicking = expectApplied(
        applyBopisTransition(
          picked,
          on(picked, HUB, { action: 'cancel', reason: 'hq_request', note: 'fraud check' }),
        ),
      );
      expect(fromPicking.effects.storeTasks.map((task) => task.kind)).toEqual(['withdraw']);
      expect(fromPicking.state.log.at(-1)?.detail).toBe('Cancelled (hq request): fraud check.');

      const ready = readyAt();
      const fromReady = expectApplied(
        applyBopisTransition(ready, on(ready, HUB, { action: 'cancel', reason: 'hq_request' })),
      );
      expect(fromReady.effects.reservations[0]).toMatchObject({ from: 'STAGED', to: 'RELEASED' });
      expect(fromReady.effects.storeTasks).toEqual([
        {
          kind: 'unstage',
          nodeId: 's1',
          message: 'Order W-1001 will not be collected here: put its staged items back on the shelf.',
          movements: [
            { nodeId: 's1', lineId: 'l1', sku: 'SKU-A', type: 'UNSTAGE', bucket: 'staged', delta: -2 },
            { nodeId: 's1', lineId: 'l1', sku: 'SKU-A', type: 'UNSTAGE', bucket: 'sellable', delta: 2 },
            { nodeId: 's1', lineId: 'l2', sku: 'SKU-B', type: 'UNSTAGE', bucket: 'staged', delta: -1 },
            { nodeId: 's1', lineId: 'l2', sku: 'SKU-B', type: 'UNSTAGE', bucket: 'sellable', delta: 1 },
          ],
        },
      ]);
      expect(fromReady.effects.storeMovements).toEqual([]);

      const rerouting = run(picking(), [
        { actor: HUB, body: { action: 'reroute', reason: 'store_unavailable' } },
      ]);
      const fromRerouting = expectApplied(
        applyBopisTransition(rerouting, on(rerouting, HUB, { action: 'cancel', reason: 'unroutable' })),
      );
      expect(fromRerouting.effects.reservations[0]).toMatchObject({ from: 'SHORT', to: 'RELEASED' });
    });

    it('expires a ready order only once its expiry time is reached', () => {
      const ready = readyAt('s1', PLACED_AT);
      const expiresAt = ready.expiresAt as number;
      const early = errorOf(() =>
        applyBopisTransition(ready, on(ready, HUB, { action: 'expire' }, expiresAt - 1)),
      );
      expect(early.code).toBe('NOT_ALLOWED');
      expect(early.message).toBe('Order W-1001 does not expire until 2027-01-17T08:30:00.000Z.');
      const expired = expectApplied(
        applyBopisTransition(ready, on(ready, HUB, { action: 'expire' }, expiresAt)),
      );
      expect(expired.state).toMatchObject({ status: 'EXPIRED', closedAt: expiresAt });
      expect(expired.effects).toMatchObject({ payment: 'void', notification: 'expired' });
      expect(expired.effects.storeTasks[0]?.kind).toBe('unstage');
      expect(expired.state.log.at(-1)?.detail).toBe('Not collected by 2027-01-17T08:00:00.000Z.');
      const noDeadline: BopisOrderState = { ...ready, expiresAt: undefined };
      delete (noDeadline as { expiresAt?: number }).expiresAt;
      expect(
        errorOf(() => applyBopisTransition(noDeadline, on(noDeadline, HUB, { action: 'expire' }))).message,
      ).toBe('Order W-1001 has no pickup deadline yet.');
    });
  });

  describe('conflict rule', () => {
    it('lets an offline handover win over a hub cancel, with a refund decision for HQ', () => {
      const ready = readyAt();
      const handover = on(
        ready,
        store('s1'),
        { action: 'hand_over', verifiedBy: 'order_number_and_name' },
        PLACED_AT + 5 * HOUR,
      );
      const cancelled = run(ready, [
        { actor: HUB, body: { action: 'cancel', reason: 'customer_request' }, at: PLACED_AT + 4 * HOUR },
      ]);
      const outcome = applyBopisTransition(cancelled, handover);
      if (outcome.kind !== 'conflict_resolved') throw new Error(outcome.kind);
      expect(outcome.state).toMatchObject({
        status: 'PICKED_UP',
        nodeId: 's1',
        closedAt: PLACED_AT + 5 * HOUR,
      });
      expect(outcome.state.cancelReason).toBeUndefined();
      expect(outcome.conflict).toEqual({
        type: 'HANDOVER_AFTER_CANCEL',
        orderId: 'ord-1',
        orderNumber: 'W-1001',
        nodeId: 's1',
        handedOverAt: PLACED_AT + 5 * HOUR,
        overriddenStatus: 'CANCELLED',
        overriddenVersion: cancelled.version,
        overriddenAt: PLACED_AT + 4 * HOUR,
        refund: {
          decision: 'REVIEW_REFUND',
          authorisationRef: 'auth-77',
          amount: 4599,
          currency: 'EUR',
          options: ['capture_payment', 'request_return', 'write_off'],
        },
        message:
          'Order W-1001 was handed over at store s1 at 2027-01-15T13:00:00.000Z, after the hub had cancelled it. The customer has the goods but the payment was voided: capture it again, ask for a return or write it off.',
      });
      expect(HandoverConflictSchema.parse(outcome.conflict)).toEqual(outcome.conflict);
      // The cancel already released the reservation; nothing is unstaged because the goods left the store.
      expect(outcome.effects.reservations).toEqual([]);
      expect(outcome.effects.storeTasks).toEqual([]);
      expect(outcome.effects.payment).toBe('capture');
      expect(outcome.state.log.at(-1)).toMatchObject({
        action: 'hand_over',
        from: 'CANCELLED',
        to: 'PICKED_UP',
      });
      expect(applyBopisTransition(outcome.state, handover)).toEqual({
        kind: 'replayed',
        state: outcome.state,
      });
    });

    it('lets an offline handover win over an expiry', () => {
      const ready = readyAt('s1', PLACED_AT);
      const handover = on(ready, store('s1'), { action: 'hand_over', verifiedBy: 'pickup_code' });
      const expired = run(ready, [{ actor: HUB, body: { action: 'expire' }, at: ready.expiresAt as number }]);
      const outcome = applyBopisTransition(expired, handover);
      expect(outcome.kind).toBe('conflict_resolved');
      if (outcome.kind === 'conflict_resolved') {
        expect(outcome.conflict.type).toBe('HANDOVER_AFTER_EXPIRY');
        expect(outcome.conflict.message).toContain('after the hub had expired it');
      }
    });

    it('lets an offline handover win over a re-route, releasing the new node and telling it to stop', () => {
      // The store readied and handed over offline while the hub, not having seen it, moved the order.
      const picked = run(picking(), [
        { actor: store('s1'), body: { action: 'pick', lineId: 'l1', scannedSku: 'SKU-A', qty: 2 } },
        { actor: store('s1'), body: { action: 'pick', lineId: 'l2', scannedSku: 'SKU-B', qty: 1 } },
      ]);
      const storeReady = run(picked, [{ actor: store('s1'), body: { action: 'mark_ready' } }]);
      const storeHandover = on(storeReady, store('s1'), { action: 'hand_over', verifiedBy: 'pickup_code' });
      const hubSide = run(picked, [
        { actor: HUB, body: { action: 'reroute', reason: 'oversell' } },
        { actor: HUB, body: { action: 'route', nodeId: 's2' } },
      ]);
      const readyStep = storeReady.log.at(-1);
      const superseded = applyBopisTransition(hubSide, {
        transitionId: readyStep?.transitionId as string,
        basedOn: orderHead(picked),
        at: readyStep?.at as number,
        actor: store('s1'),
        action: 'mark_ready',
      });
      expect(superseded.kind).toBe('superseded');
      if (superseded.kind !== 'superseded') return;
      expect(superseded.effects.storeTasks[0]).toMatchObject({ kind: 'unstage', nodeId: 's1' });
      const outcome = applyBopisTransition(superseded.state, storeHandover);
      if (outcome.kind !== 'conflict_resolved') throw new Error(outcome.kind);
      expect(outcome.conflict.type).toBe('HANDOVER_AFTER_REROUTE');
      expect(outcome.conflict.refund).toBeUndefined();
      expect(outcome.effects.reservations).toEqual([
        expect.objectContaining({ nodeId: 's2', action: 'release', from: 'ACTIVE', to: 'RELEASED' }),
      ]);
      expect(outcome.effects.storeTasks).toEqual([
        expect.objectContaining({ kind: 'withdraw', nodeId: 's2' }),
      ]);
      expect(outcome.state).toMatchObject({ status: 'PICKED_UP', nodeId: 's1' });
    });

    it('unstages at the other node when the order had become ready there', () => {
      const ready = readyAt('s1');
      const handover = on(ready, store('s1'), { action: 'hand_over', verifiedBy: 'pickup_code' });
      // The hub's view: the order was moved and readied at s2 before s1's offline handover arrived.
      const outcome = applyBopisTransition(readyAt('s2'), handover);
      if (outcome.kind !== 'conflict_resolved') throw new Error(outcome.kind);
      expect(outcome.effects.storeTasks).toEqual([
        expect.objectContaining({ kind: 'unstage', nodeId: 's2' }),
      ]);
    });

    it('applies a late handover normally when the order is still ready at that store', () => {
      const ready = readyAt('s1');
      const staleHandover = {
        ...on(ready, store('s1'), { action: 'hand_over', verifiedBy: 'pickup_code' }),
        basedOn: { version: 1, transitionId: 't-place' },
      };
      const outcome = expectApplied(applyBopisTransition(ready, staleHandover));
      expect(outcome.state.status).toBe('PICKED_UP');
      expect(outcome.effects.reservations[0]).toMatchObject({ action: 'consume' });
    });

    it('supersedes a second handover of an order already handed over', () => {
      const ready = readyAt();
      const first = on(ready, store('s1'), { action: 'hand_over', verifiedBy: 'pickup_code' });
      const second = on(ready, store('s1'), { action: 'hand_over', verifiedBy: 'pickup_code' });
      const done = expectApplied(applyBopisTransition(ready, first)).state;
      const outcome = applyBopisTransition(done, second);
      expect(outcome.kind).toBe('superseded');
      if (outcome.kind === 'superseded') expect(outcome.reason).toBe('Order W-1001 was already handed over.');
    });

    it('supersedes offline store steps the hub overtook, keeping shelf facts, and ignores their replays', () => {
      const state = routed();
      const accept = on(state, store('s1'), { action: 'accept' });
      const cancelled = run(state, [{ actor: HUB, body: { action: 'cancel', reason: 'customer_request' } }]);
      const outcome = applyBopisTransition(cancelled, accept);
      if (outcome.kind !== 'superseded') throw new Error(outcome.kind);
      expect(outcome.reason).toBe(
        'Order W-1001 was cancelled at the hub before this store step arrived; the store must drop it.',
      );
      expect(outcome.state.status).toBe('CANCELLED');
      expect(outcome.state.version).toBe(cancelled.version);
      expect(outcome.state.superseded).toHaveLength(1);
      expect(applyBopisTransition(outcome.state, accept)).toEqual({ kind: 'replayed', state: outcome.state });

      const shortLine = applyBopisTransition(outcome.state, {
        transitionId: 'offline-short',
        basedOn: { version: 4, transitionId: 'store-only' },
        at: PLACED_AT,
        actor: store('s1'),
        action: 'short_line',
        lineId: 'l1',
        foundQty: 1,
      });
      expect(shortLine.kind === 'superseded' && shortLine.effects.countDiscrepancies).toEqual([
        { nodeId: 's1', lineId: 'l1', sku: 'SKU-A', expectedQty: 2, foundQty: 1 },
      ]);
      const report = applyBopisTransition(outcome.state, {
        transitionId: 'offline-report',
        basedOn: { version: 5, transitionId: 'store-only-2' },
        at: PLACED_AT,
        actor: store('s1'),
        action: 'report_short',
        found: [
          { lineId: 'l2', foundQty: 0 },
          { lineId: 'l9', foundQty: 0 },
        ],
      });
      expect(report.kind === 'superseded' && report.effects.countDiscrepancies).toEqual([
        { nodeId: 's1', lineId: 'l2', sku: 'SKU-B', expectedQty: 1, foundQty: 0 },
      ]);
      const started = applyBopisTransition(outcome.state, {
        transitionId: 'offline-start',
        basedOn: { version: 3, transitionId: 'store-only-3' },
        at: PLACED_AT,
        actor: store('s1'),
        action: 'start_picking',
      });
      expect(started.kind === 'superseded' && started.effects.storeTasks).toEqual([]);
    });
  });

  describe('routingRequestFor', () => {
    it('carries the lines, pickup target and failed nodes, with split consent from the order unless overridden', () => {
      const rerouting = run(picking(), [{ actor: HUB, body: { action: 'reroute', reason: 'oversell' } }]);
      expect(routingRequestFor(rerouting)).toEqual({
        orderId: 'ord-1',
        lines: [
          { lineId: 'l1', sku: 'SKU-A', qty: 2 },
          { lineId: 'l2', sku: 'SKU-B', qty: 1 },
        ],
        pickup: { type: 'store', storeId: 's1' },
        splitConsent: false,
        excludedNodeIds: ['s1'],
      });
      const consenting = placed({ splitConsent: true });
      expect(routingRequestFor(consenting).splitConsent).toBe(true);
      expect(routingRequestFor(consenting, { allowSplit: false }).splitConsent).toBe(false);
    });
  });

  describe('BopisOrderStateSchema', () => {
    it('refuses a state whose version is not its last logged one or whose progress does not match its lines', () => {
      const state = routed();
      expect(BopisOrderStateSchema.safeParse({ ...state, version: 7 }).success).toBe(false);
      expect(
        BopisOrderStateSchema.safeParse({ ...state, progress: [...state.progress].reverse() }).success,
      ).toBe(false);
    });
  });
});
