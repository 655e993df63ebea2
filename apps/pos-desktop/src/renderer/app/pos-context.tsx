import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useStore, type StoreApi } from 'zustand';
import { createStoreFormat, type StoreFormat } from '../format/format';
import type { PosServices } from './pos-services';

const PosContext = createContext<PosServices | null>(null);

export function PosProvider({ services, children }: { services: PosServices; children: ReactNode }) {
  return <PosContext.Provider value={services}>{children}</PosContext.Provider>;
}

export function usePos(): PosServices {
  const services = useContext(PosContext);
  if (!services) throw new Error('usePos() needs a <PosProvider> around the screen.');
  return services;
}

/** Reads one area store; pick a single value or a stable reference so React re-renders only on change. */
export function useArea<S, T>(store: StoreApi<S>, select: (state: S) => T): T {
  return useStore(store, select);
}

/**
 * Amounts, weights and times in the store's own locale, currency and time zone (from node-info). Screens
 * that show amounts only mount once node-info has answered, so there is never a guessed currency.
 */
export function useFormat(): StoreFormat {
  const { session } = usePos();
  const node = useStore(session, (state) => state.node);
  const format = useMemo(
    () =>
      node
        ? createStoreFormat({ locale: node.locale, currency: node.currency, timezone: node.timezone })
        : null,
    [node],
  );
  if (!format) throw new Error('useFormat() before node-info answered: mount money screens after it.');
  return format;
}
