import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  allocateReceiptNumber,
  formatReceiptNumber,
  takeReceiptSeq,
  takeReceiptSeqStepByStep,
} from './receipt-number';
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

  describe('takeReceiptSeq', () => {
    it('takes the counter, the hold and the offset in one statement exactly as one statement each does', () => {
      node = createTestNode();
      const engine = node.engine;
      const state = fc.record({
        lastReceiptSeq: fc.nat({ max: 1_000_000 }),
        hold: fc.option(fc.nat({ max: 1_000 }), { nil: null }),
        // Devices this till became, oldest first: from_seq grows, each with its own receipt offset.
        successions: fc.array(
          fc.record({ gap: fc.integer({ min: 1, max: 50 }), offset: fc.nat({ max: 5_000 }) }),
          {
            maxLength: 3,
          },
        ),
      });
      fc.assert(
        fc.property(state, ({ lastReceiptSeq, hold, successions }) => {
          const outcomes: unknown[] = [];
          try {
            engine.transact('receipt-seq-test', (ctx) => {
              const db = ctx.db;
              db.prepare('UPDATE device_state SET last_receipt_seq = ?, restore_hold_seq = ?').run(
                lastReceiptSeq,
                hold,
              );
              db.prepare('DELETE FROM device_succession').run();
              let fromSeq = 0;
              successions.forEach((succession, index) => {
                fromSeq += succession.gap;
                db.prepare(
                  `INSERT INTO device_succession (from_seq, device_id, device_no, previous_device_id, previous_device_no,
                     hub_last_seq, kept_up_to, receipt_offset, exception_id, created_at)
                   VALUES (?, ?, ?, ?, ?, 0, 0, ?, 'x', '2026-12-07T00:00:00.000Z')`,
                ).run(
                  fromSeq,
                  `device-${index + 10}`,
                  index + 10,
                  `device-${index + 9}`,
                  index + 9,
                  succession.offset,
                );
              });
              for (const take of [takeReceiptSeq, takeReceiptSeqStepByStep]) {
                db.exec('SAVEPOINT take');
                const taken = take(ctx);
                outcomes.push({ taken, state: db.prepare('SELECT * FROM device_state').get() });
                db.exec('ROLLBACK TO take');
                db.exec('RELEASE take');
              }
              throw new Error('leave the node as it was');
            });
          } catch (error) {
            expect((error as Error).message).toBe('leave the node as it was');
          }
          expect(outcomes[0]).toEqual(outcomes[1]);
          expect(outcomes[0]).toMatchObject({
            taken:
              hold === null ? { seq: lastReceiptSeq + 1, offset: successions.at(-1)?.offset ?? 0 } : 'held',
          });
        }),
        { numRuns: 200 },
      );
    });
  });
});
