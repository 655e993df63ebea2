import type { ErrorBody, Result } from '@retail/domain';
import { createStore } from 'zustand/vanilla';
import type { CatalogItem, CommandInput, CommandResponse, SaleView } from '../../shared/commands';
import type { StoredValueStatus } from '../../shared/loyalty-commands';
import { isUnreachable, type PosApi } from '../api/pos-api';
import { openCashDrawerFor } from '../devices/cash-drawer';
import type { PosDevices } from '../devices/devices';
import { printReceipt } from '../devices/print-receipt';
import { t } from '../i18n/translate';
import { createActionQueue, screenError, settle, type CommandState } from './store-kit';

export type SellMode = 'cart' | 'tender' | 'done';
export type ManualDiscount = NonNullable<CommandInput<'sale-discount-order'>['discount']>;
export type ParkedSale = CommandResponse<'sale-list-parked'>['sales'][number];

export type TenderInput = CommandInput<'sale-add-tender'>['tender'];
export type StoredValueKind = StoredValueStatus['kind'];

export type ExchangeInput = NonNullable<CommandInput<'sale-set-exchange'>['exchange']>;

export interface CompletedSale {
  /** The completed sale, or the same sale voided after completion (post-void). */
  readonly sale: SaleView;
  /** The receipt's 80 mm HTML for the preview, once the node sent it. */
  readonly receiptHtml: string | null;
  readonly printed: number;
  /** Points the sale earned and spent, as the receipt states them (null without a loyalty member). */
  readonly loyalty: CommandResponse<'receipt-preview'>['receipt']['loyalty'];
}

export interface SaleState extends CommandState {
  readonly registerId: string;
  readonly sale: SaleView | null;
  readonly mode: SellMode;
  readonly selectedLineId: string | null;
  /** A kg item waiting for its weight before it can go on the sale. */
  readonly weighing: CatalogItem | null;
  readonly parked: readonly ParkedSale[] | null;
  readonly completed: CompletedSale | null;
  /** Peripheral trouble (printer, drawer): shown, but the sale itself is fine. */
  readonly deviceNotice: string | null;
  /**
   * The till's copy of the stock shows units of the item just added as promised to pickup orders: the sale
   * goes on, but the cashier knows a promise may break (the hub raises it for HQ when the sale arrives).
   */
  readonly reservedNotice: string | null;
  /** Picks up the sale left open on this register (after a restart or a lock). */
  load(): Promise<void>;
  /** A scan or keyed entry: a barcode, a SKU code, optionally "3*code" for three pieces. */
  scan(text: string): Promise<boolean>;
  addItem(item: CatalogItem, qty?: number): Promise<boolean>;
  addWeighed(grams: number): Promise<boolean>;
  cancelWeighing(): void;
  selectLine(lineId: string | null): void;
  setQty(lineId: string, qty: number): Promise<boolean>;
  removeLine(lineId: string): Promise<boolean>;
  discountLine(lineId: string, discount: ManualDiscount | null): Promise<boolean>;
  discountOrder(discount: ManualDiscount | null): Promise<boolean>;
  overridePrice(lineId: string, unitPrice: number, reason: string): Promise<boolean>;
  attachCustomer(customerId: string | null): Promise<boolean>;
  park(): Promise<boolean>;
  loadParked(): Promise<void>;
  closeParked(): void;
  resume(saleId: string): Promise<boolean>;
  voidSale(reason: string): Promise<boolean>;
  /**
   * Sells (activates) or reloads a gift card for `amount` on the sale, starting one if none is open; the
   * node decides which from the hub's answer (or its cache offline), the hub loads it once the sale arrives.
   */
  addGiftCard(number: string, amount: number): Promise<boolean>;
  /** Items of an earlier receipt come back in this sale; what they refund pays for it (null removes it). */
  setExchange(exchange: ExchangeInput | null): Promise<boolean>;
  /** Cancels the sale just completed (same shift, manager override): tenders refunded, stock put back. */
  postVoid(reason: string): Promise<boolean>;
  startTender(): Promise<void>;
  backToCart(): void;
  payCash(amount: number): Promise<boolean>;
  payCard(amount: number, reference: string): Promise<boolean>;
  /** Points of the attached customer: held at the hub, or within the node's offline allowance. */
  payPoints(points: number): Promise<boolean>;
  /** A store credit or gift card by its number, held at the hub or within the offline allowance. */
  payStoredValue(kind: StoredValueKind, amount: number, number: string): Promise<boolean>;
  /** The balance of a store credit or gift card, as fresh as the node can get it. */
  checkStoredValue(number: string): Promise<StoredValueStatus | null>;
  /** Asks the node for the attached customer's points again (the hub may have come back). */
  refreshLoyalty(): Promise<boolean>;
  removeTender(tenderId: string): Promise<boolean>;
  /**
   * Takes off every payment the sale shows as over-tendered (`payment.overTendered`: a price dropped under
   * them), so the cashier can take what is now due instead.
   */
  removeOverTendered(): Promise<boolean>;
  complete(): Promise<boolean>;
  printReceipt(): Promise<boolean>;
  newSale(): void;
  dismissError(): void;
}

