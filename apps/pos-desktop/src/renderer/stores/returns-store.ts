import { createStore } from 'zustand/vanilla';
import type { CatalogItem, ReturnView, SaleView } from '../../shared/commands';
import type { CustomerSummary } from '../../shared/loyalty-commands';
import type { Disposition } from '../components/disposition-select';
import type { PosApi } from '../api/pos-api';
import { openCashDrawerFor } from '../devices/cash-drawer';
import type { PosDevices } from '../devices/devices';
import { printReceipt } from '../devices/print-receipt';
import { t } from '../i18n/translate';
import { createActionQueue, screenError, settle, type CommandState } from './store-kit';

export interface ReturnChoice {
  /** Pieces, or grams for kg lines. */
  readonly qty: number;
  readonly disposition: Disposition;
}

export interface NoReceiptLine {
  readonly item: CatalogItem;
  readonly qty: number;
  readonly disposition: Disposition;
}

export type ReturnsMode = 'find' | 'receipt' | 'no-receipt' | 'done';

export interface ReturnsState extends CommandState {
  readonly registerId: string;
  readonly mode: ReturnsMode;
  /** The original sale found by its receipt number. */
  readonly sale: SaleView | null;
  /** What is coming back from that sale, by line id. */
  readonly choices: Readonly<Record<string, ReturnChoice>>;
  readonly noReceiptLines: readonly NoReceiptLine[];
  readonly result: ReturnView | null;
  readonly deviceNotice: string | null;
  /**
   * A receipt number neither the till nor the hub could find (the hub offline): carried into the no-receipt
   * return so the hub can link it to the sale later.
   */
  readonly missingReceipt: string | null;
  /** Whose a store credit slip this return issues is (optional): the hub opens the credit under them. */
  readonly creditCustomer: CustomerSummary | null;
  /** Customers by phone, email or card (the hub, or the till's copy offline), to own the store credit. */
  findCreditCustomers(query: string): Promise<readonly CustomerSummary[] | null>;
  setCreditCustomer(customer: CustomerSummary | null): void;
  find(receiptNumber: string): Promise<boolean>;
  choose(lineId: string, choice: ReturnChoice | null): void;
  submit(): Promise<boolean>;
  startNoReceipt(): void;
  addNoReceiptItem(item: CatalogItem, qty: number): void;
  updateNoReceiptLine(index: number, line: Partial<Pick<NoReceiptLine, 'qty' | 'disposition'>>): void;
  removeNoReceiptLine(index: number): void;
  submitNoReceipt(reason: string, originalReceiptNumber?: string): Promise<boolean>;
  printReceipt(): Promise<boolean>;
  reset(): void;
}

export type ReturnsStore = ReturnType<typeof createReturnsStore>;

const INITIAL = {
  mode: 'find' as ReturnsMode,
  sale: null,
  choices: {},
  noReceiptLines: [],
  result: null,
  deviceNotice: null,
  missingReceipt: null,
  creditCustomer: null,
  busy: false,
  error: null,
};

