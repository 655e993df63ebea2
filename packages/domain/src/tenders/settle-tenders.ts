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
  /** What this tender pays towards the sale: tendered − change. */
  readonly amount: Money;
  /** What the customer handed over (cash) or what was charged (every other type). */
  readonly tendered: Money;
  /** Cash handed back; zero on every non-cash tender. */
  readonly change: Money;
  readonly reference?: string;
  readonly points?: number;
}

export interface TenderSettlement {
  readonly tenders: readonly SettledTender[];
  /** Σ tendered: everything the customer handed over or was charged. */
  readonly paid: Money;
  /** Σ change; paid − change = amount due + cashRounding − remaining, exactly. */
  readonly change: Money;
  /** Still owed, exact (not cash-rounded). */
  readonly remaining: Money;
  /** What to ask for if the rest is paid in cash now: `remaining` cash-rounded (equal to it without rounding). */
  readonly cashDue: Money;
  /** Cash rounding adjustment: + when the customer paid more than the exact total, − when less. */
  readonly cashRounding: Money;
  readonly complete: boolean;
}

export interface SettleTendersOptions {
  /** The store's smallest usable cash amount in minor units (5 = 0.05); 1 (the default) means no rounding. */
  readonly cashRoundingIncrement?: number;
  readonly cashRoundingMode?: RoundingMode;
  /** Largest change the till may hand back from one cash tender, when the store sets one. */
  readonly maxCashChange?: Money;
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
  const roundingMode = options.cashRoundingMode ?? DEFAULT_ROUNDING;
  const cashDueFor = (remaining: Money) =>
    increment === 1 ? remaining : cashRound(remaining, increment, roundingMode);

  const settled: SettledTender[] = [];
  let remaining = due;
  let cashRounding = zero(due.currency);

  for (const input of tenders) {
    const value = tenderValue(input);
    if (value.currency !== due.currency) {
      throw new DomainError(
        'CURRENCY_MISMATCH',
        'tenders.sale',
        { inputType: tenderLabel(input.type), currency: value.currency, currency2: due.currency },
        { type: input.type, tender: value.currency, sale: due.currency },
      );
    }
    if (isZero(remaining)) {
      throw new DomainError(
        'LIMIT_EXCEEDED',
        'tenders.saleAlreadyPaidFull',
        { inputType: tenderLabel(input.type).toLowerCase() },
        { type: input.type },
      );
    }

    if (input.type === 'cash') {
      const cashDue = cashDueFor(remaining);
      if (compare(value, cashDue) >= 0) {
        const change = subtract(value, cashDue);
        if (options.maxCashChange !== undefined && compare(change, options.maxCashChange) > 0) {
          throw new DomainError(
            'LIMIT_EXCEEDED',
            'tenders.changeMoreTillMay',
            { change: toDecimal(change), maxCashChange: toDecimal(options.maxCashChange) },
            { change: change.amount, maxCashChange: options.maxCashChange.amount },
          );
        }
        cashRounding = add(cashRounding, subtract(cashDue, remaining));
        settled.push({ type: 'cash', amount: cashDue, tendered: value, change });
        remaining = zero(due.currency);
      } else if (compare(value, remaining) >= 0) {
        // Only reachable when rounding raised the cash due above the exact rest (9.98 → 10.00, 9.99 given).
        throw new DomainError(
          'INSUFFICIENT_TENDER',
          'tenders.cashDueAfterCash',
          { cashDue: toDecimal(cashDue), value: toDecimal(value) },
          { cashDue: cashDue.amount, tendered: value.amount },
        );
      } else {
        settled.push({ type: 'cash', amount: value, tendered: value, change: zero(due.currency) });
        remaining = subtract(remaining, value);
      }
      continue;
    }

    if (compare(value, remaining) > 0) {
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
    assertBalance(input, value);
    settled.push(
      input.type === 'loyalty_points'
        ? {
            type: input.type,
            amount: value,
            tendered: value,
            change: zero(due.currency),
            points: input.points,
            ...(input.reference === undefined ? {} : { reference: input.reference }),
          }
        : {
            type: input.type,
            amount: value,
            tendered: value,
            change: zero(due.currency),
            reference: input.reference,
          },
    );
    remaining = subtract(remaining, value);
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
    cashDue: cashDueFor(remaining),
    cashRounding,
    complete: isZero(remaining),
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
