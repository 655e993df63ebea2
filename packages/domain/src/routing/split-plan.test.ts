import { describe, expect, it } from 'vitest';
import { planSplit, type SplitNode } from './split-plan';

function node(nodeId: string, atp: Record<string, number>): SplitNode {
  return { nodeId, atpBySku: new Map(Object.entries(atp)) };
}

describe('routing/split-plan', () => {
  describe('planSplit', () => {
    it('shares one line between two nodes, best ranked first', () => {
      const plan = planSplit(
        [{ lineId: 'l1', sku: 'A', qty: 5 }],
        [node('s1', { A: 3 }), node('s2', { A: 4 })],
      );
      expect(plan).toEqual({
        kind: 'planned',
        minimal: true,
        parts: [
          { nodeId: 's1', lines: [{ lineId: 'l1', sku: 'A', qty: 3 }] },
          { nodeId: 's2', lines: [{ lineId: 'l1', sku: 'A', qty: 2 }] },
        ],
      });
    });

    it('takes two nodes where greedy "largest share first" would take three', () => {
      // Greedy starts with big (5 of 8 units) and still needs both small ones; left + right carry it alone.
      const lines = [
        { lineId: 'l1', sku: 'A', qty: 4 },
        { lineId: 'l2', sku: 'B', qty: 4 },
      ];
      const plan = planSplit(lines, [
        node('big', { A: 3, B: 2 }),
        node('left', { A: 4 }),
        node('right', { B: 4 }),
      ]);
      expect(plan).toMatchObject({ kind: 'planned', minimal: true });
      if (plan.kind === 'planned') expect(plan.parts.map((part) => part.nodeId)).toEqual(['left', 'right']);
    });

    it('falls back to greedy and says so when the search budget runs out', () => {
      const lines = [
        { lineId: 'l1', sku: 'A', qty: 4 },
        { lineId: 'l2', sku: 'B', qty: 4 },
      ];
      const plan = planSplit(
        lines,
        [node('big', { A: 3, B: 2 }), node('left', { A: 4 }), node('right', { B: 4 })],
        2,
      );
      expect(plan).toMatchObject({ kind: 'planned', minimal: false });
      if (plan.kind === 'planned') expect(plan.parts).toHaveLength(3);
    });

    it('names the SKUs the whole network cannot cover and ignores nodes without ATP', () => {
      expect(
        planSplit(
          [
            { lineId: 'l1', sku: 'A', qty: 5 },
            { lineId: 'l2', sku: 'B', qty: 1 },
          ],
          [node('s1', { A: 2, B: 0 }), node('s2', { A: 2 })],
        ),
      ).toEqual({ kind: 'short', shortSkus: ['A', 'B'] });
    });
  });
});
