import type { ErrorBody } from '@retail/domain';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { CatalogItem, SaleView } from '../../../shared/commands';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { Dialog } from '../../components/dialog';
import { Segmented } from '../../components/segmented';
import { DispositionSelect, type Disposition } from '../../components/disposition-select';
import { QuantityInput } from '../../components/product-picker';
import { ErrorBanner } from '../../components/error-banner';
import { t } from '../../i18n/translate';
import type { ManualDiscount } from '../../stores/sale-store';
import { screenError } from '../../stores/store-kit';

type SaleLine = SaleView['lines'][number];

/** A dialog around one form: the area's error on top, Cancel and the submit button below. */
export function DialogForm({
  title,
  onCancel,
  onSubmit,
  submitLabel,
  busy,
  children,
}: {
  title: string;
  onCancel: () => void;
  onSubmit: () => void;
  submitLabel: string;
  busy?: boolean;
  children: ReactNode;
}) {
  const { sale } = usePos();
  const error = useArea(sale, (state) => state.error);
  return (
    <Dialog title={title} onCancel={onCancel}>
      <form
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          onSubmit();
        }}
      >
        <ErrorBanner error={error} />
        {children}
        <div className="dialog-actions">
          <button type="button" className="btn" data-close onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Pieces for a counted item, kilograms for a weighed one. */
export function QuantityDialog({ line, onDone }: { line: SaleLine; onDone: () => void }) {
  const { sale } = usePos();
  const format = useFormat();
  const busy = useArea(sale, (state) => state.busy);
  const [text, setText] = useState(line.unit === 'kg' ? format.kilogramsInput(line.qty) : String(line.qty));
  const submit = async () => {
    const qty =
      line.unit === 'kg' ? format.parseKilograms(text) : /^\d{1,6}$/.test(text.trim()) ? Number(text) : null;
    if (qty === null || qty <= 0) {
      sale.setState({ error: screenError(line.unit === 'kg' ? t('sell.badWeight') : t('sell.badQty')) });
      return;
    }
    if (await sale.getState().setQty(line.lineId, qty)) onDone();
  };
  return (
    <DialogForm
      title={t('sell.qtyTitle', { name: line.name })}
      onCancel={onDone}
      onSubmit={() => void submit()}
      submitLabel={t('common.apply')}
      busy={busy}
    >
      <label className="field">
        <span>{line.unit === 'kg' ? t('sell.weightKg') : t('sell.pieces')}</span>
        <input inputMode="decimal" value={text} onChange={(event) => setText(event.target.value)} />
      </label>
    </DialogForm>
  );
}

/** The weight of a kg item picked by name or scanned without a scale label. */
export function WeightDialog({ item }: { item: CatalogItem }) {
  const { sale } = usePos();
  const format = useFormat();
  const busy = useArea(sale, (state) => state.busy);
  const [text, setText] = useState('');
  const cancel = () => sale.getState().cancelWeighing();
  const submit = async () => {
    const grams = format.parseKilograms(text);
    if (grams === null) {
      sale.setState({ error: screenError(t('sell.badWeight')) });
      return;
    }
    await sale.getState().addWeighed(grams);
  };
  return (
    <DialogForm
      title={t('sell.weighTitle', { name: item.name })}
      onCancel={cancel}
      onSubmit={() => void submit()}
      submitLabel={t('sell.addWeighed')}
      busy={busy}
    >
      {item.price ? <p>{t('sell.pricePerKg', { price: format.money(item.price.unitPrice) })}</p> : null}
      <label className="field">
        <span>{t('sell.weightKg')}</span>
        <input inputMode="decimal" value={text} onChange={(event) => setText(event.target.value)} />
      </label>
    </DialogForm>
  );
}

function DiscountFields({
  kind,
  setKind,
  text,
  setText,
}: {
  kind: 'percent' | 'amount';
  setKind: (kind: 'percent' | 'amount') => void;
  text: string;
  setText: (text: string) => void;
}) {
  return (
    <>
      <Segmented
        legend={t('discount.kind')}
        name="discount-kind"
        options={[
          { value: 'percent', label: t('discount.percent') },
          { value: 'amount', label: t('discount.amount') },
        ]}
        value={kind}
        onChange={setKind}
      />
      <label className="field">
        <span>{kind === 'percent' ? t('discount.percentValue') : t('discount.amountValue')}</span>
        <input inputMode="decimal" value={text} onChange={(event) => setText(event.target.value)} />
      </label>
    </>
  );
}

function parseDiscount(
  kind: 'percent' | 'amount',
  text: string,
  parseMoney: (text: string) => number | null,
): ManualDiscount | null {
  if (kind === 'amount') {
    const amount = parseMoney(text);
    return amount !== null && amount > 0 ? { amount } : null;
  }
  const match = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  const percent = Number(`${match[1]}.${match[2] ?? '0'}`);
  return percent > 0 && percent <= 100 ? { percent } : null;
}

