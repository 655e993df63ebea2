import type { Result } from '@retail/domain';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CommandInput, CommandResponse } from '../../shared/commands';
import type { PosApi } from '../api/pos-api';
import { t } from '../i18n/translate';
import { createActionQueue, screenError, settle, type CommandState } from './store-kit';

export type BopisOrderSummary = CommandResponse<'bopis-list'>['orders'][number];
export type BopisQueue = CommandResponse<'bopis-list'>['queue'];
export type BopisOrderDetail = CommandResponse<'bopis-get'>;
export type PickupAttempt = CommandInput<'bopis-lookup'>['attempt'];
export type PickedUnit = CommandResponse<'bopis-pick-scan'>['picked'];

export interface BopisState extends CommandState {
  readonly orders: readonly BopisOrderSummary[];
  readonly queue: BopisQueue | null;
  readonly loaded: boolean;
  /** The order open on screen (picking, or the one found for a pickup at the till). */
  readonly order: BopisOrderDetail | null;
  readonly lastPick: PickedUnit | null;
  /** A sentence for what just happened (order arrived, handed over, items put back). */
  readonly notice: string | null;
  /** The order this till just handed over: the node's "already handed over" is then no warning. */
  readonly handedOverId: string | null;
  load(): Promise<void>;
  open(orderId: string): Promise<boolean>;
  close(): void;
  accept(): Promise<boolean>;
  startPicking(): Promise<boolean>;
  /** Scan-to-verify: the node refuses an item that is not on the order or more than was ordered. */
  pickScan(code: string): Promise<boolean>;
  shortPick(lines: readonly { lineId: string; foundQty: number }[]): Promise<boolean>;
  markReady(): Promise<boolean>;
  /** Ship-to-home: lines that cannot be found in full; the rest still ships. */
  shortLines(lines: readonly { lineId: string; foundQty: number }[]): Promise<boolean>;
  pack(parcels: readonly { weightGrams: number }[]): Promise<boolean>;
  ship(carrier: string, trackingNumber: string): Promise<boolean>;
  unstage(): Promise<boolean>;
  lookup(attempt: PickupAttempt): Promise<boolean>;
  handOver(attempt: PickupAttempt): Promise<boolean>;
}

export type BopisStore = StoreApi<BopisState> & { stop(): void };

/**
 * The store's BOPIS work: the queue (live from `bopis-queue` and `bopis-order-arrived`), picking one order
 * by scanning, reporting what is short, marking it ready, putting back what will not be collected, and the
 * handover at the till by pickup code or order number and name.
 */
