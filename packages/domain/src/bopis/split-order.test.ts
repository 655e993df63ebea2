import { describe, expect, it } from 'vitest';
import { BopisOrderSchema } from './order';
import { sampleOrder } from './bopis.fixtures';
import { splitOrderParts } from './split-order';

const order = BopisOrderSchema.parse(
  sampleOrder({ payment: { authorisationRef: 'auth-1', amount: 1000, currency: 'EUR' } }),
);

describe('bopis/split-order', () => {
  describe('splitOrderParts', () => {
    it('makes one order per part with its lines, its share of the payment and no further splits', () => {
      const parts = splitOrderParts({ ...order, splitConsent: true }, [
        { nodeId: 's1', lines: [{ lineId: 'l1', sku: 'SKU-A', qty: 1 }] },
        {
          nodeId: 's2',
          lines: [
            { lineId: 'l1', sku: 'SKU-A', qty: 1 },
            { lineId: 'l2', sku: 'SKU-B', qty: 1 },
          ],
        },
      ]);
      expect(parts.map((part) => [part.partNo, part.nodeId, part.order.orderId])).toEqual([
        [1, 's1', 'ord-1.1'],
        [2, 's2', 'ord-1.2'],
      ]);
      expect(parts[1]?.order.lines).toEqual([
        { lineId: 'l1', sku: 'SKU-A', qty: 1 },
        { lineId: 'l2', sku: 'SKU-B', qty: 1 },
      ]);
      expect(parts.map((part) => part.order.payment.amount)).toEqual([333, 667]);
      expect(parts.every((part) => !part.order.splitConsent && part.order.orderNumber === 'W-1001')).toBe(
        true,
      );
    });

    it('refuses parts that do not add up to the order, or an id with no room for the part suffix', () => {
      expect(() =>
        splitOrderParts(order, [
          { nodeId: 's1', lines: [{ lineId: 'l1', sku: 'SKU-A', qty: 1 }] },
          { nodeId: 's2', lines: [{ lineId: 'l2', sku: 'SKU-B', qty: 1 }] },
        ]),
      ).toThrow(/does not add up to line l1/);
      const long = { ...order, orderId: 'x'.repeat(99) };
      expect(() =>
        splitOrderParts(long, [
          { nodeId: 's1', lines: [{ lineId: 'l1', sku: 'SKU-A', qty: 2 }] },
          { nodeId: 's2', lines: [{ lineId: 'l2', sku: 'SKU-B', qty: 1 }] },
        ]),
      ).toThrow(/too long to be split/);
    });
  });
});
