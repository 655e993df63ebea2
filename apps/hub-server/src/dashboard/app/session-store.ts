import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HqUser } from '../api/api-types';

/** Where the session lives: sessionStorage, so closing the tab ends it and other tabs do not share it. */
export interface SessionStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const SESSION_KEY = 'hq.session';

export interface SignedInSession {
  readonly token: string;
  readonly expiresAt: number;
  readonly user: HqUser;
}

export type SessionState =
  | { readonly phase: 'signed-out'; readonly notice: string | null }
  | ({ readonly phase: 'signed-in' } & SignedInSession);

export interface SessionActions {
  signedIn(session: SignedInSession): void;
  signedOut(notice: string | null): void;
  currentToken(): string | null;
}

export type SessionStore = StoreApi<SessionState & SessionActions>;

function readStored(storage: SessionStorageLike, now: number): SignedInSession | null {
  const text = storage.getItem(SESSION_KEY);
  if (text === null) return null;
  try {
    const stored = JSON.parse(text) as Partial<SignedInSession>;
    if (
      typeof stored.token === 'string' &&
      typeof stored.expiresAt === 'number' &&
      stored.expiresAt > now &&
      typeof stored.user?.username === 'string' &&
      typeof stored.user.role === 'string'
    ) {
      return stored as SignedInSession;
    }
  } catch {
    // A damaged entry is the same as none: the user signs in again.
  }
  storage.removeItem(SESSION_KEY);
  return null;
}

/** The signed-in HQ user and their token; a reload of the tab keeps the session until it expires. */
export function createSessionStore(storage: SessionStorageLike, now: () => number): SessionStore {
  const stored = readStored(storage, now());
  return createStore<SessionState & SessionActions>()((set, get) => ({
    ...(stored === null
      ? { phase: 'signed-out' as const, notice: null }
      : { phase: 'signed-in' as const, ...stored }),
    signedIn(session) {
      storage.setItem(SESSION_KEY, JSON.stringify(session));
      set({ phase: 'signed-in', ...session });
    },
    signedOut(notice) {
      storage.removeItem(SESSION_KEY);
      set({ phase: 'signed-out', notice }, false);
    },
    currentToken() {
      const state = get();
      if (state.phase !== 'signed-in') return null;
      return state.expiresAt > now() ? state.token : null;
    },
  }));
}
