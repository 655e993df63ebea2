import { DomainError, assertNever, invalid } from '../errors';
import {
  DEFAULT_ROUNDING,
  add,
  assertSameCurrency,
  cashRound,
  compare,
  isZero,
  money,
  subtract,
  sum,
  toDecimal,
  zero,
  type Money,
  type RoundingMode,
} from '../money';
import { maxRedeemablePoints, tenderLabel, tenderValue, type TenderInput, type TenderType } from './tender';

export interface SettledTender {
  readonly type: TenderType;
  /** What this tender pays towards the sale: tendered − change − overTendered. */
  readonly amount: Money;
  /** What the customer handed over (cash) or what was charged (every other type). */
  readonly tendered: Money;
  /** Cash handed back; zero on every non-cash tender. */
  readonly change: Money;
  /**
   * Only with `overTender: 'report'`, only on a non-cash tender, only when positive: the part of it beyond
   * what was still due (a price dropped after it was taken). It cannot be handed back as change.
   */
  readonly overTendered?: Money;
  readonly reference?: string;
  readonly points?: number;
}

export interface TenderSettlement {
  readonly tenders: readonly SettledTender[];
  /** Σ tendered: everything the customer handed over or was charged. */
  readonly paid: Money;
  /** Σ change; paid − change − overTendered = amount due + cashRounding − remaining, exactly. */
  readonly change: Money;
  /** Still owed, exact (not cash-rounded). */
  readonly remaining: Money;
  /** What to ask for if the rest is paid in cash now: `remaining` cash-rounded (equal to it without rounding). */
  readonly cashDue: Money;
  /** Cash rounding adjustment: + when the customer paid more than the exact total, − when less. */
  readonly cashRounding: Money;
  /**
   * How much the non-cash tenders exceed the amount due: max(0, Σ non-cash − due). Always zero with
   * `overTender: 'refuse'`; with 'report', Σ of the tenders' `overTendered`.
   */
  readonly overTendered: Money;
  /** Nothing is still due and nothing is over-tendered: the sale can be completed as it stands. */
  readonly complete: boolean;
}

export interface SettleTendersOptions {
  /** The store's smallest usable cash amount in minor units (5 = 0.05); 1 (the default) means no rounding. */
  readonly cashRoundingIncrement?: number;
  readonly cashRoundingMode?: RoundingMode;
  /** Largest change the till may hand back from one cash tender, when the store sets one. */
  readonly maxCashChange?: Money;
  /**
   * What a tender beyond what is still due does. 'refuse' (the default): it is refused (LIMIT_EXCEEDED), as
   * when a cashier adds it. 'report': tenders already taken when the amount due dropped under them (a price
   * book that started mid-sale) are settled anyway and the excess reported (see settleTenders).
   */
  readonly overTender?: 'refuse' | 'report';
  /**
   * With 'report': how many tenders at the end of the list are being added now. They are refused as with
   * 'refuse', so a cashier can never add a tender beyond what is due; only tenders already taken are reported.
   */
  readonly newTenders?: number;
}

/** A tender with its place in the caller's list, and whether it is refused rather than reported. */
interface TenderEntry {
  readonly input: TenderInput;
  readonly index: number;
  readonly strict: boolean;
}

interface SettlementRules {
  readonly due: Money;
  readonly cashDueFor: (remaining: Money) => Money;
  readonly maxCashChange: Money | undefined;
}

