import { createStore } from 'zustand/vanilla';
import type { CommandInput } from '../../shared/commands';
import type { CustomerSummary, LookupSource } from '../../shared/loyalty-commands';
import type { PosApi } from '../api/pos-api';
import { t } from '../i18n/translate';
import { createActionQueue, screenError, settle, type CommandState } from './store-kit';

export type NewCustomer = CommandInput<'customer-create'>;

export interface CustomerFound {
  readonly query: string;
  readonly customers: readonly CustomerSummary[];
  readonly source: LookupSource;
  /** The node's sentence when the answer came from its cache (the hub did not answer). */
  readonly note: string | null;
}

export interface CustomerState extends CommandState {
  readonly found: CustomerFound | null;
  /** The customer just created at this till, with where the node put it (hub, or a temporary id offline). */
  readonly created: { readonly customer: CustomerSummary; readonly source: LookupSource } | null;
  /** By phone, email or loyalty card number: the hub while it answers, the node's cache otherwise. */
  find(query: string): Promise<CustomerFound | null>;
  create(input: NewCustomer): Promise<CustomerSummary | null>;
  reset(): void;
}

export type CustomerStore = ReturnType<typeof createCustomerStore>;

/** Shortest query the node accepts: fewer characters would match half the customer base. */
const MIN_QUERY = 3;

export function createCustomerStore(api: PosApi) {
  const enqueue = createActionQueue();
  return createStore<CustomerState>()((set) => ({
    busy: false,
    error: null,
    found: null,
    created: null,
    find: (query) =>
      enqueue(async () => {
        const trimmed = query.trim();
        if (trimmed.length < MIN_QUERY) {
          set({ error: screenError(t('customer.queryShort')) });
          return null;
        }
        set({ busy: true, created: null });
        const answer = settle(set, await api.call('customer-find', { query: trimmed }));
        if (!answer) return null;
        const found = { query: trimmed, ...answer };
        set({ found });
        return found;
      }),
    create: (input) =>
      enqueue(async () => {
        if (input.phone === undefined && input.email === undefined) {
          set({ error: screenError(t('customer.contactNeeded')) });
          return null;
        }
        set({ busy: true });
        const answer = settle(set, await api.call('customer-create', input));
        if (!answer) return null;
        set({ created: answer });
        return answer.customer;
      }),
    reset: () => set({ found: null, created: null, error: null, busy: false }),
  }));
}
