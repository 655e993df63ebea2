import { afterEach, describe, expect, it } from 'vitest';
import type { StoreNotification } from '../../shared/notifications';
import { bopisNodeSteps, hubStep, routedOrder } from '../testing/bopis-orders';
import {
  TEST_SKUS,
  checkedOutbox,
  createTestNode,
  databaseSnapshot,
  expectError,
  expectOk,
  type TestNode,
} from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

const { feed, run, hubApplies, stock } = bopisNodeSteps(() => node!, 1000);

function pickAll(orderId: string): void {
  expectOk(run('bopis-accept', { orderId }));
  expectOk(run('bopis-start-picking', { orderId }));
  expectOk(run('bopis-pick-scan', { orderId, code: TEST_SKUS.apple.barcode }));
  expectOk(run('bopis-pick-scan', { orderId, code: TEST_SKUS.apple.barcode }));
  expectOk(run('bopis-pick-scan', { orderId, sku: TEST_SKUS.milk.sku }));
}

describe('commands/bopis', () => {
  describe('the queue', () => {
    it('announces an order the hub routed here once, and lists it with its age and next task', () => {
      node = createTestNode();
      const seen: StoreNotification[] = [];
      node.engine.subscribe((notification) => seen.push(notification));
      const order = routedOrder('o-1');
      feed(order);
      feed(order);
      expect(seen.filter((n) => n.name === 'bopis-order-arrived')).toEqual([
        {
          name: 'bopis-order-arrived',
          payload: {
            orderId: 'o-1',
            orderNumber: 'W-O-1',
            customerName: 'Zoë Dupont',
            lineCount: 2,
            units: 3,
            pickupDeadline: null,
          },
        },
      ]);
      expect(seen.filter((n) => n.name === 'bopis-queue').at(-1)?.payload).toMatchObject({
        waiting: 1,
        picking: 0,
      });
      const list = expectOk(run('bopis-list', {}));
      expect(list.queue).toMatchObject({ waiting: 1, oldestWaitingSince: list.orders[0]!.waitingSince });
      expect(list.orders).toMatchObject([
        { orderId: 'o-1', status: 'ROUTED', task: 'accept', assignedHere: true, pendingSync: false },
      ]);
      expect(new Date(list.orders[0]!.waitingSince).getTime()).toBe(order.log.at(-1)!.at);
    });

    it('does not list orders of other stores as work here', () => {
      node = createTestNode();
      feed(routedOrder('o-2', 'store-2'));
      expect(expectOk(run('bopis-list', {})).orders).toEqual([]);
      const refused = expectError(run('bopis-accept', { orderId: 'o-2' }), 'FORBIDDEN');
      expect(refused.message).toMatch(/assigned to store store-2, not to store store-1/);
    });
  });

  describe('picking and handover', () => {
    it('runs offline from accept to handover: scans checked, units staged then handed over, all as events', () => {
      node = createTestNode();
      feed(routedOrder('o-3'));
      const before = stock('APPLE-1');
      pickAll('o-3');
      const picking = expectOk(run('bopis-get', { orderId: 'o-3' }));
      expect(picking).toMatchObject({ status: 'PICKING', task: 'pick', pendingSync: true });
      expect(picking.lines.map((line) => [line.lineId, line.pickedQty, line.remainingQty])).toEqual([
        ['l1', 2, 0],
        ['l2', 1, 0],
      ]);
      const ready = expectOk(run('bopis-mark-ready', { orderId: 'o-3' }));
      expect(ready).toMatchObject({
        status: 'READY_FOR_PICKUP',
        task: 'hand_over',
        handover: { allowed: true },
      });
      expect(ready.staged).toEqual([
        { sku: 'APPLE-1', qty: 2 },
        { sku: 'MILK-1', qty: 1 },
      ]);
      expect(stock('APPLE-1')).toMatchObject({ sellable: before.sellable - 2, staged: 2 });

      const handed = expectOk(run('bopis-handover', { attempt: { kind: 'pickup_code', code: 'k7q-2mx' } }));
      expect(handed.verifiedBy).toBe('pickup_code');
      expect(handed.order).toMatchObject({ status: 'PICKED_UP', task: 'none', staged: [] });
      expect(stock('APPLE-1')).toMatchObject({ sellable: before.sellable - 2, staged: 0 });

      const events = checkedOutbox(node.engine).filter((event) => event.type.startsWith('bopis.'));
      expect(events.map((event) => event.type)).toEqual([
        'bopis.accepted',
        'bopis.picking_started',
        'bopis.picked',
        'bopis.picked',
        'bopis.picked',
        'bopis.ready',
        'bopis.handed_over',
      ]);
      const readyEvent = events[5]!.payload as {
        movements: { type: string; bucket: string; delta: number }[];
      };
      expect(readyEvent.movements.map((m) => [m.type, m.bucket, m.delta])).toEqual([
        ['PICK', 'sellable', -2],
        ['PICK', 'staged', 2],
        ['PICK', 'sellable', -1],
        ['PICK', 'staged', 1],
      ]);
      // Each step was based on the head before it: the hub can apply them in order.
      const versions = events.map(
        (event) => (event.payload as { basedOn: { version: number } }).basedOn.version,
      );
      expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8]);
    });

    it('refuses a wrong item and an extra unit, writing nothing', () => {
      node = createTestNode();
      feed(routedOrder('o-4'));
      expectOk(run('bopis-accept', { orderId: 'o-4' }));
      expectOk(run('bopis-start-picking', { orderId: 'o-4' }));
      const snapshot = databaseSnapshot(node.engine);
      const wrong = expectError(
        run('bopis-pick-scan', { orderId: 'o-4', code: TEST_SKUS.cheese.barcode }),
        'NOT_ALLOWED',
      );
      expect(wrong.message).toMatch(/Wrong item: CHEESE-KG name \(SKU CHEESE-KG\) is not on order W-O-4/);
      const tooMany = expectError(
        run('bopis-pick-scan', { orderId: 'o-4', sku: 'APPLE-1', qty: 3 }),
        'LIMIT_EXCEEDED',
      );
      expect(tooMany.message).toMatch(/needs only 2 more of SKU APPLE-1; 3 were scanned/);
      expectError(run('bopis-pick-scan', { orderId: 'o-4', sku: 'MILK-1', lineId: 'l1' }), 'NOT_ALLOWED');
      const notReady = expectError(run('bopis-mark-ready', { orderId: 'o-4' }), 'NOT_ALLOWED');
      expect(notReady.message).toMatch(/not fully picked yet/);
      const { audit_log: _audit, ...after } = databaseSnapshot(node.engine);
      const { audit_log: _before, ...expected } = snapshot;
      expect(after).toEqual(expected);
    });

    it('hands over by order number and name, ignoring case and accents, and refuses a wrong name', () => {
      node = createTestNode();
      feed(routedOrder('o-5'));
      pickAll('o-5');
      expectOk(run('bopis-mark-ready', { orderId: 'o-5' }));
      const wrong = expectError(
        run('bopis-handover', {
          attempt: { kind: 'order_number_and_name', orderNumber: 'W-O-5', customerName: 'Zoe Martin' },
        }),
        'NOT_ALLOWED',
      );
      expect(wrong.message).toMatch(/do not match/);
      const found = expectOk(
        run('bopis-lookup', {
          attempt: { kind: 'order_number_and_name', orderNumber: '#wo5', customerName: 'dupont zoe' },
        }),
      );
      expect(found).toMatchObject({ orderId: 'o-5', handover: { allowed: true, reason: null } });
      const handed = expectOk(
        run('bopis-handover', {
          attempt: { kind: 'order_number_and_name', orderNumber: 'w-o-5', customerName: 'ZOË DUPONT' },
        }),
      );
      expect(handed.verifiedBy).toBe('order_number_and_name');
      expectError(run('bopis-handover', { attempt: { kind: 'pickup_code', code: 'ZZZZZZ' } }), 'NOT_FOUND');
    });

    it('reports a short pick for the hub to re-route', () => {
      node = createTestNode();
      feed(routedOrder('o-6'));
      expectOk(run('bopis-accept', { orderId: 'o-6' }));
      const short = expectOk(
        run('bopis-short-pick', { orderId: 'o-6', lines: [{ lineId: 'l1', foundQty: 1 }] }),
      );
      expect(short).toMatchObject({ status: 'SHORT_PICK', task: 'wait_for_hub' });
      const event = checkedOutbox(node.engine).at(-1)!;
      expect(event.type).toBe('bopis.short_picked');
      expect(event.payload).toMatchObject({ orderId: 'o-6', found: [{ lineId: 'l1', foundQty: 1 }] });
      expectError(
        run('bopis-short-pick', { orderId: 'o-6', lines: [{ lineId: 'l2', foundQty: 1 }] }),
        'NOT_ALLOWED',
      );
    });
  });

  describe('the hub moves on', () => {
    it('stops pending steps counting once the hub has them', () => {
      node = createTestNode();
      const routed = routedOrder('o-7');
      feed(routed);
      pickAll('o-7');
      expect(expectOk(run('bopis-get', { orderId: 'o-7' })).pendingSync).toBe(true);
      feed(hubApplies(routed));
      const shown = expectOk(run('bopis-get', { orderId: 'o-7' }));
      expect(shown).toMatchObject({ status: 'PICKING', pendingSync: false, version: 7 });
    });

    it('refuses the handover once a hub cancel has arrived, and has the staged items put back', () => {
      node = createTestNode();
      const routed = routedOrder('o-8');
      feed(routed);
      pickAll('o-8');
      expectOk(run('bopis-mark-ready', { orderId: 'o-8' }));
      const before = stock('APPLE-1');
      const cancelled = hubStep(
        hubApplies(routed),
        { action: 'cancel', reason: 'customer_request' },
        node.clock.now(),
      );
      feed(cancelled);
      const refused = expectError(
        run('bopis-handover', { attempt: { kind: 'pickup_code', code: 'K7Q2MX' } }),
        'NOT_ALLOWED',
      );
      expect(refused.message).toMatch(
        /Do not hand over order W-O-8: it was cancelled at the customer's request/,
      );
      const list = expectOk(run('bopis-list', {}));
      expect(list.orders).toMatchObject([{ orderId: 'o-8', task: 'put_back' }]);
      expect(list.queue.toPutBack).toBe(1);
      expect(list.orders[0]?.message).toMatch(/put its staged items back on the shelf/);

      const putBack = expectOk(run('bopis-unstage', { orderId: 'o-8' }));
      expect(putBack.movedBack).toEqual([
        { sku: 'APPLE-1', qty: 2 },
        { sku: 'MILK-1', qty: 1 },
      ]);
      expect(stock('APPLE-1')).toMatchObject({ sellable: before.sellable + 2, staged: 0 });
      const after = expectOk(run('bopis-list', {}));
      expect(after.queue.toPutBack).toBe(0);
      // Still listed for the day, with what to tell a customer who turns up anyway.
      expect(after.orders).toMatchObject([{ orderId: 'o-8', task: 'none', status: 'CANCELLED' }]);
      expectError(run('bopis-unstage', { orderId: 'o-8' }), 'NOT_ALLOWED');
      const event = checkedOutbox(node.engine).at(-1)!;
      expect(event.type).toBe('bopis.unstaged');
    });

    it('keeps a handover made offline when a cancel the hub made earlier arrives later (it wins at the hub too)', () => {
      node = createTestNode();
      const routed = routedOrder('o-9');
      feed(routed);
      pickAll('o-9');
      expectOk(run('bopis-mark-ready', { orderId: 'o-9' }));
      const readyAtHub = hubApplies(routed);
      expectOk(run('bopis-handover', { attempt: { kind: 'pickup_code', code: 'K7Q2MX' } }));
      // The hub cancelled before the handover event reached it; that state arrives now.
      feed(hubStep(readyAtHub, { action: 'cancel', reason: 'hq_request' }, node.clock.now()));
      const shown = expectOk(run('bopis-get', { orderId: 'o-9' }));
      expect(shown).toMatchObject({ status: 'PICKED_UP', task: 'none', pendingSync: true, staged: [] });
    });

    it('tells the picker an order moved to another store is no longer theirs', () => {
      node = createTestNode();
      const routed = routedOrder('o-10');
      feed(routed);
      expectOk(run('bopis-accept', { orderId: 'o-10' }));
      const moved = hubStep(
        hubStep(hubApplies(routed), { action: 'reroute', reason: 'oversell' }, node.clock.now()),
        { action: 'route', nodeId: 'store-2' },
        node.clock.now(),
      );
      feed(moved);
      const shown = expectOk(run('bopis-get', { orderId: 'o-10' }));
      expect(shown).toMatchObject({ status: 'ROUTED', assignedHere: false, task: 'none' });
      expect(shown.message).toMatch(/no longer this store's to pick/);
      expect(expectOk(run('bopis-list', {})).orders).toMatchObject([{ orderId: 'o-10', task: 'none' }]);
      expectError(run('bopis-start-picking', { orderId: 'o-10' }), 'FORBIDDEN');
      node.clock.advance(25 * 3_600_000);
      const session = expectOk(
        node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '1111' }),
      ).session;
      expect(expectOk(node.engine.execute('bopis-list', {}, { session })).orders).toEqual([]);
    });
  });
});
