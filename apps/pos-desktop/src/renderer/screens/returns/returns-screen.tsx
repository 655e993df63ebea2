import { STORE_CREDIT_CODE_PATTERN } from '@retail/domain';
import { useState } from 'react';
import type { ReturnView, SaleView } from '../../../shared/commands';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { ErrorBanner, Notice } from '../../components/error-banner';
import { ProductPicker, QuantityInput } from '../../components/product-picker';
import { tenderLabel } from '../../format/tender-label';
import { t } from '../../i18n/translate';
import { DispositionSelect, type Disposition } from '../../components/disposition-select';
import type { CustomerSummary } from '../../../shared/loyalty-commands';
import { customerName } from '../sell/customer';
import { OnlineOrderReturn } from './online-order-return';

/**
 * Who a store credit slip from this return belongs to (optional): found by phone, email or card as on the
 * sell screen; the node sends the customer with the return and the hub opens the credit under them.
 */
function CreditCustomer() {
  const { returns } = usePos();
  const chosen = useArea(returns, (state) => state.creditCustomer);
  const busy = useArea(returns, (state) => state.busy);
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<readonly CustomerSummary[]>([]);
  const find = async () => setMatches((await returns.getState().findCreditCustomers(query)) ?? []);
  if (chosen) {
    return (
      <div className="inline-form" role="group" aria-label={t('returns.creditCustomer')}>
        <p role="status">{t('returns.creditTo', { name: customerName(chosen) })}</p>
        <button type="button" className="btn" onClick={() => returns.getState().setCreditCustomer(null)}>
          {t('returns.creditAnonymous')}
        </button>
      </div>
    );
  }
  return (
    <fieldset className="credit-customer">
      <legend>{t('returns.creditCustomer')}</legend>
      <div className="inline-form">
        <label className="field">
          <span>{t('returns.customerQuery')}</span>
          <input
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                void find();
              }
            }}
          />
        </label>
        <button type="button" className="btn" disabled={busy} onClick={() => void find()}>
          {t('returns.findCustomer')}
        </button>
      </div>
      {matches.map((customer) => (
        <button
          key={customer.customerId}
          type="button"
          className="btn"
          onClick={() => {
            returns.getState().setCreditCustomer(customer);
            setMatches([]);
          }}
        >
          {t('returns.creditToButton', {
            name: customerName(customer),
            details: [customer.phone, customer.email, customer.loyalty?.cardNumber]
              .filter((detail): detail is string => !!detail && detail !== customerName(customer))
              .join(', '),
          })}
        </button>
      ))}
    </fieldset>
  );
}

/** Returns: find the sale by receipt (typed or scanned), choose lines, or go without a receipt. */
export function ReturnsScreen() {
  const { returns } = usePos();
  const mode = useArea(returns, (state) => state.mode);
  const error = useArea(returns, (state) => state.error);
  const deviceNotice = useArea(returns, (state) => state.deviceNotice);
  const [onlineOrder, setOnlineOrder] = useState(false);
  if (onlineOrder) {
    return (
      <section className="screen returns" aria-labelledby="returns-title">
        <h1 id="returns-title">{t('returns.title')}</h1>
        <OnlineOrderReturn onClose={() => setOnlineOrder(false)} />
      </section>
    );
  }
  return (
    <section className="screen returns" aria-labelledby="returns-title">
      <h1 id="returns-title">{t('returns.title')}</h1>
      <ErrorBanner error={error} onDismiss={() => returns.setState({ error: null })} />
      <Notice text={deviceNotice} tone="warning" />
      {mode === 'find' ? <FindReceipt onOnlineOrder={() => setOnlineOrder(true)} /> : null}
      {mode === 'receipt' ? <ReceiptReturn /> : null}
      {mode === 'no-receipt' ? <NoReceiptReturn /> : null}
      {mode === 'done' ? <ReturnDone /> : null}
    </section>
  );
}