/**
 * Applies tenders to an amount due, in the order given (split tender).
 *
 * - Non-cash tenders may not exceed what is still due: only cash gives change, so a card, gift card,
 *   store credit or points tender larger than the rest is refused rather than turned into change.
 * - A cash tender either covers the rest or is a partial payment. It covers the rest when it is at least
 *   the cash due: the exact remaining, cash-rounded when the store rounds cash. The rounding difference
 *   becomes `cashRounding` and the change is tendered − cash due (never more than the cash tendered).
 *   A partial cash tender is applied exactly and nothing is rounded yet.
 * - So only the part of a sale settled by the final, covering cash tender is ever rounded: a card-only sale
 *   is never rounded; in a split sale, card (or any non-cash) amounts are exact, and the rounding applies to
 *   what cash covers at the end (card 5.00 then cash on 9.98 due: cash due is 4.98 → 5.00, rounding +0.02;
 *   cash 5.00 then card on 9.98: the card pays the exact 4.98, no rounding).
 * - When the rest rounds to zero in cash (0.02 left, increment 5), a cash tender closes the sale with an
 *   applied amount of zero, all of it handed back as change, and a −0.02 rounding.
 *
 * With `overTender: 'report'` the tenders already taken are never refused for being more than is due (the
 * amount due can drop under them when a price changes mid-sale); whenever 'refuse' answers, 'report'
 * answers exactly the same. Otherwise:
 * - a cash tender when nothing is due any more is all change; a cash tender between the exact rest and the
 *   rounded cash due closes the sale, the difference (less than half an increment) becoming cashRounding;
 * - when a non-cash tender is more than was still due at its turn, the non-cash tenders are settled first,
 *   in order, each paying what is still due, and the cash tenders after them, as above (cash handed over
 *   can still be given back as change). What the non-cash tenders exceed the amount due by (max(0,
 *   Σ non-cash − due)) is `overTendered`, on the tenders that carry it; the sale is then not complete.
 */
export function settleTenders(
  amountDue: Money,
  tenders: readonly TenderInput[],
  options: SettleTendersOptions = {},
): TenderSettlement {
  const due = money(amountDue.amount, amountDue.currency);
  if (due.amount < 0) {
    throw invalid(
      'tenders.amountDueCannotNegative',
      {},
      {
        amountDue: due.amount,
      },
    );
  }
  const increment = options.cashRoundingIncrement ?? 1;
  if (!Number.isSafeInteger(increment) || increment < 1) {
    throw invalid(
      'tenders.cashRoundingIncrementMust',
      {},
      {
        increment,
      },
    );
  }
  const newTenders = options.newTenders ?? 0;
  if (!Number.isSafeInteger(newTenders) || newTenders < 0 || newTenders > tenders.length) {
    throw invalid('tenders.newTendersOutOfRange', { count: tenders.length }, { newTenders });
  }
  const roundingMode = options.cashRoundingMode ?? DEFAULT_ROUNDING;
  const rules: SettlementRules = {
    due,
    cashDueFor: (remaining) => (increment === 1 ? remaining : cashRound(remaining, increment, roundingMode)),
    maxCashChange: options.maxCashChange,
  };
  const firstStrict = options.overTender === 'report' ? tenders.length - newTenders : 0;
  const entries = tenders.map((input, index) => ({ input, index, strict: index >= firstStrict }));
  const inOrder = walkTenders(rules, entries, false);
  if (inOrder !== undefined) return inOrder;
  // A non-cash tender already taken is more than was still due at its turn: non-cash first, then cash.
  const nonCashFirst = [
    ...entries.filter((entry) => entry.input.type !== 'cash'),
    ...entries.filter((entry) => entry.input.type === 'cash'),
  ];
  return walkTenders(rules, nonCashFirst, true) as TenderSettlement;
}

/**
 * One pass over the tenders in the order given. A non-strict non-cash tender beyond what is still due ends
 * the pass with undefined, unless `reportExcess` (the non-cash-first pass), where it pays what is still due
 * and carries the rest as `overTendered`.
 */
