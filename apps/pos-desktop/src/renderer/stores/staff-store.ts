import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CommandInput, StaffSummary } from '../../shared/commands';
import type { PosApi } from '../api/pos-api';
import { t } from '../i18n/translate';
import { createActionQueue, settle, type CommandState } from './store-kit';

export interface StaffState extends CommandState {
  readonly staff: readonly StaffSummary[];
  readonly loaded: boolean;
  readonly notice: string | null;
  load(): Promise<void>;
  /** A manager lifts the lockout of someone who mistyped their PIN too often: on one lane, or on all. */
  unlock(staffCode: string, laneId?: string): Promise<boolean>;
  create(input: CommandInput<'staff-create'>): Promise<boolean>;
}

export type StaffStore = StoreApi<StaffState>;

export function createStaffStore(api: PosApi): StaffStore {
  const enqueue = createActionQueue();
  return createStore<StaffState>()((set, get) => {
    const replace = (member: StaffSummary) => {
      const known = get().staff.some((entry) => entry.staffId === member.staffId);
      set({
        staff: known
          ? get().staff.map((entry) => (entry.staffId === member.staffId ? member : entry))
          : [...get().staff, member],
      });
    };
    return {
      staff: [],
      loaded: false,
      notice: null,
      busy: false,
      error: null,
      // A read never disables the forms (see shift-store's load).
      load: () =>
        enqueue(async () => {
          const value = settle(set, await api.call('staff-list', {}));
          if (value) set({ staff: value.staff, loaded: true });
        }),
      unlock: (staffCode, laneId) =>
        enqueue(async () => {
          set({ busy: true, notice: null });
          const member = settle(
            set,
            await api.call('staff-unlock', laneId === undefined ? { staffCode } : { staffCode, laneId }),
          );
          if (!member) return false;
          replace(member);
          set({ notice: t('staff.unlocked', { name: member.name }) });
          return true;
        }),
      create: (input) =>
        enqueue(async () => {
          set({ busy: true, notice: null });
          const member = settle(set, await api.call('staff-create', input));
          if (!member) return false;
          replace(member);
          set({ notice: t('staff.created', { name: member.name, code: member.staffCode }) });
          return true;
        }),
    };
  });
}
