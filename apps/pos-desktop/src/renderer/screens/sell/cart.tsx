import { memo } from 'react';
import type { SaleView } from '../../../shared/commands';
import { useFormat } from '../../app/pos-context';
import { t } from '../../i18n/translate';

type SaleLine = SaleView['lines'][number];

function discountLabel(line: SaleLine, money: (minor: number) => string): string | null {
  if (!line.discount) return null;
  return 'percent' in line.discount
    ? t('cart.discountPercent', { percent: line.discount.percent })
    : t('cart.discountAmount', { amount: money(line.discount.amount) });
}

/**
 * The lines of the sale, each with the promotions and discounts that priced it. Memoised: the scan field
 * re-renders on every keystroke of the scanner, the cart only when the sale or the selection changes.
 */
export const Cart = memo(function Cart({
  sale,
  selectedLineId,
  onSelect,
}: {
  sale: SaleView | null;
  selectedLineId: string | null;
  onSelect: (lineId: string) => void;
}) {
  const format = useFormat();
  const giftCards = sale?.giftCards ?? [];
  if (!sale || (sale.lines.length === 0 && giftCards.length === 0)) {
    return (
      <section className="cart cart-empty" aria-label={t('cart.title')}>
        <p className="muted">{t('cart.empty')}</p>
      </section>
    );
  }
  return (
    <section className="cart" aria-label={t('cart.title')}>
      <ol className="cart-lines">
        {sale.lines.map((line) => {
          const selected = line.lineId === selectedLineId;
          const discount = discountLabel(line, format.money);
          return (
            <li
              key={line.lineId}
              className={selected ? 'cart-line selected' : 'cart-line'}
              data-line-id={line.lineId}
              data-sku={line.sku}
            >
              <button
                type="button"
                className="cart-line-main"
                aria-pressed={selected}
                aria-label={t('cart.lineLabel', {
                  name: line.name,
                  qty: format.quantity(line.qty, line.unit),
                  paid: format.money(line.paid),
                })}
                onClick={() => onSelect(line.lineId)}
              >
                <span className="cart-line-name">{line.name}</span>
                <span className="cart-line-qty">
                  {t('cart.qtyTimesPrice', {
                    qty: format.quantity(line.qty, line.unit),
                    price: format.money(line.unitPrice),
                    per: line.unit === 'kg' ? t('cart.perKg') : '',
                  })}
                </span>
                <span className="cart-line-paid">{format.money(line.paid)}</span>
              </button>
              {line.adjustments.length > 0 || discount || line.priceSource !== 'price_book' ? (
                <ul className="cart-line-notes">
                  {line.priceSource === 'override' && line.originalUnitPrice !== null ? (
                    <li>{t('cart.priceOverridden', { original: format.money(line.originalUnitPrice) })}</li>
                  ) : null}
                  {line.priceSource === 'label' ? <li>{t('cart.labelPrice')}</li> : null}
                  {line.adjustments.map((adjustment, index) => (
                    <li
                      key={`${adjustment.kind}-${adjustment.promotionId ?? index}`}
                      className={adjustment.kind === 'promotion' ? 'promotion' : 'discount'}
                    >
                      <span>
                        {adjustment.kind === 'promotion'
                          ? t('cart.promotion', { name: adjustment.reason })
                          : adjustment.kind === 'manual_line'
                            ? (discount ?? adjustment.reason)
                            : t('cart.orderDiscountShare')}
                      </span>
                      <span>−{format.money(adjustment.amount)}</span>
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          );
        })}
        {/* A gift card sold or reloaded is money loaded, not an item: no quantity, discount or price. */}
        {giftCards.map((load) => {
          const selected = load.lineId === selectedLineId;
          const what = t(load.kind === 'activate' ? 'giftCard.lineNew' : 'giftCard.lineReload', {
            card: load.maskedNumber,
          });
          return (
            <li
              key={load.lineId}
              className={selected ? 'cart-line selected' : 'cart-line'}
              data-line-id={load.lineId}
            >
              <button
                type="button"
                className="cart-line-main"
                aria-pressed={selected}
                aria-label={t('giftCard.lineLabel', { what, amount: format.money(load.amount) })}
                onClick={() => onSelect(load.lineId)}
              >
                <span className="cart-line-name">{what}</span>
                <span className="cart-line-qty">{t('giftCard.lineNote')}</span>
                <span className="cart-line-paid">{format.money(load.amount)}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
});

/** Subtotal, discounts, tax and what to ask for. */
export const SaleTotals = memo(function SaleTotals({ sale }: { sale: SaleView }) {
  const format = useFormat();
  const { totals } = sale;
  return (
    <dl className="totals" aria-label={t('totals.title')}>
      <div>
        <dt>{t('totals.subtotal')}</dt>
        <dd>{format.money(totals.subtotal)}</dd>
      </div>
      {totals.discount !== 0 ? (
        <div>
          <dt>{t('totals.discount')}</dt>
          <dd>−{format.money(totals.discount)}</dd>
        </div>
      ) : null}
      <div>
        <dt>{t('totals.tax')}</dt>
        <dd>{format.money(totals.tax)}</dd>
      </div>
      <div className="totals-total">
        <dt>{t('totals.total')}</dt>
        <dd data-testid="sale-total">{format.money(totals.total)}</dd>
      </div>
      {totals.cashDue !== totals.total ? (
        <div>
          <dt>{t('totals.cashDue')}</dt>
          <dd>{format.money(totals.cashDue)}</dd>
        </div>
      ) : null}
      {sale.orderDiscount ? (
        <div>
          <dt>{t('totals.orderDiscount')}</dt>
          <dd>
            {'percent' in sale.orderDiscount
              ? t('cart.discountPercent', { percent: sale.orderDiscount.percent })
              : format.money(sale.orderDiscount.amount)}
          </dd>
        </div>
      ) : null}
      {sale.exchange ? (
        <div>
          <dt>{t('exchange.returned', { receipt: sale.exchange.receiptNumber })}</dt>
          <dd>−{format.money(sale.exchange.refund)}</dd>
        </div>
      ) : null}
      {sale.exchange && sale.exchange.refundDue > 0 ? (
        <div>
          <dt>{t('exchange.refundDueLabel')}</dt>
          <dd>{format.money(sale.exchange.refundDue)}</dd>
        </div>
      ) : null}
    </dl>
  );
});