export function createBopisStore(api: PosApi): BopisStore {
  const enqueue = createActionQueue();
  const store = createStore<BopisState>()((set, get) => {
    /** Runs a step on the open order and shows the order as the node now sees it. */
    const step = (
      send: (orderId: string) => Promise<Result<BopisOrderDetail>>,
      done?: (order: BopisOrderDetail) => string | null,
    ) =>
      enqueue(async () => {
        const order = get().order;
        if (!order) return false;
        set({ busy: true, notice: null });
        const next = settle(set, await send(order.orderId));
        if (!next) return false;
        set({ order: next, notice: done ? done(next) : null });
        void refreshList();
        return true;
      });
    async function refreshList(): Promise<void> {
      const result = await api.call('bopis-list', { scope: 'open' });
      if (result.ok) set({ orders: result.value.orders, queue: result.value.queue, loaded: true });
      else set({ error: result.error });
    }
    return {
      orders: [],
      queue: null,
      loaded: false,
      order: null,
      lastPick: null,
      notice: null,
      handedOverId: null,
      busy: false,
      error: null,
      load: () => enqueue(refreshList),
      open: (orderId) =>
        enqueue(async () => {
          set({ busy: true, notice: null, lastPick: null });
          const order = settle(set, await api.call('bopis-get', { orderId }));
          if (!order) return false;
          set({ order });
          return true;
        }),
      close: () => set({ order: null, lastPick: null, error: null, notice: null, handedOverId: null }),
      accept: () => step((orderId) => api.call('bopis-accept', { orderId })),
      startPicking: () => step((orderId) => api.call('bopis-start-picking', { orderId })),
      pickScan: (code) =>
        enqueue(async () => {
          const order = get().order;
          if (!order) return false;
          if (code.trim() === '') {
            set({ error: screenError(t('bopis.scanEmpty')) });
            return false;
          }
          set({ busy: true, notice: null });
          const picked = settle(
            set,
            await api.call('bopis-pick-scan', { orderId: order.orderId, code: code.trim() }),
          );
          if (!picked) {
            set({ lastPick: null });
            return false;
          }
          set({ order: picked.order, lastPick: picked.picked });
          return true;
        }),
      shortPick: (lines) => step((orderId) => api.call('bopis-short-pick', { orderId, lines: [...lines] })),
      markReady: () =>
        step(
          (orderId) => api.call('bopis-mark-ready', { orderId }),
          (order) => t('bopis.readyDone', { order: order.orderNumber }),
        ),
      shortLines: (lines) =>
        step(async (orderId) => {
          // One step per short line, in order; the first refusal stops and is shown.
          let last: Result<BopisOrderDetail> | null = null;
          for (const line of lines) {
            last = await api.call('bopis-short-line', {
              orderId,
              lineId: line.lineId,
              foundQty: line.foundQty,
            });
            if (!last.ok) return last;
          }
          return last ?? (await api.call('bopis-get', { orderId }));
        }),
      pack: (parcels) =>
        step(
          (orderId) => api.call('bopis-pack', { orderId, parcels: parcels.map((parcel) => ({ ...parcel })) }),
          (order) =>
            t('bopis.packedDone', { order: order.orderNumber, parcels: order.shipment?.parcels.length ?? 0 }),
        ),
      ship: (carrier, trackingNumber) =>
        step(
          (orderId) => api.call('bopis-ship', { orderId, carrier, trackingNumber }),
          (order) =>
            t('bopis.shippedDone', {
              order: order.orderNumber,
              carrier: order.shipment?.carrier ?? carrier,
              tracking: order.shipment?.trackingNumber ?? trackingNumber,
            }),
        ),
      unstage: () =>
        enqueue(async () => {
          const order = get().order;
          if (!order) return false;
          set({ busy: true, notice: null });
          const result = settle(set, await api.call('bopis-unstage', { orderId: order.orderId }));
          if (!result) return false;
          set({ order: result.order, notice: t('bopis.putBackDone', { order: result.order.orderNumber }) });
          void refreshList();
          return true;
        }),
      lookup: (attempt) =>
        enqueue(async () => {
          set({ busy: true, notice: null, handedOverId: null });
          const order = settle(set, await api.call('bopis-lookup', { attempt }));
          if (!order) {
            set({ order: null });
            return false;
          }
          set({ order });
          return true;
        }),
      handOver: (attempt) =>
        enqueue(async () => {
          set({ busy: true, notice: null });
          const result = settle(set, await api.call('bopis-handover', { attempt }));
          if (!result) return false;
          set({
            order: result.order,
            handedOverId: result.order.orderId,
            notice: t('bopis.handedOver', {
              order: result.order.orderNumber,
              how: t(result.verifiedBy === 'pickup_code' ? 'bopis.byCode' : 'bopis.byName'),
            }),
          });
          void refreshList();
          return true;
        }),
    };
  });
  const stopQueue = api.client.on('bopis-queue', (queue) => {
    store.setState({ queue });
    if (store.getState().loaded) void store.getState().load();
    // The node says this after every hub feed page: an order on screen whose steps the hub had not
    // confirmed may be confirmed now, so "Not confirmed by the hub yet" must not outlive the fact.
    const open = store.getState().order;
    if (open?.pendingSync) void refreshOpenOrder(open.orderId);
  });
  async function refreshOpenOrder(orderId: string): Promise<void> {
    const result = await api.call('bopis-get', { orderId });
    if (result.ok && store.getState().order?.orderId === orderId) store.setState({ order: result.value });
  }
  const stopArrived = api.client.on('bopis-order-arrived', (arrived) => {
    store.setState({
      notice: t('bopis.arrived', {
        order: arrived.orderNumber,
        customer: arrived.customerName,
        units: arrived.units,
      }),
    });
  });
  return Object.assign(store, {
    stop() {
      stopQueue();
      stopArrived();
    },
  });
}
