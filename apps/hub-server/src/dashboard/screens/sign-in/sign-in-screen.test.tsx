// @vitest-environment happy-dom
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SESSION_KEY } from '../../app/session-store';
import { failure } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

const USER = { userId: 'u1', username: 'hq.ana', role: 'operator', active: true, createdAt: 0 };

describe('sign-in-screen', () => {
  describe('SignInScreen', () => {
    it('signs in, keeps the token in sessionStorage, shows the role and sends the token with every call', async () => {
      const { user, hub, storage } = renderDashboard({
        setup: (h) => {
          h.handle('POST /api/auth/login', ({ body }) =>
            (body as { password: string }).password === 'correct horse'
              ? { token: 'hs_abc', expiresAt: NOW + 3_600_000, user: USER }
              : failure('UNAUTHORIZED', 'The user name or password is wrong.'),
          );
          h.handle('GET /api/exceptions', () => []);
        },
      });
      await user.type(screen.getByLabelText('User name'), 'hq.ana');
      await user.type(screen.getByLabelText('Password'), 'wrong{Enter}');
      expect((await screen.findByRole('alert')).textContent).toBe('The user name or password is wrong.');

      await user.clear(screen.getByLabelText('Password'));
      await user.type(screen.getByLabelText('Password'), 'correct horse');
      await user.click(screen.getByRole('button', { name: 'Sign in' }));
      expect(await screen.findByText('Signed in as hq.ana, Operator')).toBeTruthy();
      expect(await screen.findByText('No open exceptions match these filters.')).toBeTruthy();
      expect(JSON.parse(storage.getItem(SESSION_KEY) ?? '{}')).toMatchObject({ token: 'hs_abc' });
      const exceptionsCall = hub.requests.find((request) => request.path === '/api/exceptions');
      expect(exceptionsCall?.authorization).toBe('Bearer hs_abc');
    });

    it('signs out on request and forgets the token', async () => {
      const { user, hub, storage } = renderDashboard({
        signedInAs: 'viewer',
        setup: (h) => h.handle('GET /api/exceptions', () => []),
      });
      expect(await screen.findByText('Signed in as hq.ana, Viewer')).toBeTruthy();
      await user.click(screen.getByRole('button', { name: 'Sign out' }));
      expect(await screen.findByText('You are signed out.')).toBeTruthy();
      expect(storage.getItem(SESSION_KEY)).toBeNull();
      expect(hub.sent('POST', '/api/auth/logout')).toHaveLength(1);
    });

    it('returns to sign-in with the hub’s sentence when the session is no longer accepted', async () => {
      const { storage } = renderDashboard({
        signedInAs: 'operator',
        setup: (h) =>
          h.handle('GET /api/exceptions', () =>
            failure('UNAUTHORIZED', 'The session has expired; sign in again.'),
          ),
      });
      expect(
        await screen.findByText('You were signed out: The session has expired; sign in again.'),
      ).toBeTruthy();
      expect(screen.getByRole('form', { name: 'Sign in to the HQ dashboard' })).toBeTruthy();
      expect(storage.getItem(SESSION_KEY)).toBeNull();
    });
  });
});
