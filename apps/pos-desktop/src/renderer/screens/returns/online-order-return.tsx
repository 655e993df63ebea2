import type { ErrorBody } from '@retail/domain';
import { useState } from 'react';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { FieldError, Notice } from '../../components/error-banner';
import { Segmented } from '../../components/segmented';
import type { StoreFormat } from '../../format/format';
import { t } from '../../i18n/translate';
import type { CommandResponse } from '../../../shared/commands';
import { screenError } from '../../stores/store-kit';

type Returnable = CommandResponse<'order-return-lookup'>;
type Returned = CommandResponse<'order-return-create'>;
type Disposition = Returned['lines'][number]['disposition'];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

/** The customer's slip: what came back, in which condition, and where the money goes. */
export function orderReturnSlipHtml(result: Returned, format: StoreFormat, storeLabel: string): string {
  const rows = result.lines
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.name ?? line.sku)} × ${escapeHtml(format.quantity(line.qty, line.unit ?? 'each'))}` +
        `${line.disposition === 'damaged' ? ` (${escapeHtml(t('orderReturn.damaged'))})` : ''}</td>` +
        `<td class="r">${escapeHtml(format.money(line.refund))}</td></tr>`,
    )
    .join('');
  const title = t('orderReturn.slipTitle', { order: result.orderNumber });
  return `<!doctype html><html lang="${escapeHtml(format.locale)}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:monospace;width:72mm;margin:0 auto;font-size:12px}h1{font-size:14px;text-align:center}table{width:100%;border-collapse:collapse}.r{text-align:right}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(storeLabel)}<br>${escapeHtml(format.dateTime(result.recordedAt))}</p>
