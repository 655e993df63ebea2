import { createPosApi, type PosApi } from '../api/pos-api';
import type { PosClient } from '../api/pos-client';
import type { PosDevices } from '../devices/devices';
import { createBopisStore, type BopisStore } from '../stores/bopis-store';
import { createCustomerStore, type CustomerStore } from '../stores/customer-store';
import { createLanesStore, type LanesStore } from '../stores/lanes-store';
import { createOverrideStore, type OverrideStore } from '../stores/override-store';
import { createReturnsStore, type ReturnsStore } from '../stores/returns-store';
import { createSaleStore, type SaleStore } from '../stores/sale-store';
import { createSessionStore, type SessionStore } from '../stores/session-store';
import { createShiftStore, type ShiftStore } from '../stores/shift-store';
import { createStaffStore, type StaffStore } from '../stores/staff-store';
import { createStockStore, type StockStore } from '../stores/stock-store';
import { createSyncStore, type SyncStore } from '../stores/sync-store';

/** Everything a till's screens share: the command channel, the peripherals and one zustand store per area. */
export interface PosServices {
  readonly client: PosClient;
  readonly api: PosApi;
  readonly devices: PosDevices;
  readonly registerId: string;
  readonly session: SessionStore;
  readonly override: OverrideStore;
  readonly sync: SyncStore;
  readonly shift: ShiftStore;
  readonly sale: SaleStore;
  readonly customer: CustomerStore;
  readonly returns: ReturnsStore;
  readonly stock: StockStore;
  readonly bopis: BopisStore;
  readonly staff: StaffStore;
  readonly lanes: LanesStore;
  dispose(): void;
}

export interface PosServicesOptions {
  readonly client: PosClient;
  readonly devices: PosDevices;
  /** The register (lane) this screen sells on; shifts and sales belong to it. */
  readonly registerId: string;
}

export function createPosServices({ client, devices, registerId }: PosServicesOptions): PosServices {
  const session = createSessionStore(client);
  // The override dialog grants overrides through the API, and the API opens the dialog: the store reads
  // `api` lazily, only once a command asked for a manager.
  const override = createOverrideStore(() => api);
  const api = createPosApi({
    client,
    session: () => session.getState().session,
    onSessionRejected: (error) => session.getState().sessionRejected(error),
    requestOverride: (request) => override.getState().ask(request),
  });
  const sync = createSyncStore(client, () => api);
  const shift = createShiftStore(api, registerId);
  const stock = createStockStore(api);
  const bopis = createBopisStore(api);
  const sale = createSaleStore(api, devices, registerId);
  const lanes = createLanesStore(api);
  return {
    client,
    api,
    devices,
    registerId,
    session,
    override,
    sync,
    shift,
    stock,
    bopis,
    staff: createStaffStore(api),
    lanes,
    sale,
    customer: createCustomerStore(api),
    returns: createReturnsStore(api, devices, registerId),
    dispose() {
      override.getState().cancel();
      sync.stop();
      shift.stop();
      stock.stop();
      bopis.stop();
      sale.stop();
      lanes.stop();
      client.close();
    },
  };
}