export function createReturnsStore(api: PosApi, devices: PosDevices, registerId: string) {
  const enqueue = createActionQueue();
  return createStore<ReturnsState>()((set, get) => {
    async function finished(result: ReturnView): Promise<true> {
      set({ result, mode: 'done' });
      if (result.refunds.some((refund) => refund.type === 'cash' && refund.amount > 0)) {
        const drawer = await openCashDrawerFor(api, devices, {
          registerId,
          reason: 'refund',
          reference: result.returnId,
        });
        if (!drawer.ok && devices.kind === 'desktop') set({ deviceNotice: drawer.message });
      }
      return true;
    }
    const creditOwner = () => {
      const customer = get().creditCustomer;
      return customer === null ? {} : { customerId: customer.customerId };
    };
    return {
      registerId,
      ...INITIAL,
      findCreditCustomers: (query) =>
        enqueue(async () => {
          if (query.trim().length < 3) {
            set({ error: screenError(t('returns.customerQueryShort')) });
            return null;
          }
          set({ busy: true });
          const found = settle(set, await api.call('customer-find', { query: query.trim() }));
          if (found && found.customers.length === 0) set({ error: screenError(t('returns.noCustomer')) });
          return found?.customers ?? null;
        }),
      setCreditCustomer: (customer) => set({ creditCustomer: customer, error: null }),
      find: (receiptNumber) =>
        enqueue(async () => {
          const wanted = receiptNumber.trim();
          if (wanted === '') {
            set({ error: screenError(t('returns.receiptEmpty')) });
            return false;
          }
          set({ busy: true });
          const sale = settle(set, await api.call('sale-find', { receiptNumber: wanted }));
          set({ missingReceipt: sale ? null : wanted });
          if (!sale) return false;
          if (sale.status !== 'completed') {
            set({ error: screenError(t('returns.saleNotCompleted', { receipt: wanted })) });
            return false;
          }
          set({ sale, choices: {}, mode: 'receipt', result: null });
          return true;
        }),
      choose(lineId, choice) {
        const choices = { ...get().choices };
        if (choice === null || choice.qty <= 0) delete choices[lineId];
        else choices[lineId] = choice;
        set({ choices });
      },
      submit: () =>
        enqueue(async () => {
          const { sale, choices } = get();
          if (!sale?.receiptNumber) return false;
          const lines = Object.entries(choices).map(([lineId, choice]) => ({ lineId, ...choice }));
          if (lines.length === 0) {
            set({ error: screenError(t('returns.nothingChosen')) });
            return false;
          }
          set({ busy: true });
          const result = settle(
            set,
            await api.call('return-create', {
              registerId,
              receiptNumber: sale.receiptNumber,
              lines,
              ...creditOwner(),
            }),
          );
          return result ? finished(result) : false;
        }),
      startNoReceipt: () =>
        set({
          ...INITIAL,
          mode: 'no-receipt',
          missingReceipt: get().missingReceipt,
          creditCustomer: get().creditCustomer,
        }),
      addNoReceiptItem(item, qty) {
        const lines = get().noReceiptLines;
        const existing = lines.findIndex((line) => line.item.sku === item.sku);
        set({
          error: null,
          noReceiptLines:
            existing >= 0
              ? lines.map((line, index) => (index === existing ? { ...line, qty: line.qty + qty } : line))
              : [...lines, { item, qty, disposition: 'sellable' }],
        });
      },
      updateNoReceiptLine(index, patch) {
        set({
          noReceiptLines: get().noReceiptLines.map((line, at) =>
            at === index ? { ...line, ...patch } : line,
          ),
        });
      },
      removeNoReceiptLine(index) {
        set({ noReceiptLines: get().noReceiptLines.filter((_, at) => at !== index) });
      },
      submitNoReceipt: (reason, originalReceiptNumber) =>
        enqueue(async () => {
          const lines = get().noReceiptLines.map((line) => ({
            sku: line.item.sku,
            qty: line.qty,
            disposition: line.disposition,
          }));
          if (lines.length === 0) {
            set({ error: screenError(t('returns.nothingChosen')) });
            return false;
          }
          if (reason.trim() === '') {
            set({ error: screenError(t('returns.reasonNeeded')) });
            return false;
          }
          set({ busy: true });
          const result = settle(
            set,
            await api.callWithOverride('return-without-receipt', {
              registerId,
              lines,
              reason: reason.trim(),
              ...creditOwner(),
              ...(originalReceiptNumber?.trim()
                ? { originalReceiptNumber: originalReceiptNumber.trim() }
                : {}),
            }),
          );
          return result ? finished(result) : false;
        }),
      printReceipt: () =>
        enqueue(async () => {
          const result = get().result;
          if (!result) return false;
          set({ busy: true });
          const printed = settle(set, await printReceipt(api, devices, result.receiptNumber));
          if (!printed) return false;
          set({ deviceNotice: printed.device.ok ? null : printed.device.message });
          return printed.device.ok;
        }),
      reset: () => set({ ...INITIAL }),
    };
  });
}
