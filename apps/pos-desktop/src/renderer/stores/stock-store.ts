import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CommandInput, LocalStock } from '../../shared/commands';
import type { PosApi } from '../api/pos-api';
import { t } from '../i18n/translate';
import { createActionQueue, settle, type CommandState } from './store-kit';

export interface StockState extends CommandState {
  /** Local stock of the SKUs this screen looked at, kept live by `stock-changed`. */
  readonly levels: Readonly<Record<string, LocalStock>>;
  /** A sentence confirming the last movement recorded. */
  readonly lastDone: string | null;
  loadLevels(skus: readonly string[]): Promise<void>;
  receive(input: CommandInput<'stock-receive'>): Promise<boolean>;
  transferIn(input: CommandInput<'stock-transfer-in'>): Promise<boolean>;
  adjust(input: CommandInput<'stock-adjust'>): Promise<boolean>;
  count(input: CommandInput<'stock-count'>): Promise<boolean>;
  transferOut(input: CommandInput<'stock-transfer-out'>): Promise<boolean>;
  clearDone(): void;
}

export type StockStore = StoreApi<StockState> & { stop(): void };

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
      set({ busy: true, lastDone: null });
      const value = await work();
      if (!value) return false;
      merge(value.levels);
      set({ lastDone: done(value) });
      return true;
    };
    return {
      levels: {},
      lastDone: null,
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
        enqueue(() =>
          record(
            async () => settle(set, await api.call('stock-transfer-out', input)),
            () => t('stock.done.transferOut', { lines: input.lines.length, node: input.toNodeId }),
          ),
        ),
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
