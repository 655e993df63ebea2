import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CommandInput, CommandResponse } from '../../shared/commands';
import type { LaneSummary } from '../../shared/lane-commands';
import type { PosApi } from '../api/pos-api';
import { t } from '../i18n/translate';
import { createActionQueue, settle, type CommandState } from './store-kit';

export interface LanesState extends CommandState {
  readonly lanes: readonly LaneSummary[];
  /** The Lanes screen was opened: keep the list live from then on. */
  readonly loaded: boolean;
  /** The last pairing code created here, shown until it is used, expires or another is made. */
  readonly code: CommandResponse<'lane-pairing-code'> | null;
  readonly notice: string | null;
  load(): Promise<void>;
  createCode(input: CommandInput<'lane-pairing-code'>): Promise<boolean>;
  revoke(lane: LaneSummary): Promise<boolean>;
}

export type LanesStore = StoreApi<LanesState> & { stop(): void };

/** Managers pair lanes and customer displays with codes, and revoke them one by one. */
export function createLanesStore(api: PosApi): LanesStore {
  const enqueue = createActionQueue();
  const store = createStore<LanesState>()((set, get) => ({
    lanes: [],
    loaded: false,
    code: null,
    notice: null,
    busy: false,
    error: null,
    // A read never disables the forms (see shift-store's load).
    load: () =>
      enqueue(async () => {
        const value = settle(set, await api.call('lane-list', {}));
        if (value) set({ lanes: value.lanes, loaded: true });
      }),
    createCode: (input) =>
      enqueue(async () => {
        set({ busy: true, notice: null, code: null });
        const code = settle(set, await api.call('lane-pairing-code', input));
        if (!code) return false;
        set({ code });
        return true;
      }),
    revoke: (lane) =>
      enqueue(async () => {
        set({ busy: true, notice: null });
        const revoked = settle(set, await api.call('lane-revoke', { laneId: lane.laneId }));
        if (!revoked) return false;
        set({
          lanes: get().lanes.map((entry) => (entry.laneId === revoked.laneId ? revoked : entry)),
          notice: t('lanes.revoked', { name: revoked.name }),
        });
        return true;
      }),
  }));
  // A device that pairs (or is revoked elsewhere) shows up at once on a Lanes screen that is open.
  const reload = () => {
    if (store.getState().loaded) void store.getState().load();
  };
  const stopPaired = api.client.on('lane-paired', reload);
  const stopRevoked = api.client.on('lane-revoked', reload);
  return Object.assign(store, {
    stop() {
      stopPaired();
      stopRevoked();
    },
  });
}