function walkTenders(
  rules: SettlementRules,
  entries: readonly TenderEntry[],
  reportExcess: boolean,
): TenderSettlement | undefined {
  const { due } = rules;
  const settled: SettledTender[] = [];
  let remaining = due;
  let cashRounding = zero(due.currency);
  let overTendered = zero(due.currency);

  for (const { input, index, strict } of entries) {
    const value = tenderValue(input);
    if (value.currency !== due.currency) {
      throw new DomainError(
        'CURRENCY_MISMATCH',
        'tenders.sale',
        { inputType: tenderLabel(input.type), currency: value.currency, currency2: due.currency },
        { type: input.type, tender: value.currency, sale: due.currency },
      );
    }
    if (strict && isZero(remaining)) {
      throw new DomainError(
        'LIMIT_EXCEEDED',
        'tenders.saleAlreadyPaidFull',
        { inputType: tenderLabel(input.type).toLowerCase() },
        { type: input.type },
      );
    }

    if (input.type === 'cash') {
      const cashDue = rules.cashDueFor(remaining);
      if (compare(value, cashDue) >= 0) {
        const change = subtract(value, cashDue);
        if (rules.maxCashChange !== undefined && compare(change, rules.maxCashChange) > 0) {
          throw new DomainError(
            'LIMIT_EXCEEDED',
            'tenders.changeMoreTillMay',
            { change: toDecimal(change), maxCashChange: toDecimal(rules.maxCashChange) },
            { change: change.amount, maxCashChange: rules.maxCashChange.amount },
          );
        }
        cashRounding = add(cashRounding, subtract(cashDue, remaining));
        settled[index] = { type: 'cash', amount: cashDue, tendered: value, change };
        remaining = zero(due.currency);
      } else if (compare(value, remaining) >= 0) {
        // Only reachable when rounding raised the cash due above the exact rest (9.98 → 10.00, 9.99 given).
        if (strict) {
          throw new DomainError(
            'INSUFFICIENT_TENDER',
            'tenders.cashDueAfterCash',
            { cashDue: toDecimal(cashDue), value: toDecimal(value) },
            { cashDue: cashDue.amount, tendered: value.amount },
          );
        }
        // Taken when more was due: it closes the sale, the customer paying a little over the exact rest.
        cashRounding = add(cashRounding, subtract(value, remaining));
        settled[index] = { type: 'cash', amount: value, tendered: value, change: zero(due.currency) };
        remaining = zero(due.currency);
      } else {
        settled[index] = { type: 'cash', amount: value, tendered: value, change: zero(due.currency) };
        remaining = subtract(remaining, value);
      }
      continue;
    }

    let excess = zero(due.currency);
    if (compare(value, remaining) > 0) {
      if (strict) {
        const maxPoints =
          input.type === 'loyalty_points'
            ? ` Redeem at most ${maxRedeemablePoints(remaining, input.pointValue, input.availablePoints)} points.`
            : '';
        throw new DomainError(
          'LIMIT_EXCEEDED',
          'tenders.amountMoreStillDue',
          {
            inputType: tenderLabel(input.type),
            value: toDecimal(value),
            remaining: toDecimal(remaining),
            maxPoints,
          },
          { type: input.type, amount: value.amount, remaining: remaining.amount },
        );
      }
      if (!reportExcess) return undefined;
      excess = subtract(value, remaining);
      overTendered = add(overTendered, excess);
    }
    assertBalance(input, value);
    const applied = subtract(value, excess);
    const reported = isZero(excess) ? {} : { overTendered: excess };
    settled[index] =
      input.type === 'loyalty_points'
        ? {
            type: input.type,
            amount: applied,
            tendered: value,
            change: zero(due.currency),
            ...reported,
            points: input.points,
            ...(input.reference === undefined ? {} : { reference: input.reference }),
          }
        : {
            type: input.type,
            amount: applied,
            tendered: value,
            change: zero(due.currency),
            ...reported,
            reference: input.reference,
          };
    remaining = subtract(remaining, applied);
  }

  const paid = sum(
    settled.map((tender) => tender.tendered),
    due.currency,
  );
  const change = sum(
    settled.map((tender) => tender.change),
    due.currency,
  );
  return {
    tenders: settled,
    paid,
    change,
    remaining,
    cashDue: rules.cashDueFor(remaining),
    cashRounding,
    overTendered,
    complete: isZero(remaining) && isZero(overTendered),
  };
}

function assertBalance(input: Exclude<TenderInput, { type: 'cash' }>, value: Money): void {
  switch (input.type) {
    case 'store_credit':
    case 'gift_card':
      if (input.available !== undefined) {
        assertSameCurrency(value, input.available);
        if (compare(value, input.available) > 0) {
          throw new DomainError(
            'INSUFFICIENT_BALANCE',
            'tenders.leftCannotPay',
            {
              inputType: tenderLabel(input.type),
              reference: input.reference,
              available: toDecimal(input.available),
              value: toDecimal(value),
            },
            { type: input.type, available: input.available.amount, amount: value.amount },
          );
        }
      }
      return;
    case 'loyalty_points':
      if (input.availablePoints !== undefined && input.points > input.availablePoints) {
        throw new DomainError(
          'INSUFFICIENT_BALANCE',
          'tenders.customerCanRedeemPoints',
          { availablePoints: input.availablePoints, points: input.points },
          { points: input.points, availablePoints: input.availablePoints },
        );
      }
      return;
    case 'card':
      return;
    default:
      assertNever(input, 'tender type');
  }
}
