import type { ErrorBody } from '@retail/domain';
import { useEffect, useRef, useState } from 'react';
import type { CommandResponse } from '../../../shared/commands';
import { useFormat, usePos } from '../../app/pos-context';
import { Dialog } from '../../components/dialog';
import { ErrorBanner, Notice } from '../../components/error-banner';
import { ReceiptFrame } from '../../components/receipt-frame';
import { printReceipt } from '../../devices/print-receipt';
import { t } from '../../i18n/translate';
import { EmailReceipt } from './email-receipt';
import { screenError } from '../../stores/store-kit';

type ListedReceipt = CommandResponse<'receipt-list'>['receipts'][number];

/**
 * Receipt lookup and reprint (issue 14, Shift+F4 on Sell): a receipt by its number (this till's, or through
 * the hub another store's sale or an online order), or picked from this till's recent receipts or one
 * day's; shown as it prints and reprinted through the same print path as a sale, always marked COPY.
 */
export function ReceiptLookupDialog({ onDone }: { onDone: () => void }) {
  const { api, devices } = usePos();
  const format = useFormat();
  const [number, setNumber] = useState('');
  const [date, setDate] = useState('');
  const [receipts, setReceipts] = useState<readonly ListedReceipt[] | null>(null);
  const [shown, setShown] = useState<{
    receiptNumber: string;
    html: string;
    /** Set for a sale of this store, the only receipts that can be e-mailed. */
    emailTo: { suggested: string | null } | null;
  } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [notice, setNotice] = useState<{ text: string; tone: 'success' | 'warning' } | null>(null);
  // A list asked for an earlier date that answers late must not replace the one asked for last.
  const latestList = useRef(0);

  useEffect(() => {
    const asked = ++latestList.current;
    void api.call('receipt-list', date === '' ? {} : { date }).then((answer) => {
      if (asked !== latestList.current) return;
      setReceipts(answer.ok ? answer.value.receipts : []);
      if (!answer.ok) setError(answer.error);
    });
  }, [api, date]);

  const show = async (receiptNumber: string) => {
    const wanted = receiptNumber.trim();
    if (wanted === '') {
      setError(screenError(t('receiptLookup.empty')));
      return;
    }
    setBusy(true);
    setNotice(null);
    const answer = await api.call('receipt-preview', { receiptNumber: wanted, copy: true });
    setBusy(false);
    setError(answer.ok ? null : answer.error);
    setShown(
      answer.ok
        ? {
            receiptNumber: answer.value.receipt.receiptNumber,
            html: answer.value.html,
            emailTo: answer.value.emailTo ?? null,
          }
        : null,
    );
  };

  const print = async () => {
    if (!shown) return;
    setBusy(true);
    const printed = await printReceipt(api, devices, shown.receiptNumber, { copy: true });
    setBusy(false);
    if (!printed.ok) {
      setError(printed.error);
      return;
    }
    setError(null);
    setShown({ ...shown, html: printed.value.print.html });
    setNotice(
      printed.value.device.ok
        ? { text: t('receiptLookup.printed', { receipt: shown.receiptNumber }), tone: 'success' }
        : { text: printed.value.device.message, tone: 'warning' },
    );
  };

  return (
    <Dialog title={t('receiptLookup.title')} onCancel={onDone} wide>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void show(number);
        }}
      >
        <ErrorBanner error={error} />
        <label className="field field-scan">
          <span>{t('receiptLookup.number')}</span>
          <input
            autoComplete="off"
            spellCheck={false}
            value={number}
            onChange={(event) => setNumber(event.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('receiptLookup.date')}</span>
          <input type="date" value={date} onChange={(event) => setDate(event.target.value)} />
        </label>
        <section aria-label={date === '' ? t('receiptLookup.recent') : t('receiptLookup.date')}>
          {receipts !== null && receipts.length === 0 ? (
            <p className="muted">{t('receiptLookup.none')}</p>
          ) : null}
          <ul className="notes">
            {(receipts ?? []).map((row) => (
              <li key={row.receiptNumber}>
                <button type="button" className="btn" onClick={() => void show(row.receiptNumber)}>
                  {t(row.kind === 'return' ? 'receiptLookup.returnRow' : 'receiptLookup.row', {
                    receipt: row.receiptNumber,
                    time: format.dateTime(row.issuedAt),
                    total: format.money(row.total),
                  })}
                  {row.voided ? ` · ${t('receiptLookup.voided')}` : ''}
                </button>
              </li>
            ))}
          </ul>
        </section>
        {shown ? (
          <ReceiptFrame
            html={shown.html}
            title={t('receiptLookup.preview', { receipt: shown.receiptNumber })}
          />
        ) : null}
        {shown?.emailTo ? (
          <EmailReceipt
            key={shown.receiptNumber}
            receiptNumber={shown.receiptNumber}
            suggested={shown.emailTo.suggested}
          />
        ) : null}
        <Notice text={notice?.text ?? null} tone={notice?.tone ?? 'info'} />
        <div className="dialog-actions">
          <button type="button" className="btn" data-close onClick={onDone}>
            {t('common.close')}
          </button>
          <button type="submit" className="btn" disabled={busy}>
            {t('receiptLookup.find')}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy || shown === null}
            onClick={() => void print()}
          >
            {t('receiptLookup.print')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
