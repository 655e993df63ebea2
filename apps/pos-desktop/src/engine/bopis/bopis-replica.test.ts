import { afterEach, describe, expect, it } from 'vitest';
import { applyFeedChanges } from '../feed/apply-feed';
import { bopisChange, hubStep, routedOrder } from '../testing/bopis-orders';
import { countRows, createTestNode, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

function apply(
  changes: Parameters<typeof bopisChange>[1][],
  options: { reset?: boolean; from?: number } = {},
) {
  const from = options.from ?? 1000;
  return applyFeedChanges(
    node!.engine.db,
    node!.engine.identity,
    {
      epoch: 'test-epoch',
      changes: changes.map((state, index) => bopisChange(from + index, state)),
      ...(options.reset === undefined ? {} : { reset: options.reset }),
    },
    node!.clock.now(),
  );
}

describe('bopis/bopis-replica', () => {
  describe('bopis_order feed rows', () => {
    it('keeps the latest hub state of each order with its lookup keys', () => {
      node = createTestNode();
      const routed = routedOrder('o-1');
      apply([routed]);
      const cancelled = hubStep(routed, { action: 'cancel', reason: 'customer_request' }, node.clock.now());
      apply([cancelled], { from: 2000 });
      expect(
        node.engine.db
          .prepare(
            'SELECT order_id AS orderId, order_number_key AS numberKey, pickup_code AS code, hub_version AS version, hub_status AS status, hub_node_id AS nodeId FROM bopis_orders',
          )
          .all(),
      ).toEqual([
        {
          orderId: 'o-1',
          numberKey: 'WO1',
          code: 'K7Q2MX',
          version: 3,
          status: 'CANCELLED',
          nodeId: 'store-1',
        },
      ]);
    });

    it('refuses a row that is not an order state, and empties the orders on a re-snapshot', () => {
      node = createTestNode();
      expect(() =>
        applyFeedChanges(
          node!.engine.db,
          node!.engine.identity,
          {
            epoch: 'test-epoch',
            changes: [
              { hubSeq: 500, entity: 'bopis_order', key: 'o-9', op: 'upsert', data: { orderId: 'o-9' } },
            ],
          },
          node!.clock.now(),
        ),
      ).toThrow(/Feed change 500 \(bopis_order o-9\) cannot be applied/);
      apply([routedOrder('o-2')]);
      expect(countRows(node.engine, 'bopis_orders')).toBe(1);
      apply([], { reset: true });
      expect(countRows(node.engine, 'bopis_orders')).toBe(0);
    });
  });
});