function FindReceipt({ onOnlineOrder }: { onOnlineOrder: () => void }) {
  const { returns } = usePos();
  const busy = useArea(returns, (state) => state.busy);
  const [receipt, setReceipt] = useState('');
  return (
    <>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void returns.getState().find(receipt);
        }}
      >
        <label className="field field-scan">
          <span>{t('returns.receiptLabel')}</span>
          <input
            autoFocus
            autoComplete="off"
            spellCheck={false}
            value={receipt}
            onChange={(event) => setReceipt(event.target.value)}
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t('returns.find')}
        </button>
      </form>
      <button type="button" className="btn" onClick={() => returns.getState().startNoReceipt()}>
        {t('returns.noReceipt')}
      </button>
      <button type="button" className="btn" onClick={onOnlineOrder}>
        {t('returns.onlineOrder')}
      </button>
    </>
  );
}

function ReturnLine({ line }: { line: SaleView['lines'][number] }) {
  const { returns } = usePos();
  const format = useFormat();
  const choice = useArea(returns, (state) => state.choices[line.lineId]);
  const disposition = choice?.disposition ?? 'sellable';
  const choose = (qty: number, next: Disposition = disposition) =>
    returns.getState().choose(line.lineId, { qty, disposition: next });
  return (
    <li className="return-line">
      <span className="cart-line-name">{line.name}</span>
      <span>
        {line.returnableQty === undefined
          ? t('returns.sold', { qty: format.quantity(line.qty, line.unit), paid: format.money(line.paid) })
          : t('returns.stillReturnable', {
              qty: format.quantity(line.qty, line.unit),
              paid: format.money(line.paid),
              left: format.quantity(line.returnableQty, line.unit),
            })}
      </span>
      <QuantityInput
        label={t('returns.qtyFor', { name: line.name })}
        unit={line.unit}
        value={choice?.qty ?? 0}
        onChange={(qty) => choose(qty)}
      />
      <button
        type="button"
        className="btn"
        aria-label={t('returns.allOf', { name: line.name })}
        onClick={() => choose(line.returnableQty ?? line.qty)}
      >
        {t('returns.all')}
      </button>
      <DispositionSelect
        label={t('returns.dispositionFor', { name: line.name })}
        value={disposition}
        onChange={(next) => choose(choice?.qty ?? 0, next)}
      />
    </li>
  );
}

function ReceiptReturn() {
  const { returns } = usePos();
  const format = useFormat();
  const sale = useArea(returns, (state) => state.sale);
  const busy = useArea(returns, (state) => state.busy);
  const chosen = useArea(returns, (state) => Object.keys(state.choices).length);
  if (!sale) return null;
  return (
    <>
      <p>
        {t('returns.original', {
          receipt: sale.receiptNumber ?? '',
          date: sale.completedAt ? format.dateTime(sale.completedAt) : '',
          total: format.money(sale.totals.total),
        })}
      </p>
      {sale.soldAt ? <p role="note">{t('returns.soldAt', { store: sale.soldAt.storeId })}</p> : null}
      <ul className="return-lines" aria-label={t('returns.lines')}>
        {sale.lines.map((line) => (
          <ReturnLine key={line.lineId} line={line} />
        ))}
      </ul>
      <p className="muted">{t('returns.refundRule')}</p>
      <CreditCustomer />
      <div className="tender-actions">
        <button type="button" className="btn" onClick={() => returns.getState().reset()}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy || chosen === 0}
          onClick={() => void returns.getState().submit()}
        >
          {t('returns.submit')}
        </button>
      </div>
    </>
  );
}

