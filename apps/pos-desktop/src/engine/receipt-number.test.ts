import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { allocateReceiptNumber, formatReceiptNumber } from './receipt-number';
import { createTestNode, type TestNode } from './testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('receipt-number', () => {
  describe('formatReceiptNumber', () => {
    it('writes store code, device number and a zero-padded sequence that grows past its padding', () => {
      expect(formatReceiptNumber('S001', 3, 42)).toBe('S001-3-000042');
      expect(formatReceiptNumber('S001', 12, 1_234_567)).toBe('S001-12-1234567');
    });
  });

  describe('allocateReceiptNumber', () => {
    it('hands out 1, 2, 3... and gives a rolled-back number out again, so committed receipts have no gaps', () => {
      node = createTestNode();
      const engine = node.engine;
      fc.assert(
        fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), (commits) => {
          const start = (
            engine.db.prepare('SELECT last_receipt_seq AS seq FROM device_state').get() as { seq: number }
          ).seq;
          const committed: string[] = [];
          for (const commit of commits) {
            try {
              engine.transact('receipt-test', (ctx) => {
                const allocated = allocateReceiptNumber(ctx);
                if (!commit) throw new Error('sale abandoned');
                committed.push(allocated.receiptNumber);
              });
            } catch (error) {
              expect((error as Error).message).toBe('sale abandoned');
            }
          }
          expect(committed).toEqual(
            committed.map((_, index) => formatReceiptNumber('S001', 3, start + index + 1)),
          );
        }),
        { numRuns: 20 },
      );
    });
  });
});
