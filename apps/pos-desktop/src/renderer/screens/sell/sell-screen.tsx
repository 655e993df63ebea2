import { useCallback, useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useArea, usePos } from '../../app/pos-context';
import { useHotkeys } from '../../app/use-hotkeys';
import { SearchResults, useCatalogSearch } from '../../components/catalog-search';
import { isDialogOpen } from '../../components/dialog';
import { ErrorBanner, Notice } from '../../components/error-banner';
import { t } from '../../i18n/translate';
import { Cart, SaleTotals } from './cart';
import { CustomerDialog, CustomerPanel } from './customer';
import {
  DiscountDialog,
  ExchangeDialog,
  ParkedDialog,
  PostVoidDialog,
  PriceDialog,
  QuantityDialog,
  VoidDialog,
  WeightDialog,
} from './sell-dialogs';
import { GiftCardDialog } from './gift-card';
import { PriceCheckDialog } from './price-check';
import { ReceiptLookupDialog } from './receipt-lookup';
import { PointsDialog, StoredValueDialog } from './stored-value';
import { OverTenderNotice } from './over-tender';
import { SaleDonePanel, TenderPanel, type OtherTender } from './tender-panel';

type SellDialog =
  | 'qty'
  | 'line-discount'
  | 'order-discount'
  | 'price'
  | 'customer'
  | 'void'
  | 'exchange'
  | 'post-void'
  | 'gift-card'
  | 'price-check'
  | 'receipt-lookup'
  | OtherTender;

/**
 * A shortcut shown on its button. The button's accessible name stays its words; assistive technology reads
 * the keys from aria-keyshortcuts instead.
 */
function Shortcut({ keys }: { keys: string }) {
  return <kbd aria-hidden="true">{keys.replace('Shift+', '⇧')}</kbd>;
}

/** An action button with an optional Shift shortcut, announced through aria-keyshortcuts. */
function ActionButton({
  label,
  keys,
  disabled,
  danger = false,
  onClick,
}: {
  label: string;
  keys?: string;
  disabled: boolean;
  danger?: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className={danger ? 'btn btn-danger' : 'btn'}
      disabled={disabled}
      onClick={onClick}
      aria-keyshortcuts={keys}
    >
      {keys === undefined ? (
        label
      ) : (
        <>
          {label} <Shortcut keys={keys} />
        </>
      )}
    </button>
  );
}

/** The look-ups a cashier can open with or without a sale: exchange, gift card, price check, receipt. */
function LookupButtons({ busy, openDialog }: { busy: boolean; openDialog: (next: SellDialog) => void }) {
  return (
    <>
      <ActionButton
        label={t('sell.exchange')}
        keys="Shift+F2"
        disabled={busy}
        onClick={() => openDialog('exchange')}
      />
      <ActionButton label={t('giftCard.button')} disabled={busy} onClick={() => openDialog('gift-card')} />
      <ActionButton
        label={t('priceCheck.button')}
        keys="Shift+F3"
        disabled={busy}
        onClick={() => openDialog('price-check')}
      />
      <ActionButton
        label={t('receiptLookup.button')}
        keys="Shift+F4"
        disabled={busy}
        onClick={() => openDialog('receipt-lookup')}
      />
    </>
  );
}

function isTextEntry(element: Element | null): boolean {
  return (
    element instanceof HTMLInputElement ||
    element instanceof HTMLTextAreaElement ||
    element instanceof HTMLSelectElement
  );
}

/**
 * The selling screen. The scan field keeps the focus: a barcode scanner is a keyboard that types fast and
 * presses Enter, so any keystroke outside another field lands there.
 */