export type SaleStore = ReturnType<typeof createSaleStore>;

/** "3*4006381333931" or "3x..." multiplies a scan; the code itself stays whatever the scanner typed. */
export function parseScanEntry(text: string): { code: string; qty: number | undefined } | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const multiplied = /^(\d{1,4})\s*[*xX×]\s*(\S.*)$/.exec(trimmed);
  if (multiplied) {
    const qty = Number(multiplied[1]);
    return qty > 0 ? { code: (multiplied[2] ?? '').trim(), qty } : null;
  }
  return { code: trimmed, qty: undefined };
}

/** The lines a cashier can select and remove: the items, then the gift cards sold or reloaded. */
export function saleLineIds(sale: SaleView): string[] {
  return [...sale.lines.map((line) => line.lineId), ...(sale.giftCards ?? []).map((load) => load.lineId)];
}

export function createSaleStore(api: PosApi, devices: PosDevices, registerId: string) {
  const enqueue = createActionQueue();
  let stopPrices: () => void = () => undefined;
  const store = createStore<SaleState>()((set, get) => {
    const fail = (error: ErrorBody) => {
      set({ error, busy: false });
      return false;
    };

    /** Applies a sale the node answered with, keeping the selection if that line still exists. */
    const show = (sale: SaleView) => {
      const selected = get().selectedLineId;
      set({
        sale,
        selectedLineId: saleLineIds(sale).includes(selected ?? '') ? selected : null,
      });
    };

    // A price or promotion switched on or off (the node's own timer, offline too): the open sale is shown
    // again as the node prices it now, so the cashier never reads a price the sale will not charge.
    stopPrices = api.client.on('prices-changed', () => {
      void enqueue(async () => {
        const open = get().sale;
        if (open === null || open.status !== 'open') return;
        const result = await api.call('sale-get', { saleId: open.saleId });
        if (result.ok && get().sale?.saleId === open.saleId) show(result.value);
      });
    });

    async function openSale(): Promise<SaleView | undefined> {
      const current = get().sale;
      if (current && current.status === 'open') return current;
      const started = settle(set, await api.call('sale-start', { registerId }));
      if (!started) return undefined;
      set({
        sale: started,
        mode: 'cart',
        completed: null,
        selectedLineId: null,
        deviceNotice: null,
        reservedNotice: null,
      });
      return started;
    }

    /** True when the line is on the sale; false when the failure is already shown; else the node's refusal. */
    async function addLine(
      input: { code: string } | { sku: string },
      qty: number | undefined,
    ): Promise<boolean | { ok: false; error: ErrorBody }> {
      const sale = await openSale();
      if (!sale) return false;
      const result = await api.call('sale-add-line', {
        saleId: sale.saleId,
        ...input,
        ...(qty === undefined ? {} : { qty }),
      });
      if (!result.ok) return result;
      const before = get().sale?.lines ?? [];
      show(result.value);
      // A rescan of the same item adds to its line; either way the line that changed gets selected.
      const added =
        result.value.lines.find((line) => !before.some((old) => old.lineId === line.lineId)) ??
        result.value.lines.find((line) =>
          before.some((old) => old.lineId === line.lineId && old.qty !== line.qty),
        );
      set({
        error: null,
        busy: false,
        selectedLineId: added?.lineId ?? null,
        reservedNotice: null,
      });
      // After the line is on screen: the scan is never slowed down by the check.
      if (added) void warnIfReserved(added.sku, added.name);
      return true;
    }

    /** Sets the reserved-for-pickup hint when this sale takes units the till's copy shows as promised. */
    async function warnIfReserved(sku: string, name: string): Promise<void> {
      const result = await api.call('stock-levels', { skus: [sku] });
      const level = result.ok ? result.value.levels.find((entry) => entry.sku === sku) : undefined;
      const sale = get().sale;
      if (!level || !level.hasSnapshot || level.reservedUnstaged === 0 || !sale) return;
      const inSale = sale.lines.filter((line) => line.sku === sku).reduce((sum, line) => sum + line.qty, 0);
      if (level.sellable - inSale >= level.reservedUnstaged) return;
      const unit = sale.lines.find((line) => line.sku === sku)?.unit ?? 'each';
      set({
        reservedNotice: t(unit === 'kg' ? 'sell.reservedHintKg' : 'sell.reservedHint', {
          name,
          units: level.reservedUnstaged,
          sellable: level.sellable,
        }),
      });
    }

    /** Runs a command that answers with the sale as it now stands. */
    async function update(
      send: (sale: SaleView) => Promise<Result<SaleView>>,
    ): Promise<SaleView | undefined> {
      const sale = get().sale;
      if (!sale) return undefined;
      set({ busy: true });
      const next = settle(set, await send(sale));
      if (next) show(next);
      return next;
    }

    /** Adds a payment; the sale completes as soon as it is paid. */
    async function pay(tender: TenderInput): Promise<boolean> {
      const sale = await update((current) => api.call('sale-add-tender', { saleId: current.saleId, tender }));
      return sale?.payment.complete ? finish() : Boolean(sale);
    }

    async function finish(): Promise<boolean> {
      const sale = get().sale;
      if (!sale) return false;
      set({ busy: true });
      // Discounts are judged again on the final cart: beyond the cashier's limit a supervisor approves
      // them here, in the override dialog, and the sale completes with that approval.
      const done = settle(set, await api.callWithOverride('sale-complete', { saleId: sale.saleId }));
      if (!done) return false;
      set({
        sale: null,
        mode: 'done',
        completed: { sale: done, receiptHtml: null, printed: 0, loyalty: null },
      });
      const notices: string[] = [];
      if (done.tenders.some((tender) => tender.type === 'cash' && tender.tendered > 0)) {
        const drawer = await openCashDrawerFor(api, devices, {
          registerId,
          reason: 'sale',
          reference: done.saleId,
        });
        if (!drawer.ok && devices.kind === 'desktop') notices.push(drawer.message);
      }
      if (done.receiptNumber !== null) {
        const preview = await api.call('receipt-preview', { receiptNumber: done.receiptNumber });
        if (preview.ok) {
          const completed = get().completed;
          if (completed?.sale.saleId === done.saleId)
            set({
              completed: {
                ...completed,
                receiptHtml: preview.value.html,
                loyalty: preview.value.receipt.loyalty,
              },
            });
        } else {
          set({ error: preview.error });
        }
      }
      set({ deviceNotice: notices.length > 0 ? notices.join(' ') : null });
      return true;
    }

    return {
      registerId,
      sale: null,
      mode: 'cart',
      selectedLineId: null,
      weighing: null,
      parked: null,
      completed: null,
      deviceNotice: null,
      reservedNotice: null,
      busy: false,
      error: null,
      load: () =>
        enqueue(async () => {
          const value = settle(set, await api.call('sale-current', { registerId }));
          if (value?.sale) set({ sale: value.sale, mode: 'cart' });
        }),
      scan: (text) =>
        enqueue(async () => {
          const entry = parseScanEntry(text);
          if (!entry || entry.code === '') return fail(screenError(t('sell.scanEmpty')));
          const added = await addLine({ code: entry.code }, entry.qty);
          // The field is already empty for the next scan: the sentence names the code that did not go on.
          const failed = added === false ? get().error : added === true ? null : added.error;
          if (failed !== null && isUnreachable(failed)) {
            return fail({
              ...failed,
              message: t('sell.scanNotAdded', { code: entry.code, reason: failed.message }),
            });
          }
          if (added === true || added === false) return added;
          // A plain barcode of an item sold by weight: ask for the weight instead of failing the scan.
          if (added.error.code === 'INVALID_INPUT' && entry.qty === undefined) {
            const looked = await api.call('catalog-scan', { code: entry.code });
            if (looked.ok && looked.value.item.unit === 'kg' && looked.value.scan.weightGrams === null) {
              set({ weighing: looked.value.item, error: null });
              return false;
            }
          }
          return fail(added.error);
        }),
      addItem: (item, qty) =>
        enqueue(async () => {
          if (item.unit === 'kg' && qty === undefined) {
            set({ weighing: item });
            return false;
          }
          const added = await addLine({ sku: item.sku }, qty);
          return added === true || added === false ? added : fail(added.error);
        }),
      addWeighed: (grams) =>
        enqueue(async () => {
          const item = get().weighing;
          if (!item) return false;
          const added = await addLine({ sku: item.sku }, grams);
          if (added === true) set({ weighing: null });
          return added === true || added === false ? added : fail(added.error);
        }),
      cancelWeighing: () => set({ weighing: null }),
      selectLine: (lineId) => set({ selectedLineId: lineId }),
      setQty: (lineId, qty) =>
        enqueue(async () =>
          Boolean(await update((sale) => api.call('sale-set-qty', { saleId: sale.saleId, lineId, qty }))),
        ),
      removeLine: (lineId) =>
        enqueue(async () =>
          Boolean(await update((sale) => api.call('sale-remove-line', { saleId: sale.saleId, lineId }))),
        ),
      discountLine: (lineId, discount) =>
        enqueue(async () =>
          Boolean(
            await update((sale) =>
              api.callWithOverride('sale-discount-line', { saleId: sale.saleId, lineId, discount }),
            ),
          ),
        ),
      discountOrder: (discount) =>
        enqueue(async () =>
          Boolean(
            await update((sale) =>
              api.callWithOverride('sale-discount-order', { saleId: sale.saleId, discount }),
            ),
          ),
        ),
      overridePrice: (lineId, unitPrice, reason) =>
        enqueue(async () =>
          Boolean(
            await update((sale) =>
              api.callWithOverride('sale-override-price', { saleId: sale.saleId, lineId, unitPrice, reason }),
            ),
          ),
        ),
      attachCustomer: (customerId) =>
        enqueue(async () => {
          const sale = await openSale();
          if (!sale) return false;
          return Boolean(
            await update((current) =>
              api.call('sale-attach-customer', { saleId: current.saleId, customerId }),
            ),
          );
        }),
      park: () =>
        enqueue(async () => {
          const parked = await update((sale) => api.call('sale-park', { saleId: sale.saleId }));
          if (!parked) return false;
          set({ sale: null, mode: 'cart', selectedLineId: null });
          return true;
        }),
      loadParked: () =>
        enqueue(async () => {
          set({ busy: true });
          const value = settle(set, await api.call('sale-list-parked', {}));
          if (value) set({ parked: value.sales });
        }),
      closeParked: () => set({ parked: null }),
      resume: (saleId) =>
        enqueue(async () => {
          if (get().sale?.status === 'open') return fail(screenError(t('sell.resumeBusy')));
          set({ busy: true });
          const sale = settle(set, await api.call('sale-resume', { saleId, registerId }));
          if (!sale) return false;
          set({ sale, parked: null, mode: 'cart', completed: null, selectedLineId: null });
          return true;
        }),
      voidSale: (reason) =>
        enqueue(async () => {
          const voided = await update((sale) =>
            api.callWithOverride('sale-void', { saleId: sale.saleId, reason }),
          );
          if (!voided) return false;
          set({ sale: null, mode: 'cart', selectedLineId: null });
          return true;
        }),
      addGiftCard: (number, amount) =>
        enqueue(async () => {
          const sale = await openSale();
          if (!sale) return false;
          const before = saleLineIds(sale);
          const next = await update((current) =>
            api.call('sale-add-gift-card', { saleId: current.saleId, number, amount }),
          );
          if (!next) return false;
          const added = (next.giftCards ?? []).find((load) => !before.includes(load.lineId));
          set({ error: null, selectedLineId: added?.lineId ?? get().selectedLineId });
          return true;
        }),
      setExchange: (exchange) =>
        enqueue(async () => {
          const sale = exchange === null ? get().sale : await openSale();
          if (!sale) return false;
          return Boolean(
            await update((current) => api.call('sale-set-exchange', { saleId: current.saleId, exchange })),
          );
        }),
      postVoid: (reason) =>
        enqueue(async () => {
          const completed = get().completed;
          if (!completed || completed.sale.status !== 'completed') return false;
          set({ busy: true });
          const voided = settle(
            set,
            await api.callWithOverride('sale-post-void', { saleId: completed.sale.saleId, reason }),
          );
          if (!voided) return false;
          set({ completed: { ...completed, sale: voided } });
          if (voided.tenders.some((tender) => tender.type === 'cash' && tender.amount > 0)) {
            const drawer = await openCashDrawerFor(api, devices, {
              registerId,
              reason: 'refund',
              reference: voided.saleId,
            });
            if (!drawer.ok && devices.kind === 'desktop') set({ deviceNotice: drawer.message });
          }
          return true;
        }),
      // Waits for scans still in flight: Pay pressed right after the last scan pays for that item too.
      startTender: () =>
        enqueue(async () => {
          const sale = get().sale;
          if (!sale || saleLineIds(sale).length === 0) {
            set({ error: screenError(t('sell.nothingToPay')) });
            return;
          }
          set({ mode: 'tender', error: null });
        }),
      backToCart: () => set({ mode: 'cart', error: null }),
      payCash: (amount) => enqueue(() => pay({ type: 'cash', amount })),
      payCard: (amount, reference) => enqueue(() => pay({ type: 'card', amount, reference })),
      payPoints: (points) => enqueue(() => pay({ type: 'loyalty_points', points })),
      payStoredValue: (kind, amount, number) => enqueue(() => pay({ type: kind, amount, number })),
      checkStoredValue: (number) =>
        enqueue(async () => {
          set({ busy: true });
          return settle(set, await api.call('stored-value-balance', { number })) ?? null;
        }),
      refreshLoyalty: () =>
        enqueue(async () => {
          const customerId = get().sale?.customerId;
          if (!customerId) return false;
          set({ busy: true });
          const customer = settle(set, await api.call('customer-loyalty', { customerId }));
          const current = get().sale;
          if (!customer || current?.customerId !== customerId) return false;
          set({ sale: { ...current, customer } });
          return true;
        }),
      removeTender: (tenderId) =>
        enqueue(async () =>
          Boolean(await update((sale) => api.call('sale-remove-tender', { saleId: sale.saleId, tenderId }))),
        ),
      removeOverTendered: () =>
        enqueue(async () => {
          const tenderIds = get().sale?.payment.overTendered?.tenderIds ?? [];
          for (const tenderId of tenderIds) {
            const sale = await update((current) =>
              api.call('sale-remove-tender', { saleId: current.saleId, tenderId }),
            );
            if (!sale) return false;
          }
          // Back to payment, where the amount now due is offered.
          if (tenderIds.length > 0) set({ mode: 'tender' });
          return tenderIds.length > 0;
        }),
      complete: () => enqueue(finish),
      printReceipt: () =>
        enqueue(async () => {
          const completed = get().completed;
          const receiptNumber = completed?.sale.receiptNumber;
          if (!completed || !receiptNumber) return false;
          set({ busy: true });
          const printed = settle(set, await printReceipt(api, devices, receiptNumber));
          if (!printed) return false;
          set({
            completed: { ...completed, receiptHtml: printed.print.html, printed: printed.print.printNo },
            deviceNotice: printed.device.ok ? null : printed.device.message,
          });
          return printed.device.ok;
        }),
      newSale: () =>
        set({
          mode: 'cart',
          completed: null,
          sale: null,
          selectedLineId: null,
          error: null,
          deviceNotice: null,
          reservedNotice: null,
        }),
      dismissError: () => set({ error: null }),
    };
  });
  return Object.assign(store, { stop: () => stopPrices() });
}
