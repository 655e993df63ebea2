import { invalid } from '../errors';
import { assertSameCurrency, min, money, subtract, type Money } from '../money';

export type ExchangeDirection = 'customer_pays' | 'refund_due' | 'even';

export interface ExchangeNet {
  readonly direction: ExchangeDirection;
  /** What the customer still pays for the new goods: settle it with settleTenders. */
  readonly amountDue: Money;
  /** What goes back to the customer: plan it with planRefundTenders against the original sale. */
  readonly refundDue: Money;
  /** The part of the returned goods' value that pays for the new goods. */
  readonly creditApplied: Money;
}

/**
 * Nets an exchange (a return and a sale in one transaction): the returned goods' refund pays for the new
 * goods first, and only the difference is settled, one way or the other. Cash rounding applies to
 * `amountDue` inside settleTenders like any sale; the refund side is never rounded here.
 */
export function netExchange(returnRefund: Money, saleTotal: Money): ExchangeNet {
  const refund = money(returnRefund.amount, returnRefund.currency);
  const sale = money(saleTotal.amount, saleTotal.currency);
  assertSameCurrency(refund, sale);
  if (refund.amount < 0 || sale.amount < 0) {
    throw invalid(
      'returns.exchangeNetsRefundSale',
      {},
      {
        returnRefund: refund.amount,
        saleTotal: sale.amount,
      },
    );
  }
  const creditApplied = min(refund, sale);
  const amountDue = subtract(sale, creditApplied);
  const refundDue = subtract(refund, creditApplied);
  const direction: ExchangeDirection =
    amountDue.amount > 0 ? 'customer_pays' : refundDue.amount > 0 ? 'refund_due' : 'even';
  return { direction, amountDue, refundDue, creditApplied };
}
