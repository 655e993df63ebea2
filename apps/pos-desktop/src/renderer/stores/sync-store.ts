import type { ErrorBody } from '@retail/domain';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SyncStatus } from '../../shared/commands';
import type { PosApi } from '../api/pos-api';
import type { NodeConnection, PosClient } from '../api/pos-client';

export interface SyncState {
  /** This screen's link to the store node. */
  readonly connection: NodeConnection;
  /** The store node's link to the hub and its outbox, as `sync-status` last reported it. */
  readonly status: SyncStatus | null;
  readonly error: ErrorBody | null;
  readonly syncing: boolean;
  refresh(): Promise<void>;
  /** Staff ask the node to try the hub again now (signed in only). */
  syncNow(): Promise<void>;
}

export type SyncStore = StoreApi<SyncState> & { stop(): void };

/** Where the operating system's network events arrive: the till's window (desktop shell or browser lane). */
export type NetworkEvents = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

/**
 * Kept live by the node's `sync-status` notifications; read again whenever the connection comes back. When
 * the OS reports the network back (`online`), the node is told at once (`sync-network-back`, no session
 * needed) so its sync agent retries the hub now instead of after its backoff or next /healthz probe.
 */
export function createSyncStore(
  client: PosClient,
  api: () => PosApi,
  network: NetworkEvents | undefined = globalThis.window,
): SyncStore {
  const store = createStore<SyncState>()((set) => ({
    connection: client.connection(),
    status: null,
    error: null,
    syncing: false,
    async refresh() {
      const result = await client.send('sync-status', {});
      if (result.ok) set({ status: result.value, error: null });
      else set({ error: result.error });
    },
    async syncNow() {
      set({ syncing: true });
      const result = await api().call('sync-now', {});
      if (result.ok) set({ status: result.value, error: null, syncing: false });
      else set({ error: result.error, syncing: false });
    },
  }));
  const stopStatus = client.on('sync-status', (status) => store.setState({ status, error: null }));
  const stopConnection = client.onConnection((connection) => {
    store.setState({ connection });
    if (connection === 'online') void store.getState().refresh();
  });
  const onNetworkBack = () => {
    void client.send('sync-network-back', {}).then((result) => {
      if (result.ok) store.setState({ status: result.value, error: null });
    });
  };
  network?.addEventListener('online', onNetworkBack);
  return Object.assign(store, {
    stop() {
      stopStatus();
      stopConnection();
      network?.removeEventListener('online', onNetworkBack);
    },
  });
}