export function SellScreen({ onOpenShift }: { onOpenShift: () => void }) {
  const { sale: saleStore, shift: shiftStore, customer: customerStore } = usePos();
  const shift = useArea(shiftStore, (state) => state.shift);
  const shiftLoaded = useArea(shiftStore, (state) => state.loaded);
  const sale = useArea(saleStore, (state) => state.sale);
  const mode = useArea(saleStore, (state) => state.mode);
  const selectedLineId = useArea(saleStore, (state) => state.selectedLineId);
  const weighing = useArea(saleStore, (state) => state.weighing);
  const parked = useArea(saleStore, (state) => state.parked);
  const error = useArea(saleStore, (state) => state.error);
  const busy = useArea(saleStore, (state) => state.busy);
  const deviceNotice = useArea(saleStore, (state) => state.deviceNotice);
  const reservedNotice = useArea(saleStore, (state) => state.reservedNotice);
  const [entry, setEntry] = useState('');
  const [dialog, setDialog] = useState<SellDialog | null>(null);
  const scanRef = useRef<HTMLInputElement>(null);
  const search = useCatalogSearch((searchError) => saleStore.setState({ error: searchError }));
  const store = saleStore.getState();
  const selectedLine = sale?.lines.find((line) => line.lineId === selectedLineId) ?? null;
  // A gift card load is removed like a line, but has no quantity, discount or price to change.
  const selectedLoad = sale?.giftCards?.find((load) => load.lineId === selectedLineId) ?? null;
  const removable = selectedLine ?? selectedLoad;
  const anyDialog = dialog !== null || weighing !== null || parked !== null;

  useEffect(() => {
    void shiftStore.getState().load();
    void saleStore.getState().load();
  }, [shiftStore, saleStore]);

  // Keystrokes that land nowhere in particular belong to the scan field (the scanner does not aim).
  useEffect(() => {
    if (mode === 'tender') return undefined;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.altKey || event.metaKey || isDialogOpen(document)) return;
      if (isTextEntry(document.activeElement)) return;
      if (event.key.length === 1) scanRef.current?.focus();
    };
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, [mode]);

  useEffect(() => {
    if (mode !== 'tender' && !anyDialog && !isTextEntry(document.activeElement)) scanRef.current?.focus();
  }, [sale, mode, anyDialog]);

  const openDialog = (next: SellDialog) => {
    const needsLine = next === 'qty' || next === 'line-discount' || next === 'price';
    if (needsLine && !selectedLine) {
      saleStore.setState({ error: { code: 'INVALID_INPUT', message: t('sell.selectLineFirst') } });
      return;
    }
    // A dialog starts clean: the last scan's or tender's failure is not this dialog's.
    saleStore.setState({ error: null });
    customerStore.getState().reset();
    setDialog(next);
  };
  const closeDialog = () => {
    setDialog(null);
    saleStore.setState({ error: null });
  };

  // Shift with the key of a related action: Shift+F6 price (F6 quantity), Shift+F7 sale discount (F7 line
  // discount), Shift+F8 void (F8 park), Shift+F2 exchange (F2 returns), Shift+F1 customer (F1 sell).
  const onSale = (next: SellDialog) => () => {
    if (sale && mode !== 'tender') openDialog(next);
  };
  useHotkeys({
    F6: () => openDialog('qty'),
    F7: () => openDialog('line-discount'),
    'Shift+F1': onSale('customer'),
    'Shift+F6': onSale('price'),
    'Shift+F7': onSale('order-discount'),
    'Shift+F8': onSale('void'),
    'Shift+F2': () => {
      if (mode !== 'tender') openDialog('exchange');
    },
    // Shift+F3 (F3 is stock): what an item costs and how many are here, whether or not a sale is open.
    'Shift+F3': () => openDialog('price-check'),
    // Shift+F4 (F4 is the shift and its takings): find a past receipt and print a copy.
    'Shift+F4': () => {
      if (mode !== 'tender') openDialog('receipt-lookup');
    },
    F8: () => void store.park(),
    F10: () => void store.startTender(),
    Escape: () => {
      if (mode === 'tender') store.backToCart();
    },
  });

  const selectLine = useCallback((lineId: string) => saleStore.getState().selectLine(lineId), [saleStore]);

  const submitEntry = () => {
    const picked = search.highlighted;
    // The command goes out first; clearing the field can render while the node works.
    if (picked) void store.addItem(picked);
    else if (entry.trim() !== '') void store.scan(entry);
    setEntry('');
    search.clear();
  };
  const onEntryKeyDown = (event: ReactKeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      submitEntry();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (search.move(event.key === 'ArrowDown' ? 1 : -1)) return;
      const lines = sale?.lines ?? [];
      const at = lines.findIndex((line) => line.lineId === selectedLineId);
      const next = event.key === 'ArrowDown' ? Math.min(lines.length - 1, at + 1) : Math.max(0, at - 1);
      const line = lines[next];
      if (line) store.selectLine(line.lineId);
    } else if (event.key === 'Delete' && entry === '' && removable) {
      event.preventDefault();
      void store.removeLine(removable.lineId);
    } else if (event.key === 'Escape' && entry !== '') {
      event.preventDefault();
      setEntry('');
      search.clear();
    }
  };

  if (shiftLoaded && !shift) {
    return (
      <section className="screen" aria-labelledby="sell-title">
        <h1 id="sell-title">{t('sell.title')}</h1>
        <p>{t('sell.noShift', { register: shiftStore.getState().registerId })}</p>
        <button type="button" className="btn btn-primary" onClick={onOpenShift}>
          {t('sell.openShift')}
        </button>
      </section>
    );
  }

  return (
    <section
      className={mode === 'tender' ? 'screen sell paying' : 'screen sell'}
      aria-labelledby="sell-title"
    >
      <h1 id="sell-title" className="visually-hidden">
        {t('sell.title')}
      </h1>
      <div className="sell-main">
        <div className="scan-box">
          <label className="field field-scan">
            <span>{t('sell.scanLabel')}</span>
            <input
              ref={scanRef}
              autoFocus
              autoComplete="off"
              spellCheck={false}
              role="combobox"
              aria-expanded={search.results.length > 0}
              aria-controls="search-results"
              aria-activedescendant={search.highlight >= 0 ? `search-results-${search.highlight}` : undefined}
              disabled={mode === 'tender'}
              value={entry}
              onChange={(event) => {
                setEntry(event.target.value);
                search.typed(event.target.value);
              }}
              onKeyDown={onEntryKeyDown}
            />
          </label>
          <SearchResults
            id="search-results"
            search={search}
            onPick={(item) => {
              setEntry('');
              search.clear();
              void store.addItem(item);
            }}
          />
        </div>
        {/* While paying, the payment panel shows a failure beside the control that caused it. */}
        {anyDialog || mode === 'tender' ? null : (
          <ErrorBanner error={error} onDismiss={() => store.dismissError()} />
        )}
        <Notice text={deviceNotice} tone="warning" />
        {sale ? <OverTenderNotice sale={sale} /> : null}
        {mode === 'cart' && sale ? <Notice text={reservedNotice} tone="warning" /> : null}
        <Cart sale={sale} selectedLineId={selectedLineId} onSelect={selectLine} />
      </div>
      <aside className="sell-side">
        {mode === 'done' && !sale ? <SaleDonePanel onPostVoid={() => openDialog('post-void')} /> : null}
        {mode === 'tender' && sale ? (
          <>
            <CustomerPanel sale={sale} />
            <TenderPanel key={sale.saleId} sale={sale} onOther={openDialog} />
          </>
        ) : null}
        {mode !== 'tender' && sale ? (
          <>
            <SaleTotals sale={sale} />
            <CustomerPanel sale={sale} />
            <div className="action-grid" role="group" aria-label={t('sell.actions')}>
              <button
                type="button"
                className="btn"
                disabled={busy || !selectedLine}
                onClick={() => openDialog('qty')}
              >
                {t('sell.qty')} <kbd>F6</kbd>
              </button>
              <button
                type="button"
                className="btn"
                disabled={busy || !removable}
                onClick={() => removable && void store.removeLine(removable.lineId)}
              >
                {t('sell.remove')} <kbd>Del</kbd>
              </button>
              <button
                type="button"
                className="btn"
                disabled={busy || !selectedLine}
                onClick={() => openDialog('line-discount')}
              >
                {t('sell.lineDiscount')} <kbd>F7</kbd>
              </button>
              <ActionButton
                label={t('sell.priceOverride')}
                keys="Shift+F6"
                disabled={busy || !selectedLine}
                onClick={() => openDialog('price')}
              />
              <ActionButton
                label={t('sell.orderDiscount')}
                keys="Shift+F7"
                disabled={busy}
                onClick={() => openDialog('order-discount')}
              />
              <ActionButton
                label={t('sell.customer')}
                keys="Shift+F1"
                disabled={busy}
                onClick={() => openDialog('customer')}
              />
              <LookupButtons busy={busy} openDialog={openDialog} />
              <button type="button" className="btn" disabled={busy} onClick={() => void store.park()}>
                {t('sell.park')} <kbd>F8</kbd>
              </button>
              <ActionButton
                label={t('sell.void')}
                keys="Shift+F8"
                disabled={busy}
                danger
                onClick={() => openDialog('void')}
              />
              <button
                type="button"
                className="btn btn-primary btn-pay"
                disabled={busy || (sale.lines.length === 0 && (sale.giftCards ?? []).length === 0)}
                onClick={() => void store.startTender()}
              >
                {t('sell.pay')} <kbd>F10</kbd>
              </button>
            </div>
          </>
        ) : null}
        {mode !== 'tender' && !sale ? (
          <div className="action-grid" role="group" aria-label={t('sell.actions')}>
            <button type="button" className="btn" disabled={busy} onClick={() => void store.loadParked()}>
              {t('sell.parkedSales')}
            </button>
            <LookupButtons busy={busy} openDialog={openDialog} />
          </div>
        ) : null}
      </aside>
      {dialog === 'qty' && selectedLine ? <QuantityDialog line={selectedLine} onDone={closeDialog} /> : null}
      {dialog === 'line-discount' && selectedLine ? (
        <DiscountDialog line={selectedLine} onDone={closeDialog} />
      ) : null}
      {dialog === 'order-discount' ? <DiscountDialog line={null} onDone={closeDialog} /> : null}
      {dialog === 'price' && selectedLine ? <PriceDialog line={selectedLine} onDone={closeDialog} /> : null}
      {dialog === 'customer' ? <CustomerDialog onDone={closeDialog} /> : null}
      {dialog === 'void' ? <VoidDialog onDone={closeDialog} /> : null}
      {dialog === 'exchange' ? <ExchangeDialog onDone={closeDialog} /> : null}
      {dialog === 'post-void' ? <PostVoidDialog onDone={closeDialog} /> : null}
      {dialog === 'gift-card' ? <GiftCardDialog onDone={closeDialog} /> : null}
      {dialog === 'price-check' ? <PriceCheckDialog onDone={closeDialog} /> : null}
      {dialog === 'receipt-lookup' ? <ReceiptLookupDialog onDone={closeDialog} /> : null}
      {dialog === 'loyalty_points' && sale ? <PointsDialog sale={sale} onDone={closeDialog} /> : null}
      {(dialog === 'store_credit' || dialog === 'gift_card') && sale ? (
        <StoredValueDialog kind={dialog} sale={sale} onDone={closeDialog} />
      ) : null}
      {weighing ? <WeightDialog item={weighing} /> : null}
      <ParkedDialog />
    </section>
  );
}
