import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CommandInput, CommandResponse, LocalStock, ReceivingDocumentView } from '../../shared/commands';
import type { PosApi } from '../api/pos-api';
import { t } from '../i18n/translate';
import { createActionQueue, settle, type CommandState } from './store-kit';

export interface StockState extends CommandState {
  /** Local stock of the SKUs this screen looked at, kept live by `stock-changed`. */
  readonly levels: Readonly<Record<string, LocalStock>>;
  /** A sentence confirming the last movement recorded. */
  readonly lastDone: string | null;
  /** The stores and warehouses a transfer may go to (loaded when the transfer-out form opens). */
  readonly destinations: readonly Destination[] | null;
  /** The transfer just sent: its number is what the receiving store types. */
  readonly lastTransfer: SentTransfer | null;
  /** The purchase orders and shipping notices HQ sent this store that can be received now. */
  readonly documents: readonly ReceivingDocumentView[] | null;
  loadDestinations(): Promise<void>;
  loadDocuments(): Promise<void>;
  receiveDocument(input: CommandInput<'stock-receive-document'>): Promise<boolean>;
  loadLevels(skus: readonly string[]): Promise<void>;
  receive(input: CommandInput<'stock-receive'>): Promise<boolean>;
  transferIn(input: CommandInput<'stock-transfer-in'>): Promise<boolean>;
  adjust(input: CommandInput<'stock-adjust'>): Promise<boolean>;
  count(input: CommandInput<'stock-count'>): Promise<boolean>;
  transferOut(input: CommandInput<'stock-transfer-out'>): Promise<boolean>;
  clearDone(): void;
}

export type StockStore = StoreApi<StockState> & { stop(): void };
export type Destination = CommandResponse<'stock-destinations'>['nodes'][number];
/** A shipped transfer: its number, where it goes and what went, as its slip prints it. */
export type SentTransfer = Omit<CommandResponse<'stock-transfer-out'>, 'levels'> & {
  readonly destination: Destination;
};

/** "Store 2 (S002)": how staff know a store; its id is for the node. */
export function destinationName(destination: Destination): string {
  return destination.code === '' ? destination.name : `${destination.name} (${destination.code})`;
}

export function createStockStore(api: PosApi): StockStore {
  const enqueue = createActionQueue();
  const store = createStore<StockState>()((set, get) => {
    const merge = (levels: readonly LocalStock[]) => {
      const next = { ...get().levels };
      for (const level of levels) next[level.sku] = level;
      set({ levels: next });
    };
    const record = async <T extends { levels: readonly LocalStock[] }>(
      work: () => Promise<T | undefined>,
      done: (value: T) => string,
    ): Promise<boolean> => {
      set({ busy: true, lastDone: null, lastTransfer: null });
      const value = await work();
      if (!value) return false;
      merge(value.levels);
      set({ lastDone: done(value) });
      return true;
    };
    return {
      levels: {},
      lastDone: null,
      destinations: null,
      lastTransfer: null,
      documents: null,
      loadDocuments: () =>
        enqueue(async () => {
          const value = settle(set, await api.call('stock-receiving-documents', { includeClosed: false }));
          if (value) set({ documents: value.documents });
        }),
      receiveDocument: (input) =>
        enqueue(async () => {
          const done = await record(
            async () => settle(set, await api.call('stock-receive-document', input)),
            ({ document, variances }) =>
              variances.length === 0
                ? t('stock.done.document', { number: document.number })
                : t('stock.done.documentVariance', {
                    number: document.number,
                    variances: variances
                      .map((line) =>
                        t(line.received > line.expected ? 'stock.variance.over' : 'stock.variance.under', {
                          sku: line.sku,
                          difference: Math.abs(line.received - line.expected),
                        }),
                      )
                      .join(', '),
                  }),
          );
          // Whatever the answer (received, or cancelled at HQ meanwhile), the list is read again, keeping
          // the node's sentence on screen.
          const listed = await api.call('stock-receiving-documents', { includeClosed: false });
          if (listed.ok) set({ documents: listed.value.documents });
          return done;
        }),
      loadDestinations: () =>
        enqueue(async () => {
          const value = settle(set, await api.call('stock-destinations', {}));
          if (value) set({ destinations: value.nodes });
        }),
      busy: false,
      error: null,
      loadLevels: (skus) =>
        enqueue(async () => {
          if (skus.length === 0) return;
          const value = settle(set, await api.call('stock-levels', { skus: [...skus] }));
          if (value) merge(value.levels);
        }),
      receive: (input) =>
        enqueue(() =>
          record(
            async () => settle(set, await api.call('stock-receive', input)),
            () => t('stock.done.receive', { lines: input.lines.length }),
          ),
        ),
      transferIn: (input) =>
        enqueue(() =>
          record(
            async () => settle(set, await api.call('stock-transfer-in', input)),
            () => t('stock.done.transferIn', { lines: input.lines.length, transfer: input.transferId }),
          ),
        ),
      adjust: (input) =>
        enqueue(() =>
          record(
            async () => settle(set, await api.call('stock-adjust', input)),
            () => t('stock.done.adjust', { lines: input.lines.length }),
          ),
        ),
      count: (input) =>
        enqueue(() =>
          record(
            async () => {
              // A cashier writing off more than the store allows is asked for a supervisor here.
              const value = settle(set, await api.callWithOverride('stock-count', input));
              return value ? { levels: [value.level], difference: value.difference } : undefined;
            },
            ({ difference }) => t('stock.done.count', { sku: input.sku, difference }),
          ),
        ),
      transferOut: (input) =>
        enqueue(async () => {
          const destination = get().destinations?.find((entry) => entry.nodeId === input.toNodeId) ?? {
            nodeId: input.toNodeId,
            code: '',
            name: input.toNodeId,
          };
          let sent: SentTransfer | null = null;
          const done = await record(
            async () => {
              const value = settle(set, await api.call('stock-transfer-out', input));
              if (value) {
                const { levels: _levels, ...transfer } = value;
                sent = { ...transfer, destination };
              }
              return value;
            },
            () =>
              t('stock.done.transferOut', {
                lines: input.lines.length,
                node: destinationName(destination),
              }),
          );
          if (done && sent !== null) set({ lastTransfer: sent });
          return done;
        }),
      clearDone: () => set({ lastDone: null }),
    };
  });
  const stop = api.client.on('stock-changed', ({ levels }) => {
    const next = { ...store.getState().levels };
    for (const level of levels) next[level.sku] = level;
    store.setState({ levels: next });
  });
  return Object.assign(store, { stop });
}
