import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../testing/memory-storage';
import { SESSION_KEY, createSessionStore } from './session-store';

const USER = { userId: 'u1', username: 'ana', role: 'viewer' as const, active: true, createdAt: 0 };

describe('session-store', () => {
  describe('createSessionStore', () => {
    it('keeps a session across a reload of the tab until it expires', () => {
      const storage = memoryStorage();
      let now = 1_000;
      createSessionStore(storage, () => now)
        .getState()
        .signedIn({ token: 'hs_1', expiresAt: 5_000, user: USER });
      const reloaded = createSessionStore(storage, () => now);
      expect(reloaded.getState()).toMatchObject({ phase: 'signed-in', token: 'hs_1' });
      expect(reloaded.getState().currentToken()).toBe('hs_1');
      now = 5_000;
      expect(reloaded.getState().currentToken()).toBeNull();
      expect(createSessionStore(storage, () => now).getState().phase).toBe('signed-out');
      expect(storage.getItem(SESSION_KEY)).toBeNull();
    });

    it('treats a damaged stored session as none', () => {
      const storage = memoryStorage();
      storage.setItem(SESSION_KEY, '{"token":');
      expect(createSessionStore(storage, () => 0).getState().phase).toBe('signed-out');
      storage.setItem(SESSION_KEY, JSON.stringify({ token: 'hs_1', expiresAt: 10 }));
      expect(createSessionStore(storage, () => 0).getState().phase).toBe('signed-out');
      expect(storage.getItem(SESSION_KEY)).toBeNull();
    });

    it('forgets the token on sign-out and keeps the reason to show', () => {
      const storage = memoryStorage();
      const store = createSessionStore(storage, () => 0);
      store.getState().signedIn({ token: 'hs_1', expiresAt: 10, user: USER });
      store.getState().signedOut('You are signed out.');
      expect(store.getState()).toMatchObject({ phase: 'signed-out', notice: 'You are signed out.' });
      expect(store.getState().currentToken()).toBeNull();
      expect(storage.getItem(SESSION_KEY)).toBeNull();
    });
  });
});
