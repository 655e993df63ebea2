import { randomUUID } from 'node:crypto';
import type { EventPayloads } from '@retail/sync';
import { describe, expect, it } from 'vitest';
import { ISO, movement, saleOf } from '../test-support/fixtures';
import { refundsProblem, returnClaimProblem } from './return-claims';

/** A sale of 3 × A paid 1000 and 1 × B paid 250. */
function sale() {
  const base = saleOf([
    { sku: 'A', qty: 3 },
    { sku: 'B', qty: 1 },
  ]);
  return {
    ...base,
    lines: [
      { ...base.lines[0]!, paid: 1_000 },
      { ...base.lines[1]!, paid: 250 },
    ],
  };
}

function returnOf(
  original: ReturnType<typeof sale>,
  lines: { line: number; qty: number; refund: number }[],
  refunded = lines.reduce((total, line) => total + line.refund, 0),
): EventPayloads['return.completed'] {
  return {
    returnId: randomUUID(),
    receiptNumber: 'RT-1',
    originalSaleId: original.saleId,
    shiftId: 'shift-1',
    staffId: 'staff-1',
    currency: 'USD',
    lines: lines.map(({ line, qty, refund }) => ({
      returnLineId: randomUUID(),
      originalLineId: original.lines[line]!.lineId,
      sku: original.lines[line]!.sku,
      qty,
      refund,
      disposition: 'sellable' as const,
    })),
    refunds: [{ tenderId: randomUUID(), type: 'cash', amount: refunded }],
    movements: [movement('A', 1, 'RETURN_RESTOCK')],
    completedAt: ISO,
  };
}

const known = (
  original: ReturnType<typeof sale>,
  returned: { line: number; qty: number; refund: number }[] = [],
) =>
  ({
    status: 'completed',
    nodeId: 's2',
    sale: original,
    returned: returned.map(({ line, qty, refund }) => ({
      originalLineId: original.lines[line]!.lineId,
      sku: original.lines[line]!.sku,
      qty,
      refund,
    })),
  }) as const;

describe('ingest/return-claims', () => {
  describe('returnClaimProblem', () => {
    it('accepts each unit’s share, rounded either way, until the line is back in full', () => {
      const original = sale();
      expect(
        returnClaimProblem(returnOf(original, [{ line: 0, qty: 1, refund: 334 }]), known(original)),
      ).toBe(undefined);
      const afterOne = known(original, [{ line: 0, qty: 1, refund: 333 }]);
      expect(returnClaimProblem(returnOf(original, [{ line: 0, qty: 2, refund: 667 }]), afterOne)).toBe(
        undefined,
      );
    });

    it('refuses more than is still returnable, counting returns at every store', () => {
      const original = sale();
      const returned = known(original, [{ line: 0, qty: 2, refund: 666 }]);
      expect(returnClaimProblem(returnOf(original, [{ line: 0, qty: 2, refund: 668 }]), returned)).toMatch(
        /at most 1 of SKU A: 3 sold, 2 already returned/,
      );
    });

    it('refuses a refund beyond what the customer paid for the units, with both figures', () => {
      const original = sale();
      expect(
        returnClaimProblem(returnOf(original, [{ line: 1, qty: 1, refund: 251 }]), known(original)),
      ).toMatch(
        /refunds 251 for 1 of B; sale .* paid 250 for 1 and 0 of it was already refunded, so at most 250/,
      );
    });

    it('refuses lines the sale does not have, another SKU, a voided sale and another currency', () => {
      const original = sale();
      const ret = returnOf(original, [{ line: 0, qty: 1, refund: 300 }]);
      expect(
        returnClaimProblem(
          { ...ret, lines: [{ ...ret.lines[0]!, originalLineId: 'ghost' }] },
          known(original),
        ),
      ).toMatch(/has no line ghost/);
      expect(
        returnClaimProblem({ ...ret, lines: [{ ...ret.lines[0]!, sku: 'B' }] }, known(original)),
      ).toMatch(/returns B, but line .* sold A/);
      expect(returnClaimProblem(ret, { ...known(original), status: 'voided' })).toMatch(/was voided/);
      expect(returnClaimProblem({ ...ret, currency: 'EUR' }, known(original))).toMatch(/in EUR but sale/);
    });
  });

  describe('refundsProblem', () => {
    it('refuses refund tenders worth more than the returned lines', () => {
      const original = sale();
      expect(refundsProblem(returnOf(original, [{ line: 0, qty: 1, refund: 300 }], 301))).toMatch(
        /add up to 301 but the returned lines to only 300/,
      );
      expect(refundsProblem(returnOf(original, [{ line: 0, qty: 1, refund: 300 }], 300))).toBe(undefined);
    });
  });
});
