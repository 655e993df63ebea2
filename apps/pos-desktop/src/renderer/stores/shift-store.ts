import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ShiftReport, ShiftSummary, ZReport } from '../../shared/commands';
import type { PosApi } from '../api/pos-api';
import { createActionQueue, settle, type CommandState } from './store-kit';

export interface Denomination {
  readonly value: number;
  readonly count: number;
}

export interface ShiftState extends CommandState {
  readonly registerId: string;
  /** The open shift of this register; null when none is open (or not loaded yet, see `loaded`). */
  readonly shift: ShiftSummary | null;
  readonly loaded: boolean;
  readonly xReport: ShiftReport | null;
  /** The Z report of the shift this screen just closed. */
  readonly zReport: ZReport | null;
  /** A short confirmation of the last cash movement. */
  readonly lastMovement: { direction: 'in' | 'out'; amount: number } | null;
  load(): Promise<void>;
  open(float: number): Promise<boolean>;
  cashIn(amount: number, reason: string): Promise<boolean>;
  cashOut(amount: number, reason: string): Promise<boolean>;
  loadXReport(): Promise<void>;
  close(denominations: readonly Denomination[]): Promise<boolean>;
  dismissZReport(): void;
}

export type ShiftStore = StoreApi<ShiftState> & { stop(): void };

export function createShiftStore(api: PosApi, registerId: string): ShiftStore {
  const enqueue = createActionQueue();
  const store = createStore<ShiftState>()((set) => ({
    registerId,
    shift: null,
    loaded: false,
    xReport: null,
    zReport: null,
    lastMovement: null,
    busy: false,
    error: null,
    // A read: it never disables the forms. The shift screen reloads on every visit while the open-shift
    // form is already on screen; a disabled submit button makes the browser drop the Enter that submits the
    // float, silently. A write typed meanwhile queues behind the read.
    load: () =>
      enqueue(async () => {
        const value = settle(set, await api.call('shift-current', { registerId }));
        if (value) set({ shift: value.shift, loaded: true });
      }),
    open: (float) =>
      enqueue(async () => {
        set({ busy: true });
        const shift = settle(set, await api.call('shift-open', { registerId, float }));
        if (!shift) return false;
        set({ shift, loaded: true, zReport: null, xReport: null, lastMovement: null });
        return true;
      }),
    cashIn: (amount, reason) =>
      enqueue(async () => {
        set({ busy: true });
        const moved = settle(set, await api.call('shift-cash-in', { registerId, amount, reason }));
        if (!moved) return false;
        set({ lastMovement: { direction: 'in', amount: moved.amount }, xReport: null });
        return true;
      }),
    cashOut: (amount, reason) =>
      enqueue(async () => {
        set({ busy: true });
        const moved = settle(
          set,
          await api.callWithOverride('shift-cash-out', { registerId, amount, reason }),
        );
        if (!moved) return false;
        set({ lastMovement: { direction: 'out', amount: moved.amount }, xReport: null });
        return true;
      }),
    loadXReport: () =>
      enqueue(async () => {
        set({ busy: true });
        const report = settle(set, await api.call('shift-x-report', { registerId }));
        if (report) set({ xReport: report });
      }),
    close: (denominations) =>
      enqueue(async () => {
        set({ busy: true });
        const zReport = settle(
          set,
          await api.call('shift-close', {
            registerId,
            denominations: denominations.filter((denomination) => denomination.count > 0),
          }),
        );
        if (!zReport) return false;
        set({ zReport, shift: null, xReport: null, lastMovement: null });
        return true;
      }),
    dismissZReport: () => set({ zReport: null }),
  }));
  const stop = api.client.on('shift-changed', ({ shift }) => {
    if (shift.registerId !== registerId) return;
    store.setState({ shift: shift.status === 'open' ? shift : null, loaded: true });
  });
  return Object.assign(store, { stop });
}
