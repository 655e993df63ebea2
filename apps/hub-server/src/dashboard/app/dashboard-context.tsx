import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { createHubApi, type HubApi } from '../api/hub-api';
import type { DashboardFormat } from '../format/format';
import { errorText, t } from '../i18n/translate';
import { createLiveUpdates, type LiveUpdates } from './live-updates';
import { parseRoute, type Navigation, type Route } from './router';
import {
  createSessionStore,
  type SessionState,
  type SessionStorageLike,
  type SessionStore,
} from './session-store';

/** Everything a screen needs from outside React: the API, the session, navigation, formats and the clock. */
export interface DashboardServices {
  readonly api: HubApi;
  readonly session: SessionStore;
  readonly navigation: Navigation;
  readonly format: DashboardFormat;
  readonly now: () => number;
  /** Exceptions, order states and device sync as they change at the hub (GET /api/live). */
  readonly live: LiveUpdates;
}

export function createDashboardServices(options: {
  readonly fetch: typeof fetch;
  readonly storage: SessionStorageLike;
  readonly navigation: Navigation;
  readonly format: DashboardFormat;
  readonly now: () => number;
}): DashboardServices {
  const session = createSessionStore(options.storage, options.now);
  const api = createHubApi({
    fetch: options.fetch,
    token: () => session.getState().currentToken(),
    onUnauthorized: (error) => {
      if (session.getState().phase === 'signed-in') {
        session.getState().signedOut(t('error.sessionEnded', { reason: errorText(error) }));
      }
    },
  });
  const live = createLiveUpdates({
    fetch: options.fetch,
    token: () => session.getState().currentToken(),
    onSessionEnded: (error) => {
      if (session.getState().phase === 'signed-in') {
        session.getState().signedOut(t('error.sessionEnded', { reason: errorText(error) }));
      }
    },
    // A refused stream: `me` answers 401 for an ended session, and the API client signs out on that.
    checkSession: async () => {
      await api.me();
    },
  });
  return { api, session, navigation: options.navigation, format: options.format, now: options.now, live };
}

const DashboardContext = createContext<DashboardServices | null>(null);

export function DashboardProvider({
  services,
  children,
}: {
  services: DashboardServices;
  children: ReactNode;
}) {
  return <DashboardContext.Provider value={services}>{children}</DashboardContext.Provider>;
}

export function useServices(): DashboardServices {
  const services = useContext(DashboardContext);
  if (services === null) throw new Error('Dashboard screens must be rendered inside DashboardProvider.');
  return services;
}

export function useSession<T>(select: (state: SessionState) => T): T {
  return useStore(useServices().session, select);
}

/** True when the signed-in user may act (operator or admin); viewers see the same screens read-only. */
export function useCanAct(): boolean {
  return useSession((state) => state.phase === 'signed-in' && state.user.role !== 'viewer');
}

/** Admin-only changes (staff, settings) are offered to admins only; the hub enforces it anyway. */
export function useIsAdmin(): boolean {
  return useSession((state) => state.phase === 'signed-in' && state.user.role === 'admin');
}

export function useRoute(): Route {
  const { navigation } = useServices();
  const location = useSyncExternalStore(navigation.subscribe, navigation.current);
  return parseRoute(location);
}
