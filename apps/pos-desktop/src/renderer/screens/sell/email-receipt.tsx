import type { ErrorBody } from '@retail/domain';
import { useEffect, useState } from 'react';
import { ReceiptEmailAddressSchema, type ReceiptEmailStatus } from '../../../shared/commands';
import { usePos } from '../../app/pos-context';
import { FieldError, Notice } from '../../components/error-banner';
import { t } from '../../i18n/translate';
import { screenError } from '../../stores/store-kit';

/** How often a queued request is looked at again: it leaves the outbox when the till next syncs. */
const STATUS_POLL_MS = 1500;

function statusNotice(status: ReceiptEmailStatus): { text: string; tone: 'success' | 'warning' } {
  const params = { receipt: status.receiptNumber, email: status.email };
  if (status.state === 'sent') return { text: t('emailReceipt.sent', params), tone: 'success' };
  if (status.state === 'rejected') {
    return { text: t('emailReceipt.rejected', { ...params, reason: status.reason ?? '' }), tone: 'warning' };
  }
  return { text: t('emailReceipt.queued', params), tone: 'warning' };
}

/**
 * E-mail a receipt (issue 14), from the completed sale and from the receipt lookup. The request goes into
 * the till's outbox, so it works offline; the hub renders and sends the e-mail once the request reaches it.
 * The cashier sees which: queued here until the hub is reachable, or handed to the hub.
 */
export function EmailReceipt({
  receiptNumber,
  suggested,
}: {
  receiptNumber: string;
  /** The attached customer's address, offered as it stands. */
  suggested: string | null;
}) {
  const { api } = usePos();
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState(suggested ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [status, setStatus] = useState<ReceiptEmailStatus | null>(null);

  const requestId = status?.requestId;
  const queued = status?.state === 'queued';
  useEffect(() => {
    if (requestId === undefined || !queued) return;
    let stopped = false;
    const timer = setInterval(() => {
      void api.call('receipt-email-status', { requestId }).then((answer) => {
        if (!stopped && answer.ok && answer.value.state !== 'queued') setStatus(answer.value);
      });
    }, STATUS_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, requestId, queued]);

  if (!open) {
    return (
      <button type="button" className="btn" onClick={() => setOpen(true)}>
        {t('emailReceipt.open')}
      </button>
    );
  }

  const send = async () => {
    if (email.trim() === '') {
      setError(screenError(t('emailReceipt.empty')));
      return;
    }
    const address = ReceiptEmailAddressSchema.safeParse(email);
    if (!address.success) {
      setError(screenError(address.error.issues[0]?.message ?? t('emailReceipt.empty')));
      return;
    }
    setBusy(true);
    const answer = await api.call('receipt-email', { receiptNumber, email: address.data });
    setBusy(false);
    setError(answer.ok ? null : answer.error);
    if (answer.ok) setStatus(answer.value);
  };
  const notice = status === null ? null : statusNotice(status);

  return (
    <div
      className="email-receipt"
      role="group"
      aria-label={t('emailReceipt.title', { receipt: receiptNumber })}
    >
      <label className="field">
        <span>{t('emailReceipt.address')}</span>
        <input
          type="email"
          inputMode="email"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          value={email}
          aria-invalid={error !== null}
          aria-describedby={error === null ? undefined : 'email-receipt-error'}
          onChange={(event) => {
            setEmail(event.target.value);
            setError(null);
          }}
          onKeyDown={(event) => {
            // Inside the receipt lookup's form, Enter would look a receipt up instead.
            if (event.key !== 'Enter') return;
            event.preventDefault();
            void send();
          }}
        />
      </label>
      <FieldError id="email-receipt-error" error={error} />
      <button type="button" className="btn" disabled={busy} onClick={() => void send()}>
        {t('emailReceipt.send')}
      </button>
      <Notice text={notice?.text ?? null} tone={notice?.tone ?? 'info'} />
    </div>
  );
}
