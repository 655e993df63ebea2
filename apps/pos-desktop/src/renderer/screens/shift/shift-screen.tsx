import { money, multiply, sum } from '@retail/domain';
import { useEffect, useState } from 'react';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { ROLE_RANK } from '../../../shared/commands';
import { denominationsFor } from '../../cash/denominations';
import { openCashDrawerFor } from '../../devices/cash-drawer';
import { ErrorBanner, Notice } from '../../components/error-banner';
import { Segmented } from '../../components/segmented';
import { t } from '../../i18n/translate';
import type { Denomination } from '../../stores/shift-store';
import { screenError } from '../../stores/store-kit';
import { reportHtml, ShiftReportView } from './shift-report';

/** Open with a float, move cash in and out, X report any time, close with the counted cash → Z report. */
export function ShiftScreen() {
  const { shift: shiftStore } = usePos();
  const shift = useArea(shiftStore, (state) => state.shift);
  const loaded = useArea(shiftStore, (state) => state.loaded);
  const error = useArea(shiftStore, (state) => state.error);
  const zReport = useArea(shiftStore, (state) => state.zReport);
  const xReport = useArea(shiftStore, (state) => state.xReport);
  const format = useFormat();
  const [closing, setClosing] = useState(false);
  useEffect(() => {
    void shiftStore.getState().load();
  }, [shiftStore]);
  return (
    <section className="screen shift" aria-labelledby="shift-title">
      <h1 id="shift-title">{t('shift.title', { register: shiftStore.getState().registerId })}</h1>
      <ErrorBanner error={error} onDismiss={() => shiftStore.setState({ error: null })} />
      {zReport ? (
        <>
          <ShiftReportView report={zReport} />
          <PrintReport kind="Z" />
        </>
      ) : null}
      {!loaded ? <p>{t('common.loading')}</p> : null}
      {loaded && !shift ? <OpenShift /> : null}
      {shift ? (
        <>
          <p>
            {t('shift.openSince', { at: format.dateTime(shift.openedAt), float: format.money(shift.float) })}
          </p>
          <CashMovement />
          <NoSale />
          <div className="tender-actions">
            <button type="button" className="btn" onClick={() => void shiftStore.getState().loadXReport()}>
              {t('shift.xReport')}
            </button>
            <button type="button" className="btn btn-danger" onClick={() => setClosing(true)}>
              {t('shift.close')}
            </button>
          </div>
          {xReport ? (
            <>
              <ShiftReportView report={xReport} />
              <PrintReport kind="X" />
            </>
          ) : null}
          {closing ? <CloseShift onCancel={() => setClosing(false)} /> : null}
        </>
      ) : null}
    </section>
  );
}

/**
 * Opens the drawer with no sale (change for a float, a note checked against the till): supervisors and
 * managers only, each opening audited by the node and counted on the X and Z reports.
 */
function NoSale() {
  const { api, devices, session, shift: shiftStore } = usePos();
  const staff = useArea(session, (state) => state.staff);
  const [notice, setNotice] = useState<{ text: string; tone: 'success' | 'warning' } | null>(null);
  const [busy, setBusy] = useState(false);
  if (!staff || ROLE_RANK[staff.role] < ROLE_RANK.supervisor) return null;
  const open = async () => {
    setBusy(true);
    const outcome = await openCashDrawerFor(api, devices, {
      registerId: shiftStore.getState().registerId,
      reason: 'no-sale',
    });
    setBusy(false);
    setNotice(
      outcome.ok
        ? { text: t('shift.noSaleDone'), tone: 'success' }
        : { text: outcome.message, tone: 'warning' },
    );
  };
  return (
    <div className="tender-actions">
      <button type="button" className="btn" disabled={busy} onClick={() => void open()}>
        {t('shift.noSale')}
      </button>
      <Notice text={notice?.text ?? null} tone={notice?.tone ?? 'info'} />
    </div>
  );
}

function PrintReport({ kind }: { kind: 'X' | 'Z' }) {
  const { shift: shiftStore, devices, session } = usePos();
  const format = useFormat();
  const node = useArea(session, (state) => state.node);
  const [notice, setNotice] = useState<string | null>(null);
  const print = async () => {
    const report = kind === 'Z' ? shiftStore.getState().zReport : shiftStore.getState().xReport;
    if (!report) return;
    const outcome = await devices.printReceipt(
      reportHtml(report, format, node?.storeName ?? node?.storeCode ?? ''),
    );
    setNotice(outcome.ok ? null : outcome.message);
  };
  return (
    <>
      <button type="button" className="btn" onClick={() => void print()}>
        {kind === 'Z' ? t('shift.printZ') : t('shift.printX')}
      </button>
      <Notice text={notice} tone="warning" />
    </>
  );
}

