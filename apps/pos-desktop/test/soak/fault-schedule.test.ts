import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultSpread, planFaults } from './fault-schedule';

const KINDS = ['delay', 'drop', 'reset', 'half-open', 'kill-till', 'kill-hub', 'restart-db'] as const;

/** mulberry32, as the soak seeds its plan. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('planFaults', () => {
  it('spreads a bounded number of faults, in order, evenly over the whole span', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 20, max: 400 }),
        (seed, count) => {
          const toMs = 30 * 60_000;
          const plan = planFaults({ fromMs: 0, toMs, count, kinds: KINDS, random: seeded(seed) });
          expect(plan).toHaveLength(count);
          for (let index = 1; index < plan.length; index += 1) {
            expect(plan[index]!.atMs).toBeGreaterThan(plan[index - 1]!.atMs);
          }
          expect(plan[0]!.atMs).toBeGreaterThanOrEqual(0);
          expect(plan.at(-1)!.atMs).toBeLessThanOrEqual(toMs);
          // One fault a slot: each tenth of the run holds its share, give or take one slot and the jitter
          // at each of its two edges (a tenth of 2.6 slots may hold 1 fault or 4, never 0 or 5).
          const { perTenth } = faultSpread(
            plan.map((fault) => ({ atS: fault.atMs / 1000, kind: fault.kind })),
            toMs / 1000,
          );
          const slack = 1 + 2 * 0.35;
          for (const tenth of perTenth) expect(Math.abs(tenth - count / 10)).toBeLessThanOrEqual(slack);
        },
      ),
    );
  });

  it('spreads every kind over the whole span, not only the faults in total', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const toMs = 30 * 60_000;
        const count = 180;
        const slotMs = toMs / count;
        const plan = planFaults({ fromMs: 0, toMs, count, kinds: KINDS, random: seeded(seed) });
        for (const kind of KINDS) {
          const times = plan.filter((fault) => fault.kind === kind).map((fault) => fault.atMs);
          // Every round of 7 slots holds each kind once.
          expect(times.length).toBeGreaterThanOrEqual(Math.floor(count / KINDS.length));
          expect(times[0]!).toBeLessThan(KINDS.length * slotMs);
          expect(times.at(-1)!).toBeGreaterThan(toMs - 2 * KINDS.length * slotMs);
        }
      }),
    );
  });

  it('keeps a kind out of its quiet span and gives its slots to other kinds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const quiet = { kind: 'kill-hub' as const, fromMs: 9 * 60_000, toMs: 21 * 60_000 };
        const plan = planFaults({
          fromMs: 0,
          toMs: 30 * 60_000,
          count: 180,
          kinds: KINDS,
          random: seeded(seed),
          quiet,
        });
        expect(plan).toHaveLength(180);
        const hubKills = plan.filter((fault) => fault.kind === 'kill-hub').map((fault) => fault.atMs);
        expect(hubKills.filter((atMs) => atMs >= quiet.fromMs && atMs <= quiet.toMs)).toEqual([]);
        expect(hubKills.some((atMs) => atMs < quiet.fromMs)).toBe(true);
        expect(hubKills.some((atMs) => atMs > quiet.toMs)).toBe(true);
      }),
    );
  });

  it('replays from its seed', () => {
    const plan = (seed: number) =>
      planFaults({ fromMs: 5_000, toMs: 120_000, count: 12, kinds: KINDS, random: seeded(seed) });
    expect(plan(42)).toEqual(plan(42));
    expect(plan(42)).not.toEqual(plan(43));
  });

  it('plans nothing for an empty span or no budget', () => {
    expect(planFaults({ fromMs: 10, toMs: 10, count: 5, kinds: KINDS, random: seeded(1) })).toEqual([]);
    expect(planFaults({ fromMs: 0, toMs: 10, count: 0, kinds: KINDS, random: seeded(1) })).toEqual([]);
  });
});

describe('faultSpread', () => {
  it('reports each kind’s count and first and last time, and the faults per tenth of the run', () => {
    const spread = faultSpread(
      [
        { atS: 5, kind: 'drop' },
        { atS: 50, kind: 'kill-hub' },
        { atS: 95, kind: 'drop' },
        { atS: 100, kind: 'drop' },
      ],
      100,
    );
    expect(spread.byKind).toEqual({
      drop: { count: 3, firstS: 5, lastS: 100 },
      'kill-hub': { count: 1, firstS: 50, lastS: 50 },
    });
    expect(spread.perTenth).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 2]);
  });
});