/** A manual discount on one line or on the whole sale; the node holds it to the role's limit. */
export function DiscountDialog({ line, onDone }: { line: SaleLine | null; onDone: () => void }) {
  const { sale } = usePos();
  const format = useFormat();
  const busy = useArea(sale, (state) => state.busy);
  const current = useArea(sale, (state) => (line ? line.discount : (state.sale?.orderDiscount ?? null)));
  const [kind, setKind] = useState<'percent' | 'amount'>('percent');
  const [text, setText] = useState('');
  const apply = async (discount: ManualDiscount | null) => {
    const store = sale.getState();
    const done = line ? await store.discountLine(line.lineId, discount) : await store.discountOrder(discount);
    if (done) onDone();
  };
  const submit = () => {
    const discount = parseDiscount(kind, text, format.parseMoney);
    if (!discount) {
      sale.setState({ error: screenError(t('discount.bad')) });
      return;
    }
    void apply(discount);
  };
  return (
    <DialogForm
      title={line ? t('discount.lineTitle', { name: line.name }) : t('discount.orderTitle')}
      onCancel={onDone}
      onSubmit={submit}
      submitLabel={t('common.apply')}
      busy={busy}
    >
      <DiscountFields kind={kind} setKind={setKind} text={text} setText={setText} />
      {current ? (
        <button type="button" className="btn" onClick={() => void apply(null)}>
          {t('discount.remove')}
        </button>
      ) : null}
    </DialogForm>
  );
}

/** A new unit price for a line; a manager authorizes it in the override dialog. */
export function PriceDialog({ line, onDone }: { line: SaleLine; onDone: () => void }) {
  const { sale } = usePos();
  const format = useFormat();
  const busy = useArea(sale, (state) => state.busy);
  const [text, setText] = useState(format.moneyInput(line.unitPrice));
  const [reason, setReason] = useState('');
  const submit = async () => {
    const unitPrice = format.parseMoney(text);
    if (unitPrice === null) {
      sale.setState({ error: screenError(t('common.badAmount')) });
      return;
    }
    if (reason.trim() === '') {
      sale.setState({ error: screenError(t('common.reasonNeeded')) });
      return;
    }
    if (await sale.getState().overridePrice(line.lineId, unitPrice, reason.trim())) onDone();
  };
  return (
    <DialogForm
      title={t('price.title', { name: line.name })}
      onCancel={onDone}
      onSubmit={() => void submit()}
      submitLabel={t('common.apply')}
      busy={busy}
    >
      <label className="field">
        <span>{line.unit === 'kg' ? t('price.newPricePerKg') : t('price.newPrice')}</span>
        <input inputMode="decimal" value={text} onChange={(event) => setText(event.target.value)} />
      </label>
      <label className="field">
        <span>{t('common.reason')}</span>
        <input value={reason} onChange={(event) => setReason(event.target.value)} />
      </label>
    </DialogForm>
  );
}

/** A confirmation that needs a reason (void, post-void); the store action decides what happens. */
function ReasonDialog({
  title,
  explain,
  submitLabel,
  onConfirm,
  onDone,
}: {
  title: string;
  explain?: string;
  submitLabel: string;
  onConfirm: (reason: string) => Promise<boolean>;
  onDone: () => void;
}) {
  const { sale } = usePos();
  const busy = useArea(sale, (state) => state.busy);
  const [reason, setReason] = useState('');
  const submit = async () => {
    if (reason.trim() === '') {
      sale.setState({ error: screenError(t('common.reasonNeeded')) });
      return;
    }
    if (await onConfirm(reason.trim())) onDone();
  };
  return (
    <DialogForm
      title={title}
      onCancel={onDone}
      onSubmit={() => void submit()}
      submitLabel={submitLabel}
      busy={busy}
    >
      {explain ? <p>{explain}</p> : null}
      <label className="field">
        <span>{t('common.reason')}</span>
        <input value={reason} onChange={(event) => setReason(event.target.value)} />
      </label>
    </DialogForm>
  );
}

/** Abandons the sale with a reason; a cashier needs a manager for it. */
export function VoidDialog({ onDone }: { onDone: () => void }) {
  const { sale } = usePos();
  return (
    <ReasonDialog
      title={t('void.title')}
      submitLabel={t('void.confirm')}
      onConfirm={(reason) => sale.getState().voidSale(reason)}
      onDone={onDone}
    />
  );
}

/** Sales put aside on any register, oldest first. */
export function ParkedDialog() {
  const { sale } = usePos();
  const format = useFormat();
  const parked = useArea(sale, (state) => state.parked);
  const error = useArea(sale, (state) => state.error);
  const busy = useArea(sale, (state) => state.busy);
  if (parked === null) return null;
  const close = () => sale.getState().closeParked();
  return (
    <Dialog title={t('parked.title')} onCancel={close} wide>
      <ErrorBanner error={error} />
      {parked.length === 0 ? <p>{t('parked.none')}</p> : null}
      <ul className="parked-list">
        {parked.map((entry) => (
          <li key={entry.saleId}>
            <span>
              {t('parked.entry', {
                time: format.time(entry.parkedAt),
                lines: entry.lines,
                total: format.money(entry.total),
                register: entry.registerId,
              })}
            </span>
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy}
              onClick={() => void sale.getState().resume(entry.saleId)}
            >
              {t('parked.resume')}
            </button>
          </li>
        ))}
      </ul>
      <div className="dialog-actions">
        <button type="button" className="btn" data-close onClick={close}>
          {t('common.close')}
        </button>
      </div>
    </Dialog>
  );
}

