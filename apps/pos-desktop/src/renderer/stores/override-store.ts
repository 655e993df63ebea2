import { createStore } from 'zustand/vanilla';
import type { OverrideRequest, PosApi } from '../api/pos-api';
import type { CommandState } from './store-kit';

export interface OverrideState extends CommandState {
  /** The override being asked for; the dialog is open while this is set. */
  readonly request: OverrideRequest | null;
  ask(request: OverrideRequest): Promise<string | null>;
  grant(managerCode: string, managerPin: string, reason: string): Promise<void>;
  cancel(): void;
}

export type OverrideStore = ReturnType<typeof createOverrideStore>;

/**
 * The manager override dialog's state. `ask` is what the API calls on OVERRIDE_REQUIRED: it opens the
 * dialog and resolves once a manager authorized the action (with the override id) or the cashier cancelled.
 */
export function createOverrideStore(api: () => PosApi) {
  let pending: ((overrideId: string | null) => void) | undefined;
  return createStore<OverrideState>()((set, get) => ({
    request: null,
    busy: false,
    error: null,
    ask(request) {
      // A second request while one is open would strand the first caller: answer it before replacing it.
      pending?.(null);
      set({ request, error: null, busy: false });
      return new Promise<string | null>((resolve) => {
        pending = resolve;
      });
    },
    async grant(managerCode, managerPin, reason) {
      const request = get().request;
      if (!request) return;
      set({ busy: true, error: null });
      const result = await api().call('staff-override', {
        managerCode,
        managerPin,
        action: request.action,
        reason,
      });
      if (!result.ok) {
        set({ busy: false, error: result.error });
        return;
      }
      const resolve = pending;
      pending = undefined;
      set({ busy: false, request: null, error: null });
      resolve?.(result.value.overrideId);
    },
    cancel() {
      const resolve = pending;
      pending = undefined;
      set({ request: null, error: null, busy: false });
      resolve?.(null);
    },
  }));
}
