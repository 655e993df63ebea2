import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../money';
import { refundForLines, type PriorReturnLine, type ReturnableLine } from './refund-lines';
import {
  planRefundTenders,
  type OriginalTender,
  type PlannedRefund,
  type PriorTenderRefund,
} from './refund-tenders';
import { errorOf } from '../test-support';

const usd = (amount: number) => money(amount, 'USD');
const cash = (tenderId: string, amount: number): OriginalTender => ({
  tenderId,
  type: 'cash',
  amount: usd(amount),
});
const card = (tenderId: string, amount: number): OriginalTender => ({
  tenderId,
  type: 'card',
  amount: usd(amount),
  reference: `TERM-${tenderId}`,
});

const brief = (refunds: readonly PlannedRefund[]) =>
  refunds.map((refund) => [refund.sourceTenderId, refund.type, refund.amount.amount, refund.points]);

/** What a caller records after paying a plan out, so the next return sees it. */
const asPrior = (refunds: readonly PlannedRefund[]): PriorTenderRefund[] =>
  refunds.map((refund) => ({
    tenderId: refund.sourceTenderId,
    amount: refund.amount,
    type: refund.type,
    ...(refund.points === undefined ? {} : { points: refund.points }),
  }));

describe('refund-tenders', () => {
  describe('planRefundTenders', () => {
    it('refunds each original tender its share, back to the card when the hub is online', () => {
      const plan = planRefundTenders(usd(4_000), [cash('T1', 2_000), card('T2', 6_000)], [], {
        hubOnline: true,
      });
      expect(brief(plan.refunds)).toEqual([
        ['T1', 'cash', 1_000, undefined],
        ['T2', 'card', 3_000, undefined],
      ]);
      expect(plan.refunds[1]?.reference).toBe('TERM-T2');
      expect(plan.total).toEqual(usd(4_000));
      expect(plan.cardShareRedirected).toEqual(usd(0));
    });

    it('offline, sends a card share to cash up to the cash paid, then to store credit', () => {
      const tenders = [cash('T1', 2_000), card('T2', 6_000)];
      const plan = planRefundTenders(usd(4_000), tenders, [], { hubOnline: false });
      // Cash share 1,000 uses 1,000 of the 2,000 cash room; the card's 3,000 takes the other 1,000 in cash.
      expect(brief(plan.refunds)).toEqual([
        ['T1', 'cash', 1_000, undefined],
        ['T2', 'cash', 1_000, undefined],
        ['T2', 'store_credit', 2_000, undefined],
      ]);
      expect(plan.cardShareRedirected).toEqual(usd(3_000));
      expect(plan.refunds.every((refund) => refund.reason.length > 0)).toBe(true);
    });

    it('turns a cash share into store credit when earlier offline refunds already paid the cash out', () => {
      const tenders = [cash('T1', 5_000), card('T2', 5_000)];
      const first = planRefundTenders(usd(5_000), tenders, [], { hubOnline: false });
      expect(brief(first.refunds)).toEqual([
        ['T1', 'cash', 2_500, undefined],
        ['T2', 'cash', 2_500, undefined],
      ]);
      const second = planRefundTenders(usd(5_000), tenders, asPrior(first.refunds), { hubOnline: true });
      expect(brief(second.refunds)).toEqual([
        ['T1', 'store_credit', 2_500, undefined],
        ['T2', 'card', 2_500, undefined],
      ]);
    });

    it('refunds a gift card onto that card and store credit onto its account, online or not', () => {
      const plan = planRefundTenders(
        usd(1_000),
        [
          { tenderId: 'G', type: 'gift_card', amount: usd(500), reference: 'sv-gift' },
          { tenderId: 'S', type: 'store_credit', amount: usd(500), reference: 'SC-1' },
        ],
        [],
        { hubOnline: false },
      );
      expect(brief(plan.refunds)).toEqual([
        ['G', 'gift_card', 500, undefined],
        ['S', 'store_credit', 500, undefined],
      ]);
      expect(plan.refunds[0]?.reference).toBe('sv-gift');
      expect(plan.refunds[1]?.reference).toBe('SC-1');
    });

    it('gives loyalty points back in proportion, all of them once the tender is fully refunded', () => {
      const tenders: OriginalTender[] = [
        { tenderId: 'P', type: 'loyalty_points', amount: usd(300), points: 1_000, reference: 'LOY-1' },
        card('C', 700),
      ];
      const first = planRefundTenders(usd(500), tenders, [], { hubOnline: true });
      expect(brief(first.refunds)).toEqual([
        ['P', 'loyalty_points', 150, 500],
        ['C', 'card', 350, undefined],
      ]);
      expect(first.refunds[0]?.reference).toBe('LOY-1');
      const second = planRefundTenders(usd(100), tenders, asPrior(first.refunds), { hubOnline: true });
      expect(brief(second.refunds)).toEqual([
        ['P', 'loyalty_points', 30, 100],
        ['C', 'card', 70, undefined],
      ]);
      const last = planRefundTenders(
        usd(400),
        tenders,
        [...asPrior(first.refunds), ...asPrior(second.refunds)],
        {
          hubOnline: true,
        },
      );
      expect(last.refunds[0]?.points).toBe(400);
    });

    it('derives earlier points refunds from amounts when they were not recorded', () => {
      const tenders: OriginalTender[] = [
        { tenderId: 'P', type: 'loyalty_points', amount: usd(300), points: 1_000 },
      ];
      const plan = planRefundTenders(usd(150), tenders, [{ tenderId: 'P', amount: usd(150) }], {
        hubOnline: true,
      });
      expect(plan.refunds[0]?.points).toBe(500);
    });

    it('reads untyped earlier refunds as paid out the natural way for their tender', () => {
      const tenders: OriginalTender[] = [
        cash('T1', 1_000),
        card('T2', 1_000),
        { tenderId: 'G', type: 'gift_card', amount: usd(1_000) },
        { tenderId: 'P', type: 'loyalty_points', amount: usd(1_000), points: 100 },
      ];
      const prior: PriorTenderRefund[] = [
        { tenderId: 'T1', amount: usd(500) },
        { tenderId: 'T2', amount: usd(500) },
        { tenderId: 'G', amount: usd(500) },
        { tenderId: 'P', amount: usd(500), points: 50 },
      ];
      // Only T1's untyped 5.00 counts as cash paid out: T1's share still fits the last 5.00 of cash room.
      const plan = planRefundTenders(usd(2_000), tenders, prior, { hubOnline: false });
      expect(brief(plan.refunds)).toEqual([
        ['T1', 'cash', 500, undefined],
        ['T2', 'store_credit', 500, undefined],
        ['G', 'gift_card', 500, undefined],
        ['P', 'loyalty_points', 500, 50],
      ]);
    });

    it('refuses a refund larger than what is left on the receipt', () => {
      const error = errorOf(() =>
        planRefundTenders(usd(3_000), [cash('T1', 5_000)], [{ tenderId: 'T1', amount: usd(2_500) }], {
          hubOnline: true,
        }),
      );
      expect(error.code).toBe('LIMIT_EXCEEDED');
      expect(error.message).toBe(
        'The refund of 30.00 is more than the 25.00 still refundable on this receipt.',
      );
    });

    it('plans nothing for a zero refund', () => {
      expect(planRefundTenders(usd(0), [cash('T1', 100)], [], { hubOnline: false }).refunds).toEqual([]);
      expect(planRefundTenders(usd(0), [], [], { hubOnline: false }).refunds).toEqual([]);
    });

    it('refuses bad input and inconsistent history', () => {
      expect(errorOf(() => planRefundTenders(usd(-1), [cash('T1', 100)], [], { hubOnline: true })).code).toBe(
        'INVALID_INPUT',
      );
      expect(
        errorOf(() => planRefundTenders(usd(1), [cash('T1', 100), cash('T1', 100)], [], { hubOnline: true }))
          .message,
      ).toMatch(/appears twice/);
      expect(
        errorOf(() => planRefundTenders(usd(1), [cash('T1', -100)], [], { hubOnline: true })).message,
      ).toMatch(/negative amount/);
      expect(
        errorOf(() =>
          planRefundTenders(usd(1), [{ tenderId: 'P', type: 'loyalty_points', amount: usd(100) }], [], {
            hubOnline: true,
          }),
        ).message,
      ).toBe('Loyalty tender P does not say how many points were redeemed.');
      expect(
        errorOf(() =>
          planRefundTenders(usd(1), [cash('T1', 100)], [{ tenderId: 'X', amount: usd(1) }], {
            hubOnline: true,
          }),
        ).code,
      ).toBe('CONFLICT');
      expect(
        errorOf(() =>
          planRefundTenders(usd(1), [cash('T1', 100)], [{ tenderId: 'T1', amount: usd(-1) }], {
            hubOnline: true,
          }),
        ).message,
      ).toMatch(/negative amount/);
      expect(
        errorOf(() =>
          planRefundTenders(usd(1), [{ ...cash('T1', 100), amount: money(100, 'EUR') }], [], {
            hubOnline: true,
          }),
        ).code,
      ).toBe('CURRENCY_MISMATCH');
    });

    const tenderArb = fc.record({
      type: fc.constantFrom(
        'cash' as const,
        'card' as const,
        'store_credit' as const,
        'gift_card' as const,
        'loyalty_points' as const,
      ),
      amount: fc.integer({ min: 0, max: 100_000 }),
      points: fc.integer({ min: 1, max: 50_000 }),
    });

    it('never exceeds any tender or the cash paid in over random partial refunds, and ends exactly at what each paid', () => {
      fc.assert(
        fc.property(
          fc.array(tenderArb, { minLength: 1, maxLength: 5 }),
          fc.array(fc.tuple(fc.integer({ min: 1, max: 1_000 }), fc.boolean()), { maxLength: 8 }),
          fc.boolean(),
          (specs, steps, finalOnline) => {
            const tenders: OriginalTender[] = specs.map((spec, index) => ({
              tenderId: `T${index}`,
              type: spec.type,
              amount: usd(spec.amount),
              ...(spec.type === 'loyalty_points' ? { points: spec.points } : {}),
            }));
            const paidTotal = specs.reduce((total, spec) => total + spec.amount, 0);
            const history: PriorTenderRefund[] = [];
            const refundedTotal = () => history.reduce((total, prior) => total + prior.amount.amount, 0);
            const runPlan = (amount: number, hubOnline: boolean) => {
              const plan = planRefundTenders(usd(amount), tenders, history, { hubOnline });
              expect(plan.refunds.reduce((total, refund) => total + refund.amount.amount, 0)).toBe(amount);
              for (const refund of plan.refunds) {
                expect(refund.amount.amount).toBeGreaterThan(0);
                if (!hubOnline) expect(refund.type).not.toBe('card');
              }
              history.push(...asPrior(plan.refunds));
            };
            for (const [perMille, hubOnline] of steps) {
              const left = paidTotal - refundedTotal();
              runPlan(Math.floor((left * perMille) / 1_000), hubOnline);
            }
            runPlan(paidTotal - refundedTotal(), finalOnline);

            const cashIn = specs
              .filter((spec) => spec.type === 'cash')
              .reduce((total, spec) => total + spec.amount, 0);
            const cashOut = history
              .filter((prior) => prior.type === 'cash')
              .reduce((total, prior) => total + prior.amount.amount, 0);
            expect(cashOut).toBeLessThanOrEqual(cashIn);
            tenders.forEach((tender) => {
              const charged = history.filter((prior) => prior.tenderId === tender.tenderId);
              expect(charged.reduce((total, prior) => total + prior.amount.amount, 0)).toBe(
                tender.amount.amount,
              );
              if (tender.type === 'loyalty_points' && tender.amount.amount > 0) {
                expect(charged.reduce((total, prior) => total + (prior.points ?? 0), 0)).toBe(tender.points);
              }
            });
          },
        ),
      );
    });

    it('keeps line refunds and tender refunds within what was paid over random returns of a whole sale', () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({ qty: fc.integer({ min: 1, max: 20 }), paid: fc.integer({ min: 0, max: 50_000 }) }),
            {
              minLength: 1,
              maxLength: 4,
            },
          ),
          fc.integer({ min: 0, max: 1_000 }),
          fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 10 }),
          (lineSpecs, cashPerMille, picks) => {
            const lines: ReturnableLine[] = lineSpecs.map((spec, index) => ({
              lineId: `L${index}`,
              sku: `SKU${index}`,
              qty: spec.qty,
              paid: usd(spec.paid),
            }));
            const total = lineSpecs.reduce((sum, spec) => sum + spec.paid, 0);
            const cashPart = Math.floor((total * cashPerMille) / 1_000);
            const tenders = [cash('CASH', cashPart), card('CARD', total - cashPart)];
            const returnedLines: PriorReturnLine[] = [];
            const refundedTenders: PriorTenderRefund[] = [];
            const left = lines.map((line) => line.qty);
            const returnUnits = (index: number, qty: number, hubOnline: boolean) => {
              const line = lines[index];
              if (!line) return;
              const lineRefund = refundForLines(lines, returnedLines, [{ lineId: line.lineId, qty }]);
              returnedLines.push({ originalLineId: line.lineId, qty, refund: lineRefund.total });
              left[index] = (left[index] ?? 0) - qty;
              const plan = planRefundTenders(lineRefund.total, tenders, refundedTenders, { hubOnline });
              refundedTenders.push(...asPrior(plan.refunds));
            };
            for (const [pick, hubOnline] of picks) {
              const index = pick % lines.length;
              if ((left[index] ?? 0) > 0) returnUnits(index, 1, hubOnline);
            }
            left.forEach((qty, index) => {
              if (qty > 0) returnUnits(index, qty, true);
            });
            for (const tender of tenders) {
              const refunded = refundedTenders
                .filter((prior) => prior.tenderId === tender.tenderId)
                .reduce((sum, prior) => sum + prior.amount.amount, 0);
              expect(refunded).toBe(tender.amount.amount);
            }
            const cashOut = refundedTenders
              .filter((prior) => prior.type === 'cash')
              .reduce((sum, prior) => sum + prior.amount.amount, 0);
            expect(cashOut).toBeLessThanOrEqual(cashPart);
          },
        ),
      );
    });
  });
});