interface ExchangeChoice {
  readonly qty: number;
  readonly disposition: Disposition;
}

/**
 * An exchange: the customer brings back items of an earlier receipt and takes new ones in the same sale;
 * what the returned items refund pays for the new ones (any excess goes back as a return would).
 */
export function ExchangeDialog({ onDone }: { onDone: () => void }) {
  const { sale, api } = usePos();
  const format = useFormat();
  const busy = useArea(sale, (state) => state.busy);
  const current = useArea(sale, (state) => state.sale?.exchange ?? null);
  const [receipt, setReceipt] = useState('');
  const [original, setOriginal] = useState<SaleView | null>(null);
  const [choices, setChoices] = useState<Readonly<Record<string, ExchangeChoice>>>({});
  const [findError, setFindError] = useState<ErrorBody | null>(null);
  const find = async () => {
    if (receipt.trim() === '') {
      setFindError(screenError(t('returns.receiptEmpty')));
      return;
    }
    const found = await api.call('sale-find', { receiptNumber: receipt.trim() });
    if (!found.ok) {
      setFindError(found.error);
      return;
    }
    setFindError(null);
    setOriginal(found.value);
    setChoices({});
  };
  const choose = (lineId: string, choice: ExchangeChoice) => setChoices({ ...choices, [lineId]: choice });
  const apply = async () => {
    if (!original?.receiptNumber) {
      await find();
      return;
    }
    const lines = Object.entries(choices)
      .filter(([, choice]) => choice.qty > 0)
      .map(([lineId, choice]) => ({ lineId, qty: choice.qty, disposition: choice.disposition }));
    if (lines.length === 0) {
      sale.setState({ error: screenError(t('returns.nothingChosen')) });
      return;
    }
    if (await sale.getState().setExchange({ receiptNumber: original.receiptNumber, lines })) onDone();
  };
  return (
    <DialogForm
      title={t('exchange.title')}
      onCancel={onDone}
      onSubmit={() => void apply()}
      submitLabel={original ? t('exchange.apply') : t('returns.find')}
      busy={busy}
    >
      {findError ? (
        <p role="alert" className="banner banner-error">
          {findError.message}
        </p>
      ) : null}
      {original ? (
        <>
          <p>
            {t('returns.original', {
              receipt: original.receiptNumber ?? '',
              date: original.completedAt ? format.dateTime(original.completedAt) : '',
              total: format.money(original.totals.total),
            })}
          </p>
          <ul className="return-lines" aria-label={t('returns.lines')}>
            {original.lines.map((line) => {
              const choice = choices[line.lineId] ?? { qty: 0, disposition: 'sellable' as const };
              return (
                <li key={line.lineId} className="return-line">
                  <span className="cart-line-name">{line.name}</span>
                  <span>
                    {t('returns.sold', {
                      qty: format.quantity(line.qty, line.unit),
                      paid: format.money(line.paid),
                    })}
                  </span>
                  <QuantityInput
                    label={t('returns.qtyFor', { name: line.name })}
                    unit={line.unit}
                    value={choice.qty}
                    onChange={(qty) => choose(line.lineId, { ...choice, qty })}
                  />
                  <DispositionSelect
                    label={t('returns.dispositionFor', { name: line.name })}
                    value={choice.disposition}
                    onChange={(disposition) => choose(line.lineId, { ...choice, disposition })}
                  />
                </li>
              );
            })}
          </ul>
        </>
      ) : (
        <label className="field">
          <span>{t('returns.receiptLabel')}</span>
          <input
            autoComplete="off"
            spellCheck={false}
            value={receipt}
            onChange={(event) => setReceipt(event.target.value)}
          />
        </label>
      )}
      {current ? (
        <button
          type="button"
          className="btn"
          onClick={() =>
            void sale
              .getState()
              .setExchange(null)
              .then((done) => done && onDone())
          }
        >
          {t('exchange.remove', { receipt: current.receiptNumber })}
        </button>
      ) : null}
    </DialogForm>
  );
}

/** Cancels the sale just completed; a cashier needs a manager for it. */
export function PostVoidDialog({ onDone }: { onDone: () => void }) {
  const { sale } = usePos();
  return (
    <ReasonDialog
      title={t('postVoid.title')}
      explain={t('postVoid.explain')}
      submitLabel={t('postVoid.confirm')}
      onConfirm={(reason) => sale.getState().postVoid(reason)}
      onDone={onDone}
    />
  );
}
