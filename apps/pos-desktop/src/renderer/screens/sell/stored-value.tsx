import { maxRedeemablePoints, money, pointsToMoney } from '@retail/domain';
import { useState } from 'react';
import type { SaleView } from '../../../shared/commands';
import type { StoredValueStatus } from '../../../shared/loyalty-commands';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { Dialog } from '../../components/dialog';
import { tenderLabel } from '../../format/tender-label';
import type { StoreFormat } from '../../format/format';
import { t, type MessageKey } from '../../i18n/translate';
import type { StoredValueKind } from '../../stores/sale-store';
import { screenError } from '../../stores/store-kit';
import { DialogForm } from './sell-dialogs';
import { balanceAge, customerName, offlineLimitNote, useHubReachable } from './customer';

type SaleTender = SaleView['tenders'][number];

/**
 * A tender as the cashier reads it in the payment list: the kind (an exchange's credit is not the
 * customer's store credit), the points or card it used, and whether the hub holds it or the till took it
 * within its offline allowance.
 */
export function saleTenderText(
  tender: SaleTender,
  format: StoreFormat,
  stage: 'paying' | 'given-back' = 'paying',
): string {
  const kind = saleTenderKind(tender);
  const details = [
    tender.points === undefined
      ? null
      : t('tender.pointsTaken', { points: tender.points, pointsText: format.count(tender.points) }),
    // A points or stored-value payment's reference is the account id the hub books it under, and an
    // exchange credit's ties it to its return: neither is for people (issue 14, bug 5).
    tender.redemption || !isRemovableTender(tender) ? null : tender.reference,
    // Held or offline only matters while the sale is being paid; a cancelled sale gives the value back.
    tender.redemption && stage === 'paying'
      ? t(tender.redemption.mode === 'online' ? 'tender.held' : 'tender.offline')
      : null,
  ];
  return [kind, ...details.filter((detail): detail is string => detail !== null && detail !== '')].join(
    ' · ',
  );
}

/** The kind of a sale's tender: an exchange's credit is not the customer's store credit. */
export function saleTenderKind(tender: SaleTender): string {
  return tender.type === 'store_credit' && !tender.redemption
    ? tenderLabel(tender.type, 'sale')
    : tenderLabel(tender.type);
}

/** An exchange's credit is part of the exchange: it goes only when the exchange is taken off the sale. */
export function isRemovableTender(tender: SaleTender): boolean {
  return !(tender.type === 'store_credit' && !tender.redemption);
}

/**
 * The node refused a points or stored-value payment beyond what it may take while the hub is out of reach
 * (OFFLINE_LIMIT): its sentence is shown above, and this says what to do next.
 */
function OfflineLimitPrompt({ onChooseAnother }: { onChooseAnother: () => void }) {
  const { sale } = usePos();
  const error = useArea(sale, (state) => state.error);
  if (error?.code !== 'OFFLINE_LIMIT') return null;
  return (
    <div className="banner banner-warning" role="status">
      <span>{t('tender.chooseAnother')}</span>
      <button type="button" className="btn" onClick={onChooseAnother}>
        {t('tender.chooseAnotherButton')}
      </button>
    </div>
  );
}

/** What may be spent here and now: the whole balance while the hub can hold it, the allowance offline. */
function spendable(
  status: { source: 'hub' | 'cache'; available: number; offline: { allowed: number } },
  hubReachable: boolean,
): number {
  const most =
    status.source === 'hub' || hubReachable
      ? status.available
      : Math.min(status.available, status.offline.allowed);
  return Math.max(0, most);
}

/** Points of the attached customer towards what is still due; the field starts at what covers it. */
export function PointsDialog({ sale, onDone }: { sale: SaleView; onDone: () => void }) {
  const { sale: saleStore } = usePos();
  const format = useFormat();
  const busy = useArea(saleStore, (state) => state.busy);
  const hubReachable = useHubReachable();
  const loyalty = sale.customer?.loyalty ?? null;
  const pointValue = loyalty
    ? { points: loyalty.pointValue.points, value: money(loyalty.pointValue.value, sale.currency) }
    : null;
  const [text, setText] = useState(() => {
    if (!loyalty || !pointValue) return '';
    const suggested = maxRedeemablePoints(
      money(sale.payment.remaining, sale.currency),
      pointValue,
      spendable(loyalty, hubReachable),
    );
    return suggested > 0 ? String(suggested) : '';
  });
  if (!loyalty || !pointValue || !sale.customer) {
    return (
      <Dialog title={t('tender.pointsTitle')} onCancel={onDone}>
        <p>{t('tender.pointsNeedCustomer')}</p>
        <div className="dialog-actions">
          <button type="button" className="btn" data-close onClick={onDone}>
            {t('common.close')}
          </button>
        </div>
      </Dialog>
    );
  }
  const points = /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : null;
  const worth = points !== null && points > 0 ? pointsToMoney(points, pointValue).amount : null;
  const limit = offlineLimitNote(loyalty, format, hubReachable);
  const submit = async () => {
    if (points === null || points <= 0) {
      saleStore.setState({ error: screenError(t('tender.badPoints')) });
      return;
    }
    if (await saleStore.getState().payPoints(points)) onDone();
  };
  return (
    <DialogForm
      title={t('tender.pointsTitle')}
      onCancel={onDone}
      onSubmit={() => void submit()}
      submitLabel={t('tender.takePoints')}
      busy={busy}
    >
      <OfflineLimitPrompt onChooseAnother={onDone} />
      <p>
        <strong>{customerName(sale.customer.customer)}</strong>:{' '}
        {t('loyalty.points', { points: loyalty.available, pointsText: format.count(loyalty.available) })}
        <br />
        <span className="muted">{balanceAge(loyalty, format, hubReachable)}</span>
      </p>
      {limit ? <p className="muted">{limit}</p> : null}
      <label className="field">
        <span>{t('tender.pointsToUse')}</span>
        <input inputMode="numeric" value={text} onChange={(event) => setText(event.target.value)} />
      </label>
      <p data-testid="points-worth">
        {worth === null ? '' : t('loyalty.worth', { amount: format.money(worth) })}
      </p>
    </DialogForm>
  );
}

