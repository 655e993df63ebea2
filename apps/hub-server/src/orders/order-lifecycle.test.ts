import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@retail/domain';
import { listExceptions } from '../exceptions/exception-queue';
import { verifyProjections } from '../inventory/ledger-reads';
import { readInventoryLevel } from '../inventory/stock-levels';
import { backendKinds } from '../test-support/backends';
import {
  TEST_SETTINGS,
  createBopisWorld,
  handoverMovements,
  readyMovements,
  unstageMovements,
  type BopisWorld,
} from '../test-support/bopis-world';
import { movement } from '../test-support/fixtures';
import { cancelOrder, expireDueOrders, rerouteOrder, resolveShortPicks } from './order-lifecycle';

const HOUR = 3_600_000;

describe.each(backendKinds())('orders/order-lifecycle on %s', (kind) => {
  let world: BopisWorld;

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['A', 'B', 'ONLY1'] });
    await world.stock('s1', 'A', 20);
    await world.stock('s2', 'A', 20);
    await world.stock('s1', 'B', 5);
    await world.stock('s1', 'ONLY1', 3);
  });

  afterAll(async () => {
    await world?.dispose();
  });

  async function pushStep(
    nodeId: string,
    type: Parameters<BopisWorld['push']>[1][number]['type'],
    payload: Record<string, unknown>,
  ) {
    const ack = await world.push(nodeId, [{ type, payload }]);
    return ack.results[0]!;
  }

  /** Accept, start picking and scan every line at the order's store. */
  async function pickAll(orderId: string, nodeId: string): Promise<void> {
    expect((await pushStep(nodeId, 'bopis.accepted', await world.step(orderId))).status).toBe('accepted');
    expect((await pushStep(nodeId, 'bopis.picking_started', await world.step(orderId))).status).toBe(
      'accepted',
    );
    const state = await world.state(orderId);
    for (const line of state.order.lines) {
      const result = await pushStep(
        nodeId,
        'bopis.picked',
        await world.step(orderId, { lineId: line.lineId, scannedSku: line.sku, qty: line.qty }),
      );
      expect(result.status).toBe('accepted');
    }
  }

  async function markReady(orderId: string, nodeId: string) {
    const state = await world.state(orderId);
    return pushStep(nodeId, 'bopis.ready', await world.step(orderId, { movements: readyMovements(state) }));
  }

  describe('store steps through ingest', () => {
    it('runs the whole lifecycle: routed, accepted, picked, ready, handed over, with the ledger and payment', async () => {
      const order = await world.place({
        lines: [
          { lineId: 'l1', sku: 'A', qty: 2 },
          { lineId: 'l2', sku: 'B', qty: 1 },
        ],
      });
      await pickAll(order.orderId, 's1');
      expect(await readInventoryLevel(world.storage.db, 's1', 'A')).toMatchObject({
        committed: 2,
        staged: 0,
      });
      expect((await markReady(order.orderId, 's1')).status).toBe('accepted');
      let view = await world.view(order.orderId);
      expect(view).toMatchObject({ status: 'READY_FOR_PICKUP', paymentStatus: 'authorised' });
      expect(view.pickupDeadline).toBe(world.clock.now + 48 * HOUR);
      expect(view.reservations.map((r) => r.status)).toEqual(['STAGED', 'STAGED']);
      expect(await readInventoryLevel(world.storage.db, 's1', 'A')).toMatchObject({
        sellable: 18,
        staged: 2,
        committed: 0,
      });
      expect(view.notifications.map((n) => [n.kind, n.status])).toEqual([['ready_for_pickup', 'pending']]);
      expect(view.notifications[0]?.payload).toMatchObject({
        type: 'order.ready_for_pickup',
        order: { pickupCode: view.pickupCode, store: { nodeId: 's1', code: 'S1' } },
      });

      const state = await world.state(order.orderId);
      const handed = await pushStep(
        's1',
        'bopis.handed_over',
        await world.step(order.orderId, { verifiedBy: 'pickup_code', movements: handoverMovements(state) }),
      );
      expect(handed.status).toBe('accepted');
      view = await world.view(order.orderId);
      expect(view).toMatchObject({ status: 'PICKED_UP', paymentStatus: 'captured' });
      expect(view.reservations.map((r) => r.status)).toEqual(['CONSUMED', 'CONSUMED']);
      expect(await readInventoryLevel(world.storage.db, 's1', 'A')).toMatchObject({
        sellable: 18,
        staged: 0,
      });
      expect(view.timeline.map((entry) => entry.kind)).toEqual([
        'placed',
        'routed',
        'transition',
        'transition',
        'transition',
        'transition',
        'transition',
        'transition',
        'payment',
      ]);
      const ledger = await world.storage.db
        .selectFrom('inventory_movements')
        .select(['type', 'bucket', 'delta'])
        .where('source_doc', '=', `bopis:${order.orderId}`)
        .where('sku', '=', 'A')
        .orderBy('recorded_at')
        .orderBy('type', 'desc')
        .execute();
      expect(ledger.map((row) => [row.type, row.bucket, Number(row.delta)]).sort()).toEqual(
        [
          ['PICK', 'sellable', -2],
          ['PICK', 'staged', 2],
          ['PICKUP_HANDOVER', 'staged', -2],
        ].sort(),
      );
      expect(await verifyProjections(world.storage.db)).toEqual([]);
    });

    it('rejects a scan of the wrong item and movements that do not match the order, changing nothing', async () => {
      const order = await world.place();
      await pushStep('s1', 'bopis.accepted', await world.step(order.orderId));
      await pushStep('s1', 'bopis.picking_started', await world.step(order.orderId));
      const wrong = await pushStep(
        's1',
        'bopis.picked',
        await world.step(order.orderId, { lineId: 'l1', scannedSku: 'B', qty: 1 }),
      );
      expect(wrong).toMatchObject({ status: 'rejected' });
      expect((wrong as { reason: string }).reason).toMatch(/Wrong item: line l1 needs SKU A/);
      await pushStep(
        's1',
        'bopis.picked',
        await world.step(order.orderId, { lineId: 'l1', scannedSku: 'A', qty: 1 }),
      );
      const bad = await pushStep(
        's1',
        'bopis.ready',
        await world.step(order.orderId, {
          movements: [movement('A', -5, 'PICK'), movement('A', 5, 'PICK', 'staged')],
        }),
      );
      expect(bad).toMatchObject({ status: 'rejected' });
      expect((bad as { reason: string }).reason).toMatch(/do not match order/);
      expect((await world.view(order.orderId)).status).toBe('PICKING');
      const rejectedEvents = await listExceptions(world.storage.db, { type: 'REJECTED_EVENT', limit: 10 });
      expect(rejectedEvents.length).toBeGreaterThanOrEqual(2);
    });

    it('refuses steps, even a late handover, from a store the order was never sent to', async () => {
      const order = await world.place();
      const result = await pushStep('s2', 'bopis.accepted', await world.step(order.orderId));
      expect(result).toMatchObject({ status: 'rejected' });
      expect((result as { reason: string }).reason).toMatch(/was never sent to store s2/);
      const state = await world.state(order.orderId);
      const claim = await pushStep('s2', 'bopis.handed_over', {
        orderId: order.orderId,
        transitionId: `claim-${order.orderId}`,
        basedOn: { version: 1, transitionId: state.log[0]!.transitionId },
        at: new Date(world.clock.now).toISOString(),
        verifiedBy: 'pickup_code',
        movements: handoverMovements(state),
      });
      expect(claim).toMatchObject({ status: 'rejected' });
      expect((await world.view(order.orderId)).status).toBe('ROUTED');
    });

    it('refuses a step on the head from a store the order left', async () => {
      await world.stock('s3', 'A', 5);
      const order = await world.place();
      await rerouteOrder(world.hub, order.orderId, { reason: 'store_unavailable' }, 'user:hq', TEST_SETTINGS);
      const result = await pushStep('s1', 'bopis.accepted', await world.step(order.orderId));
      expect(result).toMatchObject({ status: 'rejected' });
      expect((result as { reason: string }).reason).toMatch(/assigned to store s2, not to store s1/);
    });

    it('rejects a step for an order the hub does not know', async () => {
      const result = await pushStep('s1', 'bopis.accepted', {
        orderId: 'ghost',
        transitionId: 'tx-ghost',
        basedOn: { version: 1, transitionId: 'x' },
        at: new Date(world.clock.now).toISOString(),
      });
      expect(result).toMatchObject({ status: 'rejected' });
      expect((result as { reason: string }).reason).toMatch(/Order ghost is not known at the hub/);
    });
  });

  describe('expireDueOrders', () => {
    it('expires a ready order after its deadline and grace, releasing it and telling the store', async () => {
      const order = await world.place();
      await pickAll(order.orderId, 's1');
      await markReady(order.orderId, 's1');
      const ready = await world.view(order.orderId);
      await world.advance(ready.expiresAt! - 1 - world.clock.now);
      expect(await expireDueOrders(world.hub)).toBe(0);
      await world.advance(1);
      expect(await expireDueOrders(world.hub)).toBe(1);
      const view = await world.view(order.orderId);
      expect(view).toMatchObject({ status: 'EXPIRED', paymentStatus: 'voided' });
      expect(view.reservations.map((r) => r.status)).toEqual(['RELEASED']);
      expect(view.notifications.map((n) => n.kind)).toEqual(['ready_for_pickup', 'expired']);
      expect(
        view.timeline.some(
          (entry) => entry.kind === 'store_task' && /put its staged items back/.test(entry.message),
        ),
      ).toBe(true);
      // The staged unit stays staged until the store puts it back and says so.
      const staged = (await readInventoryLevel(world.storage.db, 's1', 'A')).staged;
      const state = await world.state(order.orderId);
      const unstaged = await pushStep('s1', 'bopis.unstaged', {
        orderId: order.orderId,
        unstageId: `unstage-${order.orderId}`,
        movements: unstageMovements(state),
        at: new Date(world.clock.now).toISOString(),
      });
      expect(unstaged.status).toBe('accepted');
      expect((await readInventoryLevel(world.storage.db, 's1', 'A')).staged).toBe(staged - 1);
      expect(await verifyProjections(world.storage.db)).toEqual([]);
    });
  });

  describe('cancelOrder', () => {
    it('lets the customer cancel (API key) and releases the promise, telling the customer and the store', async () => {
      const order = await world.place();
      const before = await readInventoryLevel(world.storage.db, 's1', 'A');
      const view = await cancelOrder(world.hub, order.orderId, {}, { actor: 'api-key:shop', customer: true });
      expect(view).toMatchObject({
        status: 'CANCELLED',
        cancelReason: 'customer_request',
        paymentStatus: 'voided',
      });
      expect(view.reservations.map((r) => r.status)).toEqual(['RELEASED']);
      expect((await readInventoryLevel(world.storage.db, 's1', 'A')).committed).toBe(before.committed - 1);
      expect(view.notifications.map((n) => n.kind)).toEqual(['cancelled']);
      const again = await cancelOrder(
        world.hub,
        order.orderId,
        {},
        { actor: 'user:hq', customer: false },
      ).catch((error: unknown) => error);
      expect(again).toBeInstanceOf(DomainError);
      expect((again as DomainError).code).toBe('NOT_ALLOWED');
    });

    it('refuses a stale HQ cancel and a customer key asking for an HQ cancel', async () => {
      const order = await world.place();
      await pushStep('s1', 'bopis.accepted', await world.step(order.orderId));
      const stale = await cancelOrder(
        world.hub,
        order.orderId,
        { expectedVersion: 2 },
        { actor: 'user:hq', customer: false },
      ).catch((error: unknown) => error as DomainError);
      expect(stale).toMatchObject({ code: 'CONFLICT' });
      const forbidden = await cancelOrder(
        world.hub,
        order.orderId,
        { reason: 'hq_request' },
        { actor: 'api-key:shop', customer: true },
      ).catch((error: unknown) => error as DomainError);
      expect(forbidden).toMatchObject({ code: 'FORBIDDEN' });
      const view = await cancelOrder(
        world.hub,
        order.orderId,
        { note: 'Customer phoned' },
        {
          actor: 'user:hq',
          customer: false,
        },
      );
      expect(view).toMatchObject({ status: 'CANCELLED', cancelReason: 'hq_request' });
      expect(
        view.timeline.some((entry) => entry.kind === 'store_task' && /no longer yours/.test(entry.message)),
      ).toBe(true);
    });
  });

  describe('the conflict rule', () => {
    it('lets an offline handover win over a cancel that reached the hub first, as a refund exception', async () => {
      const order = await world.place();
      await pickAll(order.orderId, 's1');
      await markReady(order.orderId, 's1');
      const seenByStore = (await world.view(order.orderId)).head;
      const state = await world.state(order.orderId);
      await cancelOrder(world.hub, order.orderId, {}, { actor: 'api-key:shop', customer: true });
      const result = await pushStep('s1', 'bopis.handed_over', {
        orderId: order.orderId,
        transitionId: `handover-${order.orderId}`,
        basedOn: seenByStore,
        at: new Date(world.clock.now).toISOString(),
        verifiedBy: 'order_number_and_name',
        movements: handoverMovements(state),
      });
      expect(result.status).toBe('accepted');
      const view = await world.view(order.orderId);
      expect(view).toMatchObject({ status: 'PICKED_UP', paymentStatus: 'captured' });
      const kinds = view.timeline.map((entry) => entry.kind);
      // Never a silent flip: the cancel stays on the timeline, followed by the conflict.
      expect(kinds.indexOf('conflict')).toBeGreaterThan(kinds.lastIndexOf('transition'));
      expect(view.timeline.some((entry) => /cancel/i.test(entry.message))).toBe(true);
      expect(view.refunds).toMatchObject([{ reason: 'HANDOVER_AFTER_CANCEL', status: 'review' }]);
      const conflicts = await listExceptions(world.storage.db, { type: 'HANDOVER_CONFLICT', limit: 10 });
      const mine = conflicts.find((exception) => exception.details.orderId === order.orderId);
      expect(mine).toMatchObject({ severity: 'critical', nodeId: 's1' });
      expect((mine?.details.conflict as { refund: { decision: string } }).refund.decision).toBe(
        'REVIEW_REFUND',
      );
      expect(await verifyProjections(world.storage.db)).toEqual([]);
    });

    it('lets an offline handover win over an expiry too', async () => {
      const order = await world.place();
      await pickAll(order.orderId, 's1');
      await markReady(order.orderId, 's1');
      const seenByStore = (await world.view(order.orderId)).head;
      const state = await world.state(order.orderId);
      await world.advance((await world.view(order.orderId)).expiresAt! - world.clock.now);
      expect(await expireDueOrders(world.hub)).toBe(1);
      const result = await pushStep('s1', 'bopis.handed_over', {
        orderId: order.orderId,
        transitionId: `handover-${order.orderId}`,
        basedOn: seenByStore,
        at: new Date(world.clock.now - 60_000).toISOString(),
        verifiedBy: 'pickup_code',
        movements: handoverMovements(state),
      });
      expect(result.status).toBe('accepted');
      const view = await world.view(order.orderId);
      expect(view.status).toBe('PICKED_UP');
      expect(view.refunds).toMatchObject([{ reason: 'HANDOVER_AFTER_EXPIRY', status: 'review' }]);
    });

    it('supersedes a ready made offline after a cancel and keeps its physical facts', async () => {
      const order = await world.place();
      await pickAll(order.orderId, 's1');
      const seenByStore = (await world.view(order.orderId)).head;
      const state = await world.state(order.orderId);
      const stagedBefore = (await readInventoryLevel(world.storage.db, 's1', 'A')).staged;
      await cancelOrder(world.hub, order.orderId, {}, { actor: 'user:hq', customer: false });
      const result = await pushStep('s1', 'bopis.ready', {
        orderId: order.orderId,
        transitionId: `ready-${order.orderId}`,
        basedOn: seenByStore,
        at: new Date(world.clock.now).toISOString(),
        movements: readyMovements(state),
      });
      expect(result.status).toBe('accepted');
      const view = await world.view(order.orderId);
      expect(view.status).toBe('CANCELLED');
      expect(view.timeline.some((entry) => entry.kind === 'superseded')).toBe(true);
      expect((await readInventoryLevel(world.storage.db, 's1', 'A')).staged).toBe(stagedBefore + 1);
    });
  });

  describe('short picks', () => {
    it('re-routes a short-picked order to another store with stock, excluding the short one', async () => {
      const order = await world.place();
      await pushStep('s1', 'bopis.accepted', await world.step(order.orderId));
      await pushStep('s1', 'bopis.picking_started', await world.step(order.orderId));
      const short = await pushStep(
        's1',
        'bopis.short_picked',
        await world.step(order.orderId, { found: [{ lineId: 'l1', foundQty: 0 }] }),
      );
      expect(short.status).toBe('accepted');
      expect((await world.view(order.orderId)).status).toBe('SHORT_PICK');
      expect(await resolveShortPicks(world.hub, TEST_SETTINGS)).toBe(1);
      const view = await world.view(order.orderId);
      expect(view).toMatchObject({
        status: 'ROUTED',
        nodeId: 's2',
        excludedNodeIds: ['s1'],
        routingAttempts: 2,
      });
      expect(view.reservations.map((r) => [r.nodeId, r.status])).toEqual([
        ['s1', 'RELEASED'],
        ['s2', 'ACTIVE'],
      ]);
      expect(view.notifications.map((n) => n.kind)).toEqual(['rerouted']);
      expect(view.timeline.some((entry) => entry.kind === 'pick_shortage')).toBe(true);
      const shortages = await listExceptions(world.storage.db, { type: 'PICK_SHORTAGE', limit: 10 });
      expect(shortages.some((exception) => exception.details.orderId === order.orderId)).toBe(true);
      // Both stores hear about it: s1 to drop it, s2 to pick it.
      const feed = await world.storage.db
        .selectFrom('feed_changes')
        .select('scope')
        .where('entity', '=', 'bopis_order')
        .where('entity_key', '=', order.orderId)
        .orderBy('scope')
        .execute();
      expect(feed.map((row) => row.scope)).toEqual(['s1', 's2']);
    });

    it('cancels with a refund record when no other store can take a short-picked order', async () => {
      const order = await world.place({ lines: [{ lineId: 'l1', sku: 'ONLY1', qty: 2 }] });
      await pushStep('s1', 'bopis.accepted', await world.step(order.orderId));
      await pushStep(
        's1',
        'bopis.short_picked',
        await world.step(order.orderId, { found: [{ lineId: 'l1', foundQty: 1 }] }),
      );
      await resolveShortPicks(world.hub, TEST_SETTINGS);
      const view = await world.view(order.orderId);
      expect(view).toMatchObject({
        status: 'CANCELLED',
        cancelReason: 'short_unresolved',
        paymentStatus: 'voided',
      });
      expect(view.refunds).toMatchObject([{ reason: 'short_unresolved', status: 'pending', amount: 1999 }]);
      expect(view.notifications.map((n) => n.kind)).toEqual(['cancelled']);
      expect(view.timeline.some((entry) => entry.kind === 'routing_failed')).toBe(true);
    });
  });

  describe('rerouteOrder', () => {
    it('lets HQ move an order to the next store', async () => {
      const order = await world.place();
      const view = await rerouteOrder(
        world.hub,
        order.orderId,
        { reason: 'store_unavailable' },
        'user:hq',
        TEST_SETTINGS,
      );
      expect(view).toMatchObject({ status: 'ROUTED', nodeId: 's2' });
      expect(view.reservations.find((r) => r.nodeId === 's1')).toMatchObject({
        status: 'REASSIGNED',
        replacedBy: view.reservations.find((r) => r.nodeId === 's2')?.reservationId,
      });
      expect(await verifyProjections(world.storage.db)).toEqual([]);
    });
  });
});
