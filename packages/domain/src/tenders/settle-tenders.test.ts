import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { cashRound, money } from '../money';
import { settleTenders } from './settle-tenders';
import { tenderValue } from './tender';
import type { LoyaltyPointValue, TenderInput } from './tender';
import { errorOf } from '../test-support';

const chf = (amount: number) => money(amount, 'CHF');
const cash = (amount: number): TenderInput => ({ type: 'cash', amount: chf(amount) });
const card = (amount: number): TenderInput => ({ type: 'card', amount: chf(amount), reference: 'TERM-0042' });
const pointValue: LoyaltyPointValue = { points: 100, value: chf(100) };
const tenderValueOf = (tender: TenderInput) => tenderValue(tender).amount;

describe('settle-tenders', () => {
  describe('settleTenders', () => {
    it('completes a card-only sale exactly, without cash rounding', () => {
      const result = settleTenders(chf(998), [card(998)], { cashRoundingIncrement: 5 });
      expect(result.complete).toBe(true);
      expect(result.cashRounding).toEqual(chf(0));
      expect(result.tenders).toEqual([
        { type: 'card', amount: chf(998), tendered: chf(998), change: chf(0), reference: 'TERM-0042' },
      ]);
    });

    it('gives change from cash', () => {
      const result = settleTenders(chf(1_345), [cash(2_000)]);
      expect(result.tenders[0]).toEqual({
        type: 'cash',
        amount: chf(1_345),
        tendered: chf(2_000),
        change: chf(655),
      });
      expect(result.paid).toEqual(chf(2_000));
      expect(result.change).toEqual(chf(655));
      expect(result.remaining).toEqual(chf(0));
      expect(result.complete).toBe(true);
    });

    it('refuses a card for more than is still due, in words the cashier can act on', () => {
      const error = errorOf(() => settleTenders(chf(1_000), [card(1_200)]));
      expect(error.code).toBe('LIMIT_EXCEEDED');
      expect(error.message).toBe('Card amount 12.00 is more than the 10.00 still due.');
    });

    it('rounds the cash that covers the rest of a card + cash sale', () => {
      const result = settleTenders(chf(998), [card(500), cash(500)], { cashRoundingIncrement: 5 });
      expect(result.tenders[1]).toEqual({
        type: 'cash',
        amount: chf(500),
        tendered: chf(500),
        change: chf(0),
      });
      expect(result.cashRounding).toEqual(chf(2));
      expect(result.complete).toBe(true);
    });

    it('does not round a partial cash payment followed by a card', () => {
      const partial = settleTenders(chf(998), [cash(500)], { cashRoundingIncrement: 5 });
      expect(partial.remaining).toEqual(chf(498));
      expect(partial.cashDue).toEqual(chf(500));
      expect(partial.complete).toBe(false);
      const result = settleTenders(chf(998), [cash(500), card(498)], { cashRoundingIncrement: 5 });
      expect(result.cashRounding).toEqual(chf(0));
      expect(result.complete).toBe(true);
    });

    it('rounds down in the customer’s favour when the rest rounds down', () => {
      const result = settleTenders(chf(1_002), [cash(1_000)], { cashRoundingIncrement: 5 });
      expect(result.cashRounding).toEqual(chf(-2));
      expect(result.change).toEqual(chf(0));
      expect(result.paid).toEqual(chf(1_000));
    });

    it('honours the cash rounding mode', () => {
      const result = settleTenders(chf(1_003), [cash(1_005)], {
        cashRoundingIncrement: 5,
        cashRoundingMode: 'DOWN',
      });
      expect(result.cashRounding).toEqual(chf(-3));
      expect(result.change).toEqual(chf(5));
    });

    it('closes a sale whose rest rounds to zero with cash handed straight back', () => {
      const result = settleTenders(chf(1_002), [card(1_000), cash(5)], { cashRoundingIncrement: 5 });
      expect(result.tenders[1]).toEqual({ type: 'cash', amount: chf(0), tendered: chf(5), change: chf(5) });
      expect(result.cashRounding).toEqual(chf(-2));
      expect(result.complete).toBe(true);
    });

    it('refuses cash that covers the exact rest but not the rounded cash due', () => {
      const error = errorOf(() => settleTenders(chf(998), [cash(999)], { cashRoundingIncrement: 5 }));
      expect(error.code).toBe('INSUFFICIENT_TENDER');
      expect(error.message).toBe('Cash due is 10.00 after cash rounding; 9.99 is not enough.');
    });

    it('accepts several cash tenders and gives change only on the one that covers', () => {
      const result = settleTenders(chf(2_500), [cash(1_000), cash(2_000)]);
      expect(result.tenders.map((tender) => [tender.amount.amount, tender.change.amount])).toEqual([
        [1_000, 0],
        [1_500, 500],
      ]);
    });

    it('refuses a tender after the sale is paid in full', () => {
      const error = errorOf(() => settleTenders(chf(1_000), [card(1_000), cash(500)]));
      expect(error.code).toBe('LIMIT_EXCEEDED');
      expect(error.message).toBe('The sale is already paid in full; remove the extra cash tender.');
    });

    it('completes a zero sale with no tender', () => {
      const result = settleTenders(chf(0), []);
      expect(result.complete).toBe(true);
      expect(result.paid).toEqual(chf(0));
    });

    it('reports what is still due when tenders fall short', () => {
      const result = settleTenders(chf(1_000), [card(300)]);
      expect(result.complete).toBe(false);
      expect(result.remaining).toEqual(chf(700));
      expect(result.cashDue).toEqual(chf(700));
    });

    it('refuses a negative amount due and a bad rounding increment', () => {
      expect(errorOf(() => settleTenders(chf(-1), [])).code).toBe('INVALID_INPUT');
      expect(errorOf(() => settleTenders(chf(100), [], { cashRoundingIncrement: 0 })).message).toMatch(
        /at least 1/,
      );
      expect(errorOf(() => settleTenders(chf(100), [], { cashRoundingIncrement: 2.5 })).code).toBe(
        'INVALID_INPUT',
      );
    });

    it('refuses a tender in another currency', () => {
      const error = errorOf(() => settleTenders(chf(100), [{ type: 'cash', amount: money(100, 'EUR') }]));
      expect(error.code).toBe('CURRENCY_MISMATCH');
      expect(error.message).toBe('Cash is in EUR but the sale is in CHF.');
    });

    it('checks gift card and store credit balances when they are known', () => {
      const error = errorOf(() =>
        settleTenders(chf(1_000), [
          { type: 'gift_card', amount: chf(800), reference: '****1234', available: chf(500) },
        ]),
      );
      expect(error.code).toBe('INSUFFICIENT_BALANCE');
      expect(error.message).toBe('Gift card ****1234 has 5.00 left; it cannot pay 8.00.');
      const result = settleTenders(chf(1_000), [
        { type: 'store_credit', amount: chf(400), reference: 'SC-9', available: chf(400) },
        { type: 'gift_card', amount: chf(600), reference: '****1234' },
      ]);
      expect(result.complete).toBe(true);
      expect(result.tenders.map((tender) => tender.reference)).toEqual(['SC-9', '****1234']);
    });

    it('pays with loyalty points at the given conversion', () => {
      const result = settleTenders(chf(1_000), [
        { type: 'loyalty_points', points: 250, pointValue, reference: 'LOY-7', availablePoints: 300 },
        cash(1_000),
      ]);
      expect(result.tenders[0]).toEqual({
        type: 'loyalty_points',
        amount: chf(250),
        tendered: chf(250),
        change: chf(0),
        points: 250,
        reference: 'LOY-7',
      });
      expect(result.change).toEqual(chf(250));
      const withoutAccount = settleTenders(chf(1_000), [{ type: 'loyalty_points', points: 100, pointValue }]);
      expect(withoutAccount.tenders[0]).not.toHaveProperty('reference');
    });

    it('refuses more points than are due or available', () => {
      const tooMany = errorOf(() =>
        settleTenders(chf(1_000), [{ type: 'loyalty_points', points: 1_500, pointValue }]),
      );
      expect(tooMany.code).toBe('LIMIT_EXCEEDED');
      expect(tooMany.message).toBe(
        'Points amount 15.00 is more than the 10.00 still due. Redeem at most 1000 points.',
      );
      const overBalance = errorOf(() =>
        settleTenders(chf(1_000), [
          { type: 'loyalty_points', points: 500, pointValue, availablePoints: 300 },
        ]),
      );
      expect(overBalance.code).toBe('INSUFFICIENT_BALANCE');
      expect(overBalance.message).toBe('The customer can redeem 300 points; 500 is too many.');
    });

    it('refuses change above the store limit', () => {
      const error = errorOf(() => settleTenders(chf(50), [cash(20_000)], { maxCashChange: chf(10_000) }));
      expect(error.code).toBe('LIMIT_EXCEEDED');
      expect(error.message).toBe(
        'Change of 199.50 is more than the 100.00 the till may give; ask for a smaller note.',
      );
      expect(settleTenders(chf(50), [cash(10_050)], { maxCashChange: chf(10_000) }).complete).toBe(true);
    });

    describe("overTender: 'report'", () => {
      const report = { overTender: 'report' } as const;

      it('reports a card taken before a price drop as over-tendered instead of refusing it', () => {
        const result = settleTenders(chf(130), [card(131)], report);
        expect(result.tenders[0]).toEqual({
          type: 'card',
          amount: chf(130),
          tendered: chf(131),
          change: chf(0),
          overTendered: chf(1),
          reference: 'TERM-0042',
        });
        expect(result.overTendered).toEqual(chf(1));
        expect(result.remaining).toEqual(chf(0));
        expect(result.complete).toBe(false);
      });

      it('still refuses the tender being added now, with the sentence it always had', () => {
        const added = errorOf(() => settleTenders(chf(1_000), [card(1_200)], { ...report, newTenders: 1 }));
        expect(added.code).toBe('LIMIT_EXCEEDED');
        expect(added.message).toBe('Card amount 12.00 is more than the 10.00 still due.');
        const afterOver = errorOf(() =>
          settleTenders(chf(130), [card(131), card(1)], { ...report, newTenders: 1 }),
        );
        expect(afterOver.message).toBe('The sale is already paid in full; remove the extra card tender.');
        expect(errorOf(() => settleTenders(chf(1), [card(1)], { ...report, newTenders: 2 })).code).toBe(
          'INVALID_INPUT',
        );
      });

      it('lets cash handed over before a card give the excess back as change', () => {
        const result = settleTenders(chf(1_100), [cash(500), card(700)], report);
        expect(result.overTendered).toEqual(chf(0));
        expect(
          result.tenders.map((tender) => [tender.type, tender.amount.amount, tender.change.amount]),
        ).toEqual([
          ['cash', 400, 100],
          ['card', 700, 0],
        ]);
        expect(result.complete).toBe(true);
      });

      it('puts the excess on the later non-cash tenders and turns cash after them into change', () => {
        const giftCard: TenderInput = { type: 'gift_card', amount: chf(500), reference: '****1234' };
        const result = settleTenders(chf(400), [giftCard, card(500), cash(200)], report);
        expect(result.overTendered).toEqual(chf(600));
        expect(result.tenders.map((tender) => tender.overTendered?.amount ?? 0)).toEqual([100, 500, 0]);
        expect(result.tenders[2]).toEqual({
          type: 'cash',
          amount: chf(0),
          tendered: chf(200),
          change: chf(200),
        });
      });

      it('closes a sale with cash between the exact rest and the rounded cash due', () => {
        const result = settleTenders(chf(998), [cash(999)], { ...report, cashRoundingIncrement: 5 });
        expect(result.complete).toBe(true);
        expect(result.cashRounding).toEqual(chf(1));
        expect(result.change).toEqual(chf(0));
      });
    });

    const nonCashTypes = ['card', 'store_credit', 'gift_card', 'loyalty_points'] as const;
    const stepArb = fc.record({
      type: fc.constantFrom('cash', ...nonCashTypes),
      perMille: fc.integer({ min: 1, max: 1_000 }),
    });
    const scenarioArb = fc.record({
      due: fc.integer({ min: 0, max: 10_000_000 }),
      steps: fc.array(stepArb, { maxLength: 6 }),
      finishWithCash: fc.boolean(),
      extraCash: fc.integer({ min: 0, max: 10_000 }),
      increment: fc.constantFrom(1, 5, 10, 25, 100),
    });

    type Scenario = typeof scenarioArb extends fc.Arbitrary<infer Value> ? Value : never;

    /** Builds a valid tender sequence for a scenario; the generator tracks what is still due on its own. */
    function tendersFor(scenario: Scenario): TenderInput[] {
      const tenders: TenderInput[] = [];
      let remaining = scenario.due;
      for (const step of scenario.steps) {
        if (remaining <= 1) break;
        const share = Math.max(1, Math.floor((remaining * step.perMille) / 1_000));
        if (step.type === 'cash') {
          const cashDue = cashRound(chf(remaining), scenario.increment).amount;
          if (share >= Math.min(cashDue, remaining)) continue;
          tenders.push(cash(share));
        } else if (step.type === 'loyalty_points') {
          tenders.push({ type: 'loyalty_points', points: share, pointValue });
        } else if (share >= remaining) {
          tenders.push({ type: step.type, amount: chf(remaining), reference: 'REF-1' });
        } else {
          tenders.push({ type: step.type, amount: chf(share), reference: 'REF-1' });
        }
        remaining -= Math.min(share, remaining);
      }
      if (scenario.finishWithCash && remaining > 0) {
        const cashDue = cashRound(chf(remaining), scenario.increment).amount;
        tenders.push(cash(Math.max(1, cashDue + scenario.extraCash)));
      }
      return tenders;
    }

    it('never gives change from non-cash, never more change than cash, and paid − change = due ± rounding', () => {
      fc.assert(
        fc.property(scenarioArb, (scenario) => {
          const tenders = tendersFor(scenario);
          const result = settleTenders(chf(scenario.due), tenders, {
            cashRoundingIncrement: scenario.increment,
          });
          for (const tender of result.tenders) {
            if (tender.type !== 'cash') expect(tender.change.amount).toBe(0);
            expect(tender.change.amount).toBeGreaterThanOrEqual(0);
            expect(tender.change.amount).toBeLessThanOrEqual(tender.tendered.amount);
            expect(tender.amount.amount).toBe(tender.tendered.amount - tender.change.amount);
          }
          const applied = result.tenders.reduce((total, tender) => total + tender.amount.amount, 0);
          expect(result.paid.amount - result.change.amount).toBe(applied);
          expect(applied).toBe(scenario.due + result.cashRounding.amount - result.remaining.amount);
          expect(Math.abs(result.cashRounding.amount)).toBeLessThanOrEqual(scenario.increment / 2);
          expect(result.complete).toBe(result.remaining.amount === 0);
          if (scenario.finishWithCash || scenario.due === 0) expect(result.complete).toBe(true);
          if (!tenders.some((tender) => tender.type === 'cash')) expect(result.cashRounding.amount).toBe(0);
        }),
      );
    });

    const anyTenderArb = fc.oneof(
      fc.integer({ min: 1, max: 20_000 }).map((amount) => cash(amount)),
      fc.integer({ min: 1, max: 20_000 }).map((amount) => card(amount)),
      fc
        .integer({ min: 1, max: 20_000 })
        .map((amount): TenderInput => ({ type: 'gift_card', amount: chf(amount), reference: '****1234' })),
      fc
        .integer({ min: 1, max: 20_000 })
        .map((points): TenderInput => ({ type: 'loyalty_points', points, pointValue })),
    );

    it('reports max(0, Σ non-cash − due) as over-tendered, never refuses taken tenders, and keeps the books', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 20_000 }),
          fc.array(anyTenderArb, { maxLength: 6 }),
          fc.constantFrom(1, 5, 10, 100),
          (due, tenders, increment) => {
            const result = settleTenders(chf(due), tenders, {
              cashRoundingIncrement: increment,
              overTender: 'report',
            });
            const nonCash = tenders
              .filter((tender) => tender.type !== 'cash')
              .reduce((total, tender) => total + tenderValueOf(tender), 0);
            expect(result.overTendered.amount).toBe(Math.max(0, nonCash - due));
            let carried = 0;
            for (const tender of result.tenders) {
              const excess = tender.overTendered?.amount ?? 0;
              if (tender.overTendered !== undefined) expect(excess).toBeGreaterThan(0);
              if (tender.type === 'cash') expect(excess).toBe(0);
              else expect(tender.change.amount).toBe(0);
              expect(tender.amount.amount).toBe(tender.tendered.amount - tender.change.amount - excess);
              expect(tender.amount.amount).toBeGreaterThanOrEqual(0);
              carried += excess;
            }
            expect(carried).toBe(result.overTendered.amount);
            const applied = result.tenders.reduce((total, tender) => total + tender.amount.amount, 0);
            expect(result.paid.amount - result.change.amount - result.overTendered.amount).toBe(applied);
            expect(applied).toBe(due + result.cashRounding.amount - result.remaining.amount);
            expect(Math.abs(result.cashRounding.amount)).toBeLessThanOrEqual(increment / 2);
            expect(result.remaining.amount).toBeGreaterThanOrEqual(0);
            if (result.overTendered.amount > 0) expect(result.remaining.amount).toBe(0);
            expect(result.complete).toBe(result.remaining.amount === 0 && result.overTendered.amount === 0);
          },
        ),
      );
    });

    it("answers exactly what 'refuse' answers whenever 'refuse' settles, cash change included", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 20_000 }),
          fc.array(anyTenderArb, { maxLength: 5 }),
          fc.constantFrom(1, 5, 25),
          fc.integer({ min: 0, max: 5 }),
          (due, tenders, increment, added) => {
            const newTenders = Math.min(added, tenders.length);
            const options = { cashRoundingIncrement: increment };
            let refused: DomainError | undefined;
            let strict: ReturnType<typeof settleTenders> | undefined;
            try {
              strict = settleTenders(chf(due), tenders, options);
            } catch (error) {
              refused = error as DomainError;
            }
            const reported = () =>
              settleTenders(chf(due), tenders, { ...options, overTender: 'report', newTenders });
            if (strict !== undefined) {
              expect(reported()).toEqual(strict);
              expect(strict.overTendered.amount).toBe(0);
            } else if (newTenders === tenders.length) {
              // Every tender is being added now: refused exactly as before.
              expect(errorOf(reported)).toEqual(refused);
            }
          },
        ),
      );
    });

    it('answers any tender list with a settlement or a coded error, never a crash', () => {
      const anyTender = fc.oneof(
        fc.integer({ min: -100, max: 20_000 }).map((amount) => cash(amount)),
        fc.integer({ min: -100, max: 20_000 }).map((amount) => card(amount)),
        fc.integer({ min: -5, max: 20_000 }).map((points): TenderInput => ({
          type: 'loyalty_points',
          points,
          pointValue,
          availablePoints: 5_000,
        })),
      );
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 20_000 }),
          fc.array(anyTender, { maxLength: 5 }),
          (due, tenders) => {
            try {
              const result = settleTenders(chf(due), tenders, { cashRoundingIncrement: 5 });
              expect(result.remaining.amount).toBeGreaterThanOrEqual(0);
            } catch (error) {
              expect(error).toBeInstanceOf(DomainError);
              expect([
                'INVALID_INPUT',
                'LIMIT_EXCEEDED',
                'INSUFFICIENT_TENDER',
                'INSUFFICIENT_BALANCE',
              ]).toContain((error as DomainError).code);
            }
          },
        ),
      );
    });
  });
});