<table>${rows}<tr><td><b>${escapeHtml(t('orderReturn.total'))}</b></td><td class="r"><b>${escapeHtml(format.money(result.refundAmount))}</b></td></tr></table>
<p>${escapeHtml(refundSentence(result, format))}</p><p>${escapeHtml(t('orderReturn.slipReference', { id: result.returnId }))}</p></body></html>`;
}

function refundSentence(result: Returned, format: StoreFormat): string {
  return t(`orderReturn.refund.${result.refundMethod}`, { amount: format.money(result.refundAmount) });
}

interface LineChoice {
  readonly qty: string;
  readonly disposition: Disposition;
}

/**
 * Returns anywhere for online orders: the order is looked up on the hub by its number (online only), the
 * cashier chooses units per line within what the hub says is returnable and their condition, and the hub
 * records it at this store and refunds the original payment. A slip for the customer prints afterwards.
 */
export function OnlineOrderReturn({ onClose }: { onClose: () => void }) {
  const { api, devices, session } = usePos();
  const format = useFormat();
  const node = useArea(session, (state) => state.node);
  const [orderNumber, setOrderNumber] = useState('');
  const [busy, setBusy] = useState(false);
  const [lookupError, setLookupError] = useState<ErrorBody | null>(null);
  const [order, setOrder] = useState<(Returnable & { returnId: string }) | null>(null);
  const [choices, setChoices] = useState<Readonly<Record<string, LineChoice>>>({});
  const [badLine, setBadLine] = useState<{ lineId: string; error: ErrorBody } | null>(null);
  const [submitError, setSubmitError] = useState<ErrorBody | null>(null);
  const [result, setResult] = useState<Returned | null>(null);
  const [printNotice, setPrintNotice] = useState<string | null>(null);

  const find = async () => {
    if (orderNumber.trim() === '') {
      setLookupError(screenError(t('orderReturn.numberNeeded')));
      return;
    }
    setBusy(true);
    const answer = await api.call('order-return-lookup', { orderNumber: orderNumber.trim() });
    setBusy(false);
    if (!answer.ok) {
      setLookupError(answer.error);
      setOrder(null);
      return;
    }
    setLookupError(null);
    // One id per return: pressing Return again after a timeout is the same return at the hub.
    setOrder({ ...answer.value, returnId: crypto.randomUUID() });
    setChoices(
      Object.fromEntries(
        answer.value.lines.map((line) => [line.lineId, { qty: '0', disposition: 'sellable' }]),
      ),
    );
    setResult(null);
  };

  const submit = async () => {
    if (!order) return;
    const lines: { lineId: string; qty: number; disposition: Disposition }[] = [];
    for (const line of order.lines) {
      const choice = choices[line.lineId];
      if (!choice) continue;
      const qty = /^\d+$/.test(choice.qty.trim()) ? Number(choice.qty.trim()) : Number.NaN;
      if (!Number.isInteger(qty) || qty < 0 || qty > line.returnable) {
        setBadLine({
          lineId: line.lineId,
          error: screenError(t('orderReturn.qtyBad', { returnable: line.returnable })),
        });
        return;
      }
      if (qty > 0) lines.push({ lineId: line.lineId, qty, disposition: choice.disposition });
    }
    setBadLine(null);
    if (lines.length === 0) {
      setSubmitError(screenError(t('orderReturn.nothingChosen')));
      return;
    }
    setBusy(true);
    const answer = await api.call('order-return-create', {
      returnId: order.returnId,
      orderNumber: order.orderNumber,
      lines,
    });
    setBusy(false);
    if (!answer.ok) {
      setSubmitError(answer.error);
      return;
    }
    setSubmitError(null);
    setResult(answer.value);
  };

  const print = async () => {
    if (!result) return;
    const printed = await devices.printReceipt(
      orderReturnSlipHtml(result, format, node?.storeName ?? node?.storeCode ?? ''),
    );
    setPrintNotice(printed.ok ? null : printed.message);
  };

  if (result) {
    return (
      <section aria-label={t('orderReturn.title')}>
        <h2>{t('orderReturn.doneTitle', { order: result.orderNumber })}</h2>
        <p role="status">{refundSentence(result, format)}</p>
        <ul className="notes">
          {result.lines.map((line) => (
            <li key={`${line.lineId}-${line.disposition}`}>
              {line.name ?? line.sku} × {format.quantity(line.qty, line.unit ?? 'each')} ·{' '}
              {t(`orderReturn.disposition.${line.disposition}`)} · {format.money(line.refund)}
            </li>
          ))}
        </ul>
        <div className="tender-actions">
          <button type="button" className="btn btn-primary" autoFocus onClick={() => void print()}>
            {t('orderReturn.printSlip')}
          </button>
          <button type="button" className="btn" onClick={onClose}>
            {t('orderReturn.finish')}
          </button>
        </div>
        <Notice text={printNotice} tone="warning" />
      </section>
    );
  }

  return (
    <section aria-label={t('orderReturn.title')}>
      <h2>{t('orderReturn.title')}</h2>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void find();
        }}
      >
        <label className="field field-scan">
          <span>{t('orderReturn.orderNumber')}</span>
          <input
            autoFocus
            autoComplete="off"
            spellCheck={false}
            value={orderNumber}
            aria-invalid={lookupError !== null}
            aria-describedby={lookupError ? 'order-return-lookup-error' : undefined}
            onChange={(event) => setOrderNumber(event.target.value)}
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t('orderReturn.find')}
        </button>
        <button type="button" className="btn" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </form>
      <FieldError id="order-return-lookup-error" error={lookupError} />
      {order ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <p>{t('orderReturn.orderOf', { order: order.orderNumber, customer: order.customerName })}</p>
          <ul className="return-lines" aria-label={t('orderReturn.lines')}>
            {order.lines.map((line) => {
              const name = line.name ?? line.sku;
              const choice = choices[line.lineId] ?? { qty: '0', disposition: 'sellable' as const };
              const errorId = `order-return-line-${line.lineId}-error`;
              const bad = badLine?.lineId === line.lineId ? badLine.error : null;
              return (
                <li key={line.lineId} className="return-line" aria-label={name}>
                  <span className="cart-line-name">{name}</span>
                  <span>
                    {t('orderReturn.lineState', {
                      delivered: line.delivered,
                      returned: line.returned,
                      returnable: line.returnable,
                    })}
                  </span>
                  {line.returnable > 0 ? (
                    <>
                      <label className="field field-qty">
                        <span>{t('orderReturn.qtyFor', { name })}</span>
                        <input
                          inputMode="numeric"
                          value={choice.qty}
                          aria-invalid={bad !== null}
                          aria-describedby={bad ? errorId : undefined}
                          onChange={(event) =>
                            setChoices({ ...choices, [line.lineId]: { ...choice, qty: event.target.value } })
                          }
                        />
                      </label>
                      <Segmented
                        legend={t('orderReturn.conditionOf', { name })}
                        name={`condition-${line.lineId}`}
                        options={[
                          { value: 'sellable', label: t('orderReturn.disposition.sellable') },
                          { value: 'damaged', label: t('orderReturn.disposition.damaged') },
                        ]}
                        value={choice.disposition}
                        onChange={(disposition) =>
                          setChoices({ ...choices, [line.lineId]: { ...choice, disposition } })
                        }
                      />
                      <FieldError id={errorId} error={bad} />
                    </>
                  ) : null}
                </li>
              );
            })}
          </ul>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy}
            aria-describedby={submitError ? 'order-return-submit-error' : undefined}
          >
            {t('orderReturn.submit')}
          </button>
          <FieldError id="order-return-submit-error" error={submitError} />
        </form>
      ) : null}
    </section>
  );
}