function NoReceiptReturn() {
  const { returns } = usePos();
  const format = useFormat();
  const lines = useArea(returns, (state) => state.noReceiptLines);
  const busy = useArea(returns, (state) => state.busy);
  const [reason, setReason] = useState('');
  const [originalReceipt, setOriginalReceipt] = useState(() => returns.getState().missingReceipt ?? '');
  const store = returns.getState();
  return (
    <>
      <p>{t('returns.noReceiptRule')}</p>
      <ProductPicker
        label={t('returns.addItem')}
        onPick={({ item, weightGrams }) =>
          store.addNoReceiptItem(item, weightGrams ?? (item.unit === 'kg' ? 1000 : 1))
        }
      />
      <ul className="return-lines" aria-label={t('returns.lines')}>
        {lines.map((line, index) => (
          <li key={line.item.sku} className="return-line">
            <span className="cart-line-name">{line.item.name}</span>
            <span>{format.quantity(line.qty, line.item.unit)}</span>
            <QuantityInput
              label={t('returns.qtyFor', { name: line.item.name })}
              unit={line.item.unit}
              value={line.qty}
              onChange={(qty) => store.updateNoReceiptLine(index, { qty })}
            />
            <DispositionSelect
              label={t('returns.dispositionFor', { name: line.item.name })}
              value={line.disposition}
              onChange={(disposition) => store.updateNoReceiptLine(index, { disposition })}
            />
            <button
              type="button"
              className="btn btn-quiet"
              aria-label={t('returns.removeItem', { name: line.item.name })}
              onClick={() => store.removeNoReceiptLine(index)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <label className="field">
        <span>{t('common.reason')}</span>
        <input value={reason} onChange={(event) => setReason(event.target.value)} />
      </label>
      <label className="field">
        <span>{t('returns.originalReceipt')}</span>
        <input value={originalReceipt} onChange={(event) => setOriginalReceipt(event.target.value)} />
      </label>
      <CreditCustomer />
      <div className="tender-actions">
        <button type="button" className="btn" onClick={() => store.reset()}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy || lines.length === 0}
          onClick={() => void returns.getState().submitNoReceipt(reason, originalReceipt)}
        >
          {t('returns.submitNoReceipt')}
        </button>
      </div>
    </>
  );
}

function RefundList({ result }: { result: ReturnView }) {
  const format = useFormat();
  return (
    <ul className="tender-list" aria-label={t('returns.refunds')}>
      {result.refunds.map((refund) => (
        <li key={refund.tenderId}>
          <span>
            {tenderLabel(refund.type)}
            {refund.reference ? ` · ${refund.reference}` : ''}
          </span>
          <span>{format.money(refund.amount)}</span>
        </li>
      ))}
    </ul>
  );
}

function ReturnDone() {
  const { returns } = usePos();
  const format = useFormat();
  const result = useArea(returns, (state) => state.result);
  const busy = useArea(returns, (state) => state.busy);
  const creditCustomer = useArea(returns, (state) => state.creditCustomer);
  if (!result) return null;
  return (
    <>
      <p className="change-due" role="status">
        {t('returns.done', { total: format.money(result.total), receipt: result.receiptNumber })}
      </p>
      <RefundList result={result} />
      {result.refunds
        .filter(
          (refund) =>
            refund.type === 'store_credit' && STORE_CREDIT_CODE_PATTERN.test(refund.reference ?? ''),
        )
        .map((refund) => (
          <p key={refund.tenderId} className="credit-slip" role="note">
            {t('returns.creditSlip', {
              code: refund.reference ?? '',
              amount: format.money(refund.amount),
              owner: creditCustomer
                ? t('returns.creditSlipOwner', { name: customerName(creditCustomer) })
                : '',
            })}
          </p>
        ))}
      {result.notes.length > 0 ? (
        <ul className="notes">
          {result.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
      <div className="tender-actions">
        <button
          type="button"
          className="btn"
          disabled={busy}
          onClick={() => void returns.getState().printReceipt()}
        >
          {t('done.print')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          autoFocus
          onClick={() => returns.getState().reset()}
        >
          {t('returns.next')}
        </button>
      </div>
    </>
  );
}
