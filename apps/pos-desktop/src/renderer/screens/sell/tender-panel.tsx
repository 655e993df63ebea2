import { assertNever, money, quickCashAmounts } from '@retail/domain';
import { useId, useState } from 'react';
import type { SaleView } from '../../../shared/commands';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { quickCashSteps } from '../../cash/denominations';
import { FieldError } from '../../components/error-banner';
import { ReceiptFrame } from '../../components/receipt-frame';
import { t } from '../../i18n/translate';
import type { StoredValueKind } from '../../stores/sale-store';
import { screenError } from '../../stores/store-kit';
import { isRemovableTender, saleTenderKind, saleTenderText } from './stored-value';
import { EmailReceipt } from './email-receipt';

/** The tenders that open a dialog of their own: points of the attached customer, store credit, gift card. */
export type OtherTender = 'loyalty_points' | StoredValueKind;

/** Where on the payment panel the cashier last acted: a failure is shown there, not at the top of the page. */
type TenderPlace = 'cash' | 'card' | 'payments' | 'actions';

/**
 * Taking payment: one-tap cash amounts (exact and the next notes), any cash amount, card by the
 * terminal's reference, several tenders for one sale. The sale completes as soon as it is paid.
 */
export function TenderPanel({ sale, onOther }: { sale: SaleView; onOther: (tender: OtherTender) => void }) {
  const { sale: saleStore } = usePos();
  const format = useFormat();
  const busy = useArea(saleStore, (state) => state.busy);
  const { payment } = sale;
  const error = useArea(saleStore, (state) => state.error);
  const errorId = useId();
  const [errorAt, setErrorAt] = useState<TenderPlace | null>(null);
  const [cashText, setCashText] = useState('');
  // The card amount follows what is still due: after points or a gift card took part of it, the amount
  // typed (or suggested) for the old remainder is stale and would be refused.
  const [card, setCard] = useState({
    remaining: payment.remaining,
    text: format.moneyInput(payment.remaining),
  });
  const cardText = card.remaining === payment.remaining ? card.text : format.moneyInput(payment.remaining);
  const setCardText = (text: string) => setCard({ remaining: payment.remaining, text });
  const [reference, setReference] = useState('');
  const quick = quickCashAmounts(money(payment.cashDue, sale.currency), quickCashSteps(sale.currency), 5);
  const store = saleStore.getState();
  const errorHere = (place: TenderPlace | null) =>
    error !== null && errorAt === place ? <FieldError id={errorId} error={error} /> : null;
  const describedHere = (place: TenderPlace) =>
    error !== null && errorAt === place ? { 'aria-invalid': true, 'aria-describedby': errorId } : {};

  const payCash = (amount: number) => {
    setErrorAt('cash');
    void store.payCash(amount).then(() => setCashText(''));
  };
  const submitCash = () => {
    setErrorAt('cash');
    const amount = cashText.trim() === '' ? payment.cashDue : format.parseMoney(cashText);
    if (amount === null || amount <= 0) {
      saleStore.setState({ error: screenError(t('common.badAmount')) });
      return;
    }
    payCash(amount);
  };
  const submitCard = async () => {
    setErrorAt('card');
    const amount = format.parseMoney(cardText);
    if (amount === null || amount <= 0) {
      saleStore.setState({ error: screenError(t('common.badAmount')) });
      return;
    }
    if (reference.trim() === '') {
      saleStore.setState({ error: screenError(t('tender.referenceNeeded')) });
      return;
    }
    if (await store.payCard(amount, reference.trim())) setReference('');
  };

  return (
    <section className="tender" aria-label={t('tender.title')}>
      <dl className="totals">
        <div className="totals-total">
          <dt>{t('totals.total')}</dt>
          <dd>{format.money(sale.totals.total)}</dd>
        </div>
        <div>
          <dt>{t('tender.remaining')}</dt>
          <dd data-testid="remaining">{format.money(payment.remaining)}</dd>
        </div>
        {payment.cashDue !== payment.remaining ? (
          <div>
            <dt>{t('tender.cashDue')}</dt>
            <dd>{format.money(payment.cashDue)}</dd>
          </div>
        ) : null}
      </dl>
      {errorHere(null)}
      {sale.tenders.length > 0 ? (
        <ul className="tender-list" aria-label={t('tender.taken')}>
          {sale.tenders.map((tender) => (
            <li key={tender.tenderId}>
              <span>{saleTenderText(tender, format)}</span>
              <span>{format.money(tender.amount)}</span>
              {isRemovableTender(tender) ? (
                <button
                  type="button"
                  className="btn btn-quiet"
                  disabled={busy}
                  aria-label={t('tender.remove', {
                    tender: saleTenderKind(tender),
                    amount: format.money(tender.amount),
                  })}
                  onClick={() => {
                    setErrorAt('payments');
                    void store.removeTender(tender.tenderId);
                  }}
                >
                  ×
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {errorHere('payments')}

      <fieldset className="tender-cash">
        <legend>{t('tender.cash')}</legend>
        <div className="quick-cash">
          {quick.map((amount) => (
            <button
              key={amount.amount}
              type="button"
              className="btn btn-cash"
              disabled={busy}
              aria-label={t('tender.cashQuick', { amount: format.money(amount.amount) })}
              onClick={() => payCash(amount.amount)}
            >
              {format.money(amount.amount)}
            </button>
          ))}
        </div>
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            submitCash();
          }}
        >
          <label className="field">
            <span>{t('tender.cashGiven')}</span>
            <input
              autoFocus
              inputMode="decimal"
              placeholder={format.moneyInput(payment.cashDue)}
              value={cashText}
              onChange={(event) => setCashText(event.target.value)}
              {...describedHere('cash')}
            />
          </label>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('tender.payCash')}
          </button>
        </form>
        {errorHere('cash')}
      </fieldset>

      <fieldset className="tender-card">
        <legend>{t('tender.card')}</legend>
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void submitCard();
          }}
        >
          <label className="field">
            <span>{t('tender.cardAmount')}</span>
            <input
              inputMode="decimal"
              value={cardText}
              onChange={(event) => setCardText(event.target.value)}
              {...describedHere('card')}
            />
          </label>
          <label className="field">
            <span>{t('tender.cardReference')}</span>
            <input
              autoComplete="off"
              value={reference}
              onChange={(event) => setReference(event.target.value)}
            />
          </label>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('tender.payCard')}
          </button>
        </form>
        {errorHere('card')}
      </fieldset>

      <fieldset className="tender-other">
        <legend>{t('tender.other')}</legend>
        <div className="quick-cash">
          <button
            type="button"
            className="btn"
            disabled={busy || !sale.customer?.loyalty}
            title={sale.customer?.loyalty ? undefined : t('tender.pointsNeedCustomer')}
            onClick={() => onOther('loyalty_points')}
          >
            {t('tender.payPoints')}
          </button>
          <button type="button" className="btn" disabled={busy} onClick={() => onOther('store_credit')}>
            {t('tender.payStoreCredit')}
          </button>
          <button type="button" className="btn" disabled={busy} onClick={() => onOther('gift_card')}>
            {t('tender.payGiftCard')}
          </button>
        </div>
      </fieldset>

      {errorHere('actions')}
      <div className="tender-actions">
        <button type="button" className="btn" disabled={busy} onClick={() => store.backToCart()}>
          {t('tender.back')}
        </button>
        {payment.complete ? (
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            onClick={() => {
              setErrorAt('actions');
              void store.complete();
            }}
          >
            {t('tender.complete')}
          </button>
        ) : null}
      </div>
    </section>
  );
}

type ExchangeRefund = NonNullable<NonNullable<SaleView['exchange']>['refunds']>[number];

/**
 * Where an exchange's refund beyond the new items went (issue 14, bug 4): cash to hand over, points back
 * to the member, value back onto the gift card, or a new store credit slip the customer needs the code of.
 */
function ExchangeRefunds({ refunds }: { refunds: readonly ExchangeRefund[] }) {
  const format = useFormat();
  if (refunds.length === 0) return null;
  const text = (refund: ExchangeRefund) => {
    const amount = format.money(refund.amount);
    const reference = refund.reference ?? '';
    switch (refund.type) {
      case 'cash':
        return t('exchange.refundCash', { amount });
      case 'card':
        return t('exchange.refundCard', { amount });
      case 'loyalty_points': {
        const points = refund.points ?? 0;
        return t('exchange.refundPoints', { points, pointsText: format.count(points), amount });
      }
      case 'gift_card':
        return t('exchange.refundGiftCard', { amount, reference });
      case 'store_credit':
        return t('exchange.refundStoreCredit', { amount, reference });
      default:
        return assertNever(refund.type, 'refund type');
    }
  };
  return (
    <ul className="tender-list" aria-label={t('exchange.refundsTitle')}>
      {refunds.map((refund, index) => (
        <li key={`${refund.type}-${refund.reference ?? index}`}>{text(refund)}</li>
      ))}
    </ul>
  );
}

/** The sale is done: change to hand back, the receipt as it prints, and the next customer. */
export function SaleDonePanel({ onPostVoid }: { onPostVoid: () => void }) {
  const { sale: saleStore } = usePos();
  const format = useFormat();
  const completed = useArea(saleStore, (state) => state.completed);
  const busy = useArea(saleStore, (state) => state.busy);
  if (!completed) return null;
  const { sale, receiptHtml, printed } = completed;
  if (sale.status === 'voided') {
    return (
      <section className="sale-done" aria-label={t('done.title')}>
        <p className="change-due" role="status">
          {t('postVoid.done', { receipt: sale.receiptNumber ?? '' })}
        </p>
        <ul className="tender-list" aria-label={t('postVoid.giveBack')}>
          {sale.tenders
            .filter((tender) => tender.amount > 0)
            .map((tender) => (
              <li key={tender.tenderId}>
                <span>{saleTenderText(tender, format, 'given-back')}</span>
                <span>{format.money(tender.amount)}</span>
              </li>
            ))}
        </ul>
        <div className="tender-actions">
          <button
            type="button"
            className="btn btn-primary"
            autoFocus
            onClick={() => saleStore.getState().newSale()}
          >
            {t('done.next')}
          </button>
        </div>
      </section>
    );
  }
  return (
    <section className="sale-done" aria-label={t('done.title')}>
      <p className="change-due" role="status">
        {sale.payment.change > 0
          ? t('done.change', { change: format.money(sale.payment.change) })
          : t('done.noChange')}
      </p>
      {sale.exchange && sale.exchange.refundDue > 0 ? (
        <>
          <p className="change-due">
            {t('exchange.refundDue', { amount: format.money(sale.exchange.refundDue) })}
          </p>
          <ExchangeRefunds refunds={sale.exchange.refunds ?? []} />
        </>
      ) : null}
      <p>{t('done.receipt', { receipt: sale.receiptNumber ?? '' })}</p>
      {sale.exchange?.returnReceiptNumber ? (
        <p>{t('exchange.returnReceipt', { receipt: sale.exchange.returnReceiptNumber })}</p>
      ) : null}
      {completed.loyalty ? (
        <p data-testid="points-done">
          {t('done.points', {
            earned: format.count(completed.loyalty.earned),
            redeemed: format.count(completed.loyalty.redeemed),
          })}
          {completed.loyalty.balance === null
            ? ''
            : ` · ${t('done.pointsBalance', { balance: format.count(completed.loyalty.balance) })}`}
        </p>
      ) : null}
      <div className="tender-actions">
        <button
          type="button"
          className="btn"
          disabled={busy}
          onClick={() => void saleStore.getState().printReceipt()}
        >
          {printed > 0 ? t('done.reprint') : t('done.print')}
        </button>
        <button type="button" className="btn btn-danger" disabled={busy} onClick={onPostVoid}>
          {t('postVoid.title')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          autoFocus
          onClick={() => saleStore.getState().newSale()}
        >
          {t('done.next')}
        </button>
      </div>
      {sale.receiptNumber ? (
        <EmailReceipt
          key={sale.receiptNumber}
          receiptNumber={sale.receiptNumber}
          suggested={sale.customer?.customer.email ?? null}
        />
      ) : null}
      {receiptHtml ? (
        <ReceiptFrame html={receiptHtml} title={t('done.preview', { receipt: sale.receiptNumber ?? '' })} />
      ) : null}
    </section>
  );
}