/** Shorter than this is no card number: asked for again before the node is. */
export const MIN_NUMBER = 6;

export function storedValueNotes(
  status: StoredValueStatus,
  format: StoreFormat,
  hubReachable: boolean,
): string[] {
  const notes = [balanceAge(status, format, hubReachable)];
  if (status.status === 'blocked') notes.push(t('stored.blocked'));
  if (!hubReachable && status.source === 'cache' && status.offline.limitedBy !== 'online') {
    const allowance = t('stored.offlineAllowance', { amount: format.money(status.offline.allowed) });
    notes.push(status.offline.reason ? `${allowance} ${status.offline.reason}` : allowance);
  }
  return notes;
}

/**
 * The card number a gift card or stored-value dialog asks for, and the checks made before the node is
 * asked: a number long enough to be one, an amount above zero (otherwise the sale shows `badAmount`).
 */
export function useCardEntry() {
  const { sale: saleStore } = usePos();
  const format = useFormat();
  const [number, setNumber] = useState('');
  const validNumber = (): string | null => {
    if (number.trim().length >= MIN_NUMBER) return number.trim();
    saleStore.setState({ error: screenError(t('stored.numberNeeded')) });
    return null;
  };
  const validAmount = (text: string, badAmount: MessageKey): number | null => {
    const amount = format.parseMoney(text);
    if (amount !== null && amount > 0) return amount;
    saleStore.setState({ error: screenError(t(badAmount)) });
    return null;
  };
  return { number, setNumber, validNumber, validAmount };
}

/** What a checked card holds, and the notes on how fresh that is and what may be spent offline. */
export function CardBalance({ status, hubReachable }: { status: StoredValueStatus; hubReachable: boolean }) {
  const format = useFormat();
  return (
    <>
      <p>
        <strong>
          {t('stored.balance', { card: status.maskedNumber, amount: format.money(status.available) })}
        </strong>
      </p>
      {storedValueNotes(status, format, hubReachable).map((note) => (
        <p key={note} className="muted">
          {note}
        </p>
      ))}
    </>
  );
}

/** A money amount typed at the till. */
export function AmountField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input inputMode="decimal" value={value} onChange={(event) => onChange(event.target.value)} />
    </label>
  );
}

/**
 * A card's number, scanned or typed, with Check balance beside it. A scanner ends the number with Enter,
 * which checks the card rather than paying or loading blind.
 */
export function CardNumberField({
  label,
  value,
  busy,
  onChange,
  onCheck,
}: {
  label: string;
  value: string;
  busy: boolean;
  onChange: (value: string) => void;
  onCheck: () => void;
}) {
  return (
    <div className="inline-form">
      <label className="field field-scan">
        <span>{label}</span>
        <input
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              onCheck();
            }
          }}
        />
      </label>
      <button type="button" className="btn" disabled={busy} onClick={onCheck}>
        {t('stored.check')}
      </button>
    </div>
  );
}

/**
 * A store credit or gift card: scan or type its number, check what it holds (and how fresh that is), take
 * an amount. The node holds the value at the hub, or takes it within its offline allowance.
 */
export function StoredValueDialog({
  kind,
  sale,
  onDone,
}: {
  kind: StoredValueKind;
  sale: SaleView;
  onDone: () => void;
}) {
  const { sale: saleStore } = usePos();
  const format = useFormat();
  const busy = useArea(saleStore, (state) => state.busy);
  const hubReachable = useHubReachable();
  const { number, setNumber, validNumber, validAmount } = useCardEntry();
  const [status, setStatus] = useState<StoredValueStatus | null>(null);
  const [amountText, setAmountText] = useState(format.moneyInput(sale.payment.remaining));
  const check = async () => {
    const wanted = validNumber();
    if (wanted === null) return;
    const checked = await saleStore.getState().checkStoredValue(wanted);
    setStatus(checked);
    if (!checked) return;
    setAmountText(format.moneyInput(Math.min(sale.payment.remaining, spendable(checked, hubReachable))));
  };
  const submit = async () => {
    const wanted = validNumber();
    if (wanted === null) return;
    const amount = validAmount(amountText, 'common.badAmount');
    if (amount === null) return;
    // A card checked here is paid as what the node says it is, whichever button opened the dialog.
    const paidAs = status !== null && number.trim() === wanted ? status.kind : kind;
    if (await saleStore.getState().payStoredValue(paidAs, amount, wanted)) onDone();
  };
  return (
    <DialogForm
      title={t(kind === 'gift_card' ? 'tender.giftCardTitle' : 'tender.storeCreditTitle')}
      onCancel={onDone}
      onSubmit={() => void submit()}
      submitLabel={t(kind === 'gift_card' ? 'tender.takeGiftCard' : 'tender.takeStoreCredit')}
      busy={busy}
    >
      <OfflineLimitPrompt onChooseAnother={onDone} />
      <CardNumberField
        label={t('stored.number')}
        value={number}
        busy={busy}
        onChange={(next) => {
          setNumber(next);
          setStatus(null);
        }}
        onCheck={() => void check()}
      />
      {status ? (
        <div role="status" aria-label={t('stored.check')}>
          <CardBalance status={status} hubReachable={hubReachable} />
        </div>
      ) : null}
      <AmountField label={t('stored.amount')} value={amountText} onChange={setAmountText} />
    </DialogForm>
  );
}