function OpenShift() {
  const { shift: shiftStore } = usePos();
  const format = useFormat();
  const busy = useArea(shiftStore, (state) => state.busy);
  const [text, setText] = useState('');
  const submit = () => {
    const float = format.parseMoney(text);
    if (float === null) {
      shiftStore.setState({ error: screenError(t('common.badAmount')) });
      return;
    }
    void shiftStore.getState().open(float);
  };
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <label className="field">
        <span>{t('shift.float')}</span>
        <input autoFocus inputMode="decimal" value={text} onChange={(event) => setText(event.target.value)} />
      </label>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {t('shift.open')}
      </button>
    </form>
  );
}

function CashMovement() {
  const { shift: shiftStore } = usePos();
  const format = useFormat();
  const busy = useArea(shiftStore, (state) => state.busy);
  const lastMovement = useArea(shiftStore, (state) => state.lastMovement);
  const [direction, setDirection] = useState<'in' | 'out'>('out');
  const [text, setText] = useState('');
  const [reason, setReason] = useState('');
  const submit = async () => {
    const amount = format.parseMoney(text);
    if (amount === null || amount <= 0) {
      shiftStore.setState({ error: screenError(t('common.badAmount')) });
      return;
    }
    if (reason.trim() === '') {
      shiftStore.setState({ error: screenError(t('common.reasonNeeded')) });
      return;
    }
    const store = shiftStore.getState();
    const done =
      direction === 'in'
        ? await store.cashIn(amount, reason.trim())
        : await store.cashOut(amount, reason.trim());
    if (done) {
      setText('');
      setReason('');
    }
  };
  return (
    <form
      className="cash-movement"
      aria-label={t('shift.cashMovement')}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <Segmented
        legend={t('shift.cashMovement')}
        name="cash-direction"
        options={[
          { value: 'in', label: t('shift.cashIn') },
          { value: 'out', label: t('shift.cashOut') },
        ]}
        value={direction}
        onChange={setDirection}
      />
      <label className="field">
        <span>{t('shift.amount')}</span>
        <input inputMode="decimal" value={text} onChange={(event) => setText(event.target.value)} />
      </label>
      <label className="field">
        <span>{t('common.reason')}</span>
        <input value={reason} onChange={(event) => setReason(event.target.value)} />
      </label>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {t('shift.record')}
      </button>
      <Notice
        tone="success"
        text={
          lastMovement
            ? t(lastMovement.direction === 'in' ? 'shift.cashInDone' : 'shift.cashOutDone', {
                amount: format.money(lastMovement.amount),
              })
            : null
        }
      />
    </form>
  );
}

/** Count the drawer note by note and coin by coin; a currency without a known set is counted as a total. */
function CloseShift({ onCancel }: { onCancel: () => void }) {
  const { shift: shiftStore } = usePos();
  const format = useFormat();
  const busy = useArea(shiftStore, (state) => state.busy);
  const denominations = denominationsFor(format.currency);
  const [counts, setCounts] = useState<Readonly<Record<number, string>>>({});
  const [totalText, setTotalText] = useState('');
  const parsed: Denomination[] = denominations.map((value) => ({
    value,
    count: /^\d{1,6}$/.test(counts[value]?.trim() ?? '') ? Number(counts[value]) : 0,
  }));
  const invalid = denominations.some(
    (value) => (counts[value] ?? '').trim() !== '' && !/^\d{1,6}$/.test((counts[value] ?? '').trim()),
  );
  const counted = sum(
    parsed.map((entry) => multiply(money(entry.value, format.currency), entry.count)),
    format.currency,
  ).amount;
  const submit = async () => {
    if (invalid) {
      shiftStore.setState({ error: screenError(t('shift.badCount')) });
      return;
    }
    let list: Denomination[] = parsed;
    if (denominations.length === 0) {
      const total = format.parseMoney(totalText);
      if (total === null) {
        shiftStore.setState({ error: screenError(t('common.badAmount')) });
        return;
      }
      // One minor unit counted `total` times: the Z report compares the same total the cashier counted.
      list = total > 0 ? [{ value: 1, count: total }] : [];
    }
    if (await shiftStore.getState().close(list)) onCancel();
  };
  return (
    <form
      className="close-shift"
      aria-label={t('shift.countTitle')}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h2>{t('shift.countTitle')}</h2>
      {denominations.length > 0 ? (
        <div className="denominations">
          {denominations.map((value) => (
            <label key={value} className="field field-qty">
              <span>{t('shift.countOf', { denomination: format.money(value) })}</span>
              <input
                inputMode="numeric"
                value={counts[value] ?? ''}
                onChange={(event) => setCounts({ ...counts, [value]: event.target.value })}
              />
            </label>
          ))}
        </div>
      ) : (
        <label className="field">
          <span>{t('shift.countedTotal')}</span>
          <input
            inputMode="decimal"
            value={totalText}
            onChange={(event) => setTotalText(event.target.value)}
          />
        </label>
      )}
      {denominations.length > 0 ? (
        <p data-testid="counted-total">{t('shift.counted', { total: format.money(counted) })}</p>
      ) : null}
      <div className="tender-actions">
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-danger" disabled={busy}>
          {t('shift.closeConfirm')}
        </button>
      </div>
    </form>
  );
}
