import { DomainError, assertNever, invalid } from '../errors';
import { money, multiplyRatio, toDecimal, type Money } from '../money';

export const TENDER_TYPES = ['cash', 'card', 'store_credit', 'gift_card', 'loyalty_points'] as const;
export type TenderType = (typeof TENDER_TYPES)[number];

/**
 * What loyalty points are worth: `points` points buy `value` (e.g. 100 points = 1.00). The hub's loyalty
 * programme sets it; the till passes it in.
 */
export interface LoyaltyPointValue {
  readonly points: number;
  readonly value: Money;
}

interface WithAmount {
  /** Money handed over or charged on this tender, in the sale's currency. */
  readonly amount: Money;
}

export interface CashTenderInput extends WithAmount {
  readonly type: 'cash';
}

export interface CardTenderInput extends WithAmount {
  readonly type: 'card';
  /** The external terminal's approval/transaction reference. Never a card number. */
  readonly reference: string;
}

export interface StoreCreditTenderInput extends WithAmount {
  readonly type: 'store_credit';
  /** Store credit account id. */
  readonly reference: string;
  /** Balance last known for the account; when given, the tender may not exceed it. */
  readonly available?: Money;
}

export interface GiftCardTenderInput extends WithAmount {
  readonly type: 'gift_card';
  /** Masked gift card number (e.g. ****1234). */
  readonly reference: string;
  readonly available?: Money;
}

export interface LoyaltyTenderInput {
  readonly type: 'loyalty_points';
  readonly points: number;
  readonly pointValue: LoyaltyPointValue;
  /** Loyalty account id. */
  readonly reference?: string;
  /** Redeemable points the till may spend (the hub's hold, or the offline cap); checked when given. */
  readonly availablePoints?: number;
}

export type TenderInput =
  CashTenderInput | CardTenderInput | StoreCreditTenderInput | GiftCardTenderInput | LoyaltyTenderInput;

const TENDER_LABELS: Readonly<Record<TenderType, string>> = {
  cash: 'Cash',
  card: 'Card',
  store_credit: 'Store credit',
  gift_card: 'Gift card',
  loyalty_points: 'Points',
};

export function tenderLabel(type: TenderType): string {
  return TENDER_LABELS[type];
}

const MAX_REFERENCE_LENGTH = 100;
/** 13+ digits in a row (spaces and dashes ignored) could be a primary account number; we must never hold one. */
const CARD_NUMBER_LIKE = /\d{13,}/;

/**
 * References are stored on the sale and sent to the hub, so they must be short and must never carry a card
 * number: PCI scope stays with the external terminal.
 */
export function assertSafeReference(
  type: TenderType,
  reference: string | undefined,
  required: boolean,
): void {
  if (reference === undefined || reference.trim() === '') {
    if (required) {
      throw invalid(
        'tenders.needsReferenceEnterTerminal',
        { type: tenderLabel(type) },
        {
          type,
        },
      );
    }
    return;
  }
  if (reference.length > MAX_REFERENCE_LENGTH) {
    throw invalid(
      'tenders.referenceLongerCharacters',
      { type: tenderLabel(type), MAX_REFERENCE_LENGTH },
      {
        type,
      },
    );
  }
  if ((type === 'card' || type === 'gift_card') && CARD_NUMBER_LIKE.test(reference.replace(/[\s-]/g, ''))) {
    throw invalid('tenders.referenceLooksLikeFull', { type: tenderLabel(type) }, { type });
  }
}

function assertValidPointValue(pointValue: LoyaltyPointValue): Money {
  if (!Number.isSafeInteger(pointValue.points) || pointValue.points <= 0) {
    throw invalid(
      'tenders.loyaltyConversionMustPositive',
      {},
      {
        points: pointValue.points,
      },
    );
  }
  const value = money(pointValue.value.amount, pointValue.value.currency);
  if (value.amount <= 0) throw invalid('tenders.loyaltyConversionMustGive');
  return value;
}

function assertPositivePoints(points: number): void {
  if (!Number.isSafeInteger(points) || points <= 0) {
    throw invalid('tenders.pointsRedeemMustPositive', {}, { points });
  }
}

/**
 * Money value of `points`, rounded down: a fraction of a minor unit is never paid out for points, so the
 * retailer never gives more than the programme promises.
 */
export function pointsToMoney(points: number, pointValue: LoyaltyPointValue): Money {
  assertPositivePoints(points);
  const value = assertValidPointValue(pointValue);
  return multiplyRatio(value, points, pointValue.points, 'DOWN');
}

/**
 * The most points that can pay towards `amountDue` without their value exceeding it (and without exceeding
 * the points available, when given). The till offers this as "use points".
 */
export function maxRedeemablePoints(
  amountDue: Money,
  pointValue: LoyaltyPointValue,
  availablePoints?: number,
): number {
  const value = assertValidPointValue(pointValue);
  if (amountDue.currency !== value.currency) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      'tenders.pointsValuedSale',
      { currency: value.currency, currency2: amountDue.currency },
      { due: amountDue.currency, points: value.currency },
    );
  }
  if (amountDue.amount <= 0) return 0;
  const byDue = Number((BigInt(amountDue.amount) * BigInt(pointValue.points)) / BigInt(value.amount));
  return availablePoints === undefined ? byDue : Math.max(0, Math.min(byDue, availablePoints));
}

/** The money a tender input stands for, validated: positive, whole minor units, references safe. */
export function tenderValue(input: TenderInput): Money {
  switch (input.type) {
    case 'cash':
      return positiveAmount(input.type, input.amount);
    case 'card':
    case 'store_credit':
    case 'gift_card':
      assertSafeReference(input.type, input.reference, true);
      return positiveAmount(input.type, input.amount);
    case 'loyalty_points': {
      assertSafeReference(input.type, input.reference, false);
      const value = pointsToMoney(input.points, input.pointValue);
      if (value.amount === 0) {
        const perPoints = BigInt(input.pointValue.points);
        const unitValue = BigInt(input.pointValue.value.amount);
        const minimum = (perPoints + unitValue - 1n) / unitValue;
        throw invalid(
          'tenders.pointsWorthLessRedeem',
          { points: input.points, value: toDecimal(money(1, value.currency)), minimum: String(minimum) },
          { points: input.points },
        );
      }
      return value;
    }
    default:
      return assertNever(input, 'tender type');
  }
}

function positiveAmount(type: TenderType, amount: Money): Money {
  const value = money(amount.amount, amount.currency);
  if (value.amount <= 0) {
    throw invalid('tenders.amountMustMoreZero', { type: tenderLabel(type) }, { type, amount: value.amount });
  }
  return value;
}
