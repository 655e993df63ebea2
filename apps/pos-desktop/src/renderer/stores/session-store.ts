import type { ErrorBody } from '@retail/domain';
import { createStore } from 'zustand/vanilla';
import type { CommandResponse, StaffSummary } from '../../shared/commands';
import type { PosClient } from '../api/pos-client';
import { errorText, t } from '../i18n/translate';
import type { CommandState } from './store-kit';

export type NodeInfo = CommandResponse<'node-info'>;

export type SessionPhase = 'loading' | 'signed-out' | 'signed-in' | 'locked';

export interface SessionState extends CommandState {
  readonly phase: SessionPhase;
  readonly node: NodeInfo | null;
  readonly staff: StaffSummary | null;
  readonly session: string | null;
  readonly expiresAt: string | null;
  /** Why the till is back at the sign-in screen (session expired, signed out elsewhere). */
  readonly notice: string | null;
  loadNode(): Promise<void>;
  signIn(staffCode: string, pin: string): Promise<boolean>;
  signOut(): Promise<void>;
  lock(): void;
  /** The locked staff member signs back in with their PIN. */
  unlock(pin: string): Promise<boolean>;
  /** Someone else takes the locked till: the locked session ends first. */
  switchUser(): Promise<void>;
  /** The node refused the session (expired or ended): back to sign-in with its sentence. */
  sessionRejected(error: ErrorBody): void;
}

export type SessionStore = ReturnType<typeof createSessionStore>;

export function createSessionStore(client: PosClient) {
  return createStore<SessionState>()((set, get) => {
    async function endSession(session: string): Promise<ErrorBody | null> {
      const result = await client.send('staff-sign-out', {}, { session });
      // An already expired session is as good as signed out.
      return result.ok || result.error.code === 'UNAUTHORIZED' ? null : result.error;
    }
    return {
      phase: 'loading',
      node: null,
      staff: null,
      session: null,
      expiresAt: null,
      notice: null,
      busy: false,
      error: null,
      async loadNode() {
        const result = await client.send('node-info', {});
        if (!result.ok) {
          set({ error: result.error });
          return;
        }
        set({
          node: result.value,
          error: null,
          phase: get().phase === 'loading' ? 'signed-out' : get().phase,
        });
      },
      async signIn(staffCode, pin) {
        set({ busy: true, error: null });
        const result = await client.send('staff-sign-in', { staffCode, pin });
        if (!result.ok) {
          set({ busy: false, error: result.error });
          return false;
        }
        set({
          busy: false,
          phase: 'signed-in',
          staff: result.value.staff,
          session: result.value.session,
          expiresAt: result.value.expiresAt,
          notice: null,
        });
        return true;
      },
      async signOut() {
        const { session } = get();
        set({ busy: true, error: null });
        const error = session === null ? null : await endSession(session);
        if (error) {
          set({ busy: false, error });
          return;
        }
        set({ busy: false, phase: 'signed-out', staff: null, session: null, expiresAt: null, notice: null });
      },
      lock() {
        if (get().phase === 'signed-in') set({ phase: 'locked', error: null });
      },
      async unlock(pin) {
        const { staff, session: lockedSession } = get();
        if (!staff) return false;
        set({ busy: true, error: null });
        const result = await client.send('staff-sign-in', { staffCode: staff.staffCode, pin });
        if (!result.ok) {
          set({ busy: false, error: result.error });
          return false;
        }
        set({
          busy: false,
          phase: 'signed-in',
          staff: result.value.staff,
          session: result.value.session,
          expiresAt: result.value.expiresAt,
        });
        // The PIN check made a fresh session; the one kept while locked is retired.
        if (lockedSession !== null) {
          const error = await endSession(lockedSession);
          if (error) set({ error });
        }
        return true;
      },
      async switchUser() {
        const { session } = get();
        set({ busy: true, error: null });
        const error = session === null ? null : await endSession(session);
        if (error) {
          set({ busy: false, error });
          return;
        }
        set({ busy: false, phase: 'signed-out', staff: null, session: null, expiresAt: null });
      },
      sessionRejected(error) {
        set({
          phase: 'signed-out',
          staff: null,
          session: null,
          expiresAt: null,
          notice: t('signIn.sessionEnded', { reason: errorText(error) }),
        });
      },
    };
  });
}
